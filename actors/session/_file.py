"""The session file: versioned JSON, written atomically.

Version 1 fields (all optional when read; missing ones keep the defaults):

``format``      ``"supertonic-session"``
``version``     ``1``
``tempo``       BPM, 20-300
``swing``       percent 0-100 for every track (a track's own ``swing`` overrides it)
``fill_rate``   hits per step in a fill roll, 2-8
``kit``         a Microtonic preset, relative to the file: its first five drums are both
                patches of the five tracks (a track's own ``patches`` override them)
``basis``       the track generation looks at (a track name)
``lowpass``     ``{"frequency": Hz, "resonance": 0-1}``
``generation``  ``{"surprise": 0-1, "complexity": 0-1 or null}``
``groove``      ``{"amount": 0-1, "dynamics": 0-1, "feel": a learned style or "", "seed": int,
                "follow": 0-1}`` (missing: 0, 0, "", 0, 0 -- the exact grid, as before
                grooves existed; ``follow``: how strongly timing follows a live partner)
``tracks``      object keyed by track name (kick, snare, hihat, openhat, clap), each
                ``{"pattern": "x---X---", "fills": "--f-", "mute": bool, "swing": percent,
                "choke": bool, "morph": 0-1, "groove": 0-1, "dynamics": 0-1,
                "patches": [drum, drum]}`` (``groove``/``dynamics``: the track's share of
                the global amounts, 1 when missing); a drum is an
                object of the kit model's fields in its units, as in supertonic's kit JSON

Written files carry every field (patches inline, no ``kit``), so a saved session
plays the same wherever it is opened.
"""

from __future__ import annotations

import dataclasses
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from actors import kit as kits
from actors.clock import check_bpm
from actors.messages import TRACKS
from actors.rules import (
    FILL_RATE,
    GROOVE,
    LOWPASS_FREQUENCY,
    LOWPASS_OPEN,
    LOWPASS_RESONANCE,
    SWING,
    UNIT,
    Range,
)

from ._model import Session, SessionError, TrackChanges, default_session, full_fills, full_pattern

FORMAT = "supertonic-session"
VERSION = 1
_KEYS = {"format", "version", "tempo", "swing", "fill_rate", "kit", "basis", "lowpass",
         "generation", "groove", "tracks"}
_TRACK_KEYS = {"pattern", "fills", "mute", "swing", "choke", "morph", "groove", "dynamics",
               "patches"}


def session_to_json(session: Session, *, compact: bool = False) -> str:
    """The file text; ``compact`` drops the indentation, which lets Python's C encoder
    write it (ten times faster), for the state surfaces receive after each change."""
    document = {
        "format": FORMAT,
        "version": VERSION,
        "tempo": session.tempo,
        "fill_rate": session.fill_rate,
        "basis": TRACKS[session.basis],
        "lowpass": {"frequency": session.lowpass[0], "resonance": session.lowpass[1]},
        "generation": {"surprise": session.surprise, "complexity": session.complexity},
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
                "groove": track.groove,
                "dynamics": track.dynamics,
                "patches": [kits.drum_to_json(d) for d in track.patches],
            }
            for name, track in zip(TRACKS, session.tracks, strict=True)
        },
    }
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
        return _session_from(data, path)
    except (kits.KitError, ValueError, TypeError, KeyError) as exc:
        raise SessionError(f"{path}: {exc}") from None


def _session_from(data: Any, path: Path) -> Session:
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
        _known(generation, {"surprise", "complexity"}, "generation")
        complexity = generation.get("complexity")
        session = dataclasses.replace(
            session,
            surprise=_within(_number(generation.get("surprise", session.surprise)), UNIT,
                             "surprise"),
            complexity=(None if complexity is None
                        else _within(_number(complexity), UNIT, "complexity")))
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
