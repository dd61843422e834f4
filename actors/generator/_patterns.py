"""Pattern text, bit masks and the rhythmic-complexity measures, vectorised with numpy.

A 16-step bar is an ``int`` mask with bit ``i`` set when step ``i`` (0-based)
has a hit -- the same ``pid`` the 2021 original used -- so a whole pattern
compares, hashes and stores as one small integer, and all 65,536 possible bars
fit in one array when a measure has to be known for every one of them. A unit
of a triplet grid (12 steps) is a mask the same way, its bits 12-15 never set.
"""

from __future__ import annotations

import dataclasses
import functools

import numpy as np

from actors.messages import TRACKS
from actors.rules import ACCENT, BAR_STEPS, HIT, REST, STEP_VELOCITY

STEPS = BAR_STEPS
"""Steps in one bar, the unit every mask and table here is built on; a 32-step pattern is
two bars."""


@dataclasses.dataclass(frozen=True)
class Grid:
    """The metre of one unit the generator learns: its steps, the weights of the two
    complexity measures, and the steps of its two coarser levels (what "onto the beat"
    keeps).

    generation.md gives the weights for 16 sixteenths; a triplet unit's follow the same
    construction (Toussaint: one per metrical level a step starts, plus one; LHL: minus
    the depth of its level): a bar of eighth triplets is bar / half bar / beat / triplet,
    half a bar of sixteenth triplets is half bar / beat / eighth triplet / sixteenth
    triplet.
    """

    steps: int
    toussaint: tuple[int, ...]
    lhl: tuple[int, ...]
    levels: tuple[int, int]

    @property
    def full(self) -> int:
        """The mask of every step."""
        return (1 << self.steps) - 1


GRIDS = {
    "1/16": Grid(16, (5, 1, 2, 1, 3, 1, 2, 1, 4, 1, 2, 1, 3, 1, 2, 1),
                 (0, -4, -3, -4, -2, -4, -3, -4, -1, -4, -3, -4, -2, -4, -3, -4),
                 (0x5555, 0x1111)),
    "1/8T": Grid(12, (4, 1, 1, 2, 1, 1, 3, 1, 1, 2, 1, 1),
                 (0, -3, -3, -2, -3, -3, -1, -3, -3, -2, -3, -3), (0x249, 0x041)),
    "1/16T": Grid(12, (4, 1, 2, 1, 2, 1, 3, 1, 2, 1, 2, 1),
                  (0, -3, -2, -3, -2, -3, -1, -3, -2, -3, -2, -3), (0x555, 0x041)),
}
"""Each rate the generator answers (``rules.GENERATION_UNIT``), by its unit."""
SIXTEENTHS = GRIDS["1/16"]


@dataclasses.dataclass(frozen=True, slots=True)
class Bar:
    """One track's 16 steps: hits and, among them, accents (both bit masks)."""

    hits: int
    accents: int = 0


def track_index(name: str) -> int:
    """The index of a track given by name (``"snare"``) or by number (``"1"``)."""
    if name.isdigit() and int(name) < len(TRACKS):
        return int(name)
    try:
        return TRACKS.index(name)
    except ValueError:
        raise ValueError(f"unknown track {name!r}; expected one of {', '.join(TRACKS)}") from None


def parse(text: str, steps: int = STEPS) -> list[Bar]:
    """``-`` rest, ``x`` hit, ``X`` accent; ``steps`` or twice as many characters make
    one or two bars (units)."""
    if len(text) not in (steps, 2 * steps) or set(text) - set(STEP_VELOCITY):
        characters = ", ".join(map(repr, STEP_VELOCITY))
        raise ValueError(f"a pattern is {steps} or {2 * steps} of {characters}; got {text!r}")
    bars = []
    for start in range(0, len(text), steps):
        chunk = text[start : start + steps]
        hits = sum(1 << i for i, c in enumerate(chunk) if c != REST)
        accents = sum(1 << i for i, c in enumerate(chunk) if c == ACCENT)
        bars.append(Bar(hits, accents))
    return bars


def render(bars: list[Bar], steps: int = STEPS) -> str:
    """Inverse of :func:`parse`."""
    return "".join(
        ACCENT if bar.accents >> i & 1 else HIT if bar.hits >> i & 1 else REST
        for bar in bars
        for i in range(steps)
    )


def bits(masks: np.ndarray | int, steps: int = STEPS) -> np.ndarray:
    """Masks (any shape) to their ``steps`` step bits as a trailing float32 axis."""
    shifted: np.ndarray = np.asarray(masks, dtype=np.int64)[..., None] >> np.arange(steps)
    return (shifted & 1).astype(np.float32)


def masks(step_bits: np.ndarray) -> np.ndarray:
    """Inverse of :func:`bits`: a trailing axis of truthy steps to int masks."""
    step_bits = np.asarray(step_bits)
    weighted: np.ndarray = step_bits.astype(np.int64) << np.arange(step_bits.shape[-1])
    summed: np.ndarray = weighted.sum(-1)
    return summed


def toussaint(hits: np.ndarray | int, grid: Grid = SIXTEENTHS) -> np.ndarray:
    """Toussaint's metrical complexity: the k heaviest weights minus the onsets' weights."""
    b = bits(hits, grid.steps)
    weights = np.array(grid.toussaint)
    top = np.concatenate([[0], np.cumsum(np.sort(weights)[::-1])])
    score: np.ndarray = top[b.sum(-1).astype(int)] - (b @ weights).astype(int)
    return score


def lhl(hits: np.ndarray | int, grid: Grid = SIXTEENTHS) -> np.ndarray:
    """Longuet-Higgins & Lee syncopation, cyclic, as generation.md defines it.

    For every onset the rests after it (up to the next onset) are scanned one
    offset at a time for the whole array at once, which keeps the full
    65,536-bar table a few milliseconds of work.
    """
    b = bits(hits, grid.steps).astype(bool)
    weights = np.array(grid.lhl)
    resting = b.copy()  # onsets whose run of following rests is still open
    highest = np.full(b.shape, -99)
    for offset in range(1, grid.steps):
        after = np.roll(b, -offset, axis=-1)
        resting &= ~after
        highest = np.where(resting, np.maximum(highest, np.roll(weights, -offset)), highest)
    gain = np.where(b & (highest > weights), highest - weights, 0)
    summed: np.ndarray = gain.sum(-1)
    return summed


@functools.cache
def complexity_table(grid: Grid = SIXTEENTHS) -> np.ndarray:
    """Toussaint + LHL for every bar of ``grid``, indexed by its mask."""
    every = np.arange(1 << grid.steps)
    score: np.ndarray = toussaint(every, grid) + lhl(every, grid)
    return score.astype(np.int16)
