"""End to end: a master process plays MIDI clock, the machine follows it, and its
recorded onsets are measured against the master's own tick times.

The machine runs as ``supertonic run --clock midi --record`` would (waiting for
the master's start rather than starting itself). Every kick of ``x---`` should
be heard on a master beat: the recording's sidecar puts each onset on the Unix
time line, and the master reports when it sent each tick (``perf_counter`` is
the system-wide monotonic clock, so one offset maps it to Unix time too).
"""

from __future__ import annotations

import dataclasses
import time

import numpy as np
import pytest
import trio

from actors.app import MachineConfig, run_machine
from actors.engine_bridge import DEFAULT_LOOKAHEAD
from actors.engine_bridge._server import JACK_PERIOD, SAMPLE_RATE
from actors.midi import MidiConfig
from actors.session import Session
from tests.audio import click_onsets, read_sidecar, read_wav
from tests.live import XRUN_ATTEMPTS, click_config, needs_supercollider, private_jack
from tests.test_midi_jack import master_ticks, play_master

pytestmark = [
    needs_supercollider,
    pytest.mark.skipif(
        "midi" not in {f.name for f in dataclasses.fields(MachineConfig)},
        reason="waits for the machine's MIDI wiring (MachineConfig.midi)",
    ),
]

BPM = 128.0
BEATS = 16
PERIOD_FRAMES = JACK_PERIOD
"""The machine's own 8 ms period (the issue's MIDI tests ran JACK at 64 frames). The
dummy driver keeps its nominal rate only for whole microseconds, and shorter whole
periods (2 ms) overran on this two-core host; a MIDI message waits up to a period for
JACK's next cycle, which the machine corrects by half a period on average."""
PERIOD = PERIOD_FRAMES / SAMPLE_RATE
"""A MIDI message waits for JACK's next cycle: up to one period late, half on average."""


def test_a_machine_following_a_midi_clock_is_heard_on_the_masters_beat(tmp_path):
    wav = tmp_path / "slave.wav"
    session = Session(tempo=100.0).with_patterns({0: "x---"})  # its own tempo is not used
    delay = 4.0  # the master starts clocking once the machine is up
    duration = delay + (2 + BEATS) * 60 / BPM + 1.5
    config = dataclasses.replace(
        click_config(session, wav, duration), midi=MidiConfig(clock="midi")
    )
    with private_jack(period=PERIOD_FRAMES):
        for _ in range(XRUN_ATTEMPTS):  # as tests.live.play: a take with an xrun is retaken
            master = play_master("e2e-master", BPM, beats_before=2, beats=BEATS, delay=delay)
            report = trio.run(run_machine, config)
            sent = np.array(master_ticks(master))
            if report.clock_jumps == 0:
                break
        else:
            pytest.fail(f"JACK xruns in all {XRUN_ATTEMPTS} takes")
    unix_minus_perf = time.time() - time.perf_counter()
    # Only the downbeat may be late: a master's start comes without warning, one tick
    # (21 ms here) before its first beat, and the lookahead is longer than that.
    assert report.exit_code == 0 and report.late <= 1 and report.dropped_hits == 0
    rate, audio = read_wav(wav)
    kicks = np.array(click_onsets(audio[:, 0])[0]) / rate + read_sidecar(wav)["start_unix"]
    beats = sent[2 * 24 :: 24] + unix_minus_perf  # tick 48 is the song's first
    assert len(kicks) == len(beats) == BEATS + 1  # nothing before the start or after the stop
    errors = kicks - beats
    # the downbeat cannot be heard before the start arrives: at most a lookahead late
    assert 0 <= errors[0] <= DEFAULT_LOOKAHEAD + PERIOD
    later = errors[2:]
    assert abs(later.mean()) <= 0.001, later  # on the master's beat, within 1 ms
    assert later.std() <= 0.0005, later
