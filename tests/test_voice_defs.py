"""The compiled voice defs: one per mode combination, computing only what a hit uses."""

from __future__ import annotations

import itertools
import re
from collections import Counter

import pytest
from voice_helpers import read_synthdef

from actors.engine_bridge import ensure_synthdefs
from actors.kit import Drum
from actors.voice import synthdef_name, voice_for

VOICE_DEF = re.compile(
    r"supertonic_(none|(sine|triangle|saw)-(decay|sine|noise))"
    r"_(none|(exp|linear|mod)-(mono|stereo))(_dist)?"
)
CLIP2 = 42
"""SuperCollider's BinaryOpUGen operator index of clip2: the distortion's limiter."""
PER_HIT = {"vel", "out", "at", "count_bus", "cut"}
"""Controls the bridge (or nobody) sets, not the drum."""


def every_combination() -> list[Drum]:
    return [
        Drum(osc_wave=w, mod_mode=m, mix=mix, nenv_mod=e, nstereo=s, dist_amt=d)
        for w, m, mix, e, s, d in itertools.product(
            ("Sine", "Triangle", "Saw"),
            ("Decay", "Sine", "Noise"),
            (0.0, 0.5, 1.0),
            ("Exp", "Linear", "Mod"),
            (False, True),
            (0.0, 20.0),
        )
    ]


@pytest.fixture(scope="module")
def compiled():
    directory = ensure_synthdefs()
    return {
        p.stem: read_synthdef(p)
        for p in directory.glob("supertonic_*.scsyndef")
        if VOICE_DEF.fullmatch(p.stem)
    }


def test_every_mode_combination_has_a_def_and_no_def_is_spare(compiled):
    names = {synthdef_name(d) for d in every_combination()}
    assert len(names) == 3 * 3 * 7 * 2 + 6 * 2  # tone and noise, tone only, noise only
    assert names == set(compiled)


def test_the_mapping_sets_every_control_of_its_def_and_no_other(compiled):
    for drum in every_combination():
        name, controls = voice_for(drum)
        sent = set(controls[0::2])
        assert len(sent) * 2 == len(controls), f"{name}: a control sent twice"
        assert sent == set(compiled[name].controls) - PER_HIT, name
        assert set(compiled[name].controls) >= PER_HIT


def test_defs_hold_only_the_branches_their_hit_uses(compiled):
    for name, info in compiled.items():
        tone, noise, dist = VOICE_DEF.fullmatch(name).group(1, 4, 7)
        classes = Counter(cls for cls, _, _ in info.ugens)
        audio = Counter(cls for cls, rate, _ in info.ugens if rate == 2)
        assert not {"SelectX", "Amplitude", "DetectSilence"} & set(classes), name
        assert classes["Out"] == 1 and classes["OffsetOut"] == 0, name
        channels = 2 if noise.endswith("stereo") else 1
        # placing: each channel waits for its sample, and its one Select only skips the
        # wait when there is none (DelayN delays by at least a sample)
        assert audio["DelayN"] == audio["Select"] == channels, name
        assert audio["WhiteNoise"] == audio["SOS"] == (0 if noise == "none" else channels), name
        oscillators = audio["SinOsc"] + audio["LFTri"] + audio["LFSaw"] + audio["LFNoise1"]
        modulators = 0 if tone == "none" or tone.endswith("decay") else 1
        assert oscillators == (0 if tone == "none" else 1) + modulators, name
        assert audio["BPeakEQ"] == channels, name
        clips = sum(
            1 for cls, rate, op in info.ugens if cls == "BinaryOpUGen" and rate == 2 and op == CLIP2
        )
        assert clips == (channels if dist else 0), name


def test_audio_rate_work_stays_small(compiled):
    # the heaviest def (saw, noise pitch, stereo Mod noise, distortion) has 35 audio-rate
    # UGens of sound and 9 of placing (a clock, the cut's fade, and a wait, a Select and
    # a gain per channel)
    counts = {name: sum(rate == 2 for _, rate, _ in info.ugens) for name, info in compiled.items()}
    assert max(counts.values()) <= 44, max(counts, key=counts.get)
