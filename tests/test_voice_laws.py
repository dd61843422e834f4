"""The gain laws (mix, velocity, level, pan, EQ), distortion, choke and self-freeing."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from voice_helpers import (
    RATE,
    band_level,
    choke,
    db,
    drum_hit,
    hit_request,
    mix_gains,
    pan_gains,
    render,
    rms,
    segment,
    velocity_gain,
)

from actors.engine_bridge import Bundle
from actors.kit import Drum
from actors.voice import voice_for, voice_length

BOTH = Drum(
    osc_wave="Sine",
    osc_freq=1000.0,
    osc_dcy=1.0,
    mod_amt=0.0,
    nfil_mod="HP",
    nfil_frq=5000.0,
    nfil_q=0.7071,
    nenv_mod="Linear",
    nenv_dcy=1.0,
    level=0.0,
)
"""A 1 kHz sine and high-passed noise, each measurable in its own band, 1.33 s long."""
TONE_BAND, NOISE_BAND = (950.0, 1050.0), (8000.0, 16000.0)
WINDOW = (0.02, 0.3)
SPACING = 1.4


def levels(drums: list[tuple[Drum, float]], band: tuple[float, float]) -> list[float]:
    """Band level (dB) of each (drum, velocity) hit, rendered one after another."""
    audio = render(
        [drum_hit(i * SPACING, d, v) for i, (d, v) in enumerate(drums)], SPACING * len(drums)
    )
    start, length = WINDOW[0], WINDOW[1] - WINDOW[0]
    return [
        band_level(segment(audio, i * SPACING + start, length)[:, 0], *band)
        for i in range(len(drums))
    ]


def test_mix_law_at_0_25_50_75_100_percent():
    mixes = [0.0, 0.25, 0.5, 0.75, 1.0]
    drums = [(dataclasses.replace(BOTH, mix=m), 127.0) for m in mixes]
    tone, noise = levels(drums, TONE_BAND), levels(drums, NOISE_BAND)
    reference_tone, reference_noise = tone[2], noise[2]  # 50/50: both at unity
    for m, t, n in zip(mixes, tone, noise, strict=True):
        osc_gain, noise_gain = mix_gains(m)
        if osc_gain:
            assert t - reference_tone == pytest.approx(db(osc_gain), abs=0.5), f"osc at {m}"
        else:  # what is left in the tone band is the high-passed noise's skirt
            assert voice_for(drums[-1][0])[0].startswith("supertonic_none_")
            assert t - reference_tone < -40, "oscillator audible at 100 % noise"
        if noise_gain:
            assert n - reference_noise == pytest.approx(db(noise_gain), abs=0.5), f"noise at {m}"
        else:
            assert n - reference_noise < -100, "noise audible at 0 % noise"


@pytest.mark.parametrize("part", ["osc", "noise"])
def test_velocity_law_at_several_sensitivities(part: str):
    sensitivities = [0.0, 25.0, 50.0, 100.0, 150.0]
    velocities = [127.0, 100.0, 64.0]
    field, mix, band = ("osc_vel", 0.0, TONE_BAND) if part == "osc" else ("n_vel", 1.0, NOISE_BAND)
    drums = [
        (dataclasses.replace(BOTH, mix=mix, **{field: s}), v)
        for s in sensitivities
        for v in velocities
    ]
    measured = iter(levels(drums, band))
    for s in sensitivities:
        accent = next(measured)
        for v in velocities[1:]:
            expected = db(velocity_gain(v, s))
            assert next(measured) - accent == pytest.approx(expected, abs=0.5), f"{s} % at {v}"


def test_full_sensitivity_silences_a_normal_hit():
    drum = dataclasses.replace(BOTH, mix=0.0, osc_vel=200.0)
    audio = render([drum_hit(0.0, drum, 64.0)], 1.0)
    assert np.abs(audio).max() == 0


def test_pan_law_is_sine_cosine():
    pans = [-100.0, -50.0, 0.0, 25.0, 100.0]
    tone = dataclasses.replace(BOTH, mix=0.0)
    audio = render(
        [drum_hit(i * SPACING, dataclasses.replace(tone, pan=p)) for i, p in enumerate(pans)],
        SPACING * len(pans),
    )
    start, length = WINDOW[0], WINDOW[1] - WINDOW[0]
    hits = [segment(audio, i * SPACING + start, length) for i in range(len(pans))]
    full = rms(hits[0][:, 0])  # hard left: the left gain is cos 0 = 1
    for p, hit in zip(pans, hits, strict=True):
        for side, gain in zip((0, 1), pan_gains(p), strict=True):
            level = rms(hit[:, side])
            if gain < 1e-6:
                assert level < full * 1e-5, f"side {side} audible at pan {p}"
            else:
                assert db(level / full) == pytest.approx(db(gain), abs=0.5), f"pan {p} side {side}"


def test_level_is_a_plain_gain_and_minus_inf_is_silent():
    steps = [0.0, -20.0, -6.0, 6.0, 10.0]
    tone = dataclasses.replace(BOTH, mix=0.0)
    measured = levels([(dataclasses.replace(tone, level=lv), 127.0) for lv in steps], TONE_BAND)
    for lv, m in zip(steps, measured, strict=True):
        assert m - measured[0] == pytest.approx(lv, abs=0.1)
    audio = render([drum_hit(0.0, dataclasses.replace(tone, level=-math.inf))], 1.0)
    assert np.abs(audio).max() == 0


def test_eq_boosts_and_cuts_at_its_frequency_and_boosts_drop_the_level():
    tone = dataclasses.replace(BOTH, mix=0.0)
    cases = [(1000.0, 0.0), (1000.0, 20.0), (1000.0, -20.0), (20.0, 20.0), (1000.0, 40.0)]
    measured = levels(
        [(dataclasses.replace(tone, eq_freq=f, eq_gain=g), 127.0) for f, g in cases], TONE_BAND
    )
    flat = measured[0]
    assert measured[1] - flat == pytest.approx(20 - 10, abs=0.5)  # +20 at 1 kHz, less 10
    assert measured[2] - flat == pytest.approx(-20, abs=0.5)  # cuts lower nothing else
    assert measured[3] - flat == pytest.approx(-10, abs=0.5)  # far from 20 Hz: only the drop
    assert measured[4] - flat == pytest.approx(40 - 20, abs=0.5)


def test_no_distortion_is_perfectly_linear():
    """Without distortion a quieter (velocity-scaled) hit is the loud one, scaled."""
    tone = dataclasses.replace(BOTH, mix=0.0, osc_vel=100.0)
    assert not voice_for(tone)[0].endswith("_dist")
    audio = render([drum_hit(0.0, tone, 127.0), drum_hit(SPACING, tone, 64.0)], 2 * SPACING)
    a, b = segment(audio, 0.0, 1.0)[:, 0], segment(audio, SPACING, 1.0)[:, 0]
    assert np.abs(b - a * velocity_gain(64.0, 100.0)).max() < 1e-6 * np.abs(a).max()
    spectrum = np.abs(np.fft.rfft(a[:24000] * np.hanning(24000)))  # 2 Hz bins
    assert db(spectrum[995:1006].max() / spectrum[495:506].max()) < -100, "harmonics at 0"


def test_distortion_adds_harmonics_and_passes_small_signals_at_unity():
    tone = dataclasses.replace(BOTH, mix=0.0, osc_dcy=2.0)
    quiet = dataclasses.replace(tone, osc_vel=100.0)  # -21 dB into the shaper at velocity 64
    cases = [
        (tone, 127.0),
        (dataclasses.replace(tone, dist_amt=30.0), 127.0),
        (quiet, 64.0),
        (dataclasses.replace(quiet, dist_amt=10.0), 64.0),
    ]
    audio = render([drum_hit(i * 3.0, d, v) for i, (d, v) in enumerate(cases)], 12.0)
    spectra = [
        np.abs(np.fft.rfft(segment(audio, i * 3.0 + 0.02, 0.5)[:, 0] * np.hanning(24000)))
        for i in range(len(cases))
    ]
    fundamental = [s[495:506].max() for s in spectra]  # 2 Hz bins
    second = [s[995:1006].max() / f for s, f in zip(spectra, fundamental, strict=True)]
    third = [s[1495:1506].max() / f for s, f in zip(spectra, fundamental, strict=True)]
    assert db(third[0]) < -100 and db(third[1]) > -40, "drive makes odd harmonics"
    assert db(second[1]) > -60, "the input bias makes even harmonics"
    assert db(fundamental[3] / fundamental[2]) == pytest.approx(0, abs=0.1), "unity below n=1"


def test_choke_silences_the_voice_within_5_ms_and_spares_the_new_hit():
    group, cut = 10, 0.50321  # not on a control-block boundary
    long_noise = Drum(mix=1.0, nfil_frq=20000.0, nenv_dcy=5.0, level=0.0)
    old = drum_hit(0.0, dataclasses.replace(long_noise, pan=-100.0), group=group)
    new = drum_hit(cut, dataclasses.replace(long_noise, pan=100.0), group=group)
    bundles = [  # as the bridge plays a choke hit: the cut, then the new voice, in one bundle
        choke(0.2, 99),  # an empty group: harmless
        Bundle(cut, (*choke(cut, group).requests, hit_request(new))),
    ]
    hits = [old]
    audio = render(hits, 1.0, extra=bundles, groups=(group, 99))
    left, right = audio[:, 0], audio[:, 1]
    cut_sample = round(cut * RATE)
    assert np.abs(left[cut_sample - 48 : cut_sample]).max() > 0.01, (
        "the voice sounded up to the cut"
    )
    assert np.abs(left[cut_sample + round(0.005 * RATE) :]).max() == 0, "sound 5 ms after the cut"
    assert np.abs(right[cut_sample + 48 : cut_sample + 96]).max() > 0.01, "the new hit was choked"


@pytest.mark.parametrize(
    "drum",
    [
        dataclasses.replace(BOTH, mix=0.0, osc_atk=0.05),
        dataclasses.replace(BOTH, mix=1.0, nenv_mod="Exp", nenv_atk=0.01, nenv_dcy=0.2),
        dataclasses.replace(BOTH, mix=1.0, nenv_mod="Mod", nenv_atk=0.05, nenv_dcy=0.3),
        dataclasses.replace(BOTH, mix=0.5, osc_dcy=0.1, nenv_dcy=0.4, dist_amt=100.0, eq_gain=40.0),
    ],
    ids=["tone", "exp-noise", "mod-noise", "both-distorted"],
)
def test_a_hit_ends_at_its_computed_length(drum: Drum):
    length = voice_length(drum)
    audio = render([drum_hit(0.0, drum)], length + 0.5)
    end = round(length * RATE)
    assert np.abs(audio[end + 64 :]).max() == 0, "sound after the computed length"
    assert np.abs(audio[end - round(0.1 * length * RATE) : end]).max() > 0, "silent too early"
