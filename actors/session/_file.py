"""The session file: versioned JSON, written atomically.

Version 1 fields (all optional when read; missing ones keep the defaults):

``format``      ``"supertonic-session"``
``version``     ``1``
``tempo``       BPM, 20-300
``step_rate``   ``"1/8"``, ``"1/8T"``, ``"1/16"`` (the default), ``"1/16T"`` or ``"1/32"``
``swing``       percent 0-100 for every track (a track's own ``swing`` overrides it)
``fill_rate``   hits per step in a fill roll, 2-8
``kit``         a Microtonic preset, relative to the file: its first five drums are both
                patches of the five tracks (a track's own ``patches`` override them)
``basis``       the track generation looks at (a track name)
``lowpass``     ``{"frequency": Hz, "resonance": 0-1}``
``generation``  ``{"surprise": 0-1, "complexity": 0-1 or null, "history_weight": 0-4,
                "basis_only": bool}``
``history``     the session's own bars for the generator, oldest first: a list of
                ``{"kick": "x---x---x---x---", ...}``, 16 steps per track (a track
                left out is unknown); left out of the state surfaces receive
``link_quantum`` beats per Ableton Link phase, 1-32 (used with ``--clock link``)
``groove``      ``{"amount": 0-1, "dynamics": 0-1, "feel": a learned style or "", "seed": int,
                "follow": 0-1}`` (missing: 0, 0, "", 0, 0 -- the exact grid, as before
                grooves existed; ``follow``: how strongly timing follows a live partner)
``tracks``      object keyed by track name (kick, snare, hihat, openhat, clap), each
                ``{"pattern": "x---X---", "fills": "--f-", "mute": bool, "swing": percent,
                "choke": bool, "morph": 0-1, "groove": 0-1, "dynamics": 0-1 (the track's share
                of the global groove amounts, 1 when missing), "length": 1-32 (default 32),
                "chain": [{"pattern": ..., "fills": ..., "length": 1-32}, ...] (pages
                played after the track's own steps, before it starts over; default
                none), "patches": [drum, drum]}``; a drum is an object of the kit
                model's fields in its units, as in supertonic's kit JSON

A length or step rate the machine cannot play is reported at its line and column:
those two are typed in by hand to set a meter.

Written files carry every field (patches inline, no ``kit``), so a saved session
plays the same wherever it is opened.
"""

from __future__ import annotations

import dataclasses
import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from actors import kit as kits
from actors.clock import check_bpm
from actors.messages import TRACKS
from actors.rules import (
    BAR_STEPS,
    CHAIN_PAGES,
    FILL_RATE,
    GROOVE,
    HISTORY_WEIGHT,
    LOWPASS_FREQUENCY,
    LOWPASS_OPEN,
    LOWPASS_RESONANCE,
    REST,
    STEP_VELOCITY,
    STEPS,
    SWING,
    UNIT,
    Range,
    check_length,
    check_step_rate,
)

from ._model import (
    MAX_HISTORY_BARS,
    Session,
    SessionError,
    TrackChanges,
    default_session,
    full_fills,
    full_pattern,
)

FORMAT = "supertonic-session"
VERSION = 1
_KEYS = {"format", "version", "tempo", "step_rate", "swing", "fill_rate", "kit", "basis",
         "lowpass", "generation", "groove", "history", "link_quantum", "tracks"}
T = TypeVar("T")
_TRACK_KEYS = {"pattern", "fills", "mute", "swing", "choke", "morph", "groove", "dynamics",
               "length", "chain", "patches"}
_PAGE_KEYS = {"pattern", "fills", "length"}


def session_to_json(session: Session, *, compact: bool = False) -> str:
    """The file text; ``compact`` drops the indentation, which lets Python's C encoder
    write it (ten times faster), for the state surfaces receive after each change, and
    the history, which no surface draws and which would multiply the state's size."""
    document = {
        "format": FORMAT,
        "version": VERSION,
        "tempo": session.tempo,
        "step_rate": session.step_rate,
        "fill_rate": session.fill_rate,
        "basis": TRACKS[session.basis],
        "lowpass": {"frequency": session.lowpass[0], "resonance": session.lowpass[1]},
        "generation": {"surprise": session.surprise, "complexity": session.complexity,
                       "history_weight": session.history_weight,
                       "basis_only": session.basis_only},
        "link_quantum": session.quantum,
        "groove": {"amount": session.groove, "dynamics": session.dynamics,
                   "feel": session.feel, "seed": session.groove_seed,
                   "follow": session.follow},
        "tracks": {
            name: {
                "pattern": track.pattern,
                "fills": track.fills,
                "mute": track.mute,
                "swing": 100 * track.swing,
                "choke": track.choke,
                "morph": track.morph,
                "length": track.length,
                "chain": [{"pattern": p, "fills": f, "length": n} for p, f, n in track.chain],
                "groove": track.groove,
                "dynamics": track.dynamics,
                "patches": [kits.drum_to_json(d) for d in track.patches],
            }
            for name, track in zip(TRACKS, session.tracks, strict=True)
        },
    }
    if not compact:
        document["history"] = [{name: text for name, text in zip(TRACKS, bar, strict=True)
                                if text} for bar in session.history]
    indent = None if compact else 1
    return json.dumps(document, indent=indent, ensure_ascii=False, allow_nan=False) + "\n"


def load_session(path: Path) -> Session:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SessionError(f"{path}: cannot read: {exc}") from None
    return session_from_json(text, path)


def session_from_json(text: str, path: Path) -> Session:
    try:
        data = json.loads(text, parse_constant=str)
    except json.JSONDecodeError as exc:
        raise SessionError(f"{path}:{exc.lineno}:{exc.colno}: {exc.msg}") from None
    try:
        return _session_from(data, path, text)
    except _Placed:
        raise
    except (kits.KitError, ValueError, TypeError, KeyError) as exc:
        raise SessionError(f"{path}: {exc}") from None


def _session_from(data: Any, path: Path, text: str) -> Session:
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise SessionError(f'not a session: expected {{"format": "{FORMAT}", ...}}')
    if data.get("version") != VERSION:
        raise SessionError(f"session version {data.get('version')!r} is not supported "
                           f"(this supertonic reads version {VERSION})")
    _known(data, _KEYS, "session")
    session = default_session()
    if "kit" in data:
        session = session.with_kit(kits.load_kit(path.parent / str(data["kit"])))
    if "tempo" in data:
        session = dataclasses.replace(session, tempo=check_bpm(_number(data["tempo"])))
    if "step_rate" in data:
        step_rate = _at(text, path, ("step_rate",), check_step_rate, data["step_rate"])
        session = dataclasses.replace(session, step_rate=step_rate)
    if "swing" in data:
        session = session.with_swing(_within(_number(data["swing"]) / 100, SWING, "swing"))
    if "fill_rate" in data:
        rate = _number(data["fill_rate"])
        if not FILL_RATE.holds(rate):
            raise SessionError(f"fill_rate {rate} is outside {FILL_RATE}")
        session = dataclasses.replace(session, fill_rate=rate)
    if "basis" in data:
        session = dataclasses.replace(session, basis=_track_index(data["basis"]))
    if "lowpass" in data:
        lowpass = data["lowpass"]
        _known(lowpass, {"frequency", "resonance"}, "lowpass")
        frequency = _number(lowpass.get("frequency", LOWPASS_OPEN))
        if not LOWPASS_FREQUENCY.holds(frequency):
            raise SessionError(f"lowpass frequency {frequency} is outside {LOWPASS_FREQUENCY} Hz")
        resonance = _within(_number(lowpass.get("resonance", 0.0)), LOWPASS_RESONANCE,
                            "lowpass resonance")
        session = dataclasses.replace(session, lowpass=(frequency, resonance))
    if "generation" in data:
        generation = data["generation"]
        _known(generation, {"surprise", "complexity", "history_weight", "basis_only"},
               "generation")
        complexity = generation.get("complexity")
        weight = _within(_number(generation.get("history_weight", session.history_weight)),
                         HISTORY_WEIGHT, "history_weight")
        session = dataclasses.replace(
            session,
            surprise=_within(_number(generation.get("surprise", session.surprise)), UNIT,
                             "surprise"),
            complexity=(None if complexity is None
                        else _within(_number(complexity), UNIT, "complexity")),
            history_weight=weight,
            basis_only=_boolean(generation.get("basis_only", session.basis_only),
                                "generation.basis_only"))
    if "history" in data:
        session = dataclasses.replace(session, history=_history(data["history"]))
    if "link_quantum" in data:
        session = session.with_quantum(_number(data["link_quantum"]))
    if "groove" in data:
        groove = data["groove"]
        _known(groove, {"amount", "dynamics", "feel", "seed", "follow"}, "groove")
        feel = groove.get("feel", "")
        seed = groove.get("seed", 0)
        if not isinstance(feel, str):
            raise SessionError(f"groove feel must be a style name, found {feel!r}")
        if isinstance(seed, bool) or not isinstance(seed, int):
            raise SessionError(f"groove seed must be an integer, found {seed!r}")
        session = dataclasses.replace(
            session, groove=_within(_number(groove.get("amount", 0.0)), GROOVE, "groove amount"),
            dynamics=_within(_number(groove.get("dynamics", 0.0)), GROOVE, "groove dynamics"),
            feel=feel, groove_seed=seed,
            follow=_within(_number(groove.get("follow", 0.0)), GROOVE, "groove follow"))
    tracks = data.get("tracks", {})
    _known(tracks, set(TRACKS), "tracks")
    for name, item in tracks.items():
        _known(item, _TRACK_KEYS, f"tracks.{name}")
        changes: TrackChanges = {}
        if "pattern" in item:
            changes["pattern"] = full_pattern(str(item["pattern"]))
        if "fills" in item:
            changes["fills"] = full_fills(str(item["fills"]))
        if "mute" in item:
            changes["mute"] = _boolean(item["mute"], f"tracks.{name}.mute")
        if "choke" in item:
            changes["choke"] = _boolean(item["choke"], f"tracks.{name}.choke")
        if "swing" in item:
            changes["swing"] = _within(_number(item["swing"]) / 100, SWING,
                                       f"tracks.{name}.swing")
        if "morph" in item:
            changes["morph"] = _within(_number(item["morph"]), UNIT, f"tracks.{name}.morph")
        if "length" in item:
            changes["length"] = _at(text, path, ("tracks", name, "length"), check_length,
                                    item["length"])
        if "chain" in item:
            changes["chain"] = _chain(item["chain"], text, path, name)
        if "groove" in item:
            changes["groove"] = _within(_number(item["groove"]), GROOVE, f"tracks.{name}.groove")
        if "dynamics" in item:
            changes["dynamics"] = _within(_number(item["dynamics"]), GROOVE,
                                          f"tracks.{name}.dynamics")
        if "patches" in item:
            patches = item["patches"]
            if not isinstance(patches, list) or len(patches) != 2:
                raise SessionError(f"tracks.{name}.patches must be a list of two drums")
            first, second = (kits.drum_from_json(p, str(path), f"$.tracks.{name}.patches[{i}]")
                             for i, p in enumerate(patches))
            changes["patches"] = (first, second)
        session = session.with_track(TRACKS.index(name), **changes)
    return session


def save_session(session: Session, path: Path) -> None:
    """Write atomically: a temporary file beside the target, fsync'd, then renamed,
    so a crash at any moment leaves either the old file or the new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(session_to_json(session))
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def _chain(pages: Any, text: str, path: Path, name: str) -> tuple[tuple[str, str, int], ...]:
    if not isinstance(pages, list) or len(pages) > CHAIN_PAGES:
        raise SessionError(f"tracks.{name}.chain must be a list of at most {CHAIN_PAGES} pages")
    chain = []
    for index, page in enumerate(pages):
        where = f"tracks.{name}.chain[{index}]"
        _known(page, _PAGE_KEYS, where)
        length = _at(text, path, ("tracks", name, "chain", index, "length"), check_length,
                     page.get("length", STEPS))
        chain.append((full_pattern(str(page.get("pattern", REST))),
                      full_fills(str(page.get("fills", REST))), length))
    return tuple(chain)


def _at(text: str, path: Path, keys: tuple[str | int, ...], check: Callable[[Any], T],
        value: Any) -> T:
    """``check(value)``, its refusal naming the value's line and column in ``text``."""
    try:
        return check(value)
    except ValueError as exc:
        line, column = _position(text, keys)
        where = "".join(f"[{k}]" if isinstance(k, int) else f".{k}" for k in keys)[1:]
        raise _Placed(f"{path}:{line}:{column}: {where}: {exc}") from None


class _Placed(SessionError):
    """A refusal that already names its file, line and column."""


def _position(text: str, keys: tuple[str | int, ...]) -> tuple[int, int]:
    """Line and column (from 1) of the value at ``keys`` (object keys and list indices
    from the top) in JSON ``text`` that has parsed: json keeps no positions, so walk it."""
    decoder = json.JSONDecoder()
    at = _space(text, 0)
    for key in keys:
        at += 1  # the object's "{" or the list's "["
        if isinstance(key, int):
            for _ in range(key):
                _, at = decoder.raw_decode(text, _space(text, at))
                at = _space(text, at) + 1  # past the ","
            at = _space(text, at)
            continue
        while True:
            name, at = decoder.raw_decode(text, _space(text, at))
            at = _space(text, _space(text, at) + 1)  # past the ":"
            if name == key:
                break
            _, at = decoder.raw_decode(text, at)
            at = _space(text, at) + 1  # past the ","
    line_start = text.rfind("\n", 0, at) + 1
    return text.count("\n", 0, at) + 1, at - line_start + 1


def _space(text: str, at: int) -> int:
    while at < len(text) and text[at] in " \t\n\r":
        at += 1
    return at


def _history(value: Any) -> tuple[tuple[str, ...], ...]:
    if not isinstance(value, list):
        raise SessionError("history must be a list of bars")
    bars = []
    for k, bar in enumerate(value[-MAX_HISTORY_BARS:]):
        where = f"history[{k + max(len(value) - MAX_HISTORY_BARS, 0)}]"
        _known(bar, set(TRACKS), where)
        for name, text in bar.items():
            if (not isinstance(text, str) or len(text) != BAR_STEPS
                    or set(text) - set(STEP_VELOCITY)):
                raise SessionError(
                    f"{where}.{name} must be {BAR_STEPS} of '-', 'x', 'X', found {text!r}")
        bars.append(tuple(str(bar.get(name, "")) for name in TRACKS))
    return tuple(bars)


def _known(value: Any, keys: set[str], where: str) -> None:
    if not isinstance(value, dict):
        raise SessionError(f"{where} must be an object")
    unknown = set(value) - keys
    if unknown:
        raise SessionError(f"unknown field(s) in {where}: {', '.join(sorted(unknown))}")


def _number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise SessionError(f"expected a number, found {value!r}")
    return float(value)


def _within(value: float, bounds: Range, what: str) -> float:
    if not bounds.holds(value):
        raise SessionError(f"{what} {value:g} is outside its range")
    return value


def _boolean(value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        raise SessionError(f"{where} must be true or false, found {value!r}")
    return value


def _track_index(name: Any) -> int:
    if name not in TRACKS:
        raise SessionError(f"unknown track {name!r}; tracks are {', '.join(TRACKS)}")
    return TRACKS.index(name)
