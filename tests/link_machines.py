"""Two supertonic machines in one Link session, as separate processes on one JACK
server, each with its own scsynth and recording (the click voice, so onsets are
exact); for tests/test_link_e2e.py and benchmarks/link.py.

Link's peers find each other on loopback. A take runs inside a network namespace
that holds only loopback (``unshare -n``; it goes when the take ends), so nothing is
sent beyond this machine:

    python -m tests.link_machines --take DIR --overlap SECONDS   (prints JSON figures)

0. A is started (OSC ``/supertonic/start``) at 128 BPM playing 8ths; B is launched
   3 s later, joins A's session and is started (a peer joining is not started by
   Link's start/stop state): its first onset should be on A's next quantum boundary.
1. Both play ``overlap`` seconds together: B's onsets against A's, on the Unix time
   line of the recordings' sidecars.
2. A's tempo is set to 120, then to 90 BPM: B's onsets from one beat after the
   change on, against A's; the late bundles both scsynths reported.
3. A is stopped (B stops with it), then B is started: A starts with it; the two
   first onsets.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
BPM = 128.0
QUANTUM_EIGHTHS = 8
"""The quantum (4 beats) in the 8ths both machines play."""


def run_take(work: Path, overlap: float) -> dict:
    """A take in a loopback-only namespace of its own; its figures (see :func:`figures`)."""
    ip, unshare = shutil.which("ip"), shutil.which("unshare")
    if not (ip and unshare):
        raise OSError("needs unshare (util-linux) and ip (iproute2)")
    script = (f'"{ip}" link set lo up && exec "{sys.executable}" -m tests.link_machines '
              f'--take "{work}" --overlap {overlap}')
    done = subprocess.run([unshare, "-n", "sh", "-c", script], cwd=ROOT, capture_output=True,
                          text=True, timeout=overlap + 120)
    if done.returncode != 0:
        logs = "\n".join(f"--- {p.name}\n" + "\n".join(p.read_text().splitlines()[-20:])
                         for p in sorted(work.glob("*.log")))
        raise RuntimeError(f"the take failed: {done.stderr[-2000:]}\n{logs}")
    return json.loads(done.stdout)


def _peer(args: argparse.Namespace) -> None:
    """One machine: plays until its duration ends, then prints its report."""
    import trio

    from actors.app import run_machine
    from actors.link import LinkConfig
    from actors.session import Session
    from tests.live import click_config

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    session = Session().with_tempo(BPM).with_patterns({0: "x-"})
    config = dataclasses.replace(
        click_config(session, Path(args.record), args.duration),
        ui="osc", osc_address=("127.0.0.1", args.osc_port), link=LinkConfig())
    report = trio.run(run_machine, config)
    print(json.dumps({"late": report.late, "misplaced": report.misplaced,
                      "clock_jumps": report.clock_jumps}))


def _osc(port: int, address: str, *values: float) -> None:
    from pythonosc.osc_message_builder import OscMessageBuilder

    builder = OscMessageBuilder(address)
    for value in values:
        builder.add_arg(float(value))
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.sendto(builder.build().dgram, ("127.0.0.1", port))


def _take(work: Path, overlap: float) -> dict:
    from tests.live import private_jack

    env = dict(os.environ, XDG_STATE_HOME=str(work / "state"), XDG_DATA_HOME=str(work / "data"))
    ports = {"a": 57301, "b": 57302}
    marks: dict[str, float] = {}
    with private_jack():
        env["JACK_DEFAULT_SERVER"] = os.environ["JACK_DEFAULT_SERVER"]

        def peer(name: str, duration: float) -> subprocess.Popen:
            with open(work / f"{name}.log", "w") as log:
                return subprocess.Popen(
                    [sys.executable, "-m", "tests.link_machines", "--peer", "--record",
                     str(work / f"{name}.wav"), "--duration", str(duration), "--osc-port",
                     str(ports[name])],
                    cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=log, text=True)

        a = peer("a", overlap + 28.0)
        time.sleep(4.0)  # scsynth up, SynthDefs loaded
        _osc(ports["a"], "/supertonic/start")
        time.sleep(3.0)
        b = peer("b", overlap + 26.0)
        time.sleep(4.0)
        marks["start_b_first"] = time.time()
        _osc(ports["b"], "/supertonic/start")
        time.sleep(overlap + 3.0)  # up to a quantum (1.9 s) before B plays
        marks["tempo_120"] = time.time()
        _osc(ports["a"], "/supertonic/tempo", 120)
        time.sleep(3.0)
        marks["tempo_90"] = time.time()
        _osc(ports["a"], "/supertonic/tempo", 90)
        time.sleep(5.0)
        marks["stop"] = time.time()
        _osc(ports["a"], "/supertonic/stop")
        time.sleep(2.0)
        marks["start_b"] = time.time()
        _osc(ports["b"], "/supertonic/start")
        reports = {name: json.loads(p.communicate()[0].strip().splitlines()[-1])
                   for name, p in (("a", a), ("b", b))}
    return figures({n: _onsets(work / f"{n}.wav") for n in ("a", "b")}, marks, reports)


def _onsets(wav: Path) -> np.ndarray:
    """Unix times of the click track's onsets."""
    from tests.audio import click_onsets, read_sidecar, read_wav

    rate, audio = read_wav(wav)
    sidecar = read_sidecar(wav)
    return sidecar["start_unix"] + np.array(click_onsets(audio[:, 0])[0]) / rate


def _against(ours: np.ndarray, theirs: np.ndarray) -> np.ndarray:
    """Each of our onsets minus the nearest of theirs (ms)."""
    index = np.clip(np.searchsorted(theirs, ours), 1, len(theirs) - 1)
    before, after = theirs[index - 1], theirs[index]
    nearest = np.where(np.abs(ours - before) < np.abs(ours - after), before, after)
    return (ours - nearest) * 1000


def figures(onsets: dict[str, np.ndarray], marks: dict[str, float], reports: dict) -> dict:
    a, b = onsets["a"], onsets["b"]
    first = int(np.argmin(np.abs(a - b[0])))
    together = _against(b[b < marks["tempo_120"]], a)
    beat_90 = 60.0 / 90
    following = b[(b > marks["tempo_90"] + beat_90) & (b < marks["stop"])]
    after_change = _against(following, a[a < marks["stop"] + 1])
    a_again, b_again = a[a > marks["start_b"]], b[b > marks["start_b"]]
    return {
        "join_wait_ms": (b[0] - marks["start_b_first"]) * 1000,
        "join_offset_ms": (b[0] - a[first]) * 1000,
        "join_on_boundary": first % QUANTUM_EIGHTHS == 0,
        "together": len(together),
        "mean_ms": float(together.mean()),
        "sd_ms": float(together.std()),
        "worst_ms": float(np.abs(together).max()),
        "after_change": len(after_change),
        "after_change_worst_ms": float(np.abs(after_change).max()),
        "eighth_at_90_ms": float(np.diff(following).mean() * 1000),
        "late": {n: r["late"] for n, r in reports.items()},
        "misplaced": {n: r["misplaced"] for n, r in reports.items()},
        "b_after_stop": int(np.sum((b > marks["stop"] + 0.2) & (b < marks["start_b"]))),
        "restart_wait_ms": (b_again[0] - marks["start_b"]) * 1000 if len(b_again) else None,
        "restart_offset_ms": ((a_again[0] - b_again[0]) * 1000
                              if len(a_again) and len(b_again) else None),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--peer", action="store_true")
    parser.add_argument("--take", type=Path)
    parser.add_argument("--overlap", type=float, default=30.0)
    parser.add_argument("--record")
    parser.add_argument("--duration", type=float)
    parser.add_argument("--osc-port", type=int)
    args = parser.parse_args()
    if args.peer:
        _peer(args)
    else:
        json.dump(_take(args.take, args.overlap), sys.stdout)


if __name__ == "__main__":
    main()
