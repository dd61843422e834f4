"""Pattern text, bit masks and the rhythmic-complexity measures, vectorised with numpy.

A 16-step bar is an ``int`` mask with bit ``i`` set when step ``i`` (0-based)
has a hit -- the same ``pid`` the 2021 original used -- so a whole pattern
compares, hashes and stores as one small integer, and all 65,536 possible bars
fit in one array when a measure has to be known for every one of them.
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

ALL_BARS = 1 << STEPS

_TOUSSAINT = np.array([5, 1, 2, 1, 3, 1, 2, 1, 4, 1, 2, 1, 3, 1, 2, 1])
_LHL = np.array([0, -4, -3, -4, -2, -4, -3, -4, -1, -4, -3, -4, -2, -4, -3, -4])


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


def parse(text: str) -> list[Bar]:
    """``-`` rest, ``x`` hit, ``X`` accent; 16 or 32 characters make one or two bars."""
    if len(text) not in (STEPS, 2 * STEPS) or set(text) - set(STEP_VELOCITY):
        characters = ", ".join(map(repr, STEP_VELOCITY))
        raise ValueError(f"a pattern is {STEPS} or {2 * STEPS} of {characters}; got {text!r}")
    bars = []
    for start in range(0, len(text), STEPS):
        chunk = text[start : start + STEPS]
        hits = sum(1 << i for i, c in enumerate(chunk) if c != REST)
        accents = sum(1 << i for i, c in enumerate(chunk) if c == ACCENT)
        bars.append(Bar(hits, accents))
    return bars


def render(bars: list[Bar]) -> str:
    """Inverse of :func:`parse`."""
    return "".join(
        ACCENT if bar.accents >> i & 1 else HIT if bar.hits >> i & 1 else REST
        for bar in bars
        for i in range(STEPS)
    )


def bits(masks: np.ndarray | int) -> np.ndarray:
    """Masks (any shape) to their 16 step bits as a trailing float32 axis."""
    shifted: np.ndarray = np.asarray(masks, dtype=np.int64)[..., None] >> np.arange(STEPS)
    return (shifted & 1).astype(np.float32)


def masks(step_bits: np.ndarray) -> np.ndarray:
    """Inverse of :func:`bits`: a trailing axis of 16 truthy steps to int masks."""
    weighted: np.ndarray = np.asarray(step_bits).astype(np.int64) << np.arange(STEPS)
    summed: np.ndarray = weighted.sum(-1)
    return summed


def toussaint(hits: np.ndarray | int) -> np.ndarray:
    """Toussaint's metrical complexity: the k heaviest weights minus the onsets' weights."""
    b = bits(hits)
    top = np.concatenate([[0], np.cumsum(np.sort(_TOUSSAINT)[::-1])])
    score: np.ndarray = top[b.sum(-1).astype(int)] - (b @ _TOUSSAINT).astype(int)
    return score


def lhl(hits: np.ndarray | int) -> np.ndarray:
    """Longuet-Higgins & Lee syncopation, cyclic, as generation.md defines it.

    For every onset the rests after it (up to the next onset) are scanned one
    offset at a time for the whole array at once, which keeps the full
    65,536-bar table a few milliseconds of work.
    """
    b = bits(hits).astype(bool)
    resting = b.copy()  # onsets whose run of following rests is still open
    highest = np.full(b.shape, -99)
    for offset in range(1, STEPS):
        after = np.roll(b, -offset, axis=-1)
        resting &= ~after
        highest = np.where(resting, np.maximum(highest, np.roll(_LHL, -offset)), highest)
    gain = np.where(b & (highest > _LHL), highest - _LHL, 0)
    summed: np.ndarray = gain.sum(-1)
    return summed


@functools.cache
def complexity_table() -> np.ndarray:
    """Toussaint + LHL for every 16-step bar, indexed by its mask."""
    every = np.arange(ALL_BARS)
    score: np.ndarray = toussaint(every) + lhl(every)
    return score.astype(np.int16)
