"""Where kits and sessions live, and loading a session file through the session actor.

A session is loaded by sending the session actor the ordinary edit commands for
everything that differs, so that loading needs no message of its own, keeps the
session actor the single owner of the state, and changes (and re-voices) only
what the file really changes - a kit-identical file loads without a click.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

from actors.messages import (
    Message,
    SetBasis,
    SetChoke,
    SetFillRate,
    SetFills,
    SetGeneration,
    SetLowpass,
    SetMorph,
    SetMute,
    SetParam,
    SetPattern,
    SetSwing,
    SetTempo,
)
from actors.session import DEFAULT_KIT, load_session, session_to_json

from ._state import SessionView, parse_session

KIT_SUFFIXES = (".mtpreset", ".mtpg")


def _data_home() -> Path:
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")


@dataclasses.dataclass(frozen=True)
class Places:
    """The folders the files page lists: Microtonic presets, and saved sessions."""

    kits: Path
    sessions: Path

    @classmethod
    def default(cls) -> Places:
        base = _data_home() / "supertonic"
        return cls(kits=base / "kits", sessions=base / "sessions")


def list_files(places: Places) -> tuple[tuple[Path, ...], tuple[Path, ...]]:
    """Kits (the built-in default kit first) and sessions, sorted by name; a folder
    that does not exist yet lists nothing."""
    kits = sorted(p for p in _entries(places.kits) if p.suffix.lower() in KIT_SUFFIXES)
    sessions = sorted(p for p in _entries(places.sessions) if p.suffix == ".json")
    return (DEFAULT_KIT, *kits), tuple(sessions)


def _entries(folder: Path) -> list[Path]:
    try:
        return [p for p in folder.iterdir() if p.is_file()]
    except OSError:
        return []


def read_session_file(path: Path) -> SessionView:
    """A session file, checked by the session's own reader (it raises
    :class:`actors.session.SessionError`), in the form surfaces hold."""
    return parse_session(session_to_json(load_session(path)))


def session_commands(current: SessionView, target: SessionView) -> list[Message]:
    """The commands that turn the session ``current`` into ``target``."""
    commands: list[Message] = []
    if target.tempo != current.tempo:
        commands.append(SetTempo(target.tempo))
    if target.fill_rate != current.fill_rate:
        commands.append(SetFillRate(target.fill_rate))
    if target.basis != current.basis:
        commands.append(SetBasis(target.basis))
    if target.lowpass != current.lowpass:
        commands.append(SetLowpass(*target.lowpass))
    if (target.surprise, target.complexity) != (current.surprise, current.complexity):
        commands.append(SetGeneration(target.surprise, target.complexity))
    # Patch fields go in file order, which puts ModMode before ModRate and ModAmt:
    # the session clamps those to the mode in force, so the mode must come first.
    for index, (old, new) in enumerate(zip(current.tracks, target.tracks, strict=True)):
        if new.pattern != old.pattern:
            commands.append(SetPattern(index, new.pattern))
        if new.fills != old.fills:
            commands.append(SetFills(index, new.fills))
        if new.mute != old.mute:
            commands.append(SetMute(index, new.mute))
        if new.swing != old.swing:
            commands.append(SetSwing(index, new.swing))
        if new.choke != old.choke:
            commands.append(SetChoke(index, new.choke))
        for slot, (was, now) in enumerate(zip(old.patches, new.patches, strict=True)):
            commands.extend(SetParam(index, slot, name, value)
                            for name, value in now.items() if was.get(name) != value)
        if new.morph != old.morph:
            commands.append(SetMorph(index, new.morph))
    return commands
