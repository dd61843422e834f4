"""The real thing: a store built from GMD train, judged on GMD validation beat bars.

Data: the Groove MIDI Dataset (Gillick et al., "Learning to Groove with Inverse
Sequence Transformations", ICML 2019; CC BY 4.0), read from ../shared/data/gmd.
The targets are those of the project's issue 5 and generation.md.
"""

import time
from pathlib import Path

import pytest

from actors.generator import Generator
from actors.generator._build import build, midi_sources
from actors.generator._corpus import Corpus
from actors.generator._eval import baseline, score_all, score_pair, unanswered_bases
from actors.generator._store import read

GMD = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "gmd"
KICK, SNARE, HIHAT = 0, 1, 2

pytestmark = pytest.mark.skipif(
    not (GMD / "info.csv").exists(),
    reason="../shared/data/gmd (Groove MIDI Dataset) is not present",
)


@pytest.fixture(scope="module")
def gmd(tmp_path_factory):
    path = tmp_path_factory.mktemp("gmd") / "gmd-train.sqlite"
    start = time.monotonic()
    train = midi_sources(GMD, "train")
    build(path, train, "GMD train")
    seconds = time.monotonic() - start
    validation = Corpus.from_sources(midi_sources(GMD, "validation"))
    generator = Generator(read(path))
    return {
        "path": path,
        "seconds": seconds,
        "train": Corpus.from_sources(train),
        "validation": validation,
        "generator": generator,
        "scores": {(s.basis, s.target): s for s in score_all(generator, validation)},
    }


def test_build_is_fast_and_the_store_small(gmd):
    assert len(gmd["train"]) == 16704  # generation.md's count of GMD train beat bars
    assert gmd["seconds"] <= 120
    assert gmd["path"].stat().st_size <= 50e6


def test_no_validation_request_goes_unanswered(gmd):
    assert len(gmd["validation"]) == 2070
    assert {pair: s.no_result for pair, s in gmd["scores"].items() if s.no_result} == {}


@pytest.mark.parametrize("basis, target", [(KICK, SNARE), (KICK, HIHAT), (SNARE, KICK), (HIHAT, 3)])
def test_every_possible_basis_is_answered(gmd, basis, target):
    assert unanswered_bases(gmd["generator"], basis, target) == 0


def test_kick_to_snare_beats_the_exact_table_and_the_marginal(gmd):
    score = gmd["scores"][(KICK, SNARE)]
    reference = baseline(gmd["train"], gmd["validation"], KICK, SNARE)
    assert reference.table_no_result > 0.05  # the 2021 design leaves bars unanswered
    assert score.nll < reference.table_nll - 0.03
    assert score.nll < reference.unconditional_nll - 0.1
    assert score.f1 > reference.table_f1 + 0.03


def test_kick_to_snare_sampled_f1_target(gmd):
    assert gmd["scores"][(KICK, SNARE)].f1 >= 0.55


@pytest.mark.xfail(strict=True, reason="target not reached: measured 0.722 bits/step")
def test_kick_to_snare_nll_target(gmd):
    assert gmd["scores"][(KICK, SNARE)].nll <= 0.70


def test_kick_to_hihat_sampled_f1_target(gmd):
    assert gmd["scores"][(KICK, HIHAT)].f1 >= 0.62


def test_the_takes_first_8_bars_as_history_reach_the_kick_to_snare_targets(gmd):
    # Issue 14: each validation take's first 8 bars are the history, the rest scored.
    score = score_pair(gmd["generator"], gmd["validation"], KICK, SNARE, history_bars=8)
    without = score_pair(gmd["generator"], gmd["validation"], KICK, SNARE)
    assert score.bars > 1500 and score.no_result == 0
    assert score.nll <= 0.64 and score.f1 >= 0.65
    assert without.nll <= 0.722 and without.f1 >= 0.613  # as before the history existed


def test_kick_and_closed_hat_with_history_reach_the_snare_target(gmd):
    score = score_pair(
        gmd["generator"], gmd["validation"], KICK, SNARE, history_bars=8, also=(HIHAT,)
    )
    assert score.nll <= 0.60 and score.no_result == 0


def test_the_sessions_default_every_other_track_beats_one_basis(gmd):
    # What the surfaces ask by default since issue 14: the target from all four others.
    every = score_pair(gmd["generator"], gmd["validation"], KICK, SNARE, also=(HIHAT, 3, 4))
    assert every.no_result == 0
    assert every.nll < gmd["scores"][(KICK, SNARE)].nll - 0.08
