"""Placing hits against a simulated scsynth whose clock loop drifts and jumps.

A hit sounds on its ``at`` sample if scsynth starts it no later than that
sample and no more than the voice's wait earlier (in the worst case, a
block of 128 before its stamp's sample)."""

import math

import numpy as np
import pytest

from actors.engine_bridge._clock_sync import ServerClock
from actors.engine_bridge._nodes import COUNT_WRAP, LEAD, WAIT_LIMIT

RATE = 48000.0
BLOCK = 128


def landed(tag: float, drift) -> float:
    """Where a drifting server puts ``tag``: its sample, rounded as scsynth does."""
    return math.floor(tag * RATE + drift(tag) + 0.5)


def run(drift, seconds=20.0, start=1000.0):
    """Probe every 25 ms and place a hit 0.1 s ahead after each probe.

    Returns, per hit: its ``at`` minus its ideal place on the line, how many
    samples before ``at`` scsynth started it, and its target time; and the jumps.
    """
    clock = ServerClock(RATE)
    errors, early, targets, jumps = [], [], [], []
    tag = start
    fractions = np.random.default_rng(7).random(int(seconds / 0.025) + 2)
    origin = landed(start + 0.025, drift)
    while tag < start + seconds:
        tag += 0.025
        jump = clock.add_probe(tag, landed(tag, drift) % COUNT_WRAP)
        if jump is not None:
            jumps.append(tag)
        if clock.ready:
            # a hit meant for 0.1 s from now and a fraction of a sample, as a tempo
            # puts most steps between samples
            target = tag + 0.1 + fractions[len(errors)] / RATE
            sent, at = clock.place(target)
            ideal = origin + (target - start - 0.025) * RATE
            unwrapped = at + COUNT_WRAP * round((ideal - at) / COUNT_WRAP)
            errors.append(unwrapped - ideal)
            early.append(unwrapped - landed(sent, drift))
            targets.append(target)
    return np.array(errors), np.array(early), np.array(targets), jumps


def sounds_on_its_sample(early: np.ndarray) -> np.ndarray:
    return (early >= 0) & (early + BLOCK <= WAIT_LIMIT)


def test_every_hit_is_told_the_sample_nearest_its_place():
    errors, _, _, _ = run(lambda t: 144 * math.exp(-(t - 1000) / 13.0))
    assert np.abs(errors).max() <= 0.5


def test_a_start_up_transient_is_followed_so_every_hit_starts_in_time():
    # the loop starts 3 ms off and settles with scsynth's 13 s time constant: uncorrected
    # stamps would start hits up to 144 samples late
    _, early, _, jumps = run(lambda t: 144 * math.exp(-(t - 1000) / 13.0))
    assert jumps == []
    assert sounds_on_its_sample(early).all()
    assert np.abs(early - LEAD).max() <= 1.0  # the prediction is good to a sample


def test_an_xrun_that_makes_the_loop_early_is_waited_out_by_hits_in_flight():
    drift = lambda t: 0.0 if t < 1010 else -500.0  # noqa: E731
    errors, early, targets, jumps = run(drift)
    assert len(jumps) == 1 and jumps[0] == pytest.approx(1010, abs=0.03)
    assert (early[targets > 1010] > LEAD + 400).any()  # some started 500 samples early
    assert sounds_on_its_sample(early).all()
    assert np.abs(errors).max() <= 0.5


def test_after_a_jump_later_than_the_lead_hits_start_in_time_at_once():
    # hits in flight then start after their samples (the voices report it)
    drift = lambda t: 0.0 if t < 1010 else 200.0  # noqa: E731
    _, early, targets, jumps = run(drift)
    assert len(jumps) == 1
    in_flight = (targets > 1010) & (targets < 1010.2)
    assert not sounds_on_its_sample(early[in_flight]).all()
    assert sounds_on_its_sample(early[targets > 1010.2]).all()  # followed at once


def test_phase_wraps_are_unwrapped():
    errors, early, _, _ = run(lambda t: 5.0, seconds=50)  # 50 s passes 2^20 samples twice
    assert np.abs(errors).max() <= 0.5
    assert sounds_on_its_sample(early).all()


def test_a_hiccup_too_small_to_be_a_jump_still_starts_every_hit_in_time():
    # a scheduling hiccup moves scsynth's loop by 2.5 samples at once: under the jump
    # threshold, and hits sent before the fit follows carry the whole error
    _, early, targets, jumps = run(lambda t: 0.0 if t < 1005 else 2.5, seconds=10)
    assert jumps == []
    assert np.abs(early[targets > 1005] - LEAD).max() >= 2  # the prediction was off
    assert sounds_on_its_sample(early).all()
