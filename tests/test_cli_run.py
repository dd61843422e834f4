"""`supertonic run` as a user runs it: a subprocess, its own jackd, signals, files."""

import os
import signal
import subprocess
import sys
import time
import uuid

import numpy as np

from tests.audio import read_sidecar, read_wav
from tests.live import needs_supercollider

pytestmark = needs_supercollider


def supertonic(*args, env_server):
    env = dict(os.environ, JACK_DEFAULT_SERVER=env_server)
    return subprocess.Popen(
        [sys.executable, "-m", "actors", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def processes_on(server: str) -> list[str]:
    """Commands of live processes started with our JACK server name."""
    found = []
    for entry in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{entry}/environ", "rb") as f:
                environ = f.read()
            with open(f"/proc/{entry}/stat") as f:
                state = f.read().rsplit(")", 1)[1].split()[0]
            with open(f"/proc/{entry}/comm") as f:
                comm = f.read().strip()
        except OSError:
            continue
        if f"JACK_DEFAULT_SERVER={server}".encode() in environ and state != "Z":
            found.append(comm)
    return found


def test_run_starts_jackd_itself_plays_the_default_kit_and_records(tmp_path):
    server = f"supertonic-cli-{uuid.uuid4().hex[:8]}"
    wav = tmp_path / "take.wav"
    proc = supertonic(
        "run",
        "--headless",
        "--duration",
        "3",
        "--bpm",
        "128",
        "--pattern",
        "kick=X---",
        "--record",
        str(wav),
        env_server=server,
    )
    _, err = proc.communicate(timeout=90)
    assert proc.returncode == 0, err
    assert "starting" in err and "dummy" in err  # it said it started jackd
    rate, audio = read_wav(wav)
    sidecar = read_sidecar(wav)
    assert rate == 48000 == sidecar["sample_rate"]
    assert abs(sidecar["start_unix"] - time.time()) < 60
    assert audio.shape[1] == 2 and len(audio) > 3 * rate
    assert np.isfinite(audio).all() and np.abs(audio).max() > 0.01
    assert processes_on(server) == []  # scsynth and jackd are gone


def test_sigint_closes_the_recording_and_quits_everything(tmp_path):
    server = f"supertonic-cli-{uuid.uuid4().hex[:8]}"
    wav = tmp_path / "take.wav"
    proc = supertonic("run", "--record", str(wav), env_server=server)
    deadline = time.monotonic() + 60
    while "scsynth" not in processes_on(server) and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(2.5)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "SIGINT" in err
    rate, audio = read_wav(wav)
    assert len(audio) > 1.5 * rate and np.abs(audio).max() > 0.01
    assert processes_on(server) == []


def test_bad_input_gives_a_clear_message(tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text('{"format": "supertonic-session", "version": 1, "tempo": 999}')
    for args, expected in [
        (["--session", str(broken)], "outside 20-300"),
        (["--pattern", "kick=xo"], "'o'"),
        (["--pattern", "cowbell=x"], "TRACK one of"),
        (["--bpm", "10"], "outside 20-300"),
        (["--kit-channels", "1,2,9"], "five kit channels"),
    ]:
        proc = supertonic("run", *args, env_server="unused")
        _, err = proc.communicate(timeout=30)
        assert proc.returncode == 2, (args, err)
        assert expected in err, (args, err)
