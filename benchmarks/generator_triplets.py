"""Generation on triplet grids (issue 13): what GMD gives at 1/8T and 1/16T and how well
the generator answers there.

Reads GMD train and validation beat takes as ``priors build`` does and prints: how many
takes and bars each grid holds, by style; for each triplet grid, every track pair's
per-step NLL, sampled hit F1 and no-result rate on the validation takes in triplets (a
store of the train takes), next to the per-step frequency (marginal) and exact-table
baselines computed on the same units; and 5-fold cross-validations by take over the
train takes in triplets of the settings learnt at 1/16: the smoothing ``ALPHA`` and a
flatter kernel (every ``BETA`` scaled; mean NLL of the 20 pairs) and ``WORTH`` for
kick->snare, the setting that decides the F1. Validation is reported, never tuned to.

Data: Groove MIDI Dataset (Gillick et al., ICML 2019; CC BY 4.0), read from
../shared/data/gmd and never copied. Run: nice .venv/bin/python benchmarks/generator_triplets.py
"""

import collections
import itertools
from pathlib import Path

import numpy as np

from actors.generator import Generator
from actors.generator import _generate as model
from actors.generator._build import midi_sources
from actors.generator._corpus import Corpus, Source
from actors.generator._eval import baseline, score_pair, unanswered_bases
from actors.generator._store import Store
from actors.messages import TRACKS
from actors.rules import DEFAULT_STEP_RATE

GMD = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "gmd"
TRIPLETS = ("1/8T", "1/16T")
KICK, SNARE = 0, 1
FOLDS = 5
WORTHS = (0.15, 0.2, 0.25, 0.3, 0.35, 0.4)


def of(sources: list[Source], grid: str) -> list[Source]:
    return [source for source in sources if source.grid == grid]


def generator(sources: list[Source], grid: str) -> Generator:
    store = Store(Corpus.from_sources(sources), {}, tuple(sources),
                  {grid: Corpus.from_sources(sources, grid)})
    return Generator(store).at(grid)


def counts(split: str, sources: list[Source]) -> None:
    takes = of(sources, DEFAULT_STEP_RATE)
    print(f"\n{split}: {len(takes)} beat takes, {sum(len(s.bars) for s in takes)} bars of 1/16")
    for grid in TRIPLETS:
        on = of(sources, grid)
        print(f"  {grid}: {len(on)} takes in triplets, {sum(len(s.bars) for s in on)} units")
    styles = collections.Counter(s.style for s in of(sources, "1/8T"))
    every = collections.Counter(s.style for s in takes)
    print("  takes in triplets by style (of all the style's takes): " + ", ".join(
        f"{style} {n}/{every[style]}" for style, n in styles.most_common()))


def scores(train: list[Source], validation: list[Source], grid: str) -> None:
    answer = generator(train, grid)
    train_units = Corpus.from_sources(train, grid)
    held_out = Corpus.from_sources(validation, grid)
    print(f"\n{grid} on validation ({len(held_out)} units of 12 steps from "
          f"{len(of(validation, grid))} takes)")
    print(f"  {'pair':<18}{'NLL':>7}{'F1':>7}{'no res':>8}   per-step frequency NLL | "
          "table NLL / F1 / no res")
    nll, f1 = [], []
    for basis, target in itertools.permutations(range(len(TRACKS)), 2):
        s = score_pair(answer, held_out, basis, target)
        b = baseline(train_units, held_out, basis, target, steps=answer.steps)
        nll.append(s.nll)
        f1.append(s.f1)
        print(f"  {TRACKS[basis] + '->' + TRACKS[target]:<18}{s.nll:>7.3f}{s.f1:>7.3f}"
              f"{s.no_result:>8.1%}   {b.unconditional_nll:>18.3f} | {b.table_nll:.3f} / "
              f"{b.table_f1:.3f} / {b.table_no_result:.1%}")
    print(f"  mean of the 20 pairs: NLL {np.mean(nll):.3f}, F1 {np.mean(f1):.3f}")
    unanswered = sum(unanswered_bases(answer, a, b)
                     for a, b in itertools.permutations(range(len(TRACKS)), 2))
    print(f"  of the 4,096 possible basis units, unanswered over the 20 pairs: {unanswered}")


def folds(train: list[Source], grid: str) -> list[tuple[Generator, Corpus]]:
    """(generator of the other folds, held-out units) for each fold of the takes."""
    names = sorted({s.name for s in of(train, grid)})
    split = [set(names[k::FOLDS]) for k in range(FOLDS)]
    return [(generator([s for s in train if s.name not in fold], grid),
             Corpus.from_sources([s for s in train if s.name in fold], grid))
            for fold in split]


def cross_validate_kernel(train: list[Source], grid: str) -> None:
    kept = model.ALPHA, model._STRETCH
    print(f"\n{grid}: smoothing and kernel, {FOLDS}-fold by take over the train takes in "
          "triplets (mean NLL of the 20 pairs; kick->snare)")
    try:
        for alpha, flatter in itertools.product((0.1, 0.3, 1.0, 3.0), (1.0, 0.75, 0.5)):
            model.ALPHA = alpha
            model._STRETCH = tuple(round(4 * beta * flatter)
                                   for beta in (*model.BETA, model.PREVIOUS_BETA))
            nll, kick_snare = [], []
            for fitted, held in folds(train, grid):
                pairs = itertools.permutations(range(len(TRACKS)), 2)
                nll.append(np.mean([score_pair(fitted, held, a, b).nll for a, b in pairs]))
                kick_snare.append(score_pair(fitted, held, KICK, SNARE).nll)
            mark = " (kept)" if (alpha, flatter) == (kept[0], 1.0) else ""
            print(f"  ALPHA {alpha:<4g} BETA x {flatter:<5g} NLL {np.mean(nll):.4f}, "
                  f"kick->snare {np.mean(kick_snare):.4f}{mark}")
    finally:
        model.ALPHA, model._STRETCH = kept


def cross_validate_worth(train: list[Source], grid: str) -> None:
    kept = model.WORTH
    print(f"\n{grid}: WORTH of the snare, {FOLDS}-fold by take over the train takes in "
          "triplets (kick->snare F1; NLL does not depend on it)")
    try:
        for worth in WORTHS:
            model.WORTH = (*kept[:SNARE], worth, *kept[SNARE + 1:])
            f1 = []
            for fitted, held in folds(train, grid):
                f1.append(score_pair(fitted, held, KICK, SNARE).f1)
            mark = " (kept)" if worth == kept[SNARE] else ""
            print(f"  WORTH {worth:.2f}: F1 {np.mean(f1):.3f} (folds "
                  f"{' '.join(f'{x:.3f}' for x in f1)}){mark}")
    finally:
        model.WORTH = kept


def main() -> None:
    if not (GMD / "info.csv").exists():
        raise SystemExit(f"no GMD at {GMD}")
    train = midi_sources(GMD, "train")
    validation = midi_sources(GMD, "validation")
    counts("train", train)
    counts("validation", validation)
    for grid in TRIPLETS:
        scores(train, validation, grid)
    for grid in TRIPLETS:
        cross_validate_kernel(train, grid)
        cross_validate_worth(train, grid)


if __name__ == "__main__":
    main()
