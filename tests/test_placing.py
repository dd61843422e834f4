"""Placed hits (scd/defs/voice.scd, Placing), rendered offline: however early scsynth
starts a hit, within its wait, it sounds on the sample it was told, and a choke
hit cuts on its own sample."""

from __future__ import annotations

import numpy as np

from actors.engine_bridge import (
    Bundle,
    LoadDefDir,
    Request,
    choke_request,
    clock_request,
    voice_request,
)
from actors.engine_bridge._nodes import WAIT_LIMIT
from actors.kit import Drum
from actors.voice import voice_for
from tests.audio import click_synthdefs
from tests.live import needs_supercollider
from tests.voice_helpers import render_bundles

pytestmark = needs_supercollider

RATE = 48000
CLICK = "supertonic_test_click"


def render(bundles: list[tuple[int, tuple[Request, ...]]], frames: int) -> np.ndarray:
    """Render bundles stamped at whole samples after the clock synth (the click defs'
    directory holds the drum voices too); the left channel."""
    setup = Bundle(0.0, (LoadDefDir(str(click_synthdefs())), clock_request()))
    score = [setup, *(Bundle(sample / RATE, requests) for sample, requests in bundles)]
    return render_bundles(score, frames / RATE)[:, 0]


def click(at: int, code: float = 0.5) -> Request:
    return voice_request(CLICK, ("code", code), 127.0, at, 0)


def test_a_hit_started_early_sounds_on_its_sample():
    rng = np.random.default_rng(3)
    ats = 3000 + np.arange(40) * 2000 + rng.integers(0, 64, 40)
    early = rng.integers(0, WAIT_LIMIT - 64, 40)  # less a block: scsynth starts a block early
    early[:3] = (0, 1, WAIT_LIMIT - 64)
    audio = render([(int(a - e), (click(int(a)),)) for a, e in zip(ats, early, strict=True)],
                   int(ats[-1]) + 2000)
    assert np.flatnonzero(audio > 0.25).tolist() == ats.tolist()


def test_a_hit_started_after_its_sample_sounds_at_once():
    audio = render([(6400, (click(6000),))], 10000)  # 6400 starts a block
    assert np.flatnonzero(audio > 0.25).tolist() == [6400]


def test_a_choke_fades_the_older_hit_over_2_ms_from_the_choking_hit_s_sample():
    tone, controls = voice_for(Drum(mix=0.0, osc_freq=440.0, osc_dcy=2.0))
    at = 20_011  # not on a block
    ringing = (100, (voice_request(tone, controls, 127.0, 200, 0),))
    plain = render([ringing], 24000)
    cut = render([ringing, (at - 700, (choke_request(0, at),))], 24000)
    assert np.array_equal(cut[:at + 1], plain[:at + 1])  # untouched up to the cut's sample
    k = np.arange(1, 96)
    fade = 1 - k / (0.002 * RATE)
    assert np.allclose(cut[at + k], plain[at + k] * fade, atol=1e-6)
    assert not cut[at + 96:].any()
