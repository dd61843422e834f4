"""Stitching recording segments on one time line (files written here, no server)."""

import numpy as np
import pytest

from actors.engine_bridge import Recording
from tests.audio import read_sidecar, read_wav

RATE = 48000


def write_segment(path, frames, marker_at, clicks):
    data = np.zeros((frames, 3), dtype="<f4")
    data[marker_at, 2] = 1.0
    for position, value in clicks:
        data[position, 0] = value
    data.tofile(path)


def test_segments_land_on_their_true_time_with_silence_between(tmp_path):
    out = tmp_path / "take.wav"
    rec = Recording(out, RATE)
    first = rec.next_segment_path()
    t0 = 1_800_000_000.25
    assert rec.place_marker(first, t0) == t0
    rec.marker_landed(first, 0.4)  # the server put the marker 0.4 samples late
    write_segment(first, 5000, marker_at=100, clicks=[(100, 0.5), (1100, 0.25)])
    second = rec.next_segment_path()
    when = rec.place_marker(second, t0 + 0.5 + 1e-5)
    # rounded up to a whole sample after the start
    assert (when - t0) * RATE == pytest.approx(24001, abs=0.02)
    rec.marker_landed(second, -0.3)
    write_segment(second, 3000, marker_at=7, clicks=[(7, 0.125)])
    side = rec.finish(t0 + 1.0)
    rate, audio = read_wav(out)
    assert rate == RATE and audio.shape == (48000, 2)
    assert side == read_sidecar(out)
    assert side["start_unix"] == t0 + 0.4 / RATE
    assert np.flatnonzero(audio[:, 0]).tolist() == [0, 1000, 24000]  # 24001 - 0.3 - 0.4
    assert side["segments"] == [
        {"start_frame": 0, "frames": 4900},
        {"start_frame": 24000, "frames": 2993},
    ]
    assert not (tmp_path / "take.wav.parts").exists()


def test_a_segment_without_marker_stays_silent(tmp_path, caplog):
    out = tmp_path / "take.wav"
    rec = Recording(out, RATE)
    seg = rec.next_segment_path()
    rec.place_marker(seg, 100.0)
    np.zeros((100, 3), dtype="<f4").tofile(seg)
    side = rec.finish(100.01)
    assert side["segments"] == [] and "no marker" in caplog.text
    assert read_wav(out)[1].shape == (480, 2)
