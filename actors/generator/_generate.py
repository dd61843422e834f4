"""The generator: new patterns for one track given others, from a loaded store.

Pure computation (no I/O), so it runs the same in the worker process, the
CLI and the tests, and it works on a batch of bars at once (a request is a
batch of one), so evaluating all 65,536 bases runs the very same code.

Per-step probabilities come from kernel-weighted nearest neighbours: every
stored bar votes for its target pattern with weight ``exp(-distance)``, the
distance being the Hamming distance of the given tracks (an accent mismatch
counts half), each track's stretched by its own ``BETA``, and the vote is
smoothed toward the target's average bar. A bar's vote is shared with the
other bars of its source (``SOURCE_POWER``) and a hand-written one is blurred
(``SKETCH``). Unlike the 2021 exact-match table this never comes back empty --
an unseen basis simply has farther neighbours -- and the same data answers one
basis, several (snare from kick and hat) or the previous bar (steps 17-32
from 1-16).

The models and variants tried beside it (a small network, logistic regression, a
Bernoulli mixture, tables of the steps around, other kernels and weights) gained at most
0.007 bits/step in 5-fold cross-validation over GMD train files, for twice the batch
time or with nothing gained on validation: what a basis leaves unsaid about the target
is mostly how that drummer plays that song, and only more stored takes like it help.
``docs/generator-research.md`` has the measurements.

Patterns are then chosen from candidates: the neighbours' real patterns, the
probabilities cut at several levels and per-step draws from them. Each is
scored by its expected hits in common with the drummer's less ``WORTH`` per
hit, and ``n`` distinct ones are drawn with a softmax whose temperature
grows with the cube of ``surprise``: 0 always gives the most expected
pattern; the lower half of the dial varies among nearly as expected ones (at
the default 0.2 a sixth to two fifths of answers differ from it, at a cost
of under 0.005 in hit F1 in cross-validation) and the upper half leaves
them, 1 being near-uniform among candidates drawn from flattened
probabilities.
A ``complexity`` request adds candidates moved off or onto the beat and
prefers those whose Toussaint + LHL score sits at the asked quantile.
Two single-hit candidates are always in the pool, so a choice never comes
back empty whatever the basis.

Triplet grids are answered the same way from the store's bars of that grid (units of 12
steps, see ``rules.GENERATION_UNIT``), each unit computed as a 16-step bar whose last
four steps are rests that are never played, so one model serves every grid.
"""

from __future__ import annotations

import dataclasses
import random

import numpy as np

from actors.messages import TRACKS, GenerateRequest, GenerateResult
from actors.rules import DEFAULT_STEP_RATE, REST, UNIT, check_step_rate, generation_refusal

from ._corpus import UNKNOWN
from ._patterns import GRIDS, STEPS, Bar, bits, complexity_table, masks, parse, render
from ._store import Store

BETA = (2.0, 1.5, 1.5, 2.5, 2.0)
"""Kernel sharpness per differing step of each basis track (kick, snare, hi-hat, open hat,
clap). The sparse parts that set a groove -- kick, open hat, the backbeat clap -- change
it with every step, so one step off there counts for more than a ghost note or a hat
sixteenth; each is the best of 1-3 in 5-fold cross-validation over GMD train files
(mean NLL of the track's four pairs as basis)."""
PREVIOUS_BETA = 2.0
"""The same for the target's own previous bar (steps 17-32 from 1-16)."""
ALPHA = 0.1
"""Weight, in bars, of the average bar an unseen basis falls back toward (same search,
0.03-0.3 all within 0.001 bits/step)."""
SOURCE_POWER = 0.5
"""A source of ``n`` bars votes with total weight ``sqrt(n)``, not ``n``: one drummer's
five-minute take repeats its groove a hundred times and would otherwise outvote
many shorter takes of other drummers. In the same cross-validation this beat both
equal bars (power 0) and equal sources (power 1) on 19 of the 20 track pairs."""
SKETCH = {"starter": 0.1}
"""How much a bar of each source kind is a sketch rather than a performance: such a bar
votes ``1 - SKETCH`` for each of its hits and ``SKETCH`` for each of its rests. The
starter grooves are written straight, with none of the ghost notes, pickups and
dropped hits of real playing, so taken literally they call a real bar's extra snare
impossible; 0.1 is the best of 0-0.15 judging the starter store on GMD train (mean
NLL over the 20 track pairs 0.88 -> 0.69 bits/step). Played bars count as they are."""
NEAREST_GROUPS = 16
PER_GROUP = 4
FREQUENT_GROUPS = 512
"""Candidates from memory: the most common target patterns of the closest groups,
among the groups played most (searching all ~3,000 would triple a batch's time)."""
THRESHOLDS = (0.2, 0.3, 0.4, 0.5, 0.6)
WORTH = (0.2, 0.25, 0.35, 0.1, 0.2)
"""How likely a step of each target track must be to earn its place in a pattern.

A pattern is worth its expected hits in common with the drummer's minus
``WORTH`` for every hit it plays, so the most expected pattern (surprise 0) plays
exactly the steps more likely than that. Over many bars this maximises hit F1
when ``WORTH`` is half the F1 reached, which is why the open hat, right only a
fifth of the time, needs the least and the hi-hat the most; each value is the
best of 0.1-0.5 in 5-fold cross-validation over GMD train files."""
DRAWS = 32
COMPLEXITY_WIDTH = 0.12
"""Standard deviation, in quantile units, of the preference around the asked complexity."""
_STRETCH = tuple(round(4 * beta) for beta in (*BETA, PREVIOUS_BETA))
"""Each condition's sharpness in quarter units, so a distance stays a small integer."""
_WEIGHTS = np.exp(-np.arange(48 * 5 * max(_STRETCH) + 1) / 8).astype(np.float32)
"""Kernel weight by stretched distance: a hit mismatch counts 2, an accent one 1 (at most
48 per condition), times the condition's stretch, summed over at most five conditions."""
MULTI_POWER = 0.75
"""How the kernel widens when several tracks are given: the summed distance is divided
by (given tracks, counting the previous bar) ** MULTI_POWER. Summed over four or five
tracks it would otherwise leave a request a handful of neighbours and answers as sure
as they are wrong (snare from the four other tracks 0.807 bits/step). 0.75 is the best
of 0-1 in 5-fold cross-validation by file over GMD train (mean NLL over kick + closed hat
-> snare and each track from the four others, with and without its own previous bar:
0.593 -> 0.506); one given track is unchanged. docs/generator-history.md has the grid."""
HISTORY_PRIOR = 3.0
"""How many bars of the session's history the store's answer counts as.

The history (this session's own bars) answers by the same kernel, and the two
are pooled as ``(HISTORY_PRIOR * store + sum of history votes) / (HISTORY_PRIOR
+ sum of history weights)``: a few bars like the request shift the answer, a
long set shifts it more, and whether the store knows a basis well or barely
does not change how much the history counts. 3 is the best of 1-4 (with
``HISTORY_SHARPNESS``) in 5-fold cross-validation by file over GMD train, each
held-out take's first 8 bars as history and the rest scored (mean NLL of the
20 track pairs 0.576 -> 0.445 bits/step); docs/generator-history.md has the grid."""
HISTORY_SHARPNESS = 0.125
"""The history's kernel sharpness as a share of the store's, per given track: much
flatter, because a drummer's snare stays where it is when the kick moves (best of
0.06-1 in the same search)."""
HISTORY_NEAREST = 4
"""Candidates from the history: the common target patterns of its closest groups."""
_MULTI_WEIGHTS = [_WEIGHTS] + [
    np.exp(-np.arange(len(_WEIGHTS)) * given**-MULTI_POWER / 8).astype(np.float32)
    for given in range(1, len(TRACKS) + 1)
]
"""Kernel weight by stretched distance for each number of given tracks (0-5), looked up
rather than computed: a request's time is mostly this one (rows, groups) array."""
_CHUNK = 2048
"""Bars per block in batch work, bounding memory to tens of MB."""

_BYTE_BITS = ((np.arange(256)[:, None] >> np.arange(8)) & 1).astype(np.float64)

Given = dict[int, tuple[np.ndarray, np.ndarray]]
"""Track -> (hits, accents), each an int array with one mask per bar of the batch."""


@dataclasses.dataclass(frozen=True)
class _Groups:
    """Stored bars usable under one conditioning, grouped by identical given tracks.

    A bar is usable when every given track and the target are known in it.
    Grouping (GMD train: 16,704 bars, ~3,000 distinct kick parts) keeps the
    per-request distance computation to one pass over the groups.
    """

    conditions: np.ndarray  # (groups, k) hit masks of the given tracks (+ previous bar)
    accents: np.ndarray  # (groups, k)
    count: np.ndarray  # (groups,) bars per group, each counted at its source's vote
    hit_sums: np.ndarray  # (groups, 16) target hits summed over the group's bars
    accent_sums: np.ndarray  # (groups, 16)
    common: np.ndarray  # (groups, PER_GROUP) most common target patterns, 0-padded
    frequent: np.ndarray  # indices of the FREQUENT_GROUPS groups with most bars
    mean_hits: np.ndarray  # (16,) the average bar's hits
    mean_accents: np.ndarray  # (16,) accent rate given a hit


@dataclasses.dataclass(frozen=True)
class _Bars:
    """Bars that vote: the store's, or the session's history."""

    hits: np.ndarray  # (bars, tracks) masks, UNKNOWN where the bar does not say
    accents: np.ndarray
    before: np.ndarray  # (bars,) the bar played before each, -1 when none
    vote: np.ndarray  # (bars,) each bar's share of its source's vote
    sketch: np.ndarray  # (bars,) SKETCH of each bar's source


@dataclasses.dataclass(frozen=True)
class Prediction:
    hits: np.ndarray
    """(bars, 16) hit probabilities."""
    accents: np.ndarray
    """(bars, 16) accent probabilities, given a hit there."""
    neighbours: np.ndarray
    """(bars, k) target hit masks common among the closest stored bars (0 = none)."""


class Generator:
    def __init__(self, store: Store, rate: str = DEFAULT_STEP_RATE) -> None:
        """The generator of ``store``'s bars at ``rate``; a request at another rate is
        answered by the generator of that rate's bars, made on first use (or by
        :meth:`warm`)."""
        corpus = store.corpus if rate == DEFAULT_STEP_RATE else store.grids.get(rate)
        if corpus is None:
            raise ValueError(f"the store holds no bars at {rate}; rebuild it with "
                             "supertonic priors build")
        self._store = store
        self._rate = rate
        self._grid = GRIDS[rate]
        self._rates: dict[str, Generator] = {}
        source = corpus.source
        self._stored = _Bars(
            corpus.hits,
            corpus.accents,
            corpus.preceding(),
            np.bincount(source)[source] ** -SOURCE_POWER
            * np.asarray(corpus.weights or np.ones(len(corpus.kinds)))[source],
            np.array([SKETCH.get(kind, 0.0) for kind in corpus.kinds])[source],
        )
        self._cache: dict[tuple[int, tuple[int, ...], bool], _Groups] = {}
        self._history: _Bars | None = None
        self._history_weight = 0.0
        self._history_cache: dict[tuple[int, tuple[int, ...], bool], _Groups] = {}
        table = complexity_table(self._grid)
        self._complexity = []
        for track in range(len(TRACKS)):
            hits = corpus.hits[:, track]
            self._complexity.append(np.sort(table[hits[hits > 0]]))

    def set_history(self, hits: np.ndarray, accents: np.ndarray, scale: float = 1.0) -> None:
        """The session's own bars, oldest first, each followed by the next.

        ``hits`` and ``accents`` are ``(bars, tracks)`` masks, ``UNKNOWN`` where
        a bar does not say. Its answer is pooled with the store's (see
        ``HISTORY_PRIOR``), each bar's vote times ``scale``: 0 is the store
        alone, 1 the weight learned from data.
        """
        if scale < 0:
            raise ValueError(f"the history's weight must be 0 or more, got {scale}")
        bars = len(hits)
        self._history = None
        if bars:
            self._history = _Bars(
                np.asarray(hits, np.int32).reshape(bars, len(TRACKS)),
                np.asarray(accents, np.int32).reshape(bars, len(TRACKS)),
                np.arange(bars) - 1,
                np.ones(bars),
                np.zeros(bars),
            )
        self._history_weight = scale
        self._history_cache.clear()

    def warm(self) -> None:
        """Prepare every single-basis, all-other-tracks and continuation lookup now, not on
        first request.

        Grouping a conditioning's bars takes milliseconds once; done lazily it
        would land on some unlucky request during a performance. The other grids the
        store holds are prepared too.
        """
        if self._rate == DEFAULT_STEP_RATE:
            for rate in self._store.grids:
                self.at(rate).warm()
        for target in range(len(TRACKS)):
            self._groups(target, (), True)
            others = tuple(t for t in range(len(TRACKS)) if t != target)
            self._groups(target, others, False)  # the session's default: every other track
            self._groups(target, others, True)
            for basis in others:
                self._groups(target, (basis,), False)

    # --- probabilities ------------------------------------------------------------------

    def predict(
        self, target: int, given: Given, previous: tuple[np.ndarray, np.ndarray] | None = None
    ) -> Prediction:
        """Per-step probabilities for ``target`` for a batch of bars.

        ``given`` holds other tracks' bars; ``previous`` the target's own bar
        before (for steps 17-32 from 1-16).
        """
        rows = _rows(given, previous)
        parts = []
        for start in range(0, rows, _CHUNK):
            cut = slice(start, start + _CHUNK)
            part_given = {t: (h[cut], a[cut]) for t, (h, a) in given.items()}
            part_previous = None if previous is None else (previous[0][cut], previous[1][cut])
            parts.append(self._predict(target, part_given, part_previous))
        return Prediction(*(np.concatenate(arrays) for arrays in zip(*parts, strict=True)))

    def _predict(
        self, target: int, given: Given, previous: tuple[np.ndarray, np.ndarray] | None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        rows = _rows(given, previous)
        order = sorted(given)
        groups = self._groups(target, tuple(order), previous is not None)
        if not len(groups.count):
            # No stored bar knows all the given tracks (a kit without a clap, say):
            # answer from the target's own bars alone rather than not at all.
            given, previous, order = {}, None, []
            groups = self._groups(target, (), False)
        if not len(groups.count):
            raise ValueError(f"the store has no {TRACKS[target]} bars to answer from")
        query = [given[t] for t in order] + ([previous] if previous is not None else [])
        stretch = [_STRETCH[t] for t in order] + [_STRETCH[-1]]
        distance = _distance(groups, rows, query, stretch)
        weight = _MULTI_WEIGHTS[len(query)][distance]
        voted = weight @ groups.hit_sums
        count = weight @ groups.count
        accented = weight @ groups.accent_sums
        nearest = min(NEAREST_GROUPS, len(groups.frequent))
        near = np.argpartition(distance[:, groups.frequent], nearest - 1, axis=1)[:, :nearest]
        neighbours = groups.common[groups.frequent[near]].reshape(rows, -1)
        hits_p = (voted + ALPHA * groups.mean_hits) / (count[:, None] + ALPHA)
        hits_p[:, self._grid.steps:] = 0  # beyond a triplet unit: never played
        accents_p = (accented + ALPHA * groups.mean_accents) / (voted + ALPHA)
        history = self._history_groups(target, tuple(order), previous is not None)
        if history is not None:
            h_distance = _distance(history, rows, query, stretch)
            sharpness = HISTORY_SHARPNESS / 8 / max(len(query), 1)
            h_weight = self._history_weight * np.exp(-sharpness * h_distance)
            h_voted = h_weight @ history.hit_sums
            h_count = HISTORY_PRIOR + h_weight @ history.count
            store_hits = HISTORY_PRIOR * hits_p
            accents_p = (store_hits * accents_p + h_weight @ history.accent_sums) / (
                store_hits + h_voted + 1e-9
            )
            hits_p = (store_hits + h_voted) / h_count[:, None]
            nearest = min(HISTORY_NEAREST, len(history.count))
            near = np.argpartition(h_distance, nearest - 1, axis=1)[:, :nearest]
            own = history.common[near].reshape(rows, -1)
            neighbours = np.concatenate([neighbours, own], axis=1)
        return hits_p, accents_p, neighbours

    def _groups(self, target: int, given: tuple[int, ...], previous: bool) -> _Groups:
        key = (target, given, previous)
        if key not in self._cache:
            self._cache[key] = _group(self._stored, target, given, previous)
        return self._cache[key]

    def _history_groups(
        self, target: int, given: tuple[int, ...], previous: bool
    ) -> _Groups | None:
        """The history's bars under a conditioning, or None when it has nothing to say."""
        if self._history is None or self._history_weight == 0:
            return None
        key = (target, given, previous)
        if key not in self._history_cache:
            self._history_cache[key] = _group(self._history, target, given, previous, False)
        groups = self._history_cache[key]
        return groups if len(groups.count) else None

    # --- choosing patterns ----------------------------------------------------------------

    def choose(
        self,
        target: int,
        prediction: Prediction,
        n: int,
        rng: np.random.Generator,
        surprise: float,
        complexity: float | None = None,
        avoid: np.ndarray | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """``n`` distinct non-empty bars per row, never that row's ``avoid`` hits.

        Returns ``(hits, accents)``, each ``(bars, n)``; ``-1`` marks a slot
        left empty because fewer than ``n`` distinct candidates exist.
        """
        rows = len(prediction.hits)
        avoid = np.zeros(rows, np.int64) if avoid is None else avoid
        parts = []
        for start in range(0, rows, _CHUNK):
            cut = slice(start, start + _CHUNK)
            part = Prediction(
                prediction.hits[cut], prediction.accents[cut], prediction.neighbours[cut]
            )
            parts.append(self._choose(target, part, n, rng, surprise, complexity, avoid[cut]))
        return np.concatenate([h for h, _ in parts]), np.concatenate([a for _, a in parts])

    def _choose(
        self,
        target: int,
        prediction: Prediction,
        n: int,
        rng: np.random.Generator,
        surprise: float,
        complexity: float | None,
        avoid: np.ndarray,
    ) -> tuple[np.ndarray, np.ndarray]:
        p = prediction.hits.astype(np.float64)
        rows = len(p)
        logit = np.log(np.clip(p, 1e-6, 1 - 1e-6) / np.clip(1 - p, 1e-6, 1))
        flatten = 1.5 - surprise  # sharper than the model at 0, flatter at 1
        draws = max(DRAWS, 4 * n) if surprise > 0 else 0  # surprise 0: no chance at all
        drawn = rng.random((rows, draws, STEPS)) < 1 / (1 + np.exp(-flatten * logit))[:, None]
        pool = [
            prediction.neighbours,
            masks(p[:, None, :] > np.array((*THRESHOLDS, WORTH[target]))[None, :, None]),
            masks(drawn),
        ]
        if complexity is not None:
            base = np.concatenate(pool, axis=1)
            steps = self._grid.steps
            pool += [_rotate(base, -1, steps), _rotate(base, 1, steps),
                     *(base & level for level in self._grid.levels)]
        pool.append(1 << np.argsort(-p, axis=1, kind="stable")[:, :2])  # never left with none
        candidates = np.sort(np.concatenate(pool, axis=1) & self._grid.full, axis=1)
        valid = (candidates != 0) & (candidates != avoid[:, None])
        valid[:, 1:] &= candidates[:, 1:] != candidates[:, :-1]
        # Expected hits matched, sum of p over a candidate's hits, by two byte lookups
        # (a (rows, candidates, 16) array would dominate the time of a large batch).
        low = _BYTE_BITS @ p[:, :8].T
        high = _BYTE_BITS @ p[:, 8:].T
        matched = np.take_along_axis(low.T, candidates & 0xFF, 1) + np.take_along_axis(
            high.T, candidates >> 8, 1
        )
        # Worth per expected hit, so that surprise loosens sparse and busy tracks alike.
        worth = matched - WORTH[target] * np.bitwise_count(candidates)
        score = worth / np.maximum(p.sum(1), 1)[:, None] / (0.005 + 0.25 * surprise**3)
        if complexity is not None:
            score -= (self._quantile(target, candidates) - complexity) ** 2 / (
                2 * COMPLEXITY_WIDTH**2
            )
        if surprise > 0:
            score = score + rng.gumbel(size=score.shape)
        keys = np.where(valid, score, -np.inf)
        best = np.argsort(-keys, axis=1, kind="stable")[:, :n]
        hits = np.take_along_axis(candidates, best, 1)
        hits = np.where(np.take_along_axis(valid, best, 1), hits, -1)
        sharpness = 4 + 12 * (1 - surprise)
        loud = 1 / (1 + np.exp(-(prediction.accents - 0.5) * sharpness))
        accents = masks(rng.random((rows, n, STEPS)) < loud[:, None, :]) & np.maximum(hits, 0)
        return hits, accents

    def _quantile(self, target: int, candidates: np.ndarray) -> np.ndarray:
        stored = self._complexity[target]
        if not len(stored):
            return np.full(candidates.shape, 0.5)
        value = complexity_table(self._grid)[candidates]
        low = np.searchsorted(stored, value, "left")
        high = np.searchsorted(stored, value, "right")
        quantile: np.ndarray = (low + high) / (2 * len(stored))
        return quantile

    # --- requests -------------------------------------------------------------------------

    @property
    def steps(self) -> int:
        """Steps of the unit this generator answers (16, or 12 on a triplet grid)."""
        return self._grid.steps

    def generate(self, request: GenerateRequest) -> GenerateResult:
        """Answer a request; an invalid one gets a result carrying ``error`` instead."""
        try:
            if request.rate != self._rate:
                return self.at(check_step_rate(request.rate)).generate(request)
            if self._grid.steps == STEPS:
                patterns, probs = self._generate(request)
            else:
                patterns, probs = self._generate_units(request)
        except ValueError as error:
            return GenerateResult(request.request_id, request.target, (), (), str(error))
        return GenerateResult(request.request_id, request.target, patterns, probs)

    def at(self, rate: str) -> Generator:
        """The generator of the store's bars at ``rate`` (this one at its own); raises
        ``ValueError`` for a rate generation does not answer or the store has no bars at."""
        if rate == self._rate:
            return self
        if rate not in GRIDS:
            raise ValueError(generation_refusal(rate, 0))
        if rate not in self._rates:
            self._rates[rate] = Generator(self._store, rate)
        return self._rates[rate]

    def _generate_units(
        self, request: GenerateRequest
    ) -> tuple[tuple[str, ...], tuple[float, ...]]:
        """A request on a triplet grid, its units as the 16-step bars the model computes
        on (the steps past the unit rests) and the answers cut back to the unit. A
        continuation's track has two units whatever its bases' length (one loops)."""
        unit = self._grid.steps
        for length in set() if request.continuation else {len(t) for _, t in request.bases}:
            refusal = generation_refusal(self._rate, length)
            if refusal:
                raise ValueError(refusal)

        def padded(text: str) -> str:
            if len(text) not in (unit, 2 * unit):
                raise ValueError(f"a pattern at {self._rate} has {unit} or {2 * unit} steps, "
                                 f"got {text!r}")
            return "".join(text[k:k + unit] + REST * (STEPS - unit)
                           for k in range(0, len(text), unit))

        request = dataclasses.replace(
            request,
            bases=tuple((track, padded(text)) for track, text in request.bases),
            current=padded(request.current) if request.current else "",
        )
        patterns, probs = self._generate(request)
        return (tuple("".join(p[k:k + unit] for k in range(0, len(p), STEPS)) for p in patterns),
                tuple(q for k, q in enumerate(probs) if k % STEPS < unit))

    def _generate(self, request: GenerateRequest) -> tuple[tuple[str, ...], tuple[float, ...]]:
        target, bases, current = _validated(request)
        seed = request.seed if request.seed is not None else random.getrandbits(63)
        rng = np.random.default_rng(seed)

        def given_at(bar: int, rows: int = 1) -> Given:
            return {
                t: (np.full(rows, b[bar].hits), np.full(rows, b[bar].accents))
                for t, b in bases.items()
            }

        def choose(prediction: Prediction, n: int, avoid: np.ndarray | None) -> list[list[Bar]]:
            hits, accents = self.choose(
                target, prediction, n, rng, request.surprise, request.complexity, avoid
            )
            return [
                [Bar(int(h), int(a)) for h, a in zip(hs, acs, strict=True) if h >= 0]
                for hs, acs in zip(hits, accents, strict=True)
            ]

        if request.continuation:
            first = current[0]
            # a 16-step basis loops: its steps 17-32 are its 1-16
            looped = len(next(iter(bases.values()), [])) - 1
            prediction = self.predict(
                target,
                given_at(looped) if bases else {},
                (np.array([first.hits]), np.array([first.accents])),
            )
            avoid = np.array([current[1].hits]) if len(current) == 2 else None
            (seconds,) = choose(prediction, request.n, avoid)
            probs = np.concatenate([bits(first.hits), prediction.hits[0]])
            return tuple(render([first, s]) for s in seconds), _floats(probs)
        two_bars = len(next(iter(bases.values()))) == 2
        prediction = self.predict(target, given_at(0))
        avoid = np.array([current[0].hits]) if len(current) == 1 and not two_bars else None
        (firsts,) = choose(prediction, request.n, avoid)
        if not two_bars:
            return tuple(render([b]) for b in firsts), _floats(prediction.hits[0])
        first_hits = np.array([b.hits for b in firsts])
        later = self.predict(
            target,
            given_at(1, len(firsts)),
            (first_hits, np.array([b.accents for b in firsts])),
        )
        if len(current) == 2:
            avoid = np.where(first_hits == current[0].hits, current[1].hits, 0)
        else:
            avoid = None
        seconds = [bars[0] for bars in choose(later, 1, avoid)]
        patterns = tuple(render([a, b]) for a, b in zip(firsts, seconds, strict=True))
        return patterns, _floats(np.concatenate([prediction.hits[0], later.hits[0]]))


def _group(
    bars: _Bars, target: int, given: tuple[int, ...], previous: bool, merge: bool = True
) -> _Groups:
    """``bars`` grouped by identical given tracks; without ``merge`` each bar is its own
    group (a history of at most a few hundred bars is quicker so than sorted)."""
    hits, accents = bars.hits, bars.accents
    known = hits[:, target] != UNKNOWN
    for track in given:
        known &= hits[:, track] != UNKNOWN
    before = bars.before
    if previous:
        known &= (before >= 0) & (hits[np.maximum(before, 0), target] != UNKNOWN)
    rows = np.flatnonzero(known)
    columns = [hits[rows, t] for t in given] + [accents[rows, t] for t in given]
    if previous:
        columns.insert(len(given), hits[before[rows], target])
        columns.append(accents[before[rows], target])
    k = len(columns) // 2
    table = np.stack(columns, 1) if columns else np.zeros((len(rows), 0), np.int32)
    if merge:
        keys, group = np.unique(table, axis=0, return_inverse=True)
        group = group.ravel()
    else:
        keys, group = table, np.arange(len(rows))
    vote = bars.vote[rows] / bars.vote[rows].mean() if len(rows) else bars.vote[rows]
    count = np.bincount(group, vote, len(keys))
    target_hits = hits[rows, target].astype(np.int64)
    sketch = bars.sketch[rows, None]
    hit_bits = (bits(target_hits) * (1 - 2 * sketch) + sketch) * vote[:, None]
    accent_bits = bits(accents[rows, target] & target_hits) * vote[:, None]
    hit_sums, accent_sums = hit_bits, accent_bits
    if merge:
        hit_sums = np.zeros((len(keys), STEPS))
        accent_sums = np.zeros((len(keys), STEPS))
        np.add.at(hit_sums, group, hit_bits)
        np.add.at(accent_sums, group, accent_bits)
    return _Groups(
        conditions=keys[:, :k].astype(np.uint16),
        accents=keys[:, k:].astype(np.uint16),
        count=count.astype(np.float32),
        hit_sums=hit_sums.astype(np.float32),
        accent_sums=accent_sums.astype(np.float32),
        common=(
            _most_common(group, target_hits, len(keys))
            if merge
            else np.pad(target_hits[:, None], ((0, 0), (0, PER_GROUP - 1)))
        ),
        frequent=np.argsort(-count, kind="stable")[:FREQUENT_GROUPS],
        # Add-half smoothing: a step never seen hit is unlikely, not impossible.
        mean_hits=(hit_bits.sum(0) + 0.5) / (len(rows) + 1),
        mean_accents=accent_bits.sum(0) / np.maximum(hit_bits.sum(0), 1e-9),
    )


def _distance(
    groups: _Groups, rows: int, query: list[tuple[np.ndarray, np.ndarray]], stretch: list[int]
) -> np.ndarray:
    """(rows, groups) stretched distance of each queried bar to each group's given tracks."""
    distance = np.zeros((rows, len(groups.count)), np.uint16)
    for k, (hits, accents) in enumerate(query):
        mismatch = np.bitwise_count(
            groups.conditions[None, :, k] ^ hits.astype(np.uint16)[:, None]
        ) * np.uint16(2)
        mismatch += np.bitwise_count(
            groups.accents[None, :, k] ^ accents.astype(np.uint16)[:, None]
        )
        distance += mismatch * np.uint16(stretch[k])
    return distance


def _most_common(group: np.ndarray, targets: np.ndarray, groups: int) -> np.ndarray:
    """Each group's ``PER_GROUP`` most frequent target patterns (0-padded)."""
    pairs, counts = np.unique(np.stack([group, targets], 1), axis=0, return_counts=True)
    order = np.lexsort((-counts, pairs[:, 0]))  # by group, then most frequent first
    pairs = pairs[order]
    first = np.searchsorted(pairs[:, 0], pairs[:, 0], "left")
    rank = np.arange(len(pairs)) - first
    common = np.zeros((groups, PER_GROUP), np.int64)
    keep = rank < PER_GROUP
    common[pairs[keep, 0], rank[keep]] = pairs[keep, 1]
    return common


def _validated(request: GenerateRequest) -> tuple[int, dict[int, list[Bar]], list[Bar]]:
    if not 0 <= request.target < len(TRACKS):
        raise ValueError(f"target must be a track 0-{len(TRACKS) - 1}, got {request.target}")
    if not 1 <= request.n <= 64:
        raise ValueError(f"n must be 1-64, got {request.n}")
    if not UNIT.holds(request.surprise):
        raise ValueError(f"surprise must be {UNIT}, got {request.surprise}")
    if request.complexity is not None and not UNIT.holds(request.complexity):
        raise ValueError(f"complexity must be {UNIT}, got {request.complexity}")
    bases: dict[int, list[Bar]] = {}
    for track, text in request.bases:
        if not 0 <= track < len(TRACKS) or track == request.target or track in bases:
            raise ValueError(f"basis track {track} must be another track, given once")
        bases[track] = parse(text)
    current = parse(request.current) if request.current else []
    lengths = {len(b) for b in bases.values()}
    if len(lengths) > 1:
        raise ValueError("all basis patterns must have the same length")
    if request.continuation:
        if not current:
            raise ValueError("continuation needs the current pattern's first bar")
        if lengths - {1, 2}:
            raise ValueError("with continuation, basis patterns have one bar or two")
    elif not bases:
        raise ValueError("a request needs at least one basis track (or continuation)")
    return request.target, bases, current


def _rows(given: Given, previous: tuple[np.ndarray, np.ndarray] | None) -> int:
    """The batch size: bars of the given tracks, or of the target's previous bar."""
    if given:
        return len(next(iter(given.values()))[0])
    if previous is None:
        raise ValueError("a prediction needs other tracks' bars or the target's previous bar")
    return len(previous[0])


def _rotate(hits: np.ndarray, by: int, steps: int) -> np.ndarray:
    """Move every hit ``by`` steps later (negative: earlier), wrapping within the bar of
    ``steps``."""
    by %= steps
    return ((hits << by) | (hits >> (steps - by))) & ((1 << steps) - 1)


def _floats(probs: np.ndarray) -> tuple[float, ...]:
    return tuple(float(p) for p in probs)
