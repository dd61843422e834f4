"""The bars a store holds, as arrays: what both the model trainer and the generator read.

``hits`` and ``accents`` are ``(bars, 5)`` int32 masks with ``-1`` where the
source has no such instrument (a Microtonic kit without a clap): unknown is
not silence, so such a bar is left out of anything that needs that track.
``following[i]`` is the index of the bar played after bar ``i`` (``-1`` for a
song's last bar; a loop's last bar is followed by its first); ``source[i]``
numbers the song, kit chain or groove it came from and ``kinds`` gives each
source's kind, so that a long take can be kept from outvoting many short ones
and a hand-written groove weighed otherwise than a played one.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

import numpy as np

from actors.messages import TRACKS
from actors.rules import DEFAULT_STEP_RATE, GENERATION_UNIT, bar_steps

from ._patterns import Bar

UNKNOWN = -1


def grid_counts(sources: Iterable[Source]) -> dict[str, tuple[int, int]]:
    """``(sources, units)`` on each grid ``sources`` are on, 1/16 first (0 when none)."""
    counts: dict[str, tuple[int, int]] = {DEFAULT_STEP_RATE: (0, 0)}
    for source in sources:
        n, units = counts.get(source.grid, (0, 0))
        counts[source.grid] = (n + 1, units + len(source.bars))
    return counts


def unit_position(rate: str, unit: int) -> int:
    """The position of a take's ``unit``-th unit (0-based) at ``rate``: its number where
    a unit is a whole bar; for a bar of two halves (1/16T) ``3b`` and ``3b + 1``, so
    that a bar's first half never counts as following the bar before."""
    halves = bar_steps(rate) // GENERATION_UNIT[rate]
    return unit if halves == 1 else unit // halves * (halves + 1) + unit % halves


@dataclasses.dataclass(frozen=True, slots=True)
class Source:
    """Bars of one song, kit pattern chain or starter groove.

    ``bars`` maps position -> the five tracks (``None`` = no such drum);
    consecutive positions were played one after the other, and a source that
    ``loops`` plays its first bar again after its last. ``collection`` names
    what it was built or added with (GMD, a player's library) and ``weight``
    multiplies its vote. ``grid`` is the step rate its bars are units of
    (``rules.GENERATION_UNIT``): a take in triplets is one source per grid.
    """

    kind: str
    name: str
    style: str
    bars: dict[int, tuple[Bar | None, ...]]
    loops: bool = False
    collection: str = ""
    weight: float = 1.0
    grid: str = DEFAULT_STEP_RATE


@dataclasses.dataclass(frozen=True)
class Corpus:
    hits: np.ndarray
    accents: np.ndarray
    following: np.ndarray
    source: np.ndarray
    kinds: tuple[str, ...]
    weights: tuple[float, ...] = ()
    """Each source's vote multiplier (empty: all 1)."""

    def __post_init__(self) -> None:
        n = len(self.hits)
        if self.hits.shape != (n, len(TRACKS)) or self.accents.shape != self.hits.shape:
            raise ValueError("hits and accents must both be (bars, tracks)")
        if self.following.shape != (n,) or self.source.shape != (n,):
            raise ValueError("following and source must have one entry per bar")
        if n and self.source.max() >= len(self.kinds):
            raise ValueError("every source needs a kind")
        if self.weights and len(self.weights) != len(self.kinds):
            raise ValueError("weights, when given, are one per source")

    def __len__(self) -> int:
        return len(self.hits)

    def preceding(self) -> np.ndarray:
        """For each bar, the bar played before it (``-1`` when none)."""
        before = np.full(len(self), -1, dtype=np.int64)
        has_next = self.following >= 0
        before[self.following[has_next]] = np.flatnonzero(has_next)
        return before

    @classmethod
    def from_sources(cls, sources: Iterable[Source], grid: str = DEFAULT_STEP_RATE) -> Corpus:
        """The bars of those ``sources`` that are on ``grid``: a corpus is one grid's (a
        take in triplets is a source on 1/16 and one on each triplet grid)."""
        hits: list[list[int]] = []
        accents: list[list[int]] = []
        following: list[int] = []
        origin: list[int] = []
        kinds: list[str] = []
        weights: list[float] = []
        for number, source in enumerate(s for s in sources if s.grid == grid):
            kinds.append(source.kind)
            weights.append(source.weight)
            start = len(hits)
            positions = sorted(source.bars)
            for k, position in enumerate(positions):
                tracks = source.bars[position]
                hits.append([UNKNOWN if b is None else b.hits for b in tracks])
                accents.append([0 if b is None else b.accents for b in tracks])
                origin.append(number)
                if k + 1 < len(positions):
                    following.append(len(hits) if positions[k + 1] == position + 1 else -1)
                else:
                    following.append(start if source.loops else -1)
        return cls(
            np.array(hits, np.int32).reshape(-1, len(TRACKS)),
            np.array(accents, np.int32).reshape(-1, len(TRACKS)),
            np.array(following, np.int64),
            np.array(origin, np.int64),
            tuple(kinds),
            tuple(weights),
        )
