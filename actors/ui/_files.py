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

from actors.groove import is_take
from actors.session import DEFAULT_KIT

KIT_SUFFIXES = (".mtpreset", ".mtpg")


def _data_home() -> Path:
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")


@dataclasses.dataclass(frozen=True)
class Places:
    """The folders the files page lists: Microtonic presets (and MIDI takes, for the
    groove page's feel), and saved sessions."""

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


def list_takes(places: Places) -> tuple[Path, ...]:
    """General MIDI drum files in the kits folder, sorted: takes whose groove the feel can
    play."""
    return tuple(sorted(p for p in _entries(places.kits) if is_take(p.name)))


def _entries(folder: Path) -> list[Path]:
    try:
        return [p for p in folder.iterdir() if p.is_file()]
    except OSError:
        return []
