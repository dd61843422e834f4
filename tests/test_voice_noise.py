"""The noise part: envelopes, the multi-mode filter and stereo noise, rendered by scsynth."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from voice_helpers import RATE, band_level, db, drum_hit, peak_frequency, render, segment

from actors.kit import Drum

NOISE = Drum(mix=1.0, nfil_mod="LP", nfil_frq=20000.0, nfil_q=0.7071, nenv_dcy=1.0, level=0.0)
"""Bare, nearly white noise: no oscillator, no distortion, flat EQ."""


def noise(**changes: object) -> Drum:
    return dataclasses.replace(NOISE, **changes)


def power_envelope(audio: np.ndarray, starts: list[float], length: float, width: int) -> np.ndarray:
    """Mean square over the hits at ``starts`` (an ensemble) and over ``width`` samples."""
    frames = round(length * RATE)
    hits = np.stack([segment(audio, t, length)[:frames, 0].astype(np.float64) for t in starts])
    ensemble = np.mean(hits**2, axis=0)
    return np.convolve(ensemble, np.ones(width) / width, mode="valid")


def test_exp_noise_decay_reaches_minus_60_db_at_the_stated_time():
    decays = [0.01, 0.03, 0.1, 0.3, 1.0, 5.0]
    plans, hits, t = [], [], 0.0
    for d in decays:
        width = max(1, round(d / 60 * RATE))  # 1 dB of decay across the averaging window
        count = math.ceil(600 / width)  # ~600 samples per estimate: +-0.2 dB
        starts = [round(t + i * (d * 4 / 3 + 0.02), 3) for i in range(count)]
        hits += [drum_hit(s, noise(nenv_dcy=d)) for s in starts]
        plans.append((d, starts, width))
        t = starts[-1] + d * 4 / 3 + 0.02
    audio = render(hits, t)
    for d, starts, width in plans:
        env = power_envelope(audio, starts, d * 4 / 3, width)
        level = 10 * math.log10(env[round(d * RATE)] / env[0])
        assert level == pytest.approx(-60, abs=1.5), f"noise decay {d} s"


def test_linear_envelope_is_silent_after_attack_plus_decay():
    atk, dcy = 0.02, 0.05
    starts = [0.1 * i for i in range(20)]
    audio = render(
        [drum_hit(s, noise(nenv_mod="Linear", nenv_atk=atk, nenv_dcy=dcy)) for s in starts], 2.0
    )
    for s in starts:
        hit = segment(audio, s, 0.1)[:, 0]
        end = round((atk + dcy) * RATE)
        # EnvGen's last linear step may leave a float residue (~1e-19) for a sample or two.
        assert np.abs(hit[end + 1 :]).max() < 1e-9, "sound after attack + decay"
        assert np.abs(hit[end - 48 : end]).max() > 0, "silent before the end"
    env = power_envelope(audio, starts, atk + dcy, 48)
    peak = env[round(atk * RATE) - 24]
    for t, expected in ((atk / 2, 0.5), (atk + dcy / 2, 0.5), (atk + dcy * 0.8, 0.2)):
        measured = 10 * math.log10(env[round(t * RATE) - 24] / peak)
        assert measured == pytest.approx(db(expected), abs=1.0), f"linear level at {t} s"


def test_mod_envelope_bursts_during_the_attack_then_decays():
    atk, dcy = 0.1, 0.2
    rate = 4311 / (atk * 1000 + 28.4) + 11.44  # 45 Hz: 4.5 bursts, rounded to 5
    period = atk / round(atk * rate)
    starts = [0.5 * i for i in range(12)]
    audio = render(
        [drum_hit(s, noise(nenv_mod="Mod", nenv_atk=atk, nenv_dcy=dcy)) for s in starts], 6.0
    )
    width = 24
    env = power_envelope(audio, starts, atk + dcy, width)
    top = env.max()
    for k in range(round(atk / period) + 1):  # five bursts, then the final one at atk
        burst = round(k * period * RATE)
        assert 10 * math.log10(env[burst] / top) > -2, f"burst {k} is not full height"
        if k:
            gap = burst - width - 4
            assert 10 * math.log10(env[gap] / top) < -30, f"no gap before burst {k}"
    after = round((atk + dcy) * RATE) - width
    assert 10 * math.log10(env[after] / top) == pytest.approx(-60, abs=2)


def filtered_levels(drums: list[Drum], bands: list[tuple[float, float]]) -> list[list[float]]:
    """Band levels (dB) of each drum, minus the white reference's.

    Each level averages the power of four hits' first second; a linear 2 s fall keeps
    the noise near stationary over it. That holds the estimate's spread to ~0.2 dB.
    """
    flat = {"nenv_mod": "Linear", "nenv_dcy": 2.0}
    kinds = [dataclasses.replace(d, **flat) for d in [NOISE, *drums]]
    repeats = 4
    audio = render(
        [drum_hit(i * 2.1, kinds[i // repeats]) for i in range(len(kinds) * repeats)],
        2.1 * len(kinds) * repeats,
    )

    def level(kind: int, band: tuple[float, float]) -> float:
        powers = [
            10 ** (band_level(segment(audio, (kind * repeats + r) * 2.1, 1.0)[:, 0], *band) / 10)
            for r in range(repeats)
        ]
        return 10 * math.log10(sum(powers) / repeats)

    spectra = [[level(k, band) for band in bands] for k in range(len(kinds))]
    return [[a - w for a, w in zip(levels, spectra[0], strict=True)] for levels in spectra[1:]]


def test_filter_types_attenuate_away_from_their_frequency():
    f = 2000.0
    low, centre, high = (300.0, 700.0), (1800.0, 2200.0), (7000.0, 9000.0)
    lp, hp, bp = filtered_levels(
        [
            noise(nfil_mod=m, nfil_frq=f, nfil_q=q)
            for m, q in (("LP", 0.7071), ("HP", 0.7071), ("BP", 2.0))
        ],
        [low, centre, high],
    )
    assert lp[0] == pytest.approx(0, abs=1) and lp[2] < -20, f"LP {lp}"
    assert hp[2] == pytest.approx(0, abs=1) and hp[0] < -20, f"HP {hp}"
    # Peak gain as the LP's at Q 2 (+6.3 dB), less ~0.2 dB for averaging over +-10 %.
    assert bp[1] == pytest.approx(db(2 / math.sqrt(1 - 1 / 16)) - 0.2, abs=1), f"BP peak {bp}"
    assert bp[0] < bp[1] - 12 and bp[2] < bp[1] - 12, f"BP {bp}"


@pytest.mark.parametrize("mode", ["LP", "BP", "HP"])
def test_resonance_raises_the_level_at_the_filter_frequency(mode: str):
    f = 2000.0
    flat, resonant = filtered_levels(
        [noise(nfil_mod=mode, nfil_frq=f, nfil_q=q) for q in (0.7071, 10.0)],
        [(0.97 * f, 1.03 * f)],
    )
    assert resonant[0] - flat[0] > 15


def test_extreme_resonance_stays_finite_and_rings_at_its_frequency():
    cases = [("LP", 20.0), ("BP", 1000.0), ("HP", 1000.0), ("LP", 20000.0), ("HP", 20000.0)]
    audio = render(
        [
            drum_hit(i * 2.0, noise(nfil_mod=m, nfil_frq=f, nfil_q=10001.0, nenv_dcy=1.0))
            for i, (m, f) in enumerate(cases)
        ],
        2.0 * len(cases),
    )
    assert np.all(np.isfinite(audio))
    tiny = (audio != 0) & (np.abs(audio) < np.finfo(np.float32).tiny)
    assert not tiny.any(), "denormal samples"
    for i, (_, f) in enumerate(cases):
        if f == 1000.0:
            assert peak_frequency(segment(audio, i * 2.0 + 0.2, 0.5)[:, 0]) == pytest.approx(
                f, rel=0.01
            )


def test_stereo_noise_is_decorrelated_and_mono_noise_is_not():
    audio = render([drum_hit(0.0, noise(nstereo=False)), drum_hit(1.4, noise(nstereo=True))], 2.8)
    mono, stereo = segment(audio, 0.0, 0.5), segment(audio, 1.4, 0.5)
    assert np.array_equal(mono[:, 0], mono[:, 1])
    assert abs(np.corrcoef(stereo[:, 0], stereo[:, 1])[0, 1]) < 0.1
    assert db(np.std(stereo[:, 0]) / np.std(mono[:, 0])) == pytest.approx(0, abs=0.5)
