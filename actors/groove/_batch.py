"""``supertonic groove --batch``: one JSON request per line, one JSON answer per line.

Request: ``{"bpm": 104, "tracks": {"kick": "x-----x-x-------", ...}, "history": [{"bpm":
104, "hits": [{"track": "snare", "step": 4, "offset_ms": -6.5, "velocity": 88}, ...]},
...], "sample": false, "seed": 1, "style": "funk"}``; ``tracks`` are 16 steps of ``-``
``x`` ``X`` (tracks left out have no hits), ``history`` the take's earlier bars, oldest
first, ``style`` (optional) one of the learned feels. Answer: ``{"offset_ms": {track: 16
numbers or null}, "velocity": {...}}``, non-null exactly at the request's hits; a bad
line is answered ``{"error": "line N: ..."}`` and the next line is read.
"""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np

from actors.messages import TRACKS
from actors.rules import BAR_STEPS, STEP_VELOCITY, TEMPO, VELOCITY_ACCENT

from ._model import VELOCITY, GrooveModel, Played, answer

_FIELDS = frozenset({"bpm", "tracks", "history", "sample", "seed", "style"})


class RequestError(ValueError):
    pass


def respond(model: GrooveModel, request: object) -> dict[str, Any]:
    if not isinstance(request, dict):
        raise RequestError("a request is a JSON object")
    unknown = set(request) - _FIELDS
    if unknown:
        raise RequestError(f"unknown field(s): {', '.join(sorted(unknown))}")
    bpm = _bpm(request.get("bpm"), "bpm")
    pattern = _pattern(request.get("tracks"))
    history = [_played(bar, i) for i, bar in enumerate(request.get("history") or [])]
    style = request.get("style") or ""
    if style and style not in model.styles:
        raise RequestError(f"style {style!r} is not one of {', '.join(model.styles)}")
    seed = request.get("seed")
    if seed is not None and (not isinstance(seed, int) or isinstance(seed, bool)):
        raise RequestError(f"seed must be an integer, got {seed!r}")
    rng = np.random.default_rng(seed) if request.get("sample") else None
    result = answer(model, pattern, bpm, history, rng,
                    model.styles.index(style) if style else -1)
    return {
        "offset_ms": _lists(result.offset, pattern, 1),
        "velocity": _lists(np.round(result.velocity), pattern, 0),
    }


def _lists(values: np.ndarray, pattern: np.ndarray, digits: int) -> dict[str, list[Any]]:
    return {name: [(round(float(v), digits) if digits else int(v)) if p else None
                   for v, p in zip(row, prow, strict=True)]
            for name, row, prow in zip(TRACKS, values, pattern, strict=True)}


def _bpm(value: object, where: str) -> float:
    if (not isinstance(value, int | float) or isinstance(value, bool)
            or not TEMPO.holds(float(value))):
        raise RequestError(f"{where} must be a tempo of {TEMPO} BPM, got {value!r}")
    return float(value)


def _pattern(tracks: object) -> np.ndarray:
    if not isinstance(tracks, dict):
        raise RequestError('"tracks" must be an object of track name -> 16-step pattern')
    pattern = np.zeros((len(TRACKS), BAR_STEPS), np.int8)
    for name, text in tracks.items():
        if name not in TRACKS:
            raise RequestError(f"unknown track {name!r} (tracks: {', '.join(TRACKS)})")
        if not isinstance(text, str) or len(text) != BAR_STEPS or set(text) - set(STEP_VELOCITY):
            raise RequestError(f"track {name}: expected {BAR_STEPS} of '-', 'x', 'X', "
                               f"got {text!r}")
        pattern[TRACKS.index(name)] = [
            0 if c == "-" else 2 if STEP_VELOCITY[c] == VELOCITY_ACCENT else 1 for c in text]
    return pattern


def _played(bar: object, index: int) -> Played:
    where = f"history[{index}]"
    if not isinstance(bar, dict) or not isinstance(bar.get("hits"), list):
        raise RequestError(f'{where} must be an object with "bpm" and a "hits" list')
    bpm = _bpm(bar.get("bpm"), f"{where}.bpm")
    half_step = 60000.0 / bpm / 4 / 2
    shape = (len(TRACKS), BAR_STEPS)
    offset = np.full(shape, np.nan)
    velocity = np.full(shape, np.nan)
    for j, hit in enumerate(bar["hits"]):
        at = f"{where}.hits[{j}]"
        if not isinstance(hit, dict):
            raise RequestError(f"{at} must be an object")
        track, step, off, vel = (hit.get(k) for k in ("track", "step", "offset_ms", "velocity"))
        if track not in TRACKS:
            raise RequestError(f"{at}: unknown track {track!r}")
        if not isinstance(step, int) or isinstance(step, bool) or not 0 <= step < BAR_STEPS:
            raise RequestError(f"{at}: step must be 0-{BAR_STEPS - 1}, got {step!r}")
        if (not isinstance(off, int | float) or isinstance(off, bool) or not math.isfinite(off)
                or abs(off) > half_step):
            raise RequestError(f"{at}: offset_ms must be within half a step "
                               f"(±{half_step:.1f} ms at {bpm:g} BPM), got {off!r}")
        if (not isinstance(vel, int | float) or isinstance(vel, bool)
                or not VELOCITY[0] <= vel <= VELOCITY[1]):
            raise RequestError(f"{at}: velocity must be {VELOCITY[0]}-{VELOCITY[1]}, got {vel!r}")
        t = TRACKS.index(str(track))
        offset[t, step] = off
        velocity[t, step] = vel
    return Played(offset, velocity)


def answer_lines(model: GrooveModel, lines: Any, out: Any) -> int:
    """Answer each line of ``lines`` onto ``out``; returns how many lines failed."""
    failures = 0
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            reply = respond(model, json.loads(line))
        except (ValueError, TypeError) as error:  # JSONDecodeError is a ValueError
            failures += 1
            reply = {"error": f"line {number}: {error}"}
        print(json.dumps(reply), file=out, flush=True)
    return failures
