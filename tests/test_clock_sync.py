"""The tag correction against a simulated scsynth whose loop drifts and jumps."""

import math

import numpy as np
import pytest

from actors.engine_bridge._clock_sync import PHASE_WRAP, ServerClock

RATE = 48000.0


def landed(tag: float, drift) -> float:
    """Where a drifting server puts ``tag``: its sample, rounded as scsynth does."""
    return math.floor(tag * RATE + drift(tag) + 0.5)


def run(drift, seconds=20.0, start=1000.0):
    clock = ServerClock(RATE)
    errors, jumps, targets, misses = [], [], [], []
    tag = start
    fractions = np.random.default_rng(7).random(int(seconds / 0.025) + 2)
    while tag < start + seconds:
        tag += 0.025
        jump = clock.add_probe(tag, landed(tag, drift) % PHASE_WRAP)
        if jump is not None:
            jumps.append(tag)
        if clock.ready:
            # a hit meant for 0.1 s from now (and a fraction of a sample, as a tempo
            # puts most steps between samples), on the line through the first probe
            target = tag + 0.1 + fractions[len(errors)] / RATE
            sent = clock.corrected(target)
            ideal = landed(start + 0.025, drift) + (target - start - 0.025) * RATE
            errors.append(landed(sent, drift) - ideal)
            targets.append(target)
            misses.append(drift(sent) - clock.deviation(sent))
    return np.array(errors), jumps, (np.array(targets), np.array(misses))


def test_a_start_up_transient_is_corrected_to_within_a_sample():
    # the loop starts 3 ms off and settles with scsynth's 13 s time constant
    errors, jumps, _ = run(lambda t: 144 * math.exp(-(t - 1000) / 13.0))
    assert jumps == []
    assert np.abs(errors).max() <= 1.0
    assert abs(errors.mean()) < 0.2


def test_uncorrected_tags_would_miss_by_many_samples():
    drift = lambda t: 144 * math.exp(-(t - 1000) / 13.0)  # noqa: E731
    assert abs(drift(1000.1) - drift(1020)) > 100


def test_a_reset_loop_is_a_jump_that_is_followed():
    drift = lambda t: 0.0 if t < 1010 else 200.0  # noqa: E731
    errors, jumps, _ = run(drift)
    assert len(jumps) == 1 and jumps[0] == pytest.approx(1010, abs=0.03)
    # hits sent before the jump was seen are off by it; all later ones are exact
    late = errors[-300:]
    assert np.abs(late).max() <= 1.0


def test_phase_wraps_are_unwrapped():
    errors, _, _ = run(lambda t: 5.0, seconds=50)  # 50 s passes 2^20 samples twice
    assert np.abs(errors).max() <= 1.0


def test_a_miss_of_most_of_a_sample_before_the_fit_follows_still_lands_within_one():
    # a scheduling hiccup moves scsynth's loop by 0.8 samples at once: too little
    # to be a jump, and hits sent before the fit follows carry the whole error
    errors, jumps, (targets, misses) = run(lambda t: 0.0 if t < 1005 else 0.8, seconds=10)
    assert jumps == []
    assert np.abs(misses[targets > 1005]).max() > 0.7  # the prediction was off by that much
    assert np.abs(errors).max() <= 1.0
