"""kill -9 of scsynth mid-recording: the machine lives, restarts it, and plays on in time.

What the WAV holds across the gap: everything the dead server had streamed to
disk (its last DiskOut half-buffer, up to 0.34 s, dies with it), then
silence until the new server's first step, then the music on its true time.
"""

import os
import signal
import threading
import time

import numpy as np
import trio

from actors.app import RunReport, run_machine
from actors.session import Session
from tests.audio import click_onsets, read_sidecar, read_wav
from tests.live import (
    click_config,
    ideal_onsets,
    needs_supercollider,
    private_jack,
    retaken,
)

pytestmark = needs_supercollider


def scsynth_children() -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            with open(f"/proc/{entry}/comm") as f:
                comm = f.read().strip()
        except OSError:
            continue
        if comm == "scsynth" and int(fields[1]) == os.getpid():
            found.append(int(entry))
    return found


def test_kill_9_scsynth_mid_recording(tmp_path):
    session = Session(tempo=120).with_patterns({0: "x", 1: "-", 2: "-", 3: "-", 4: "-"})
    wav = tmp_path / "take.wav"
    killed_at = []

    def killer():
        time.sleep(4.5)  # start-up (jackd, scsynth, the clock warm-up) and 3 s of music
        pids = scsynth_children()
        assert len(pids) == 1
        os.kill(pids[0], signal.SIGKILL)
        killed_at.append(time.time())

    def take() -> RunReport:
        killed_at.clear()
        thread = threading.Thread(target=killer)
        thread.start()
        report = trio.run(run_machine, click_config(session, wav, duration=9.0))
        thread.join()
        return report

    with private_jack():
        report = retaken(take)
    assert report.exit_code == 0
    assert report.restarts == 1
    assert scsynth_children() == []

    rate, audio = read_wav(wav)
    sidecar = read_sidecar(wav)
    found = np.array(click_onsets(audio[:, 0])[0])
    assert len(sidecar["segments"]) == 2
    kill_frame = (killed_at[0] - sidecar["start_unix"]) * rate
    before, after = found[found < kill_frame], found[found > kill_frame]
    assert len(before) >= 16 and len(after) >= 30
    gap = (after[0] - kill_frame) / rate
    assert gap < 2.0, f"music came back {gap:.2f} s after the kill"
    # after the gap every hit is back on the original grid
    ideal = ideal_onsets(session, sidecar, steps=200)[0]
    nearest = ideal[np.searchsorted(ideal, after - rate * 0.0625)]
    assert np.abs(after - nearest).max() <= 2.0
    # the gap itself is silence: no stray samples between the segments
    first_gap, second = sidecar["segments"][0], sidecar["segments"][1]
    quiet = audio[first_gap["start_frame"] + first_gap["frames"] : second["start_frame"]]
    assert not np.any(quiet)
