"""Running the real machine (scsynth on a JACK dummy server) from tests."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
import uuid
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest
import trio

from actors.app import MachineConfig, RunReport, run_machine
from actors.engine_bridge import DEFAULT_LOOKAHEAD, BridgeConfig
from actors.engine_bridge._server import JACK_PERIOD
from actors.session import Session
from tests.audio import click_onsets, click_synthdefs, click_voices, read_sidecar, read_wav

needs_supercollider = pytest.mark.skipif(
    not (shutil.which("scsynth") and shutil.which("jackd") and shutil.which("sclang")),
    reason="needs scsynth, sclang and jackd (Debian: supercollider-server, "
    "supercollider-language, jackd2; the test command installs them)",
)


@contextmanager
def private_jack(start: bool = True, period: int = JACK_PERIOD) -> Iterator[str]:
    """A JACK server of our own name, so tests never meet another JACK user.

    With ``start=False`` only the name is set, and whoever plays must start it.
    ``period`` is in frames; keep it a whole number of microseconds at 48 kHz (a
    multiple of 48) or the dummy driver's clock runs off its nominal rate.
    """
    name = f"supertonic-test-{uuid.uuid4().hex[:8]}"
    previous = os.environ.get("JACK_DEFAULT_SERVER")
    os.environ["JACK_DEFAULT_SERVER"] = name
    process = None
    try:
        if start:
            process = subprocess.Popen(
                ["jackd", "-R", "-d", "dummy", "-r", "48000", "-p", str(period)],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            env = dict(os.environ, JACK_NO_START_SERVER="1")
            for _ in range(100):
                if subprocess.run(["jack_lsp"], capture_output=True, env=env).returncode == 0:
                    break
                time.sleep(0.05)
            else:
                raise RuntimeError("the test's jackd did not come up")
        yield name
    finally:
        if process is not None:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=10)
        if previous is None:
            os.environ.pop("JACK_DEFAULT_SERVER", None)
        else:
            os.environ["JACK_DEFAULT_SERVER"] = previous


def start_scsynth(port: int) -> subprocess.Popen:
    """A scsynth of the test's own on the current JACK server, for the machine to
    attach to (``--server``), as on norns."""
    env = dict(os.environ, JACK_NO_START_SERVER="1")
    proc = subprocess.Popen(["scsynth", "-u", str(port), "-i", "0", "-o", "2", "-L"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    for line in proc.stdout:
        if "server ready" in line:
            return proc
    raise RuntimeError("the test's scsynth did not start")


def click_config(
    session: Session, record: Path, duration: float, lookahead: float = DEFAULT_LOOKAHEAD
) -> MachineConfig:
    """The session played with every track a sample-exact click, recorded."""
    return MachineConfig(
        session=session,
        bridge=BridgeConfig(
            synthdef_dirs=(click_synthdefs(),),
            record=record,
            lookahead=lookahead,
            voice_override=click_voices(),
        ),
        duration=duration,
    )


XRUN_ATTEMPTS = 5
"""Takes before a host is judged unable to keep JACK's period: CI here once saw three
six-second takes in a row with an xrun, between runs with none."""


def play(config: MachineConfig) -> RunReport:
    """Run the machine; when a JACK xrun reset scsynth's clock during the run, run it
    again (up to ``XRUN_ATTEMPTS`` times in all).

    An xrun is the host failing to give JACK its period in time (seen here when
    other programs load both cores); it moves every hit in flight, which no code of
    ours can prevent, so a take with one measures the host, not supertonic. Every
    xrun is logged; a machine that cannot finish one take without them fails.
    """
    for attempt in range(1, XRUN_ATTEMPTS + 1):
        report = trio.run(run_machine, config)
        if report.clock_jumps == 0:
            return report
        warnings.warn(f"take {attempt}: {report.clock_jumps} JACK xrun(s) reset scsynth's "
                      "clock; playing it again", stacklevel=2)
    raise AssertionError(f"JACK xruns in all {XRUN_ATTEMPTS} takes: this host cannot keep "
                         "JACK's period, so sample timing cannot be judged here")


def ideal_onsets(session: Session, sidecar: dict, steps: int) -> dict[int, np.ndarray]:
    """Where each track's hits belong, in (fractional) samples of the recording."""
    rate = sidecar["sample_rate"]
    step = 60.0 / session.tempo / 4
    first = (sidecar["first_step_unix"] - sidecar["start_unix"]) * rate
    ideal = {}
    for track, settings in enumerate(session.tracks):
        text = (settings.pattern * 32)[:32]
        times = [
            k * step + (step * settings.swing / 2 if k % 2 else 0.0)
            for k in range(steps)
            if text[k % 32] != "-"
        ]
        ideal[track] = first + np.array(times) * rate
    return ideal


def onset_errors(session: Session, wav: Path) -> tuple[dict[int, np.ndarray], dict]:
    """Per track, measured minus ideal onset positions (samples)."""
    rate, audio = read_wav(wav)
    sidecar = read_sidecar(wav)
    found = click_onsets(audio[:, 0])
    steps = 1 + int((len(audio) / rate) / (60.0 / session.tempo / 4))
    ideal = ideal_onsets(session, sidecar, steps)
    errors = {}
    for track, positions in found.items():
        expected = ideal[track][: len(positions)]
        assert len(positions) == len(expected), f"track {track}: extra onsets"
        errors[track] = np.array(positions) - expected
    return errors, sidecar
