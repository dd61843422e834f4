"""The session file: what a set needs to start playing, as versioned JSON.

Version 1 fields (all optional; missing ones take the embedded defaults):

``format``  always ``"supertonic-session"``
``version`` ``1``
``tempo``   BPM, 20-300
``swing``   percent 0-100 for every track (Microtonic's swing)
``kit``     path of a Microtonic preset, relative to the session file
``tracks``  object keyed by track name (kick, snare, hihat, openhat, clap), each
            ``{"pattern": "x---X---", "swing": percent, "mute": bool, "choke": bool}``
            (a track's ``swing`` overrides the global one)
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

from actors.clock import check_bpm
from actors.messages import TRACKS, Message, SetChoke, SetMute, SetPattern, SetSwing
from actors.sequencer import parse_pattern

FORMAT = "supertonic-session"
VERSION = 1

DEFAULT_PATTERNS: tuple[str, ...] = (
    "X-------x-x-----X-------x--x--x-",
    "----X-------X-------X-------X--x",
    "x-x-X-x-x-x-X-x-x-x-X-x-x-x-X-xx",
    "--------------x---------------x-",
    "------------x---------------x---",
)
"""The embedded beat: a plain backbeat with a little push, so a fresh machine grooves."""


class SessionError(ValueError):
    pass


@dataclasses.dataclass(frozen=True)
class TrackSettings:
    pattern: str
    swing: float = 0.0
    """0.0-1.0."""
    mute: bool = False
    choke: bool = False


@dataclasses.dataclass(frozen=True)
class Session:
    tempo: float = 120.0
    tracks: tuple[TrackSettings, ...] = tuple(TrackSettings(p) for p in DEFAULT_PATTERNS)
    kit: Path | None = None

    def with_patterns(self, patterns: dict[int, str]) -> Session:
        for index, text in patterns.items():
            try:
                parse_pattern(text)
            except ValueError as exc:
                raise SessionError(f"{TRACKS[index]}: {exc}") from None
        tracks = tuple(
            dataclasses.replace(t, pattern=patterns.get(i, t.pattern))
            for i, t in enumerate(self.tracks)
        )
        return dataclasses.replace(self, tracks=tracks)

    def with_swing(self, swing: float) -> Session:
        return dataclasses.replace(
            self, tracks=tuple(dataclasses.replace(t, swing=swing) for t in self.tracks)
        )


def session_edits(session: Session) -> list[Message]:
    edits: list[Message] = []
    for index, track in enumerate(session.tracks):
        edits += [
            SetPattern(index, track.pattern),
            SetSwing(index, track.swing),
            SetMute(index, track.mute),
            SetChoke(index, track.choke),
        ]
    return edits


def load_session(path: Path) -> Session:
    try:
        data = json.loads(path.read_text())
    except (OSError, UnicodeDecodeError) as exc:
        raise SessionError(f"{path}: cannot read: {exc}") from None
    except json.JSONDecodeError as exc:
        raise SessionError(f"{path}:{exc.lineno}:{exc.colno}: {exc.msg}") from None
    try:
        return _session_from(data, path.parent)
    except (SessionError, ValueError, TypeError) as exc:
        raise SessionError(f"{path}: {exc}") from None


def _session_from(data: Any, base: Path) -> Session:
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise SessionError(f'not a session: expected {{"format": "{FORMAT}", ...}}')
    if data.get("version") != VERSION:
        raise SessionError(f"session version {data.get('version')!r} is not supported "
                           f"(this supertonic reads version {VERSION})")
    unknown = set(data) - {"format", "version", "tempo", "swing", "kit", "tracks"}
    if unknown:
        raise SessionError(f"unknown field(s): {', '.join(sorted(unknown))}")
    tempo = check_bpm(float(data.get("tempo", 120.0)))
    swing = _swing(data.get("swing", 0.0))
    tracks_data = data.get("tracks", {})
    if not isinstance(tracks_data, dict):
        raise SessionError("tracks must be an object keyed by track name")
    for name in tracks_data:
        if name not in TRACKS:
            raise SessionError(f"unknown track {name!r}; tracks are {', '.join(TRACKS)}")
    tracks = []
    for index, name in enumerate(TRACKS):
        item = tracks_data.get(name, {})
        pattern = str(item.get("pattern", DEFAULT_PATTERNS[index]))
        parse_pattern(pattern)
        tracks.append(TrackSettings(
            pattern=pattern,
            swing=_swing(item["swing"]) if "swing" in item else swing,
            mute=bool(item.get("mute", False)),
            choke=bool(item.get("choke", False)),
        ))
    kit = data.get("kit")
    return Session(tempo, tuple(tracks), (base / kit) if kit else None)


def _swing(percent: Any) -> float:
    value = float(percent)
    if not 0.0 <= value <= 100.0:
        raise SessionError(f"swing {value} % is outside 0-100")
    return value / 100.0
