"""Two real Link peers, found by Link's own discovery, in a network namespace that holds
only loopback: Link multicasts on every interface, and a test must not talk beyond this
machine. The namespace goes when the rig exits."""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _run_rig() -> dict:
    unshare = shutil.which("unshare")
    ip = shutil.which("ip")
    if unshare is None or ip is None:
        pytest.skip("needs unshare and ip (util-linux, iproute2) for a loopback-only namespace")
    probe = subprocess.run([unshare, "-n", ip, "link", "set", "lo", "up"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip(f"cannot make a network namespace here: {probe.stderr.decode().strip()}")
    script = f'"{ip}" link set lo up && exec "{sys.executable}" tests/link_rig.py'
    result = subprocess.run(
        [unshare, "-n", "sh", "-c", script], cwd=ROOT, capture_output=True, text=True,
        timeout=60, env=dict(os.environ, PYTHONPATH=str(ROOT)),
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_two_peers_share_tempo_phase_and_start_stop():
    figures = _run_rig()
    assert "error" not in figures, figures["error"]
    # the session that was there first keeps its tempo
    assert figures["bpm_joined"] == pytest.approx(128.0)
    # our start lands on the other peer's quantum boundary, every step on its beat
    assert abs(figures["start_phase_ms"]) < 0.1 or figures["start_phase_ms"] > 1875 - 0.1
    steady = figures["steady_ms"]
    assert len(steady) >= 8  # 3 s, less up to a quantum (1.9 s) waiting for the boundary
    assert abs(statistics.mean(steady)) < 0.1 and max(map(abs, steady)) < 0.2
    # a tempo change made by the other peer: every step heard from one beat on is on it,
    # none out of order; the steps already sent bend by less than the lookahead's share
    assert max(map(abs, figures["after_change_ms"])) < 0.2
    assert figures["step_times_increase"]
    assert figures["change_max_ms"] < 20
    # the other peer's stop and start reach us: the start on its boundary
    assert figures["stop_after_ms"] is not None and figures["stop_after_ms"] < 50
    assert figures["restart_index"] == 0
    assert abs(figures["restart_ms"]) < 1.0
    # the other peer leaves: the music goes on at the session's tempo, no step lost
    assert not figures["stopped_after_leave"]
    assert figures["peers_after_leave"] == 0
    gaps = figures["after_leave_gaps_ms"]
    assert len(gaps) >= 6 and max(gaps) - min(gaps) < 0.01  # 1.5 s of 90 BPM 16ths
