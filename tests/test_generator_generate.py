"""The generator core on the starter store: never empty, seeded, conditioned, controllable."""

import itertools

import numpy as np
import pytest

from actors.generator import GenerateRequest, Generator, open_store
from actors.generator._corpus import Corpus, Source
from actors.generator._eval import unanswered_bases
from actors.generator._generate import WORTH
from actors.generator._patterns import Bar, complexity_table, parse
from actors.generator._store import Store

KICK, SNARE, HIHAT, OPENHAT, CLAP = range(5)


@pytest.fixture(scope="module")
def generator(tmp_path_factory):
    return Generator(open_store(tmp_path_factory.mktemp("priors") / "starter.sqlite"))


def ask(generator, **fields):
    result = generator.generate(GenerateRequest(**fields))
    assert not result.error, result.error
    return result


def test_every_16_step_basis_of_every_pair_gets_a_pattern(generator):
    for basis, target in itertools.permutations(range(5), 2):
        assert unanswered_bases(generator, basis, target) == 0, (basis, target)


def test_answers_are_distinct_non_empty_patterns_with_probabilities(generator):
    result = ask(generator, target=SNARE, bases=((KICK, "X-------x-x-----"),), n=5, seed=3)
    assert len(result.patterns) == 5 == len(set(result.patterns))
    for pattern in result.patterns:
        assert len(pattern) == 16 and set(pattern) <= set("-xX") and pattern != "-" * 16
    assert len(result.probs) == 16 and all(0 < p < 1 for p in result.probs)
    # The backbeat is what the corpus says a snare does over a rock kick.
    assert result.probs[4] > 0.5 and result.probs[12] > 0.5 and result.probs[1] < 0.2


def test_same_seed_same_answer_and_other_seeds_vary(generator):
    fields = dict(target=HIHAT, bases=((KICK, "X-----x---x-----"),), n=3, surprise=0.6)
    first = ask(generator, seed=11, **fields)
    assert ask(generator, seed=11, **fields) == first
    others = {ask(generator, seed=s, **fields).patterns for s in range(12, 20)}
    assert len(others) > 1


def test_the_pattern_already_there_is_never_returned(generator):
    basis = ((KICK, "X---X---X---X---"),)
    (favourite,) = ask(generator, target=CLAP, bases=basis, surprise=0.0, seed=0).patterns
    for seed in range(40):
        result = ask(
            generator, target=CLAP, bases=basis, current=favourite, surprise=0.0, seed=seed
        )
        assert parse(result.patterns[0])[0].hits != parse(favourite)[0].hits


def test_32_step_basis_gets_32_step_answers_never_the_current_one(generator):
    kick = "X-------x-------X-------x-x-----"
    current = "----X-------X-------X-------XxXx"
    result = ask(generator, target=SNARE, bases=((KICK, kick),), current=current, n=4, seed=5)
    assert all(len(p) == 32 for p in result.patterns) and len(result.probs) == 32
    assert current not in result.patterns


def test_steps_17_to_32_are_conditioned_on_steps_1_to_16(generator):
    def second_half(first):
        result = ask(generator, target=HIHAT, current=first, continuation=True, n=4, seed=1)
        assert all(p[:16] == first for p in result.patterns)
        return np.array(result.probs[16:])

    eighths = second_half("x-x-x-x-x-x-x-x-")
    offbeats = second_half("--x---x---x---x-")
    # Each continues its own first half: the hats on the downbeats follow the first bar.
    assert eighths[[0, 4, 8, 12]].mean() > offbeats[[0, 4, 8, 12]].mean() + 0.3
    assert offbeats[[2, 6, 10, 14]].mean() > 0.5


def test_snare_from_kick_and_hat_differs_from_kick_alone(generator):
    kick = (KICK, "X---X---X---X---")
    alone = ask(generator, target=SNARE, bases=(kick,), seed=2).probs
    both = ask(generator, target=SNARE, bases=(kick, (HIHAT, "xxXxxxXxxxXxxxXx")), seed=2).probs
    assert max(abs(a - b) for a, b in zip(alone, both, strict=True)) > 0.1


def test_the_most_expected_pattern_plays_the_steps_worth_playing(generator):
    for target, basis in ((SNARE, (KICK, "X-------x-x-----")), (HIHAT, (KICK, "X-x---x---x-----"))):
        result = ask(generator, target=target, bases=(basis,), surprise=0.0, seed=1)
        worth = "".join("x" if p > WORTH[target] else "-" for p in result.probs)
        assert result.patterns[0].replace("X", "x") == worth


def _bars(kick: str, snare: str, count: int) -> dict[int, tuple[Bar | None, ...]]:
    tracks = (parse(kick)[0], parse(snare)[0], Bar(0), Bar(0), Bar(0))
    return dict.fromkeys(range(count), tracks)


def _snare_probs(sources: list[Source], kick: str) -> np.ndarray:
    generator = Generator(Store(Corpus.from_sources(sources), {}))
    hits = np.array([parse(kick)[0].hits])
    return generator.predict(SNARE, {KICK: (hits, np.zeros_like(hits))}).hits[0]


def test_one_long_take_does_not_outvote_many_drummers():
    kick = "x-------x-------"
    # One take repeats its backbeat 100 times; 25 other one-bar takes play it on 3.
    long = Source("midi", "long", "", _bars(kick, "----x-------x---", 100))
    short = [Source("midi", f"s{i}", "", _bars(kick, "--------x-------", 1)) for i in range(25)]
    probs = _snare_probs([long, *short], kick)
    # sqrt(100) = 10 votes against 25, where counting bars would give 100 against 25.
    assert probs[4] == pytest.approx(10 / 35, abs=0.01)
    assert probs[8] == pytest.approx(25 / 35, abs=0.01)


def test_hand_written_grooves_are_sketches_and_played_bars_are_not():
    def probs(kind):
        groove = Source(kind, "g", "", _bars("x-------x-------", "----x-------x---", 4), True)
        return _snare_probs([groove], "x-------x-------")

    played, sketched = probs("midi"), probs("starter")
    assert played.min() < 0.01 and played.max() > 0.99
    assert sketched.min() > 0.05 and sketched.max() < 0.95
    assert sketched[4] > 0.8 and sketched[1] < 0.2


def test_surprise_zero_is_steady_and_one_is_adventurous(generator):
    def distinct(surprise):
        answers = {
            ask(
                generator,
                target=SNARE,
                bases=((KICK, "X-x-------x--x--"),),
                surprise=surprise,
                seed=s,
            ).patterns
            for s in range(30)
        }
        return len(answers)

    assert distinct(0.0) == 1
    assert distinct(1.0) >= 10


def test_complexity_control_moves_the_syncopation(generator):
    def mean_complexity(level):
        result = ask(
            generator,
            target=HIHAT,
            bases=((KICK, "X---X---X---X---"),),
            n=8,
            seed=4,
            complexity=level,
        )
        return np.mean([complexity_table()[parse(p)[0].hits] for p in result.patterns])

    assert mean_complexity(0.9) > mean_complexity(0.1) + 2


def test_steps_17_to_32_hear_every_track_a_16_step_basis_looping(generator):
    """All tracks' steps 1-16 (the other tracks loop at 16 steps): as their 32 steps."""
    first = "----X-------X---"
    kick, hat = "X-------X-x-----", "x-x-x-x-x-x-x-x-"

    def answer(length: int):
        return ask(generator, target=SNARE, current=first, continuation=True, seed=3,
                   bases=((KICK, kick * (length // 16)), (HIHAT, hat * (length // 16))))

    assert answer(16) == answer(32)
    alone = ask(generator, target=SNARE, current=first, continuation=True, seed=3)
    assert answer(16).probs != alone.probs


@pytest.mark.parametrize(
    "fields, message",
    [
        (dict(target=7, bases=((KICK, "x" * 16),)), "target"),
        (dict(target=SNARE, bases=((SNARE, "x" * 16),)), "another track"),
        (dict(target=SNARE, bases=((KICK, "x" * 15),)), "16 or 32"),
        (dict(target=SNARE, bases=((KICK, "x" * 16), (HIHAT, "x" * 32))), "same length"),
        (dict(target=SNARE, bases=()), "at least one basis"),
        (dict(target=SNARE, bases=((KICK, "x" * 16),), surprise=2.0), "surprise"),
        (dict(target=SNARE, current="x" * 16, continuation=True, bases=((KICK, "x" * 8),)),
         "16 or 32"),
    ],
)
def test_invalid_requests_get_an_error_not_an_exception(generator, fields, message):
    result = generator.generate(GenerateRequest(**fields))
    assert message in result.error and result.patterns == ()


def _history(snare: str, bars: int = 16):
    kick = parse("X---x---X---x---")[0]
    hit = parse(snare)[0]
    hits = np.array([[kick.hits, hit.hits, -1, -1, -1]] * bars)
    return hits, np.zeros_like(hits)


def test_history_pulls_the_answer_toward_the_sessions_own_bars(generator):
    # This session's snare always plays on step 8, where the store's rarely does.
    request = dict(target=SNARE, bases=((KICK, "X---x---X---x---"),), surprise=0.0, seed=1)
    before = ask(generator, **request)
    generator.set_history(*_history("-------x--------", bars=2))
    few = ask(generator, **request)
    generator.set_history(*_history("-------x--------", bars=32))
    many = ask(generator, **request)
    generator.set_history(*_history("-------x--------", bars=32), scale=0.0)
    off = ask(generator, **request)
    generator.set_history(np.zeros((0, 5)), np.zeros((0, 5)))
    assert before.probs[7] < 0.2
    assert before.probs[7] < few.probs[7] < many.probs[7] and many.probs[7] > 0.8
    assert many.patterns[0][7] != "-" and before.patterns[0][7] == "-"
    assert off == before and ask(generator, **request) == before


def test_history_missing_the_given_track_still_counts_for_the_target(generator):
    # History bars that know only the snare vote for it whatever the basis.
    hits = np.array([[-1, parse("-------x--------")[0].hits, -1, -1, -1]] * 16)
    generator.set_history(hits, np.zeros_like(hits))
    try:
        result = ask(generator, target=SNARE, bases=((KICK, "X---x---X---x---"),), seed=1)
    finally:
        generator.set_history(np.zeros((0, 5)), np.zeros((0, 5)))
    assert result.probs[7] < 0.2  # a bar without the kick says nothing about this request
