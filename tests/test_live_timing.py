"""Sample-accurate hits through a live scsynth on a JACK dummy server, recorded."""

import numpy as np
import pytest
import trio

from actors.app import run_machine
from actors.session import Session
from tests.live import click_config, needs_supercollider, onset_errors, play, private_jack

pytestmark = needs_supercollider

PATTERNS = {0: "X---x---x-x-----", 1: "-x", 2: "x", 3: "--x-", 4: "----X--x"}


@pytest.fixture(scope="module")
def jack():
    with private_jack() as name:
        yield name


@pytest.mark.parametrize(
    ("bpm", "swing"), [(97, 0.0), (140, 0.0), (140, 0.62), (300, 0.0), (300, 0.35)]
)
def test_every_onset_within_one_sample(jack, tmp_path, bpm, swing):
    session = Session(tempo=bpm).with_patterns(PATTERNS).with_swing(swing)
    wav = tmp_path / "take.wav"
    report = play(click_config(session, wav, duration=6.0))
    assert report.exit_code == 0
    assert report.late == 0, "scsynth printed late messages"
    assert report.dropped_hits == 0
    errors, sidecar = onset_errors(session, wav)
    assert sidecar["sample_rate"] == 48000
    counts = {track: len(e) for track, e in errors.items()}
    assert counts[2] >= 6.0 / (60 / bpm / 4) - 1, counts  # every step of 6 s was played
    worst = max(np.abs(e).max() for e in errors.values())
    assert worst <= 1.0, {t: np.round(e[np.abs(e) > 1], 2) for t, e in errors.items()}
    # stronger, by construction: every hit is told the sample nearest its place, and at
    # 300 BPM (a step of 2400 samples, swung by whole samples) every place is a sample.
    # The places here come from the sidecar's Unix times, whose doubles resolve 2^-22 s
    # (0.011 samples), so a place within that of half way may round either way
    assert worst <= 0.5 + 0.025, worst
    if bpm == 300:
        assert worst < 0.025, worst


def test_a_hit_sent_after_its_time_is_not_taken_for_a_host_stall(jack, tmp_path):
    # sent 20 ms late (a lookahead below the clock's 10 ms head start), every hit reaches
    # scsynth after its time tag and sounds late, as scsynth says; that lateness is the
    # machine's, so no hit is counted off its sample for the host's sake
    session = Session(tempo=140).with_patterns({0: "x-x-"})
    config = click_config(session, tmp_path / "late.wav", duration=2.0, lookahead=-0.02)
    report = trio.run(run_machine, config)
    assert report.exit_code == 0 and report.late > 5
    assert report.misplaced == 0
