"""Running the real machine (scsynth on a JACK dummy server) from tests."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import threading
import time
import uuid
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

import numpy as np
import pytest
import trio

from actors.app import MachineConfig, RunReport, run_machine
from actors.engine_bridge import DEFAULT_LOOKAHEAD, BridgeConfig
from actors.engine_bridge._server import JACK_PERIOD
from actors.rules import STEP_RATES, TICKS_PER_BEAT
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
            # read on, or scsynth blocks once it has printed a pipe's worth
            threading.Thread(target=_drain, args=(proc.stdout,), daemon=True).start()
            return proc
    raise RuntimeError("the test's scsynth did not start")


def _drain(stream: TextIO) -> None:
    with stream:
        for _ in stream:
            pass


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
"""Takes before a host is judged unable to keep JACK going: CI here once saw three
six-second takes in a row with an xrun, between runs with none."""


def host_stall(report: RunReport) -> str | None:
    """Why the host spoilt a take, if it did: hits the server reports off their samples.

    A hit waits for its sample however scsynth's clock loop moves, so an ordinary
    JACK xrun costs nothing; only the host holding JACK up for longer than a hit's
    lead (seen here when other programs load both cores) starts hits after their
    samples, which no code of ours can prevent, and a take with one measures the
    host, not supertonic.
    """
    if report.misplaced == 0:
        return None
    return f"{report.misplaced} hit(s) off their samples: the host held JACK up"


def retaken(take: Callable[[], RunReport],
            spoilt: Callable[[RunReport], str | None] = host_stall) -> RunReport:
    """The first of up to ``XRUN_ATTEMPTS`` takes the host did not spoil; each spoilt
    one is a warning, and a host that spoils them all fails the test."""
    reasons = []
    for attempt in range(1, XRUN_ATTEMPTS + 1):
        report = take()
        reason = spoilt(report)
        if reason is None:
            return report
        reasons.append(reason)
        warnings.warn(f"take {attempt}: {reason}; playing it again", stacklevel=2)
    raise AssertionError(f"the host spoilt all {XRUN_ATTEMPTS} takes, so timing cannot be "
                         f"judged here: {reasons}")


def play(config: MachineConfig) -> RunReport:
    """Run the machine, again if the host spoilt the take (see :func:`host_stall`)."""
    return retaken(lambda: trio.run(run_machine, config))


def step_seconds(session: Session) -> float:
    """How long one step of ``session`` lasts."""
    return 60.0 / session.tempo * STEP_RATES[session.step_rate] / TICKS_PER_BEAT


def ideal_onsets(session: Session, sidecar: dict, steps: int) -> dict[int, np.ndarray]:
    """Where each track's hits belong, in (fractional) samples of the recording."""
    rate = sidecar["sample_rate"]
    step = step_seconds(session)
    first = (sidecar["first_step_unix"] - sidecar["start_unix"]) * rate
    ideal = {}
    for track, settings in enumerate(session.tracks):
        columns = [k % settings.length for k in range(steps)]
        times = [
            k * step + (step * settings.swing / 2 if column % 2 else 0.0)
            for k, column in enumerate(columns)
            if settings.pattern[column] != "-"
        ]
        ideal[track] = first + np.array(times) * rate
    return ideal


def onset_errors(session: Session, wav: Path) -> tuple[dict[int, np.ndarray], dict]:
    """Per track, measured minus ideal onset positions (samples)."""
    rate, audio = read_wav(wav)
    sidecar = read_sidecar(wav)
    found = click_onsets(audio[:, 0])
    steps = 1 + int((len(audio) / rate) / step_seconds(session))
    ideal = ideal_onsets(session, sidecar, steps)
    errors = {}
    for track, positions in found.items():
        expected = ideal[track][: len(positions)]
        assert len(positions) == len(expected), f"track {track}: extra onsets"
        errors[track] = np.array(positions) - expected
    return errors, sidecar
