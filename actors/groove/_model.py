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

With the take's earlier bars (``history``) the answer moves toward the take: toward its
own median at that position (as far as its count of hits there warrants), its lean over
its last bars, and what it played at the same place in the beat (:func:`history_features`,
weighted by :class:`HistoryWeights`, fitted on held-out takes).

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
    """How far a prediction moves toward the take: one weight per term of
    :func:`history_features`, fitted for least absolute error on held-out takes."""

    weights: tuple[float, ...] = (0.0,) * 9


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
        flat = pattern[:, :MATCHED].reshape(len(pattern), -1)
        hits = np.zeros(len(pattern), np.uint64)
        accents = np.zeros(len(pattern), np.uint64)
        for bit in range(MATCHED * S):  # bit by bit: no (N x 64) temporaries
            hits |= (flat[:, bit] > 0).astype(np.uint64) << np.uint64(bit)
            accents |= (flat[:, bit] > 1).astype(np.uint64) << np.uint64(bit)
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


def template_of(values: np.ndarray, empty: float) -> np.ndarray:
    """The median per (track, step) over bars (N x tracks x 16), ``empty`` where no bar
    has a hit: the template a prediction is shrunk toward."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # positions no bar played
        median = np.nanmedian(values, axis=0)
    filled: np.ndarray = np.nan_to_num(median, nan=empty).astype(np.float32)
    return filled


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
"""Earlier bars a position's median looks at (the running-median baseline's 16)."""
LONG = 32
"""Earlier bars the long median looks at, once a position has :data:`LONG_HITS` hits."""
LONG_HITS = 16
LEAN_BARS = 4
"""Earlier bars the take's lean is the mean difference from the template of."""
CLASS_BARS = 8
"""Earlier bars a position's class (its track, its place in the beat) is judged on."""
ALIKE = 4
"""A take's earlier bars most like the one answered that say how it plays that figure."""


def history_features(played: np.ndarray, base: np.ndarray, template: np.ndarray
                     ) -> np.ndarray:
    """What a take's earlier bars (H x tracks x 16, oldest first, NaN where no hit) say
    about a bar the model answers ``base`` for: per position (tracks x 16 x 9)

    0-3. the take's median there over the last :data:`RECENT` bars, less ``base``, in
         the term for its count of hits (1, 2-3, 4-7, 8+; 0 in the others);
    4.   the same over :data:`LONG` bars, once there are :data:`LONG_HITS` hits;
    5.   the take's lean: its mean difference from ``template`` over the last
         :data:`LEAN_BARS` bars (kick, snare, hi-hat, open hat);
    6.   the same for this track only;
    7.   the template plus the take's median difference from it at this track and place
         in the beat (step mod 4) over the last :data:`CLASS_BARS` bars, less ``base``:
         what the take says of a position it has not yet played;
    8.   the take's median there over its :data:`ALIKE` earlier bars most like this one
         (fewest differing hit steps of the matched tracks; the latest on a tie), less
         ``base``: how the take played this very figure.
    """
    features = np.zeros((*base.shape, 9))
    if not len(played):
        return features
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # positions without hits
        recent = played[-RECENT:]
        count = np.sum(~np.isnan(recent), axis=0)
        median = np.nan_to_num(np.nanmedian(recent, axis=0) - base)
        for k, (low, high) in enumerate(((1, 2), (2, 4), (4, 8), (8, RECENT + 1))):
            features[..., k] = np.where((count >= low) & (count < high), median, 0.0)
        long = played[-LONG:]
        long_count = np.sum(~np.isnan(long), axis=0)
        features[..., 4] = np.where(long_count >= LONG_HITS,
                                    np.nan_to_num(np.nanmedian(long, axis=0) - base), 0.0)
        deviation = played - template
        last = deviation[-LEAN_BARS:]
        features[..., 5] = np.nan_to_num(np.nanmean(last[:, :MATCHED]))
        features[..., 6] = np.nan_to_num(np.nanmean(last, axis=(0, 2)))[:, None]
        by_class = deviation[-CLASS_BARS:].reshape(-1, T, S // 4, 4)
        in_class = np.nan_to_num(np.nanmedian(by_class.transpose(1, 3, 0, 2).reshape(T, 4, -1),
                                              axis=-1))
        features[..., 7] = template + np.tile(in_class, S // 4) - base
        now = ~np.isnan(base[:MATCHED]).ravel()
        then = ~np.isnan(played[:, :MATCHED]).reshape(len(played), -1)
        distance = (then != now).sum(1) + np.arange(len(played))[::-1] * 1e-3
        alike = played[np.argsort(distance)[:ALIKE]]
        features[..., 8] = np.nan_to_num(np.nanmedian(alike, axis=0) - base)
    return features


def adjust(base: np.ndarray, played: np.ndarray, template: np.ndarray,
           weights: HistoryWeights) -> np.ndarray:
    """``base`` (tracks x 16) moved toward the take whose earlier bars are ``played``."""
    if not len(played):
        return base
    moved: np.ndarray = base + history_features(played, base, template) @ np.array(
        weights.weights)
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
