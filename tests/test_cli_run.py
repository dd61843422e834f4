"""`supertonic run` as a user runs it: a subprocess, its own jackd, signals, files."""

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator

import numpy as np
import pytest

from tests.audio import read_sidecar, read_wav
from tests.live import needs_supercollider

pytestmark = needs_supercollider

TAG = "SUPERTONIC_TEST_MACHINE"
"""Every process of a machine a test starts carries this variable with the test's own
value, so the test can find and end them all, scsynth and jackd included, however
the machine itself ended (or failed to)."""


def processes_tagged(variable: str, value: str) -> dict[int, str]:
    """Live processes whose environment has ``variable=value``: pid -> command."""
    found = {}
    for entry in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{entry}/environ", "rb") as f:
                environ = f.read().split(b"\0")
            with open(f"/proc/{entry}/stat") as f:
                state = f.read().rsplit(")", 1)[1].split()[0]
            with open(f"/proc/{entry}/comm") as f:
                comm = f.read().strip()
        except OSError:
            continue
        if f"{variable}={value}".encode() in environ and state != "Z":
            found[int(entry)] = comm
    return found


def processes_on(server: str) -> list[str]:
    """Commands of live processes started with our JACK server name."""
    return sorted(processes_tagged("JACK_DEFAULT_SERVER", server).values())


@pytest.fixture
def supertonic() -> Iterator:
    """Start ``supertonic`` commands; whatever happens in the test, end every process
    they started when it is over (a machine left playing plays on for good)."""
    tag = uuid.uuid4().hex
    started: list[subprocess.Popen] = []

    def start(*args: str, env_server: str) -> subprocess.Popen:
        env = dict(os.environ, JACK_DEFAULT_SERVER=env_server, **{TAG: tag})
        # a process group of its own, as a shell gives a command it runs: the terminal's
        # Ctrl-C goes to the whole group (see test_ctrl_c_...)
        process = subprocess.Popen([sys.executable, "-m", "actors", *args], env=env,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                   process_group=0)
        started.append(process)
        return process

    try:
        yield start
    finally:
        for process in started:
            if process.poll() is None:
                process.terminate()
                try:
                    process.communicate(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.communicate()
        deadline = time.monotonic() + 10
        while (left := processes_tagged(TAG, tag)) and time.monotonic() < deadline:
            for pid in left:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            time.sleep(0.1)
        assert not processes_tagged(TAG, tag), "processes of the machine outlived the test"


def test_run_starts_jackd_itself_plays_the_default_kit_and_records(tmp_path, supertonic):
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


def test_sigint_closes_the_recording_and_quits_everything(tmp_path, supertonic):
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


def test_ctrl_c_in_a_terminal_stops_cleanly_with_no_error_and_no_restart(supertonic):
    """A terminal's Ctrl-C reaches every process of the foreground group: scsynth and
    jackd must not take it as theirs (they would die under the bridge, which would
    restart them and log an error on every normal stop)."""
    server = f"supertonic-cli-{uuid.uuid4().hex[:8]}"
    proc = supertonic("run", "--headless", env_server=server)
    deadline = time.monotonic() + 60
    while "scsynth" not in processes_on(server) and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(2.0)
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "ERROR" not in err, err
    assert "0 server restart(s)" in err, err
    assert processes_on(server) == []


def test_bad_input_gives_a_clear_message(tmp_path, supertonic):
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


def test_a_damaged_session_plays_the_last_good_autosave_and_says_so(tmp_path, supertonic,
                                                                      own_state):
    autosave = own_state / "state" / "supertonic" / "autosave.json"
    autosave.parent.mkdir(parents=True)
    autosave.write_text(json.dumps({"format": "supertonic-session", "version": 1,
                                    "tempo": 97, "tracks": {"kick": {"pattern": "X---"}}}))
    saved = autosave.read_bytes()
    broken = tmp_path / "broken.json"
    broken.write_text('{"format": "supertonic-session",\n "tempo": 120,,}')
    server = f"supertonic-cli-{uuid.uuid4().hex[:8]}"
    proc = supertonic("run", "--headless", "--session", str(broken), "--duration", "1",
                      env_server=server)
    _, err = proc.communicate(timeout=90)
    assert proc.returncode == 0, err
    assert f"{broken}:2:15:" in err
    assert f"playing the last good autosave instead: {autosave}" in err
    assert autosave.read_bytes() == saved  # played, not edited: nothing to save


def test_a_damaged_session_without_an_autosave_names_file_line_and_column(tmp_path,
                                                                          supertonic):
    broken = tmp_path / "broken.json"
    broken.write_text('{"format": "supertonic-session",\n "tempo": 120,,}')
    proc = supertonic("run", "--headless", "--session", str(broken), env_server="unused")
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 2, err
    assert f"{broken}:2:15: Expecting property name" in err
    assert "autosave" not in err
