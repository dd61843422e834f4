"""The session's history as the generator reads it: bars of the five tracks' text.

A bar that does not name a track leaves it unknown (not silent), so it votes
only where the tracks it does name are all a request needs.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from actors.messages import TRACKS, SetHistory
from actors.rules import HISTORY_WEIGHT

from ._corpus import UNKNOWN
from ._generate import Generator
from ._patterns import STEPS, parse

Bars = list[tuple[str, ...]]
"""Each bar: the five tracks' 16-step text in track order, ``""`` where unknown."""


def history_arrays(bars: Sequence[Sequence[str]]) -> tuple[np.ndarray, np.ndarray]:
    """``(hits, accents)``, each ``(bars, tracks)``, for :meth:`Generator.set_history`."""
    hits = np.full((len(bars), len(TRACKS)), UNKNOWN, np.int32)
    accents = np.zeros((len(bars), len(TRACKS)), np.int32)
    for row, bar in enumerate(bars):
        if len(bar) != len(TRACKS):
            raise ValueError(f"a history bar has {len(TRACKS)} tracks, got {len(bar)}")
        for track, text in enumerate(bar):
            if text:
                hits[row, track], accents[row, track] = _masks(text)
    return hits, accents


def use_history(generator: Generator, history: SetHistory) -> None:
    """Condition ``generator`` on ``history``; raises ``ValueError`` if it is not one."""
    if not HISTORY_WEIGHT.holds(history.weight):
        raise ValueError(f"history weight {history.weight} is outside {HISTORY_WEIGHT}")
    generator.set_history(*history_arrays(history.bars), history.weight)


def bars_from_fields(fields: Any) -> Bars:
    """One JSON history entry (``{"kick": "x---...", ...}``) as one bar, or two when
    its patterns have 32 steps (all of an entry's patterns have one length)."""
    if not isinstance(fields, dict) or not fields:
        raise ValueError('a history bar is an object of patterns, e.g. {"kick": "x---..."}')
    unknown = set(fields) - set(TRACKS)
    if unknown:
        raise ValueError(
            f"unknown track(s) {', '.join(sorted(unknown))}; tracks are {', '.join(TRACKS)}"
        )
    lengths = {len(text) if isinstance(text, str) else -1 for text in fields.values()}
    if len(lengths) != 1 or lengths - {STEPS, 2 * STEPS}:
        raise ValueError("a history bar's patterns are all 16 or all 32 of '-', 'x', 'X'")
    halves = lengths.pop() // STEPS
    bars = []
    for half in range(halves):
        cut = slice(half * STEPS, (half + 1) * STEPS)
        bars.append(tuple(str(fields[t])[cut] if t in fields else "" for t in TRACKS))
    for bar in bars:
        history_arrays([bar])  # every pattern must parse
    return bars


def read_history(path: Path) -> Bars:
    """A JSONL file of history bars, oldest first; a bad line names the file and line."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise ValueError(f"{path}: cannot read: {error}") from None
    bars: Bars = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            bars += bars_from_fields(json.loads(line))
        except (ValueError, TypeError) as error:  # JSONDecodeError is a ValueError
            raise ValueError(f"{path}:{number}: {error}") from None
    return bars


@functools.lru_cache(maxsize=4096)
def _masks(text: str) -> tuple[int, int]:
    """One track's bar; cached, as a session re-sends its whole history at every
    generation and most of it is the same few patterns (parsing 128 bars anew took
    about 2 ms, which the answer would wait for)."""
    bars = parse(text)
    if len(bars) != 1:
        raise ValueError(f"a history bar's pattern has 16 steps, got {text!r}")
    return bars[0].hits, bars[0].accents
