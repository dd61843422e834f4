"""The groove model: how drummers played bars like this one, at a tempo like this one.

It keeps the bars it learned from (their five tracks' hits and accents, their tempo,
and each hit's offset and velocity) and answers for a bar from its ``K`` nearest:
distance = differing hit steps of kick, snare, hi-hat and open hat + ``accent_weight``
x differing accents + ``tempo_weight`` x |log tempo ratio|. So a hit's answer depends on
its instrument, its step, the tempo and every other hit of the bar, the way the
players of the nearest bars timed and weighted it. A point prediction is the
neighbours' median at that track and step, pulled toward the per-(track, step)
template median by ``shrink`` pseudo-hits (few neighbours with a hit there, little
trust). A draw takes the neighbours in a random order and plays each position as the
first of them that has a hit there: a whole real bar as far as it fits, so hits of a
draw lean together as a drummer's do, and the spread is the drummers' own.

With the take's earlier bars (``history``) the answer moves toward the take: by the
median of its own residuals at that position (how much more or less late than the
model it played there) and by its lean over its last bars, each weighted by how much
of it there is (:class:`HistoryWeights`, chosen by cross-validation).

The learning is done by :mod:`._train`; parameters are chosen by cross-validation over
the training files (see ``docs/groove.md``).
"""

from __future__ import annotations

import dataclasses
import warnings

import numpy as np

from actors.messages import TRACKS
from actors.rules import BAR_STEPS

T, S = len(TRACKS), BAR_STEPS
MATCHED = 4
"""Tracks the distance compares: kick, snare, hi-hat, open hat (the clap is GMD's loud
snare, so it says nothing the snare and accents do not)."""
VELOCITY = (1, 127)


@dataclasses.dataclass(frozen=True)
class Params:
    """Chosen by 3-fold cross-validation over GMD train files (docs/groove.md)."""

    neighbours: int = 64
    tempo_weight: float = 16.0
    accent_weight: float = 2.0
    shrink_offset: float = 4.0
    shrink_velocity: float = 4.0
    bar_lean: float = 12.0
    """SD (ms) of a shift a draw gives all hits of its bar: a drummer's lean moves from
    bar to bar, and a bar pieced from several drummers' bars has too little of that
    (sampled lag-1 autocorrelation 0.09-0.17 against a real 0.25-0.28 without it)."""


@dataclasses.dataclass(frozen=True)
class HistoryWeights:
    """How far a prediction moves toward the take, per source and amount of history."""

    position: tuple[float, float, float]
    """Weight of the take's median residual at this track and step, for 1, 2-3 and 4+
    earlier hits there."""
    lean: float
    """Weight of the take's mean residual over its last bars, all positions."""


@dataclasses.dataclass(frozen=True)
class Bars:
    """Bars as the model compares them."""

    hits: np.ndarray
    """(N,) uint64: bit (16 x track + step) for the matched tracks."""
    accents: np.ndarray
    """(N,) uint64, same layout."""
    log_bpm: np.ndarray
    """(N,) float32."""

    @classmethod
    def of(cls, pattern: np.ndarray, bpm: np.ndarray) -> Bars:
        """From patterns (N x tracks x 16 of 0 rest, 1 hit, 2 accent) and tempos (N)."""
        weights = np.uint64(1) << np.arange(MATCHED * S, dtype=np.uint64)
        flat = pattern[:, :MATCHED].reshape(len(pattern), -1)
        hits = ((flat > 0) * weights).sum(-1, dtype=np.uint64)
        accents = ((flat > 1) * weights).sum(-1, dtype=np.uint64)
        return cls(hits, accents, np.log(np.asarray(bpm, np.float32)))


@dataclasses.dataclass(frozen=True)
class Answer:
    """A bar's offsets (ms, positive late) and velocities, (tracks x 16), NaN at rests."""

    offset: np.ndarray
    velocity: np.ndarray


@dataclasses.dataclass(frozen=True)
class GrooveModel:
    bars: Bars
    offset: np.ndarray
    """(N, tracks, 16) float32 ms, NaN where the bar has no hit."""
    velocity: np.ndarray
    """(N, tracks, 16) float32 1-127, NaN where the bar has no hit."""
    style: np.ndarray
    """(N,) int16 index into ``styles``, -1 unknown."""
    styles: tuple[str, ...]
    params: Params
    history_offset: HistoryWeights
    history_velocity: HistoryWeights
    template_offset: np.ndarray
    template_velocity: np.ndarray

    def neighbours(self, query: Bars, style: int = -1) -> np.ndarray:
        """Indices of the nearest learned bars to each query bar (Q x K), nearest first;
        with a ``style`` only that style's bars are candidates (all when it has too few)."""
        p = self.params
        candidates = np.arange(len(self.style))
        if style >= 0:
            own = np.flatnonzero(self.style == style)
            if len(own) >= p.neighbours:
                candidates = own
        hits = self.bars.hits[candidates]
        accents = self.bars.accents[candidates]
        tempo = self.bars.log_bpm[candidates]
        k = min(p.neighbours, len(candidates))
        out = np.empty((len(query.hits), k), np.int64)
        for i in range(len(query.hits)):
            distance = (np.bitwise_count(hits ^ query.hits[i])
                        + p.accent_weight * np.bitwise_count(accents ^ query.accents[i])
                        + p.tempo_weight * np.abs(tempo - query.log_bpm[i]))
            nearest = np.argpartition(distance, k - 1)[:k]
            out[i] = candidates[nearest[np.argsort(distance[nearest], kind="stable")]]
        return out

    def predict(self, pattern: np.ndarray, bpm: np.ndarray, style: int = -1) -> Answer:
        """Point predictions (medians) for bars ``pattern`` (Q x tracks x 16) at ``bpm`` (Q)."""
        nearest = self.neighbours(Bars.of(pattern, bpm), style)
        played = pattern > 0
        offset = _shrunk_median(self.offset[nearest], self.template_offset,
                                self.params.shrink_offset)
        velocity = _shrunk_median(self.velocity[nearest], self.template_velocity,
                                  self.params.shrink_velocity)
        return Answer(np.where(played, offset, np.nan), np.where(played, velocity, np.nan))

    def draw(self, pattern: np.ndarray, bpm: float, rng: np.random.Generator,
             style: int = -1) -> Answer:
        """One performance of one bar (tracks x 16): each position played as the first
        neighbour in a random order that has a hit there, the whole bar then shifted by
        a lean drawn for it."""
        nearest = self.neighbours(Bars.of(pattern[None], np.array([bpm])), style)[0]
        order = nearest[rng.permutation(len(nearest))]
        offsets = self.offset[order]
        velocities = self.velocity[order]
        has = ~np.isnan(offsets)
        first = np.argmax(has, axis=0)
        found = has.any(0)
        t, s = np.indices((T, S))
        lean = rng.normal(0.0, self.params.bar_lean)
        offset = np.where(found, offsets[first, t, s], self.template_offset) + lean
        velocity = np.where(found, velocities[first, t, s], self.template_velocity)
        played = pattern > 0
        return Answer(np.where(played, offset, np.nan), np.where(played, velocity, np.nan))


def _shrunk_median(values: np.ndarray, template: np.ndarray, shrink: float) -> np.ndarray:
    """Per position (Q x K x tracks x 16 -> Q x tracks x 16): the neighbours' median,
    weighted toward ``template`` as ``shrink`` hits against the neighbours' count."""
    count = np.sum(~np.isnan(values), axis=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # positions no neighbour played
        median = np.nanmedian(values, axis=1)
    median = np.where(count > 0, median, 0.0)
    shrunk: np.ndarray = ((count * median + shrink * template) / (count + shrink))
    return shrunk.astype(np.float32)


RECENT = 16
"""Earlier bars a position's residual median looks at (the running-median baseline's 16)."""
LEAN_BARS = 4
"""Earlier bars the take's lean is the mean residual of."""


def history_terms(played: np.ndarray, template: np.ndarray
                  ) -> tuple[np.ndarray, np.ndarray, float]:
    """From a take's earlier bars (H x tracks x 16 offsets or velocities, oldest first,
    NaN where no hit): per position the median of the last :data:`RECENT` bars and how
    many hits there were, and the take's lean: its mean difference from ``template``
    over the last :data:`LEAN_BARS` bars."""
    recent = played[-RECENT:]
    count = np.sum(~np.isnan(recent), axis=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        median = np.where(count > 0, np.nanmedian(recent, axis=0), 0.0)
        last = (played[-LEAN_BARS:] - template)[:, :MATCHED]
        lean = float(np.nanmean(last)) if np.any(~np.isnan(last)) else 0.0
    return median, count, lean


def adjust(base: np.ndarray, played: np.ndarray, template: np.ndarray,
           weights: HistoryWeights) -> np.ndarray:
    """``base`` (tracks x 16) moved toward the take whose earlier bars are ``played``:
    toward its median at each position, as far as the hits there warrant, and by its lean."""
    if not len(played):
        return base
    median, count, lean = history_terms(played, template)
    w = np.select([count >= 4, count >= 2, count >= 1], list(weights.position), 0.0)
    moved: np.ndarray = base + w * (median - base) + weights.lean * lean
    return moved


@dataclasses.dataclass(frozen=True)
class Played:
    """An earlier bar of a take as performed: each hit's offset (ms) and velocity
    (tracks x 16, NaN at rests)."""

    offset: np.ndarray
    velocity: np.ndarray


def answer(model: GrooveModel, pattern: np.ndarray, bpm: float, history: list[Played],
           rng: np.random.Generator | None = None, style: int = -1) -> Answer:
    """A bar's answer: the point prediction (``rng`` None) or one draw, moved toward the
    take's ``history`` (oldest first)."""
    if rng is None:
        base = model.predict(pattern[None], np.array([bpm]), style)
        offset, velocity = base.offset[0], base.velocity[0]
    else:
        drawn = model.draw(pattern, bpm, rng, style)
        offset, velocity = drawn.offset, drawn.velocity
    if history:
        offset = adjust(offset, np.stack([h.offset for h in history]), model.template_offset,
                        model.history_offset)
        velocity = adjust(velocity, np.stack([h.velocity for h in history]),
                          model.template_velocity, model.history_velocity)
    played = pattern > 0
    return Answer(np.where(played, offset, np.nan),
                  np.where(played, np.clip(velocity, *VELOCITY), np.nan))
