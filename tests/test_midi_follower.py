"""The clock follower on synthetic masters: steady tempos and a ramp, +-1 ms jitter.

Each stream goes through the whole slave path as the machine runs it: the
input core turns ticks into Follow messages, a real ClockCore takes them and
hands on steps exactly when its actor would (``EMIT_AHEAD`` before each step's
time), and each step's time plus the lookahead (when it is heard) is compared
with the master's true beat. The helpers here are shared with
``benchmarks/midi_clock.py``.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from actors.clock import ClockCore
from actors.midi import ClockFollower, InputCore, minimax_fit

LOOKAHEAD = 0.05
JITTER = 0.001


def steady(bpm: float, beats: int) -> np.ndarray:
    """Tempo of each tick interval."""
    return np.full(24 * beats, float(bpm))


def ramp(
    start: float = 100.0, end: float = 140.0, bars: int = 8, before: int = 2, after: int = 2
) -> np.ndarray:
    """Steady bars, a linear tempo ramp over ``bars`` bars, steady bars again."""
    return np.concatenate(
        [
            np.full(96 * before, start),
            np.linspace(start, end, 96 * bars, endpoint=False),
            np.full(96 * after, end),
        ]
    )


def master_ticks(
    tempos: np.ndarray, seed: int, jitter: float = JITTER, first: float = 10.0
) -> tuple[np.ndarray, np.ndarray]:
    """True tick times of a master playing ``tempos``, and their arrival times with
    uniform jitter of +-``jitter``."""
    true = first + np.concatenate([[0.0], np.cumsum(60.0 / (24 * tempos))])
    arrivals = true + np.random.default_rng(seed).uniform(-jitter, jitter, true.shape)
    return true, arrivals


@dataclasses.dataclass
class Run:
    steps: list[tuple[int, float]]
    """(index, time) of every step the clock handed on."""
    tempos: list[float]
    """The follower's tempo after each tick (nan before it locks)."""


def follow(
    arrivals: np.ndarray, lookahead: float = LOOKAHEAD, follower: ClockFollower | None = None
) -> Run:
    """Start the master one tick before its first tick and play it through the slave
    (with another estimator in the follower's place, for the benchmark's baselines)."""
    inputs = InputCore("midi", lookahead)
    if follower is not None:
        inputs.follower = follower
    clock = ClockCore(120.0)
    run = Run([], [])
    events = [(arrivals[0] - (arrivals[1] - arrivals[0]), (0xFA,))]
    events += [(t, (0xF8,)) for t in arrivals]
    for time, data in events:
        while clock.next_emit_time() <= time:
            step = clock.pop_step()
            run.steps.append((step.index, step.time))
        for message in inputs.receive(time, "master", data):
            clock.apply(message, time)
        if data == (0xF8,):
            follower = inputs.follower
            run.tempos.append(
                follower.bpm(follower.tick_at(time)) if follower.locked else float("nan")
            )
    return run


def heard_errors(
    run: Run, true: np.ndarray, first_step: int, lookahead: float = LOOKAHEAD
) -> np.ndarray:
    """Seconds by which each step from ``first_step`` is heard off the master's beat."""
    return np.array(
        [
            time + lookahead - true[6 * index]
            for index, time in run.steps
            if index >= first_step and 6 * index < len(true)
        ]
    )


def true_tempo(tempos: np.ndarray, tick: int) -> float:
    return float(tempos[min(tick, len(tempos) - 1)])


SEEDS = range(6)


@pytest.mark.parametrize(
    "bpm",
    [
        90,
        128,
        pytest.param(
            174,
            marks=pytest.mark.xfail(
                strict=True,
                reason="a limit of the data: two beats of +-1 ms ticks fix 174 BPM to "
                "+-0.07 BPM with the minimax fit (+-0.12 with least squares, +-0.076 with the "
                "centre of the lines the ticks allow even when the jitter's width is known); "
                "0.05 is reached from the fifth beat, see "
                "test_tempo_at_174_bpm_from_the_fifth_beat",
            ),
        ),
    ],
)
def test_tempo_within_five_hundredths_of_a_bpm_from_the_third_beat(bpm):
    worst = 0.0
    for seed in SEEDS:
        _, arrivals = master_ticks(steady(bpm, 24), seed)
        tempos = follow(arrivals).tempos
        worst = max(worst, np.nanmax(np.abs(np.array(tempos[48:]) - bpm)))
    assert worst <= 0.05, worst


def test_tempo_at_174_bpm_from_the_fifth_beat():
    worst = 0.0
    for seed in SEEDS:
        _, arrivals = master_ticks(steady(174, 24), seed)
        worst = max(worst, np.abs(np.array(follow(arrivals).tempos[96:]) - 174).max())
    assert worst <= 0.05, worst


@pytest.mark.parametrize("bpm", [90, 128, 174])
def test_steps_are_heard_on_the_masters_beat(bpm):
    errors = []
    for seed in SEEDS:
        true, arrivals = master_ticks(steady(bpm, 24), seed)
        errors.append(heard_errors(follow(arrivals), true, first_step=8))
        indices = [index for index, _ in follow(arrivals).steps if index >= 8]
        assert indices == list(range(8, 8 + len(indices)))  # none skipped, none repeated
    errors = np.concatenate(errors)
    assert abs(errors.mean()) <= 0.001, errors.mean()
    assert errors.std() <= 0.0005, errors.std()


def test_a_ramp_from_100_to_140_bpm_is_followed_within_2_ms():
    tempos = ramp()
    for seed in range(4):
        true, arrivals = master_ticks(tempos, seed)
        run = follow(arrivals)
        errors = heard_errors(run, true, first_step=8)
        assert np.abs(errors).max() <= 0.002, (seed, np.abs(errors).max())
        end = 96 * 10
        assert abs(run.tempos[end + 48] - 140) <= 0.3  # half a bar after the ramp ends


def test_a_stalled_burst_of_ticks_does_not_bend_the_beat():
    true, arrivals = master_ticks(steady(120, 16), seed=1)
    stalled = arrivals.copy()
    stalled[200:203] = arrivals[203] + np.array([0.0, 0.0001, 0.0002])  # 3 ticks held 60 ms
    errors = heard_errors(follow(stalled), true, first_step=8)
    assert np.abs(errors).max() <= 0.001


def test_a_tick_a_jack_period_late_does_not_move_the_beat():
    # a JACK xrun holds a tick back a period (128 frames: 2.7 ms); in a minimax fit,
    # which the extremes alone hold up, it would move every beat of the next four by
    # half that (measured: worst 1.0-2.0 ms, SD 0.4-0.64 ms over six streams)
    for seed in SEEDS:
        true, arrivals = master_ticks(steady(128, 24), seed)
        late = arrivals.copy()
        late[[150, 260, 400]] += 128 / 48000
        errors = heard_errors(follow(late), true, first_step=8)
        assert np.abs(errors).max() <= 0.0005 and errors.std() <= 0.0001, seed


@pytest.mark.parametrize("lost", [1, 2])
def test_lost_ticks_are_counted_and_the_beat_stays_on_the_master(lost):
    # JACK drops MIDI in an xrun: without noticing, a slave would count on from the
    # wrong tick and play that many ticks (14 ms each here) behind the master for good
    true, arrivals = master_ticks(steady(174, 16), seed=4)
    dropped = np.delete(arrivals, range(200, 200 + lost))
    run = follow(dropped)
    later = [(i, t) for i, t in run.steps if 6 * i >= 200 + 24]  # from a beat after the loss
    errors = heard_errors(Run(later, []), true, first_step=0)
    assert len(errors) > 20 and np.abs(errors).max() <= 0.001


def test_a_sudden_tempo_change_is_relocked_within_a_beat():
    tempos = np.concatenate([steady(120, 8), steady(90, 8)])
    true, arrivals = master_ticks(tempos, seed=2)
    run = follow(arrivals)
    change = 24 * 8
    assert abs(run.tempos[change + 24] - 90) <= 0.5
    later = [(i, t) for i, t in run.steps if 6 * i >= change + 48]
    errors = heard_errors(Run(later, []), true, first_step=0)
    assert np.abs(errors).max() <= 0.001


def test_minimax_fit_equioscillates_and_is_optimal():
    rng = np.random.default_rng(3)
    for degree in (1, 2):
        x = np.arange(40.0) - 39
        y = 0.02 * x + 1e-5 * x**2 + rng.uniform(-1e-3, 1e-3, x.size)
        coefficients, level = minimax_fit(x, y, degree)
        residuals = y - np.polynomial.polynomial.polyval(x, coefficients)
        assert np.abs(residuals).max() == pytest.approx(level, rel=1e-6)
        # no nearby polynomial does better
        for _ in range(200):
            other = (
                coefficients
                + rng.normal(0, 1e-3, coefficients.size) / 40.0 ** np.arange(degree + 1) / 10
            )
            worse = np.abs(y - np.polynomial.polynomial.polyval(x, other)).max()
            assert worse >= level * (1 - 1e-9)


def test_the_follower_answers_nothing_before_three_ticks():
    follower = ClockFollower()
    follower.add(0, 1.0)
    follower.add(1, 1.02)
    assert not follower.locked
    follower.add(2, 1.04)
    assert follower.locked
    assert follower.bpm(2) == pytest.approx(125.0)
    assert follower.tick_at(1.05) == pytest.approx(2.5)
