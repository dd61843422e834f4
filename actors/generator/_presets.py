"""Microtonic kits (presets and pattern files) to bars of the five tracks.

Which kit channel plays which track is read from the drum names when the kit
names its drums ("SC BD Toxyk" is a kick, "(CLAP) AC CY Digger" a clap); a
track no channel's name claims is *unknown* for that kit (stored as NULL), not
silent, because a kit without a clap says nothing about where claps go. A kit
whose drums are all unnamed ("init") is read in channel order, as the kit
loader plays it. A pattern is a bar when it is one at the kit's step rate: 16
steps at 1/16, 12 at 1/8T (stored on that grid); others are skipped (a 16-step
pattern at 1/8T is a bar and a third, and at 1/16T a bar is 24 steps, more than
Microtonic's 16). A pattern chained to the next forms consecutive bars with it,
and each chain loops, as Microtonic plays it.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

from actors.kit import DEFAULT_CHANNEL_MAP, PATTERN_NAMES, Kit, KitError, load_kit
from actors.messages import TRACKS
from actors.rules import GENERATION_UNIT, bar_steps

from ._corpus import Source
from ._patterns import Bar

log = logging.getLogger(__name__)

PRESET_SUFFIXES = (".mtpreset", ".mtpg")

# Checked in this order, so "(CLAP) AC CY Digger" is a clap and "OH" beats "HAT".
_ROLES: tuple[tuple[int, re.Pattern[str]], ...] = (
    (4, re.compile(r"\b(CP|CLP)\b|CLAP")),
    (0, re.compile(r"\b(BD|KD|KCK)\b|KICK")),
    (1, re.compile(r"\b(SD|SN|RIM)\b|SNARE")),
    (3, re.compile(r"\b(OH)\b|OPEN")),
    (2, re.compile(r"\b(CH|HH)\b|HAT")),
)


def track_channels(kit: Kit) -> tuple[int | None, ...]:
    """The kit channel behind each track, ``None`` where the kit has no such drum."""
    channels: list[int | None] = [None] * len(TRACKS)
    for channel, drum in enumerate(kit.drums):
        name = drum.name.upper()
        for track, pattern in _ROLES:
            if pattern.search(name):
                if channels[track] is None:
                    channels[track] = channel
                break
    if all(c is None for c in channels):
        return DEFAULT_CHANNEL_MAP
    return tuple(channels)


def kit_sources(kit: Kit, name: str) -> list[Source]:
    """One source per chain of consecutive non-empty patterns that are bars."""
    channels = track_channels(kit)
    rate = kit.step_rate
    steps = bar_steps(rate) if GENERATION_UNIT.get(rate) == bar_steps(rate) else 0  # no bar
    sources: list[Source] = []
    chain: dict[int, tuple[Bar | None, ...]] = {}
    start = ""
    for letter, pattern in zip(PATTERN_NAMES, kit.patterns, strict=True):
        tracks = tuple(
            None if c is None
            else _bar(pattern.channels[c].triggers[:steps], pattern.channels[c].accents[:steps])
            for c in channels
        )
        usable = pattern.length == steps and any(bar and bar.hits for bar in tracks)
        if usable:
            start = start or letter
            chain[len(chain)] = tracks
        if chain and not (usable and pattern.chained):
            sources.append(Source("preset", f"{name} {start}", "", chain, True, grid=rate))
            chain, start = {}, ""
    if chain:
        sources.append(Source("preset", f"{name} {start}", "", chain, True, grid=rate))
    return sources


def _bar(triggers: str, accents: str) -> Bar:
    hits = sum(1 << i for i, c in enumerate(triggers) if c == "#")
    loud = sum(1 << i for i, c in enumerate(accents) if c == "#")
    return Bar(hits, hits & loud)


def find_presets(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.suffix.lower() in PRESET_SUFFIXES)


def read_presets(paths: list[Path]) -> list[Source]:
    """Every pattern chain of every readable kit; unreadable files are logged and skipped."""
    sources = []
    for path in paths:
        try:
            kit = load_kit(path)
        except (OSError, KitError) as error:
            log.warning("skipping unreadable kit %s: %s", path, error)
            continue
        sources += kit_sources(kit, path.stem)
    return sources
