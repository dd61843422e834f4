"""Learning a groove model from takes, and choosing its parameters by cross-validation
over files (folds never split a take)."""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Callable, Sequence

import numpy as np

from actors.rules import VELOCITY_HIT

from ._model import (
    MATCHED,
    Bars,
    GrooveModel,
    HistoryWeights,
    Params,
    adjust,
    history_features,
    template_of,
)
from ._takes import Take

STYLES: tuple[str, ...] = (
    "afrobeat", "afrocuban", "blues", "country", "dance", "funk", "gospel", "highlife",
    "hiphop", "jazz", "latin", "middleeastern", "neworleans", "pop", "punk", "reggae", "rock",
    "soul",
)
"""GMD's styles (the part before any ``/``): the feels a model can play."""
NO_HISTORY = HistoryWeights()
DEFAULT = Params()


def learn(takes: Sequence[Take], params: Params = DEFAULT,
          history: tuple[HistoryWeights, HistoryWeights] = (NO_HISTORY, NO_HISTORY)
          ) -> GrooveModel:
    pattern = np.concatenate([t.pattern for t in takes])
    offset = np.concatenate([t.offset for t in takes]).astype(np.float32)
    velocity = np.concatenate([t.velocity for t in takes]).astype(np.float32)
    velocity[velocity == 0] = np.nan
    bpm = np.concatenate([np.full(len(t.pattern), t.bpm) for t in takes])
    style = np.concatenate([
        np.full(len(t.pattern), STYLES.index(t.style) if t.style in STYLES else -1, np.int16)
        for t in takes])
    return GrooveModel(Bars.of(pattern, bpm), offset, velocity, style, STYLES, params,
                       history[0], history[1],
                       template_of(offset, 0.0), template_of(velocity, VELOCITY_HIT))


@dataclasses.dataclass(frozen=True)
class Scored:
    """Absolute errors of every scored hit (the matched tracks: the clap is the snare's
    own hit again), from the pattern alone and with the take's earlier bars."""

    offset: np.ndarray
    velocity: np.ndarray
    offset_history: np.ndarray
    velocity_history: np.ndarray


def take_predictions(model: GrooveModel, take: Take) -> tuple[np.ndarray, np.ndarray]:
    answer = model.predict(take.pattern, np.full(len(take.pattern), take.bpm))
    return answer.offset, answer.velocity


def score(model: GrooveModel, takes: Sequence[Take], strip_accents: bool = False,
          history: bool = True) -> Scored:
    """Errors on ``takes``; without ``history`` the with-history errors are left empty."""
    errors: list[list[np.ndarray]] = [[], [], [], []]
    for take in takes:
        pattern = np.minimum(take.pattern, 1) if strip_accents else take.pattern
        answer = model.predict(pattern, np.full(len(pattern), take.bpm))
        velocity = take.velocity.astype(np.float32)
        velocity[velocity == 0] = np.nan
        played = pattern[:, :MATCHED] > 0
        errors[0].append(np.abs(take.offset - answer.offset)[:, :MATCHED][played])
        errors[1].append(np.abs(velocity - np.clip(answer.velocity, 1, 127))[:, :MATCHED][played])
        if not history:
            continue
        for b in range(len(pattern)):
            played = pattern[b, :MATCHED] > 0
            o = adjust(answer.offset[b], take.offset[:b], model.template_offset,
                       model.history_offset)
            v = adjust(answer.velocity[b], velocity[:b], model.template_velocity,
                       model.history_velocity)
            errors[2].append(np.abs(take.offset[b, :MATCHED] - o[:MATCHED])[played])
            errors[3].append(np.abs(velocity[b, :MATCHED] - np.clip(v[:MATCHED], 1, 127))[played])
    return Scored(*(np.concatenate(e) if e else np.empty(0) for e in errors))


def folds(takes: Sequence[Take], k: int) -> list[tuple[list[Take], list[Take]]]:
    """``k`` splits by file that never part a recording session (the folder a file is
    in): GMD's takes of one session share a drummer, kit and tempo, and a model that
    has heard the session's other takes finds their bars nearest, so folds by file
    alone overrate how far a take of one's own can be trusted."""
    sessions = sorted({_session(t) for t in takes})
    order = {s: i for i, s in enumerate(np.random.default_rng(0).permutation(sessions))}
    fold = [order[_session(t)] % k for t in takes]
    return [([t for t, g in zip(takes, fold, strict=True) if g != f],
             [t for t, g in zip(takes, fold, strict=True) if g == f]) for f in range(k)]


def _session(take: Take) -> str:
    return take.name.rpartition("/")[0] or take.name


def fit_history(rows: list[tuple[np.ndarray, np.ndarray]]) -> HistoryWeights:
    """Least absolute error weights over (truth - base, features) rows, by iteratively
    reweighted least squares."""
    residual = np.concatenate([r[0] for r in rows])
    features = np.concatenate([r[1] for r in rows])
    weights = np.zeros(features.shape[1])
    for _ in range(50):
        scale = 1.0 / np.maximum(np.abs(residual - features @ weights), 0.5)
        normal = features.T @ (features * scale[:, None]) + 1e-3 * np.eye(features.shape[1])
        weights = np.linalg.solve(normal, features.T @ (scale * residual))
    return HistoryWeights(tuple(round(float(w), 4) for w in weights))


def history_rows(model: GrooveModel, takes: Sequence[Take]
                 ) -> tuple[list[tuple[np.ndarray, np.ndarray]], ...]:
    """Per bar with history: the residuals to explain and the history features, for
    offsets and velocities, over the matched tracks' hits."""
    rows: tuple[list[tuple[np.ndarray, np.ndarray]], ...] = ([], [])
    for take in takes:
        answer = model.predict(take.pattern, np.full(len(take.pattern), take.bpm))
        velocity = take.velocity.astype(np.float32)
        velocity[velocity == 0] = np.nan
        for b in range(1, len(take.pattern)):
            played = take.pattern[b, :MATCHED] > 0
            for out, truth, base, template in (
                    (rows[0], take.offset, answer.offset, model.template_offset),
                    (rows[1], velocity, answer.velocity, model.template_velocity)):
                features = history_features(truth[:b], base[b], template)
                out.append(((truth[b] - base[b])[:MATCHED][played],
                            features[:MATCHED][played]))
    return rows


def cross_validate(takes: Sequence[Take], grid: Sequence[Params], k: int = 3,
                   report: Callable[[Params, float, float], None] | None = None) -> Params:
    """The grid point with the least sum of timing and velocity MAE, each relative to
    the template's, over held-out folds of ``takes``."""
    best: tuple[float, Params] | None = None
    splits = folds(takes, k)
    for params in grid:
        offsets, velocities = [], []
        for train, held in splits:
            scored = score(learn(train, params), held, history=False)
            offsets.append(scored.offset)
            velocities.append(scored.velocity)
        o = float(np.concatenate(offsets).mean())
        v = float(np.concatenate(velocities).mean())
        if report is not None:
            report(params, o, v)
        total = o / 20.0 + v / 27.0
        if best is None or total < best[0]:
            best = (total, params)
    assert best is not None
    return best[1]


def search(takes: Sequence[Take], k: int = 3,
           report: Callable[[Params, float, float], None] | None = None) -> Params:
    """Two rounds of :func:`cross_validate`: neighbours and tempo weight first, then the
    accent weight and shrinkage around the best of those."""
    first = cross_validate(takes, [Params(n, tw) for n, tw in itertools.product(
        (32, 64, 128), (4.0, 8.0, 16.0))], k, report)
    return cross_validate(takes, [
        dataclasses.replace(first, accent_weight=aw, shrink_offset=c, shrink_velocity=c)
        for aw, c in itertools.product((0.0, 0.5, 1.0), (2.0, 4.0, 8.0))], k, report)


def build(takes: Sequence[Take], params: Params = DEFAULT, k: int = 3) -> GrooveModel:
    """The model of ``takes``, its history weights fitted on held-out folds (a model
    predicting its own bars finds each one at distance 0, so in-sample residuals would
    understate what a take's history adds). With takes from fewer than ``k`` sessions
    there are no held-out folds, and history is not used."""
    if len({_session(t) for t in takes}) < k:
        return learn(takes, params)
    rows: tuple[list[tuple[np.ndarray, np.ndarray]], ...] = ([], [])
    for train, held in folds(takes, k):
        offset_rows, velocity_rows = history_rows(learn(train, params), held)
        rows[0].extend(offset_rows)
        rows[1].extend(velocity_rows)
    if not rows[0]:
        return learn(takes, params)
    return learn(takes, params, (fit_history(rows[0]), fit_history(rows[1])))
