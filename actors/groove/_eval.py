"""``supertonic groove eval``: the issue's figures on held-out takes, beside baselines.

Scored hits are those of kick, snare, hi-hat and open hat (the clap track is GMD's
loud snare stroke, the same hit again). Every figure is computed here, from the
model's own answers (:func:`._model.answer`'s parts), so the figures are the
machine's.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np

from actors.messages import TRACKS

from ._model import MATCHED, RECENT, GrooveModel
from ._takes import Take
from ._train import score


@dataclasses.dataclass(frozen=True)
class Figures:
    hits: int
    template: tuple[float, float]
    running_median: tuple[float, float]
    model: tuple[float, float]
    model_no_accents: tuple[float, float]
    model_history: tuple[float, float]
    real_sd: tuple[float, ...]
    sampled_sd: tuple[float, ...]
    real_lag1: float
    sampled_lag1: float


def baselines(model: GrooveModel, takes: Sequence[Take]) -> tuple[np.ndarray, ...]:
    """Absolute errors of the template and of the take's causal running median
    (last :data:`RECENT` hits at the same track and step; the template before any)."""
    errors: list[list[np.ndarray]] = [[], [], [], []]
    for take in takes:
        velocity = take.velocity.astype(np.float32)
        velocity[velocity == 0] = np.nan
        played = take.pattern[:, :MATCHED] > 0
        for k, (truth, template) in enumerate(((take.offset, model.template_offset),
                                               (velocity, model.template_velocity))):
            errors[k].append(np.abs(truth - template)[:, :MATCHED][played])
            running = np.empty_like(truth)
            for t in range(MATCHED):
                for s in range(truth.shape[2]):
                    seen: list[float] = []
                    for b in range(len(truth)):
                        running[b, t, s] = (np.median(seen[-RECENT:]) if seen
                                            else template[t, s])
                        if not np.isnan(truth[b, t, s]):
                            seen.append(float(truth[b, t, s]))
            errors[k + 2].append(np.abs(truth - running)[:, :MATCHED][played])
    return tuple(np.concatenate(e) for e in errors)


def lag1(series: list[np.ndarray]) -> float:
    """Mean over takes of the lag-1 autocorrelation of their offsets in played order."""
    values = [float(np.corrcoef(x[:-1], x[1:])[0, 1]) for x in series if len(x) > 2
              and np.std(x) > 0]
    return float(np.mean(values))


def in_order(offset: np.ndarray) -> np.ndarray:
    """A take's offsets (bars x tracks x 16) in played order: bar, step, then track."""
    ordered: np.ndarray = offset[:, :MATCHED].transpose(0, 2, 1).ravel()
    kept: np.ndarray = ordered[~np.isnan(ordered)]
    return kept


def evaluate(model: GrooveModel, takes: Sequence[Take], seed: int = 0) -> Figures:
    template_o, template_v, running_o, running_v = baselines(model, takes)
    scored = score(model, takes)
    stripped = score(model, takes, strip_accents=True, history=False)
    rng = np.random.default_rng(seed)
    real, sampled = [], []
    for take in takes:
        drawn = np.stack([model.draw(bar, take.bpm, rng).offset for bar in take.pattern])
        real.append(take.offset)
        sampled.append(drawn)
    real_sd = tuple(float(np.nanstd(np.concatenate([r[:, t] for r in real])))
                    for t in range(MATCHED))
    sampled_sd = tuple(float(np.nanstd(np.concatenate([s[:, t] for s in sampled])))
                       for t in range(MATCHED))
    return Figures(
        len(template_o),
        (float(template_o.mean()), float(template_v.mean())),
        (float(running_o.mean()), float(running_v.mean())),
        (float(scored.offset.mean()), float(scored.velocity.mean())),
        (float(stripped.offset.mean()), float(stripped.velocity.mean())),
        (float(scored.offset_history.mean()), float(scored.velocity_history.mean())),
        real_sd, sampled_sd,
        lag1([in_order(r) for r in real]), lag1([in_order(s) for s in sampled]),
    )


def report(figures: Figures) -> str:
    f = figures
    lines = [
        f"hits scored: {f.hits} (kick, snare, hi-hat, open hat)",
        f"{'predictor':<44} {'timing MAE ms':>14} {'velocity MAE':>13}",
        f"{'template: median per (track, step)':<44} {f.template[0]:>14.2f} {f.template[1]:>13.2f}",
        f"{'groove model, pattern alone':<44} {f.model[0]:>14.2f} {f.model[1]:>13.2f}",
        f"{'groove model, pattern without accents':<44} {f.model_no_accents[0]:>14.2f} "
        f"{f.model_no_accents[1]:>13.2f}",
        f"{'take running median (last 16, causal)':<44} {f.running_median[0]:>14.2f} "
        f"{f.running_median[1]:>13.2f}",
        f"{'groove model with the take history':<44} {f.model_history[0]:>14.2f} "
        f"{f.model_history[1]:>13.2f}",
        "sampled offsets SD / real SD per track: " + ", ".join(
            f"{TRACKS[t]} {s:.1f}/{r:.1f} = {s / r:.2f}"
            for t, (s, r) in enumerate(zip(f.sampled_sd, f.real_sd, strict=True))),
        f"lag-1 autocorrelation of offsets within a take: sampled {f.sampled_lag1:.3f}, "
        f"real {f.real_lag1:.3f} (difference {f.sampled_lag1 - f.real_lag1:+.3f})",
    ]
    return "\n".join(lines)
