"""Morphing drums through the knob laws of voice.md."""

from __future__ import annotations

import dataclasses
import math
from typing import Literal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from actors.kit import CONTINUOUS, Drum, from_normalised, morph, to_normalised

Mode = Literal["Decay", "Sine", "Noise"]

# (field, knob position, value) worked out by hand from the laws in voice.md.
LAW_POINTS = [
    ("osc_freq", 0.0, 20.0),
    ("osc_freq", 0.5, 20.0 * math.sqrt(1000.0)),  # 632.46 Hz
    ("nfil_frq", 1.0, 20000.0),
    ("eq_freq", 1 / 3, 200.0),
    ("osc_atk", 0.0, 0.0),
    ("osc_atk", 0.5, 0.5 * 10.0**-0.2),  # 0.3155 s
    ("nenv_atk", 1.0, 10.0),
    ("osc_dcy", 0.0, 0.01),
    ("osc_dcy", 2 / 3, 1.0),
    ("nenv_dcy", 1.0, 10.0),
    ("nfil_q", 0.0, 0.1),
    ("nfil_q", 1.0, 10001.0),
    ("level", 1.0, 10.0),
    ("level", 0.5, -21.0),  # 30 - 49 - 2
    ("level", 0.1, -53.0),  # 6 - 49 - 10
    ("mix", 0.25, 0.25),
    ("dist_amt", 0.5, 50.0),
    ("eq_gain", 0.25, -20.0),
    ("pan", 0.75, 50.0),
    ("osc_vel", 0.5, 100.0),
]


@pytest.mark.parametrize(("field", "v", "value"), LAW_POINTS)
def test_laws_at_known_points(field: str, v: float, value: float) -> None:
    assert from_normalised(field, v) == pytest.approx(value, rel=1e-12, abs=1e-12)
    assert to_normalised(field, value) == pytest.approx(v, rel=1e-9, abs=1e-12)


def test_level_is_silent_at_the_bottom() -> None:
    assert from_normalised("level", 0.0) == -math.inf
    assert from_normalised("level", 0.00009) == -math.inf
    assert from_normalised("level", 0.0001) == pytest.approx(0.006 - 49.0 - 10000.0)
    assert to_normalised("level", -math.inf) == 0.0


def test_mod_rate_and_amount_follow_the_mode() -> None:
    assert from_normalised("mod_rate", 1.0, mod_mode="Decay") == math.inf
    assert to_normalised("mod_rate", math.inf, mod_mode="Decay") == 1.0
    assert from_normalised("mod_rate", 0.5, mod_mode="Decay") == pytest.approx(10**-0.5)
    assert from_normalised("mod_rate", 0.0, mod_mode="Sine") == 0.0
    assert from_normalised("mod_rate", 1.0, mod_mode="Noise") == pytest.approx(20000.0)
    assert from_normalised("mod_rate", 0.5, mod_mode="Sine") == pytest.approx(math.sqrt(20001) - 1)
    assert from_normalised("mod_amt", 1.0, mod_mode="Decay") == 96.0
    assert from_normalised("mod_amt", 0.0, mod_mode="Sine") == -48.0
    with pytest.raises(ValueError, match="mod_mode"):
        to_normalised("mod_rate", 1.0)


def test_out_of_range_values_and_positions_clamp() -> None:
    assert to_normalised("osc_freq", 5.0) == 0.0
    assert to_normalised("osc_freq", 1e9) == 1.0
    assert from_normalised("pan", 2.0) == 100.0


def test_discrete_and_unknown_names_are_refused() -> None:
    for name in ("osc_wave", "name", "choke", "bogus"):
        with pytest.raises(ValueError, match="not a continuous"):
            to_normalised(name, 0.0)


def test_continuous_fields() -> None:
    discrete = {
        "name",
        "osc_wave",
        "mod_mode",
        "nfil_mod",
        "nstereo",
        "nenv_mod",
        "output",
        "choke",
    }
    all_fields = {f.name for f in dataclasses.fields(Drum)}
    assert set(CONTINUOUS) == all_fields - discrete
    assert len(CONTINUOUS) == 18


A = Drum(name="a", osc_wave="Sine", osc_freq=20.0, pan=-100.0, level=-math.inf, choke=False)
B = Drum(name="b", osc_wave="Saw", osc_freq=20000.0, pan=100.0, level=10.0, choke=True)


def test_morph_moves_knob_positions() -> None:
    half = morph(A, B, 0.5)
    assert half.osc_freq == pytest.approx(632.4555320336759)
    assert half.pan == pytest.approx(0.0)
    assert half.level == pytest.approx(-21.0)
    quarter = morph(A, B, 0.25)
    assert quarter.osc_freq == pytest.approx(20.0 * 1000.0**0.25)
    assert quarter.pan == pytest.approx(-50.0)


def test_discrete_parameters_switch_at_one_half() -> None:
    before, after = morph(A, B, 0.4999), morph(A, B, 0.5)
    assert (before.name, before.osc_wave, before.choke) == ("a", "Sine", False)
    assert (after.name, after.osc_wave, after.choke) == ("b", "Saw", True)


def test_end_points_are_the_patches_themselves() -> None:
    assert morph(A, B, 0.0) is A
    assert morph(A, B, 1.0) is B


@pytest.mark.parametrize("x", [-0.1, 1.5, math.nan])
def test_positions_outside_zero_to_one_are_refused(x: float) -> None:
    with pytest.raises(ValueError, match="within 0-1"):
        morph(A, B, x)


def test_mod_rate_across_a_mode_change() -> None:
    bend = Drum(mod_mode="Decay", mod_rate=0.1, mod_amt=96.0)  # knob 1/3, amount knob 1
    wobble = Drum(mod_mode="Sine", mod_rate=math.sqrt(20001) - 1, mod_amt=-48.0)  # knob 1/2, 0
    early, late = morph(bend, wobble, 0.25), morph(bend, wobble, 0.75)
    knob_early, knob_late = 1 / 3 + (0.5 - 1 / 3) * 0.25, 1 / 3 + (0.5 - 1 / 3) * 0.75
    assert early.mod_mode == "Decay"
    assert early.mod_rate == pytest.approx(10 ** (3 * knob_early - 2))
    assert early.mod_amt == pytest.approx(96.0 * (2 * 0.75 - 1))
    assert late.mod_mode == "Sine"
    assert late.mod_rate == pytest.approx(20001**knob_late - 1)
    assert late.mod_amt == pytest.approx(48.0 * (2 * 0.25 - 1))


def test_infinite_bend_morphs_from_the_top_of_the_knob() -> None:
    held = Drum(mod_mode="Decay", mod_rate=math.inf)
    short = Drum(mod_mode="Decay", mod_rate=0.01)
    assert morph(held, short, 0.5).mod_rate == pytest.approx(10**-0.5)


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(CONTINUOUS), st.floats(0.0, 1.0), st.sampled_from(["Decay", "Sine", "Noise"])
)
def test_laws_invert(field: str, v: float, mode: Mode) -> None:
    value = from_normalised(field, v, mod_mode=mode)
    if math.isinf(value):
        return  # the silent / never-returning ends collapse a range of positions
    assert to_normalised(field, value, mod_mode=mode) == pytest.approx(v, abs=1e-9)


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(CONTINUOUS), st.floats(0.0, 1.0), st.floats(0.0, 1.0))
def test_laws_are_increasing(field: str, v: float, w: float) -> None:
    low, high = sorted((v, w))
    assert from_normalised(field, low, mod_mode="Noise") <= from_normalised(
        field, high, mod_mode="Noise"
    )
