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
its latest hits and its last bars (a drummer drifts within a bar), what it played at the
same place in the beat and in its bars most like this one (:func:`history_features`,
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
TERMS = 15
"""Terms of :func:`history_features`."""
OLD_TERMS = 9
"""Terms of the first stores: their weights are the first of :data:`TERMS`, the rest 0."""


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

    weights: tuple[float, ...] = (0.0,) * TERMS


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
        # 64 flags a bar packed into 8 bytes read as one little-endian uint64: bit i is
        # flag i, with no (N x 64) integer temporaries
        hits = np.packbits(flat > 0, axis=1, bitorder="little").view("<u8")[:, 0]
        accents = np.packbits(flat > 1, axis=1, bitorder="little").view("<u8")[:, 0]
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


def nanmedian(values: np.ndarray, axis: int) -> np.ndarray:
    """The median of the values that are not NaN along ``axis`` (NaN where there are
    none), as :func:`numpy.nanmedian` gives it: that one goes through masked arrays and
    takes about 0.1 ms for a bar's few values, and a bar's answer with a take's history
    takes a dozen medians (answer p99 <= 2 ms)."""
    ordered = np.sort(np.moveaxis(values, axis, -1), axis=-1)  # NaN sort last
    count = np.sum(~np.isnan(ordered), axis=-1, keepdims=True)
    some = np.maximum(count, 1)
    low = np.take_along_axis(ordered, (some - 1) // 2, axis=-1)
    high = np.take_along_axis(ordered, some // 2, axis=-1)
    median: np.ndarray = np.where(count > 0, (low + high) / 2, np.nan)[..., 0]
    return median


def _shrunk_median(values: np.ndarray, template: np.ndarray, shrink: float) -> np.ndarray:
    """Per position (Q x K x tracks x 16 -> Q x tracks x 16): the neighbours' median,
    weighted toward ``template`` as ``shrink`` hits against the neighbours' count."""
    count = np.sum(~np.isnan(values), axis=1)
    median = np.where(count > 0, nanmedian(values, 1), 0.0)
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
ALIKE = (4, 16, 1)
"""How many of a take's earlier bars most like the one answered say how it plays that
figure (terms 8, 12 and 13 of :func:`history_features`)."""
RECENT_HITS = 8
"""The take's latest hits whose lean says where it is now (a drummer drifts within a
bar, not only from bar to bar)."""
LEAN_LONG = 8
"""Earlier bars the slower lean (term 14) is the mean difference from the template of."""


def history_features(played: np.ndarray, base: np.ndarray, template: np.ndarray
                     ) -> np.ndarray:
    """What a take's earlier bars (H x tracks x 16, oldest first, NaN where no hit) say
    about a bar the model answers ``base`` for: per position (tracks x 16 x :data:`TERMS`)

    0-3. the take's median there over the last :data:`RECENT` bars, less ``base``, in
         the term for its count of hits (1, 2-3, 4-7, 8+; 0 in the others);
    4.   the same over :data:`LONG` bars, once there are :data:`LONG_HITS` hits;
    5.   the take's lean: its mean difference from ``template`` over the last
         :data:`LEAN_BARS` bars (kick, snare, hi-hat, open hat);
    6.   the same for this track only;
    7.   the template plus the take's median difference from it at this track and place
         in the beat (step mod 4) over the last :data:`CLASS_BARS` bars, less ``base``:
         what the take says of a position it has not yet played;
    8.   the take's median there over its 4 earlier bars most like this one (fewest
         differing hit steps of the matched tracks; the latest on a tie), less ``base``:
         how the take played this very figure;
    9.   the mean difference from ``template`` of the take's last :data:`RECENT_HITS`
         hits of the matched tracks in played order (bar, step, track): its lean now;
    10.  the same over its last half as many hits;
    11.  the median of those :data:`RECENT_HITS` differences;
    12.  as 8 over the 16 most alike bars, and
    13.  over the single most alike bar;
    14.  as 5 over the last :data:`LEAN_LONG` bars.
    """
    features = np.zeros((*base.shape, TERMS))
    if not len(played):
        return features
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # nanmean of no hits
        now = ~np.isnan(base[:MATCHED]).ravel()
        then = ~np.isnan(played[:, :MATCHED]).reshape(len(played), -1)
        distance = (then != now).sum(1) + np.arange(len(played))[::-1] * 1e-3
        order = np.argsort(distance)
        # the medians over bars in one sort: recent, long, then the alike bars
        groups = (played[-RECENT:], played[-LONG:], *(played[order[:n]] for n in ALIKE))
        stacked = np.full((len(groups), max(len(g) for g in groups), *base.shape), np.nan)
        for g, bars in enumerate(groups):
            stacked[g, :len(bars)] = bars
        count = np.sum(~np.isnan(stacked), axis=1)
        median = np.nan_to_num(nanmedian(stacked, 1) - base)
        for k, (low, high) in enumerate(((1, 2), (2, 4), (4, 8), (8, RECENT + 1))):
            features[..., k] = np.where((count[0] >= low) & (count[0] < high), median[0], 0.0)
        features[..., 4] = np.where(count[1] >= LONG_HITS, median[1], 0.0)
        features[..., [8, 12, 13]] = np.moveaxis(median[2:], 0, -1)
        deviation = played - template
        last = deviation[-LEAN_BARS:]
        features[..., 5] = np.nan_to_num(np.nanmean(last[:, :MATCHED]))
        features[..., 6] = np.nan_to_num(np.nanmean(last, axis=(0, 2)))[:, None]
        by_class = deviation[-CLASS_BARS:].reshape(-1, T, S // 4, 4)
        in_class = np.nan_to_num(nanmedian(by_class.transpose(1, 3, 0, 2).reshape(T, 4, -1),
                                            -1))
        features[..., 7] = template + np.tile(in_class, S // 4) - base
        latest = deviation[:, :MATCHED].transpose(0, 2, 1).ravel()
        latest = latest[~np.isnan(latest)][-RECENT_HITS:]
        if len(latest):
            features[..., 9] = latest.mean()
            features[..., 10] = latest[-RECENT_HITS // 2:].mean()
            features[..., 11] = np.median(latest)
        features[..., 14] = np.nan_to_num(np.nanmean(deviation[-LEAN_LONG:, :MATCHED]))
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
