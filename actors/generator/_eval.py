"""Judging a store the way generation.md defines it, on held-out bars.

For every ordered pair of tracks (basis A, target B) over bars where both
are known: per-step NLL in bits of B's true steps under the generator's
probabilities given A; hit micro-F1 of one pattern sampled at the default
surprise; the share of requests answered with no pattern. The same batch
code the worker runs is used, so the figures are the generator's own. On a
triplet grid each unit (a bar of 1/8T, half a bar of 1/16T) is scored from the
basis' same unit, over its 12 steps.
"""

from __future__ import annotations

import dataclasses
import itertools

import numpy as np

from actors.messages import DEFAULT_SURPRISE, TRACKS

from ._corpus import UNKNOWN, Corpus
from ._generate import Generator
from ._patterns import STEPS, bits


@dataclasses.dataclass(frozen=True, slots=True)
class PairScore:
    basis: int
    target: int
    bars: int
    nll: float
    """Bits per step."""
    f1: float
    no_result: float


def score_pair(
    generator: Generator,
    corpus: Corpus,
    basis: int,
    target: int,
    seed: int = 0,
    history_bars: int = 0,
    also: tuple[int, ...] = (),
) -> PairScore:
    """Score ``target`` given ``basis`` (and the ``also`` tracks) on ``corpus``.

    With ``history_bars``, each source's first bars are the generator's
    history and only its later bars are scored, as a session's own bars would
    be known before it asks; the generator's history is cleared afterwards.
    """
    tracks = (basis, *also)
    known = corpus.hits[:, target] != UNKNOWN
    for track in tracks:
        known &= corpus.hits[:, track] != UNKNOWN
    rng = np.random.default_rng(seed)
    # (history rows, scored rows) per batch: one batch of every known bar without history
    batches = [(np.zeros(0, np.int64), np.flatnonzero(known))]
    if history_bars:
        batches = []
        for source in range(len(corpus.kinds)):
            rows = np.flatnonzero(corpus.source == source)
            if len(rows) > history_bars:
                later = rows[history_bars:]
                batches.append((rows[:history_bars], later[known[later]]))
    steps = generator.steps
    truths, probs, samples = [], [], []
    try:
        for past, rows in batches:
            if history_bars:
                generator.set_history(corpus.hits[past], corpus.accents[past])
            if not len(rows):
                continue
            given = {t: (corpus.hits[rows, t], corpus.accents[rows, t]) for t in tracks}
            prediction = generator.predict(target, given)
            hits, _ = generator.choose(target, prediction, 1, rng, DEFAULT_SURPRISE)
            truths.append(bits(corpus.hits[rows, target], steps))
            probs.append(prediction.hits[:, :steps])
            samples.append(hits[:, 0])
    finally:
        if history_bars:
            generator.set_history(np.zeros((0, len(TRACKS))), np.zeros((0, len(TRACKS))))
    truth = np.concatenate(truths) if truths else np.zeros((0, steps), np.float32)
    p = np.clip(np.concatenate(probs), 1e-6, 1 - 1e-6) if probs else truth
    nll = -np.mean(truth * np.log2(p) + (1 - truth) * np.log2(1 - p)) if len(truth) else 0.0
    sampled_hits = np.concatenate(samples) if samples else np.zeros(0, np.int64)
    answered = sampled_hits >= 0
    sampled = bits(np.where(answered, sampled_hits, 0), steps)
    f1 = 2 * (sampled * truth).sum() / max(sampled.sum() + truth.sum(), 1)
    no_result = float(1 - answered.mean()) if len(answered) else 0.0
    return PairScore(basis, target, len(truth), float(nll), float(f1), no_result)


def score_all(
    generator: Generator, corpus: Corpus, seed: int = 0, history_bars: int = 0
) -> list[PairScore]:
    return [
        score_pair(generator, corpus, a, b, seed, history_bars)
        for a, b in itertools.permutations(range(len(TRACKS)), 2)
    ]


def unanswered_bases(generator: Generator, basis: int, target: int, seed: int = 0) -> int:
    """How many of the possible basis bars (no accents) get no pattern at all: 65,536 of
    16 steps, 4,096 on a triplet grid."""
    every = np.arange(1 << generator.steps)
    prediction = generator.predict(target, {basis: (every, np.zeros_like(every))})
    hits, _ = generator.choose(target, prediction, 1, np.random.default_rng(seed), DEFAULT_SURPRISE)
    return int((hits[:, 0] < 0).sum())


@dataclasses.dataclass(frozen=True, slots=True)
class Baseline:
    """generation.md's reference points, recomputed on the same bars for a fair comparison."""

    unconditional_nll: float
    """The target's per-step marginal, ignoring the basis."""
    table_nll: float
    """Exact-match table of basis -> target (the 2021 design), smoothed toward the marginal."""
    table_f1: float
    """One pattern drawn from the table's matches (none drawn where the basis is unseen)."""
    table_no_result: float


def baseline(train: Corpus, test: Corpus, basis: int, target: int, seed: int = 0,
             steps: int = STEPS) -> Baseline:
    """The baselines on bars (units) of ``steps``."""
    rng = np.random.default_rng(seed)
    seen: dict[int, list[int]] = {}
    for x, y in zip(train.hits[:, basis], train.hits[:, target], strict=True):
        if x != UNKNOWN and y != UNKNOWN:
            seen.setdefault(int(x), []).append(int(y))
    marginal = bits(np.concatenate(list(seen.values())), steps).mean(0)
    rows = np.flatnonzero((test.hits[:, basis] != UNKNOWN) & (test.hits[:, target] != UNKNOWN))
    truth = bits(test.hits[rows, target], steps)
    p = np.tile(marginal, (len(rows), 1))
    drawn = np.zeros_like(truth)
    missing = 0
    for i, x in enumerate(test.hits[rows, basis]):
        matches = seen.get(int(x))
        if matches is None:
            missing += 1
            continue
        p[i] = (bits(np.array(matches), steps).sum(0) + marginal) / (len(matches) + 1)
        drawn[i] = bits(matches[rng.integers(len(matches))], steps)

    def nll(q: np.ndarray) -> float:
        q = np.clip(q, 1e-6, 1 - 1e-6)
        return float(-np.mean(truth * np.log2(q) + (1 - truth) * np.log2(1 - q)))

    f1 = 2 * (drawn * truth).sum() / max(drawn.sum() + truth.sum(), 1)
    return Baseline(
        nll(np.tile(marginal, (len(rows), 1))), nll(p), float(f1), missing / max(len(rows), 1)
    )
