"""Two supertonic machines in one Link session on this machine: the issue's figures.

Each machine is a process of its own (``run_machine`` as ``supertonic run --clock
link --ui osc --record`` makes it, with the test click voice so that onsets are
exact), both on one JACK server, each with its own scsynth. Link's peers find
each other on loopback; the whole run is inside a network namespace that holds
only loopback (made with ``unshare -n``, gone when the run ends), so nothing is
ever sent beyond this machine.

0. A is started (OSC ``/supertonic/start``) at 128 BPM playing 8ths; B is launched
   3 s later, joins A's session and is started (a peer joining is not started by
   Link's start/stop state): its first onset is on A's next quantum boundary.
1. Both play 30 s together.
   Between their onsets, on the Unix time line of the recordings' sidecars:
   mean offset (target <= 1 ms) and SD (<= 0.5 ms).
2. A's tempo is set to 120, then to 90 BPM: B's onsets from one beat after the
   change on, against A's (target: within 1 ms from one beat on), and the late
   bundles both scsynths reported (target 0).
3. A is stopped (B stops with it), then B is started: A starts with it; the two
   first onsets (target: within 1 ms; both on B's next quantum boundary).

    sudo .venv/bin/python benchmarks/link.py        (root: unshare -n)

It needs the machine wired for Link (``MachineConfig.link``: docs/wiring.patch).
Figures of one run here (with that patch applied, the machine under the other
engineers' load): B's first onset on A's quantum boundary, 0.002 ms from A's;
134 onsets at 128 BPM: mean -0.002 ms, SD 0.000 ms, worst 0.002 ms; after
120 -> 90 BPM on A, B's 13 onsets from one beat on within 0.002 ms of A's, 0 late
bundles on both; A's stop stopped B (0 onsets after it), B's start started A,
first onsets 0.002 ms apart.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
# this file is named link.py too: its folder must not hide the binding's ``import link``
sys.path[:] = [str(ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != ROOT / "benchmarks"]

BPM = 128.0
OVERLAP = 30.0


def _peer(args: argparse.Namespace) -> None:
    """One machine: plays until its duration ends, then prints its report."""
    import logging

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


def _onsets(wav: Path) -> np.ndarray:
    """Unix times of the click track's onsets."""
    from tests.audio import click_onsets, read_sidecar, read_wav

    rate, audio = read_wav(wav)
    sidecar = read_sidecar(wav)
    return sidecar["start_unix"] + np.array(click_onsets(audio[:, 0])[0]) / rate


def _against(ours: np.ndarray, theirs: np.ndarray) -> np.ndarray:
    """Each of our onsets minus the nearest of theirs (seconds)."""
    index = np.clip(np.searchsorted(theirs, ours), 1, len(theirs) - 1)
    before, after = theirs[index - 1], theirs[index]
    nearest = np.where(np.abs(ours - before) < np.abs(ours - after), before, after)
    return ours - nearest


def _run(work: Path) -> None:
    from tests.live import private_jack

    env = dict(os.environ, PYTHONPATH=str(ROOT), XDG_STATE_HOME=str(work / "state"),
               XDG_DATA_HOME=str(work / "data"), XDG_CACHE_HOME=os.environ.get(
                   "XDG_CACHE_HOME", str(Path.home() / ".cache")))
    ports = {"a": 57301, "b": 57302}
    with private_jack():
        env["JACK_DEFAULT_SERVER"] = os.environ["JACK_DEFAULT_SERVER"]

        def peer(name: str, duration: float) -> subprocess.Popen:
            return subprocess.Popen(
                [sys.executable, __file__, "--peer", "--record", str(work / f"{name}.wav"),
                 "--duration", str(duration), "--osc-port", str(ports[name])],
                env=env, stdout=subprocess.PIPE, stderr=open(work / f"{name}.log", "w"),
                text=True)

        a = peer("a", 58.0)
        time.sleep(4.0)  # scsynth up, SynthDefs loaded
        _osc(ports["a"], "/supertonic/start")
        time.sleep(3.0)
        b = peer("b", 56.0)
        time.sleep(4.0)
        marks = {"start_b_first": time.time()}
        _osc(ports["b"], "/supertonic/start")
        time.sleep(OVERLAP + 3.0)
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
    onsets = {name: _onsets(work / f"{name}.wav") for name in ("a", "b")}
    a_on, b_on = onsets["a"], onsets["b"]
    origin = min(a_on[0], b_on[0]) if len(a_on) and len(b_on) else time.time()
    print("onsets: " + "; ".join(
        f"{n} {len(o)} from {o[0] - origin:.2f} s to {o[-1] - origin:.2f} s"
        for n, o in onsets.items() if len(o)) + "; marks " + ", ".join(
        f"{k} {v - origin:.2f} s" for k, v in marks.items()))

    first = b_on[0]
    index = int(np.argmin(np.abs(a_on - first)))
    print(f"0. B started {(first - marks['start_b_first']) * 1000:.0f} ms after it was "
          f"asked, {(first - a_on[index]) * 1000:+.3f} ms from A's onset {index}, on A's "
          f"quantum boundary: {index % 8 == 0} (8ths from A's start; quantum 4 beats)")
    together = b_on[b_on < marks["tempo_120"]]
    offsets = _against(together, a_on) * 1000
    print(f"1. {len(offsets)} onsets of B at {BPM:g} BPM against A's: mean "
          f"{offsets.mean():+.3f} ms, SD {offsets.std():.3f} ms, worst "
          f"{np.abs(offsets).max():.3f} ms (targets: mean <= 1 ms, SD <= 0.5 ms)")

    beat_90 = 60.0 / 90
    following = b_on[(b_on > marks["tempo_90"] + beat_90) & (b_on < marks["stop"])]
    after = _against(following, a_on[a_on < marks["stop"] + 1]) * 1000
    intervals = np.diff(following)
    print(f"2. 120 -> 90 BPM on A: B's {len(after)} onsets from one beat after it on are "
          f"{np.abs(after).max():.3f} ms from A's at worst (mean {after.mean():+.3f} ms); "
          f"B's 8ths {intervals.mean() * 1000:.2f} ms apart (90 BPM: {beat_90 * 500:.2f}); "
          f"late bundles: A {reports['a']['late']}, B {reports['b']['late']} (target 0)")

    a_after = a_on[a_on > marks["start_b"]]
    b_after = b_on[b_on > marks["start_b"]]
    stopped_b = b_on[(b_on > marks["stop"] + 0.2) & (b_on < marks["start_b"])]
    if len(a_after) and len(b_after):
        print(f"3. A stopped: B played {len(stopped_b)} onsets after it (0 expected); B "
              f"started: its first onset {(b_after[0] - marks['start_b']) * 1000:.0f} ms "
              f"after the start, A's {(a_after[0] - b_after[0]) * 1000:+.3f} ms from B's "
              f"(target +-1 ms)")
    else:
        print(f"3. after B's start: A {len(a_after)} onsets, B {len(b_after)}")
    print(f"   host: A misplaced {reports['a']['misplaced']}, jumps "
          f"{reports['a']['clock_jumps']}; B misplaced {reports['b']['misplaced']}, jumps "
          f"{reports['b']['clock_jumps']}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--peer", action="store_true")
    parser.add_argument("--inside", action="store_true")
    parser.add_argument("--record")
    parser.add_argument("--duration", type=float)
    parser.add_argument("--osc-port", type=int)
    args = parser.parse_args()
    if args.peer:
        _peer(args)
        return
    if not args.inside:
        ip, unshare = shutil.which("ip"), shutil.which("unshare")
        if not (ip and unshare):
            sys.exit("needs unshare (util-linux) and ip (iproute2)")
        script = f'"{ip}" link set lo up && exec "{sys.executable}" "{__file__}" --inside'
        sys.exit(subprocess.run([unshare, "-n", "sh", "-c", script]).returncode)
    with tempfile.TemporaryDirectory() as work:
        try:
            _run(Path(work))
        except Exception:
            for log in sorted(Path(work).glob("*.log")):
                print(f"--- {log.name} (last lines)\n" + "\n".join(
                    log.read_text().splitlines()[-25:]))
            raise


if __name__ == "__main__":
    main()
