"""Whole kits through the voice: every real drum, and the default kit designed here."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

import numpy as np
import pytest
from voice_helpers import RATE, SHARED, db, drum_hit, render, segment

from actors.kit import Kit, load_kit
from actors.voice import voice_length

DEFAULT_KIT = Path(str(files("actors.kit") / "default.mtpreset"))


def real_kits() -> list[Path]:
    return sorted([*SHARED.glob("presets/*.mtpreset"), *SHARED.glob("mtpg/*.mtpg")])


def test_every_real_drum_renders_finite_and_below_full_scale():
    paths = real_kits()
    if not paths:
        pytest.skip(f"no real kits under {SHARED} (the shared data is not checked out)")
    hits, places, t = [], [], 0.0
    for path in paths:
        for number, drum in enumerate(load_kit(path).drums, 1):
            hits.append(drum_hit(t, drum, 127.0))  # accents are the loudest hits
            places.append((f"{path.name} drum {number} {drum.name!r}", t, voice_length(drum)))
            t = round(t + voice_length(drum) + 0.05, 3)
    audio = render(hits, t)
    assert np.all(np.isfinite(audio)), "NaN or inf in the output"
    tiny = (audio != 0) & (np.abs(audio) < np.finfo(np.float32).tiny)
    assert not tiny.any(), "denormal samples in the output"
    for label, start, length in places:
        hit = segment(audio, start, length)
        assert np.abs(hit).max() > 0, f"{label} is silent"
        assert np.abs(hit).max() <= 1.0, f"{label} peaks at {db(np.abs(hit).max()):+.1f} dBFS"


@pytest.fixture(scope="module")
def default_kit() -> Kit:
    return load_kit(DEFAULT_KIT)


def test_default_kit_holds_the_five_tracks_and_a_beat(default_kit: Kit):
    names = [d.name for d in default_kit.drums]
    assert len(names) == 8
    for name, role in zip(names, ("Kick", "Snare", "Closed Hat", "Open Hat", "Clap"), strict=False):
        assert role in name
    assert default_kit.drums[2].choke and default_kit.drums[3].choke, "hats choke each other"
    beat = default_kit.patterns[0].channels
    assert all("#" in channel.triggers for channel in beat[:5])
    assert beat[0].triggers[0] == "#" and beat[1].triggers[4] == beat[1].triggers[12] == "#"


def test_default_kit_drums_sit_at_sensible_levels_and_registers(default_kit: Kit):
    drums = default_kit.drums
    audio = render([drum_hit(3.0 * i, d, 127.0) for i, d in enumerate(drums)], 3.0 * len(drums))
    hits = [segment(audio, 3.0 * i, voice_length(d)) for i, d in enumerate(drums)]
    for drum, hit in zip(drums, hits, strict=True):
        assert -24 < db(np.abs(hit).max()) < -3, f"{drum.name} peaks at {np.abs(hit).max()}"
    centroids = [spectral_centroid(hit[:, 0]) for hit in hits]
    assert centroids[0] < 400, "the kick is low"
    assert 1000 < centroids[1] < 8000, "the snare sits in the middle"
    assert min(centroids[2], centroids[3]) > 6000, "the hats are high"


def test_default_pattern_plays_without_clipping(default_kit: Kit):
    step = 60.0 / (default_kit.tempo or 120.0) / 4
    hits = []
    for bar in range(2):
        for index in range(16):
            for drum, channel in zip(
                default_kit.drums, default_kit.patterns[0].channels, strict=True
            ):
                if channel.triggers[index] == "#":
                    velocity = 127.0 if channel.accents[index] == "#" else 64.0
                    hits.append(drum_hit((bar * 16 + index) * step, drum, velocity))
    audio = render(hits, 32 * step + 1.0)
    peak = db(np.abs(audio).max())
    assert -12 < peak < -1, f"the beat peaks at {peak:.1f} dBFS"


def spectral_centroid(x: np.ndarray) -> float:
    spectrum = np.abs(np.fft.rfft(x))
    return float((spectrum * np.fft.rfftfreq(len(x), 1 / RATE)).sum() / spectrum.sum())
