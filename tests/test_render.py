"""Offline rendering through scsynth -N, and agreement with a live recording."""

import subprocess
import sys

import numpy as np

from actors.render import render_session
from actors.session import Session
from tests.audio import click_onsets, click_synthdefs, click_voices, read_sidecar, read_wav
from tests.live import click_config, needs_supercollider, play, private_jack

pytestmark = needs_supercollider

SESSION = (
    Session(tempo=133)
    .with_patterns({0: "X--x--x-", 1: "----X---", 2: "xxxx", 3: "--x-", 4: "-x"})
    .with_swing(0.4)
)


def offline_onsets(tmp_path, bars=2):
    out = tmp_path / "offline.wav"
    seconds = render_session(SESSION, click_synthdefs(), bars, out, voices=click_voices())
    rate, audio = read_wav(out)
    assert 0 <= len(audio) - seconds * rate < 64  # scsynth -N renders whole blocks
    return click_onsets(audio[:, 0]), rate


def test_offline_onsets_are_exact(tmp_path):
    found, rate = offline_onsets(tmp_path)
    step = 60 / 133 / 4
    for track, settings in enumerate(SESSION.tracks):
        text = (settings.pattern * 32)[:32]
        ideal = [
            round((k * step + (step * 0.2 if k % 2 else 0)) * rate)
            for k in range(32)
            if text[k] != "-"
        ]
        assert found[track] == ideal


def test_a_render_and_a_live_recording_agree_to_the_sample(tmp_path):
    offline, _ = offline_onsets(tmp_path)
    wav = tmp_path / "live.wav"
    with private_jack():
        report = play(click_config(SESSION, wav, duration=3.0))
    assert report.late == 0
    rate, audio = read_wav(wav)
    sidecar = read_sidecar(wav)
    live = click_onsets(audio[:, 0])
    # the live beat is put on the recording's samples from its first step on, as a
    # render's is from sample 0, and every hit is told its sample
    assert abs(sidecar["first_step_unix"] - sidecar["start_unix"]) * rate < 1e-3
    for track in offline:
        n = min(len(offline[track]), len(live[track]))
        assert n >= 3
        assert live[track][:n] == offline[track][:n]


def test_render_command_writes_the_default_kit(tmp_path):
    out = tmp_path / "beat.wav"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "actors",
            "render",
            "--bars",
            "1",
            "--bpm",
            "150",
            "--pattern",
            "snare=----X---",
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    rate, audio = read_wav(out)
    assert rate == 48000 and len(audio) >= rate * 16 * 60 / 150 / 4
    assert np.isfinite(audio).all() and 0.01 < np.abs(audio).max() <= 1.0
