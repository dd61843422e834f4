"""Generation on triplet grids: takes in triplets stored at 1/8T and 1/16T, answered on
that grid and never empty; a straight take teaches no triplets; a grid or length the
store cannot answer is refused with the reason; an old store still answers."""

import json
import logging

import apsw
import numpy as np
import pytest

from actors.generator import (
    GenerateRequest,
    Generator,
    GeneratorError,
    open_generator,
    open_store,
)
from actors.generator._build import STARTER, as_library, build, midi_sources, starter_sources
from actors.generator._corpus import Corpus
from actors.generator._eval import unanswered_bases
from actors.generator._patterns import GRIDS, complexity_table, render
from actors.generator._presets import kit_sources
from actors.generator._starter import parse_corpus
from actors.generator._store import read
from actors.kit import Channel, Kit, Pattern
from tests.test_generator_cli import run
from tests.test_generator_store import PPQ, write_midi

KICK, SNARE, HIHAT = 0, 1, 2
NOTES = {KICK: 36, SNARE: 38, HIHAT: 42}
JITTER = (0, 7, -5, 3, -8, 4, 6, -3)
"""Ticks (of 480 a beat) each hit is played off its grid, in turn: a drummer's few ms."""


def triplet_take(path, parts, per_beat, bars=4, extra=()):
    """A take playing the one-bar ``parts`` (track -> text of ``4 * per_beat`` steps) round
    ``bars`` times, loosely, with ``extra`` (beat, track, velocity) hits besides."""
    hits = []
    for bar in range(bars):
        for track, text in parts.items():
            for step, c in enumerate(text):
                if c != "-":
                    beat = 4 * bar + step / per_beat
                    hits.append((beat, NOTES[track], 110 if c == "X" else 80))
    hits += [(beat, NOTES[track], velocity) for beat, track, velocity in extra]
    write_midi(path, [(max(0, round(beat * PPQ) + JITTER[i % len(JITTER)]), note, velocity)
                      for i, (beat, note, velocity) in enumerate(hits)])


SHUFFLE = {KICK: "X-----x-----", SNARE: "---X-----X--", HIHAT: "x-xx-xx-xx-x"}
"""A shuffle in eighth triplets (three a beat)."""
TWELVE_EIGHT = {KICK: "X----x-x----", SNARE: "------X-----", HIHAT: "xxxxxxxxxxxx"}
STRAIGHT = {KICK: "X-------x-------", SNARE: "----X-------X---", HIHAT: "x-x-x-x-x-x-x-x-"}
GHOST = (2 + 5 / 6 - 0.03, SNARE, 60)
"""A ghost note on the last sixteenth triplet of the first bar's third beat, a little
early: on the eighth triplets it is nearer the next beat's."""


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    folder = tmp_path_factory.mktemp("midi")
    triplet_take(folder / "shuffle.mid", SHUFFLE, 3, bars=8, extra=[GHOST])
    triplet_take(folder / "twelve-eight.mid", TWELVE_EIGHT, 3)
    triplet_take(folder / "straight.mid", STRAIGHT, 4)
    return folder


@pytest.fixture(scope="module")
def store(corpus, tmp_path_factory):
    path = tmp_path_factory.mktemp("priors") / "priors.sqlite"
    assert run("priors", "build", "--midi", corpus, "--out", path) == 0
    return path


def test_a_take_in_triplets_is_stored_on_both_triplet_grids_a_straight_one_on_1_16_only(corpus):
    sources = midi_sources(corpus)
    assert sorted((s.name, s.grid) for s in sources) == [
        ("shuffle.mid", "1/16"), ("shuffle.mid", "1/16T"), ("shuffle.mid", "1/8T"),
        ("straight.mid", "1/16"),
        ("twelve-eight.mid", "1/16"), ("twelve-eight.mid", "1/16T"), ("twelve-eight.mid", "1/8T"),
    ]
    # a corpus is one grid's: 1/16 by default, as every reader of sources had it
    assert [len(Corpus.from_sources(sources, rate)) for rate in ("1/16", "1/8T", "1/16T")] == [
        16, 12, 24]
    assert len(Corpus.from_sources(sources)) == 16
    eighths = next(s for s in sources if (s.name, s.grid) == ("shuffle.mid", "1/8T"))
    assert sorted(eighths.bars) == list(range(8))
    assert [render([eighths.bars[1][t]], 12) for t in (KICK, SNARE, HIHAT)] == [
        "X-----x-----", "---X-----X--", "x-xx-xx-xx-x"]
    assert render([eighths.bars[0][SNARE]], 12) == "---X----xX--"  # the ghost, snapped
    sixteenths = next(s for s in sources if (s.name, s.grid) == ("shuffle.mid", "1/16T"))
    # each bar as two halves of 12, at 3b and 3b + 1: a first half follows no bar
    assert sorted(sixteenths.bars) == [3 * bar + half for bar in range(8) for half in (0, 1)]
    halves = [render([sixteenths.bars[p][t] for p in (3, 4)], 12) for t in (KICK, SNARE, HIHAT)]
    assert halves == ["X-----------x-----------", "------X-----------X-----", "x---x-" * 4]
    assert render([sixteenths.bars[1][SNARE]], 12) == "-----xX-----"  # the ghost, in place


def test_the_store_keeps_the_grids_and_info_counts_each(store, capsys):
    loaded = read(store)
    assert {rate: len(c) for rate, c in loaded.grids.items()} == {"1/8T": 12, "1/16T": 24}
    assert len(loaded.corpus) == 16  # 1/16 as before: every take
    assert run("priors", "info", "--db", store) == 0
    info = capsys.readouterr().out
    assert "at 1/16:     16 bars from 3 sources" in info
    assert "at 1/8T:     12 bars from 2 sources" in info
    assert "at 1/16T:    12 bars (24 half bars) from 2 sources" in info


def test_a_straight_corpus_teaches_no_triplets(tmp_path, capsys, caplog):
    folder = tmp_path / "midi"
    triplet_take(folder / "a.mid", STRAIGHT, 4)
    triplet_take(folder / "b.mid", {**STRAIGHT, HIHAT: "xxxxxxxxxxxxxxxx"}, 4)
    path = tmp_path / "straight.sqlite"
    assert run("priors", "build", "--midi", folder, "--out", path) == 0
    assert f"built {path}: 8 bars\n" in capsys.readouterr().out
    assert read(path).grids == {}
    run("priors", "info", "--db", path)
    assert "at 1/8T:     none (generation there answers from the starter corpus)" in (
        capsys.readouterr().out)
    with caplog.at_level(logging.WARNING):
        generator = Generator(open_store(path))
    assert "holds no bars at 1/8T or 1/16T" in caplog.text
    answer = generator.generate(GenerateRequest(SNARE, ((KICK, "X-----x-----"),), seed=1,
                                                rate="1/8T"))
    assert not answer.error and len(answer.patterns[0]) == 12


def test_a_triplet_request_answers_what_the_takes_played_on_that_grid(store):
    generator = Generator(read(store))
    eighths = generator.generate(GenerateRequest(SNARE, ((KICK, "X-----x-----"),), seed=1,
                                                 surprise=0.0, rate="1/8T"))
    assert eighths.patterns == ("---X-----X--",) and len(eighths.probs) == 12
    two_bars = generator.generate(GenerateRequest(HIHAT, ((KICK, "X-----x-----" * 2),), seed=1,
                                                  surprise=0.0, rate="1/8T"))
    assert two_bars.patterns == ("x-xx-xx-xx-x" * 2,) and len(two_bars.probs) == 24
    sixteenths = generator.generate(GenerateRequest(
        HIHAT, ((KICK, "X-----------x-----------"),), seed=1, surprise=0.0, rate="1/16T"))
    assert sixteenths.patterns == ("x---x-" * 4,) and len(sixteenths.probs) == 24
    # continuation: steps 13-24 from 1-12, the first 12 kept
    more = generator.generate(GenerateRequest(SNARE, (), "---X-----X--", True, seed=1,
                                              surprise=0.0, rate="1/8T"))
    assert more.patterns == ("---X-----X--" * 2,) and more.probs[:12] == (0,) * 3 + (
        1,) + (0,) * 5 + (1,) + (0,) * 2
    # as the session asks it: the other tracks over the whole 24 steps
    heard = generator.generate(GenerateRequest(SNARE, ((KICK, "X-----x-----" * 2),),
                                               "---X----xX-----X--x--X--", True, seed=1,
                                               surprise=0.0, rate="1/8T"))
    assert heard.patterns == ("---X----xX-----X-----X--",)


@pytest.mark.parametrize("rate", ["1/8T", "1/16T"])
def test_no_possible_basis_unit_goes_unanswered(store, rate):
    generator = Generator(read(store)).at(rate)
    for basis, target in ((KICK, SNARE), (SNARE, KICK), (KICK, 4)):  # 4: never played here
        assert unanswered_bases(generator, basis, target) == 0  # all 4,096 of 12 steps


@pytest.mark.parametrize(("rate", "length"), [("1/8T", 12), ("1/8T", 24), ("1/16T", 24)])
def test_every_triplet_basis_gets_a_pattern_on_the_grid(store, rate, length):
    generator = Generator(read(store))
    rng = np.random.default_rng(5)
    bases = ["-" * length, "x" * length] + [
        "".join(rng.choice(list("-xX"), length)) for _ in range(60)]
    for surprise in (0.0, 1.0):
        for text in bases:
            for target in (SNARE, 4):  # the clap: a track these takes never play
                result = generator.generate(GenerateRequest(
                    target, ((KICK, text),), n=2, seed=3, surprise=surprise, complexity=0.8,
                    rate=rate))
                assert not result.error, result.error
                assert result.patterns and len(result.probs) == length
                for pattern in result.patterns:
                    assert len(pattern) == length
                    assert all("x" in half or "X" in half
                               for half in (pattern[:12], pattern[12:]) if half)


def test_complexity_moves_the_syncopation_on_a_triplet_grid(tmp_path):
    generator = Generator(open_store(tmp_path / "starter.sqlite"))  # its triplet grooves
    table = complexity_table(GRIDS["1/8T"])

    def mean(complexity):
        result = generator.generate(GenerateRequest(
            SNARE, ((KICK, "X-----x-----"),), n=8, seed=4, complexity=complexity,
            rate="1/8T"))
        return np.mean([table[sum(1 << i for i, c in enumerate(p) if c != "-")]
                        for p in result.patterns])

    assert mean(0.9) > mean(0.1) + 2


@pytest.mark.parametrize(("rate", "bases", "continuation", "says"), [
    ("1/16T", "X-----x-----", False, "generation answers 24 steps at 1/16T; the track plays 12"),
    ("1/8T", "X---" * 4, False, "generation answers 12 or 24 steps at 1/8T; the track plays 16"),
    ("1/8T", "X---" * 4, True, "a pattern at 1/8T has 12 or 24 steps, got 'X---X---X---X---'"),
    ("1/32", "x" * 32, False, "not 1/32"),
    ("1/9", "x" * 16, False, "step rate '1/9' is not one of"),
])
def test_a_grid_or_length_the_store_cannot_answer_is_an_error_with_the_reason(
        store, rate, bases, continuation, says):
    result = Generator(read(store)).generate(GenerateRequest(
        SNARE, ((KICK, bases),), "x" * len(bases), continuation, rate=rate))
    assert says in result.error and result.patterns == ()


def test_the_cli_answers_triplet_grids_and_refuses_others_with_exit_code_2(store, capsys):
    base = ("generate", "--db", store, "--instrument", "snare", "--basis-instrument", "kick")
    assert run(*base, "--basis", "X-----x-----", "--step-rate", "1/8T", "--probs",
               "--surprise", 0) == 0
    pattern, probs = capsys.readouterr().out.splitlines()
    assert pattern == "---X-----X--" and len(probs.split()) == 12
    # a 12-step basis played round to 24 steps, as a shorter track loops
    assert run(*base, "--basis", "X-----x-----", "--step-rate", "1/8T", "--length", 24,
               "--surprise", 0) == 0
    assert capsys.readouterr().out.split() == ["---X-----X--" * 2]
    assert run(*base, "--basis", "X-----x-----", "--step-rate", "1/16T") == 2
    assert ("generate: generation answers 24 steps at 1/16T; the track plays 12"
            in capsys.readouterr().err)
    assert run(*base, "--basis", "X-----x-----", "--step-rate", "1/16T", "--length", 24) == 0
    assert [len(p) for p in capsys.readouterr().out.split()] == [24]
    assert run(*base, "--basis", "X---", "--length", 40) == 2
    assert "a track's length is a whole number 1-32 steps, got 40" in capsys.readouterr().err


def test_batch_lines_take_a_rate_and_a_length(store, tmp_path, capsys):
    lines = [
        {"instrument": "snare", "basis_instrument": "kick", "basis": "X-----x-----",
         "step_rate": "1/8T", "surprise": 0, "probs": True},
        {"instrument": "hihat", "basis_instrument": "kick", "basis": "X-----x-----",
         "step_rate": "1/16T", "length": 24, "surprise": 0},
        {"instrument": "snare", "basis_instrument": "kick", "basis": "X-----x-----",
         "step_rate": "1/16T"},
        {"instrument": "snare", "basis_instrument": "kick", "basis": "X---" * 4},
    ]
    batch = tmp_path / "requests.jsonl"
    batch.write_text("".join(json.dumps(line) + "\n" for line in lines))
    assert run("generate", "--db", store, "--batch", batch) == 1
    answers = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert answers[0]["patterns"] == ["---X-----X--"] and len(answers[0]["probs"]) == 12
    assert answers[1]["patterns"] == ["x---x-" * 4]
    assert answers[2] == {"error": f"{batch}:3: generation answers 24 steps at 1/16T; the "
                                   "track plays 12"}
    assert len(answers[3]["patterns"][0]) == 16  # a line without a rate: 1/16
    # --step-rate is every line's rate unless the line names its own
    assert run("generate", "--db", store, "--batch", batch, "--step-rate", "1/8T") == 1
    answers = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert "12 or 24 steps at 1/8T; the track plays 16" in answers[3]["error"]


OLD_SCHEMA = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE sources(id INTEGER PRIMARY KEY, kind TEXT NOT NULL, name TEXT NOT NULL,
    style TEXT NOT NULL DEFAULT '', loops INTEGER NOT NULL DEFAULT 0,
    collection TEXT NOT NULL DEFAULT '', weight REAL NOT NULL DEFAULT 1.0);
CREATE TABLE bars(source_id INTEGER NOT NULL, position INTEGER NOT NULL,
    kick INTEGER, kick_accents INTEGER, snare INTEGER, snare_accents INTEGER,
    hihat INTEGER, hihat_accents INTEGER, openhat INTEGER, openhat_accents INTEGER,
    clap INTEGER, clap_accents INTEGER, PRIMARY KEY (source_id, position)) WITHOUT ROWID;
INSERT INTO meta VALUES ('schema', '2'), ('description', 'an old store');
INSERT INTO sources VALUES (1, 'midi', 'rock', 'rock', 0, 'an old store', 1.0);
INSERT INTO bars VALUES (1, 0, 257, 0, 4112, 0, 21845, 0, NULL, NULL, NULL, NULL);
INSERT INTO bars VALUES (1, 1, 257, 0, 4112, 0, 21845, 0, NULL, NULL, NULL, NULL);
"""


def test_a_schema_2_store_still_loads_and_answers_triplets_from_the_starter(tmp_path, caplog):
    path = tmp_path / "old.sqlite"
    db = apsw.Connection(str(path))
    db.execute(OLD_SCHEMA)
    db.close()
    old = read(path)
    assert len(old.corpus) == 2 and old.grids == {}
    assert {source.grid for source in old.sources} == {"1/16"}
    # read alone, it says it cannot rather than answer wrong ...
    refused = Generator(old).generate(GenerateRequest(SNARE, ((KICK, "X-----x-----"),),
                                                      rate="1/8T"))
    assert refused.error == ("the store holds no bars at 1/8T; rebuild it with supertonic "
                             "priors build")
    # ... and opened as the machine and the CLI open it, the starter's triplets answer
    with caplog.at_level(logging.WARNING):
        generator = Generator(open_store(path))
    assert "holds no bars at 1/8T or 1/16T" in caplog.text
    for rate, length in (("1/8T", 12), ("1/16T", 24)):
        answer = generator.generate(GenerateRequest(SNARE, ((KICK, "X" + "-" * (length - 1)),),
                                                    rate=rate))
        assert not answer.error and len(answer.patterns[0]) == length
    sixteenths = generator.generate(GenerateRequest(SNARE, ((KICK, "x-------x-------"),),
                                                    surprise=0.0))
    assert sixteenths.patterns == ("----x-------x---",)  # the old store's own bars
    assert read(path).meta["schema"] == "2"  # opening it changed nothing


def test_an_older_starter_store_is_built_again_and_a_library_in_one_is_kept(tmp_path, caplog):
    """A default store built from the starter before triplets existed holds nothing of the
    player's: it is rebuilt, once, without a warning at every start. One the player added
    a library to is kept as it is and answers triplets from the starter."""
    straight = [source for source in starter_sources() if source.grid == "1/16"]
    older, merged = tmp_path / "older.sqlite", tmp_path / "merged.sqlite"
    build(older, straight, STARTER)
    build(merged, [*straight, *as_library(straight[:1], "mine", 8.0)],
          f"{STARTER} + library mine")
    with caplog.at_level(logging.INFO):
        rebuilt = open_store(older)
    assert "older starter store" in caplog.text and "holds no bars" not in caplog.text
    assert {"1/8T", "1/16T"} <= set(rebuilt.grids) and read(older).meta["schema"] == "3"
    with caplog.at_level(logging.INFO):
        kept = open_store(merged)
    assert "holds no bars at 1/8T or 1/16T" in caplog.text
    assert read(merged).grids == {} and "library mine" in {s.collection for s in kept.sources}


def test_the_starter_refuses_a_variant_off_its_grid_by_line():
    with pytest.raises(ValueError, match=r"line 3: .* 12 or 24 steps at 1/8T; the track plays 16"):
        parse_corpus("[shuffle 1/8T]\nkick X-----x-----\nsnare ----X-------X---\n")
    with pytest.raises(ValueError, match=r"line 1: .*not 1/32"):
        parse_corpus("[fast 1/32]\nkick x-x-x-x-x-x-x-x-x-x-x-x-x-x-x-x-\n")
    grooves = parse_corpus("[half 1/16T]\nkick X-----------x-----------\n")
    assert [(g.grid, len(g.bars)) for g in grooves] == [("1/16T", 2)]


async def test_the_worker_answers_a_triplet_request(store):
    async with open_generator(store) as client:
        result = await client.request(GenerateRequest(
            SNARE, ((KICK, "X-----x-----"),), seed=1, surprise=0.0, rate="1/8T"))
        assert result.patterns == ("---X-----X--",)
        with pytest.raises(GeneratorError, match="not 1/32"):
            await client.request(GenerateRequest(SNARE, ((KICK, "x" * 32),), rate="1/32"))


def test_a_kit_at_1_8t_gives_its_12_step_patterns_as_bars_of_that_grid():
    kick, snare = (Channel(triggers=t.replace("x", "#")) for t in ("x-----x-----", "---x-----x--"))
    twelve = Pattern(length=12, channels=(kick, snare) + (Channel(),) * 6)
    sixteen = Pattern(channels=(kick, snare) + (Channel(),) * 6)
    patterns = (twelve, sixteen) + (Pattern(),) * 10
    (source,) = kit_sources(Kit(step_rate="1/8T", patterns=patterns), "shuffle")
    assert source.grid == "1/8T" and sorted(source.bars) == [0]  # a bar and a third: no bar
    assert [render([source.bars[0][t]], 12) for t in (KICK, SNARE)] == ["x-----x-----",
                                                                       "---x-----x--"]
    (straight,) = kit_sources(Kit(patterns=patterns), "straight")
    assert straight.grid == "1/16" and straight.name == "straight b"  # the 16-step one
    assert kit_sources(Kit(step_rate="1/16T", patterns=patterns), "fast") == []


def test_eval_scores_the_takes_in_triplets_unit_by_unit(store, corpus, tmp_path, capsys):
    assert run("priors", "eval", "--midi", corpus, "--db", store, "--step-rate", "1/16T",
               "--json") == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(rows) == 20 and {row["bars"] for row in rows} == {24}  # 12 bars, 2 halves
    kick_snare = next(r for r in rows if (r["basis"], r["target"]) == ("kick", "snare"))
    assert kick_snare["nll"] < 0.2 and kick_snare["no_result"] == 0  # it knows these takes
    straight = tmp_path / "straight"
    triplet_take(straight / "a.mid", STRAIGHT, 4)
    assert run("priors", "eval", "--midi", straight, "--db", store, "--step-rate", "1/8T") == 1
    assert f"{straight} holds no takes in triplets to score at 1/8T" in capsys.readouterr().err
