"""The oscillator part: pitch, waveforms, envelope and pitch modulation, rendered by scsynth."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from voice_helpers import RATE, db, drum_hit, peak_frequency, render, segment

from actors.kit import Drum

TONE = Drum(osc_wave="Sine", osc_freq=1000.0, osc_dcy=1.0, mod_amt=0.0, mix=0.0, level=0.0)
"""A bare oscillator: no noise, no modulation, no distortion, flat EQ; 1.33 s long."""


def tone(**changes: object) -> Drum:
    return dataclasses.replace(TONE, **changes)


def test_sine_pitch_is_within_one_percent_from_40_hz_to_10_khz():
    freqs = [40.0, 63.0, 100.0, 250.0, 1000.0, 3150.0, 6300.0, 10000.0]
    audio = render([drum_hit(i * 1.4, tone(osc_freq=f)) for i, f in enumerate(freqs)], 11.2)
    for i, f in enumerate(freqs):
        measured = peak_frequency(segment(audio, i * 1.4 + 0.05, 0.5)[:, 0])
        assert measured == pytest.approx(f, rel=0.01), f"{f} Hz came out at {measured:.2f} Hz"


def harmonic_levels(x: np.ndarray, f0: float, count: int) -> list[float]:
    """dB of harmonics 1..count relative to the fundamental (x holds whole periods)."""
    spectrum = np.abs(np.fft.rfft(x * np.hanning(len(x))))
    bins = [round(n * f0 * len(x) / RATE) for n in range(1, count + 1)]
    return [db(spectrum[b] / spectrum[bins[0]]) for b in bins]


def test_triangle_and_saw_carry_their_harmonic_series():
    f0 = 200.0  # 240 samples a period: a 0.5 s window holds 100 whole periods
    audio = render(
        [
            drum_hit(0.0, tone(osc_wave="Triangle", osc_freq=f0, pan=-100.0)),
            drum_hit(0.0, tone(osc_wave="Saw", osc_freq=f0, pan=100.0)),
        ],
        0.7,
    )
    triangle = harmonic_levels(segment(audio, 0.1, 0.5)[:, 0], f0, 7)
    saw = harmonic_levels(segment(audio, 0.1, 0.5)[:, 1], f0, 7)
    for n in (3, 5, 7):
        assert triangle[n - 1] == pytest.approx(db(1 / n**2), abs=1.0), f"triangle harmonic {n}"
    for n in (2, 4, 6):
        assert triangle[n - 1] < -50, f"triangle has even harmonic {n}: {triangle[n - 1]:.1f} dB"
    for n in range(2, 8):
        assert saw[n - 1] == pytest.approx(db(1 / n), abs=1.0), f"saw harmonic {n}"


def test_saw_folds_little_back_below_its_fundamental():
    """At 3.1 kHz a naive ramp folds harmonic 15 back to 1.5 kHz at -24 dB; DPW keeps it low.

    (3.1 kHz does not divide 48 kHz, so folded harmonics miss the real ones.)
    """
    f0 = 3100.0
    audio = render([drum_hit(0.0, tone(osc_wave="Saw", osc_freq=f0))], 0.7)
    x = segment(audio, 0.1, 0.5)[:, 0]
    spectrum = np.abs(np.fft.rfft(x * np.hanning(len(x))))
    freqs = np.fft.rfftfreq(len(x), 1 / RATE)
    below = (np.abs(freqs / f0 - np.round(freqs / f0)) * f0 > 30) & (freqs > 100) & (freqs < f0)
    assert db(spectrum[below].max() / spectrum.max()) < -45


def crest_levels(x: np.ndarray, freq: float) -> tuple[np.ndarray, np.ndarray]:
    """(seconds, dB) of a sine hit's crests, which fall on samples for these frequencies.

    SinOsc starts at phase 0, so its first sample is 0 and its crests lie a quarter
    period apart; at a crest the signal *is* the envelope, with no estimator's bias.
    """
    onset = int(np.flatnonzero(np.abs(x) > 0)[0]) - 1
    quarter = RATE / freq / 4
    index = np.arange(onset + quarter, len(x), 2 * quarter).astype(int)
    return (index - onset) / RATE, 20 * np.log10(np.abs(x[index]) + 1e-30)


def test_oscillator_decay_reaches_minus_60_db_at_the_stated_time():
    decays = [0.01, 0.03, 0.1, 0.3, 1.0, 5.0]
    starts = np.round(np.cumsum([0.01] + [d * 4 / 3 + 0.05 for d in decays]), 3)
    freq = 2000.0
    hits = [
        drum_hit(t, tone(osc_freq=freq, osc_dcy=d)) for t, d in zip(starts, decays, strict=False)
    ]
    audio = render(hits, starts[-1])
    for t, d in zip(starts, decays, strict=False):
        times, levels = crest_levels(segment(audio, t - 0.005, d * 4 / 3 + 0.01)[:, 0], freq)
        early = times < 0.1 * d
        peak = np.polyval(np.polyfit(times[early], levels[early], 1), 0.0)
        at_decay = np.interp(d, times, levels) - peak
        assert at_decay == pytest.approx(-60, abs=1.5), f"decay {d} s"
        assert levels[-1] - peak < -75, "the decay ends at silence"


def test_exponential_attack_rises_from_minus_60_db():
    atk, freq = 0.2, 2000.0
    audio = render([drum_hit(0.01, tone(osc_freq=freq, osc_atk=atk, osc_dcy=1.0))], 0.5)
    times, levels = crest_levels(segment(audio, 0.0, 0.4)[:, 0], freq)
    top = levels.max()
    assert times[levels.argmax()] == pytest.approx(atk, abs=0.001)
    for fraction in (0.25, 0.5, 0.75):  # linear in dB: -45, -30 and -15 dB
        level = np.interp(fraction * atk, times, levels) - top
        assert level == pytest.approx(-60 * (1 - fraction), abs=1.0)


def test_decay_mode_bends_from_the_offset_back_to_the_base_pitch():
    """The bend falls like the decay envelope: -60 dB of the offset at ModRate."""
    base, amount, rate = 200.0, 12.0, 0.1
    audio = render(
        [
            drum_hit(0.1, tone(osc_freq=base, mod_rate=rate, mod_amt=amount)),
            drum_hit(1.6, tone(osc_freq=base, mod_rate=rate, mod_amt=-amount)),
        ],
        3.0,
    )
    for start, sign in ((0.0, 1), (1.5, -1)):  # a negative amount bends upwards
        freq = instantaneous_frequency(segment(audio, start, 0.8)[:, 0])
        for t in (0.02, 0.04, 0.07):
            curve = (math.exp(-9.0645 * t / (rate * 4 / 3)) - 1.157e-4) / (1 - 1.157e-4)
            expected = base * 2 ** (sign * amount * curve / 12)
            measured = freq[round((0.1 + t) * RATE)]
            assert measured == pytest.approx(expected, rel=0.02), f"{sign * amount} st at {t} s"
        settled = freq[round((0.1 + rate) * RATE) : round((0.1 + rate + 0.1) * RATE)]
        assert np.median(settled) == pytest.approx(base, rel=0.002)


def test_infinite_decay_rate_holds_the_offset_and_mod_vel_scales_it():
    base, amount, sensitivity = 300.0, 7.0, 100.0
    drum = tone(
        osc_freq=base, mod_mode="Decay", mod_rate=math.inf, mod_amt=amount, mod_vel=sensitivity
    )
    audio = render([drum_hit(0.0, drum, 127), drum_hit(1.4, drum, 64)], 2.8)
    accent = peak_frequency(segment(audio, 0.05, 0.5)[:, 0])
    normal = peak_frequency(segment(audio, 1.45, 0.5)[:, 0])
    assert accent == pytest.approx(base * 2 ** (amount / 12), rel=0.002)
    x = 1 - (127 - 64) / 63 * sensitivity / 200  # the velocity law's x
    scaled = amount * x * 10 ** (37 * (x - 1) / 20)
    assert normal == pytest.approx(base * 2 ** (scaled / 12), rel=0.002)


def test_sine_mode_modulates_the_pitch_at_its_rate():
    base, amount, rate = 1000.0, 1.0, 5.0
    audio = render(
        [
            drum_hit(
                0.0,
                tone(osc_freq=base, osc_dcy=5.0, mod_mode="Sine", mod_rate=rate, mod_amt=amount),
            )
        ],
        1.2,
    )
    freq = instantaneous_frequency(segment(audio, 0.0, 1.0)[:, 0])
    semitones = 12 * np.log2(freq[2000:-2000] / base)
    assert semitones.max() == pytest.approx(amount, abs=0.05)
    assert semitones.min() == pytest.approx(-amount, abs=0.05)
    crossings = np.count_nonzero(np.diff(np.sign(semitones)) > 0)
    assert crossings == pytest.approx(rate * len(semitones) / RATE, abs=1)


def test_noise_mode_wanders_randomly_within_its_amount():
    base, amount = 1000.0, 2.0
    audio = render(
        [
            drum_hit(
                0.0,
                tone(osc_freq=base, osc_dcy=5.0, mod_mode="Noise", mod_rate=20.0, mod_amt=amount),
            )
        ],
        1.2,
    )
    freq = instantaneous_frequency(segment(audio, 0.0, 1.0)[:, 0])
    semitones = 12 * np.log2(freq[2000:-2000] / base)
    assert np.abs(semitones).max() <= amount + 0.05
    assert semitones.std() > amount / 5, "the pitch wanders"


def instantaneous_frequency(x: np.ndarray) -> np.ndarray:
    """Hz per sample from the phase of the analytic signal, smoothed over 2 ms."""
    phase = np.unwrap(np.angle(analytic(x)))
    freq = np.diff(phase) * RATE / (2 * math.pi)
    width = int(0.002 * RATE)
    return np.convolve(freq, np.ones(width) / width, mode="same")


def analytic(x: np.ndarray) -> np.ndarray:
    spectrum = np.fft.fft(x)
    weights = np.zeros(len(x))
    weights[0] = 1
    weights[1 : (len(x) + 1) // 2] = 2
    if len(x) % 2 == 0:
        weights[len(x) // 2] = 1
    return np.fft.ifft(spectrum * weights)
