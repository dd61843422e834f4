"""CPU cost of the supertonic voice, measured on offline (scsynth -N) renders.

Prints:
- the real-time factor of a dense 60 s render: the five default-kit tracks hitting
  every 16th at 120 BPM, the hats choking each other as the bridge plays them;
- CPU seconds per voice-second for each of the five default drums with 8 and 32
  sustained voices (their decays stretched to 10 s, modes unchanged), and the average;
- each default drum's UGens (all, and audio-rate ones: the per-sample work).

CPU time is the scsynth child's user + system time (``getrusage``); an empty render
of the same length is subtracted for the per-voice figures. Each figure is the best
of seven runs, since the machine is shared (best-of-three figures here wandered by a
third). Targets: >= 90x real time dense, <= 0.0012 CPU-s per voice-second on average.

Run: ``.venv/bin/python benchmarks/voice_cpu.py``
"""

from __future__ import annotations

import dataclasses
import resource
import sys
import tempfile
from collections.abc import Sequence
from importlib.resources import files
from pathlib import Path

from actors.engine_bridge import (
    ADD_TO_TAIL,
    CLOCK_DEF,
    Bundle,
    GroupNew,
    ReceiveDef,
    Request,
    choke_request,
    clock_request,
    ensure_synthdefs,
    render_score,
    sample_count,
    voice_request,
)
from actors.kit import Drum, load_kit
from actors.voice import voice_for

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.voice_helpers import read_synthdef  # the tests' scsyndef reader

TRACKS = 5
DENSE_SECONDS = 60.0
SUSTAIN_SECONDS = 10.0
CHOKE_GROUP, VOICE_GROUP = 2, 1
RATE = 48000


def child_cpu(bundles: Sequence[Bundle], end: float) -> float:
    """Best of seven: CPU seconds scsynth spends rendering ``bundles``."""
    best = float("inf")
    for _ in range(7):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        with tempfile.TemporaryDirectory(prefix="supertonic-bench-") as tmp:
            render_score(bundles, end, Path(tmp) / "out.wav")
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        used = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
        best = min(best, used)
    return best


def setup(defs: Path, drums: Sequence[Drum]) -> Bundle:
    names = sorted({voice_for(d)[0] for d in drums} | {CLOCK_DEF})
    requests: list[Request] = [ReceiveDef((defs / f"{n}.scsyndef").read_bytes()) for n in names]
    requests += [clock_request(), GroupNew(VOICE_GROUP, ADD_TO_TAIL, 0),
                 GroupNew(CHOKE_GROUP, ADD_TO_TAIL, 0)]
    return Bundle(0.0, tuple(requests))


def dense(defs: Path, drums: Sequence[Drum]) -> float:
    step = 60.0 / 120.0 / 4
    bundles = [setup(defs, drums)]
    for index in range(round(DENSE_SECONDS / step)):
        requests: list[Request] = []
        time = 0.01 + index * step
        at = sample_count(time * RATE)
        for drum in drums:
            name, controls = voice_for(drum)
            group = CHOKE_GROUP if drum.choke else VOICE_GROUP
            if drum.choke:
                requests.append(choke_request(CHOKE_GROUP, at))
            requests.append(voice_request(name, controls, 64.0, at, group))
        bundles.append(Bundle(time, tuple(requests)))
    return DENSE_SECONDS / child_cpu(bundles, DENSE_SECONDS)


def sustained(drum: Drum) -> Drum:
    """The same def and laws, but ringing for the whole measurement."""
    return dataclasses.replace(drum, osc_dcy=SUSTAIN_SECONDS, nenv_dcy=SUSTAIN_SECONDS)


def per_voice_second(defs: Path, drum: Drum, voices: int, empty: float) -> float:
    name, controls = voice_for(drum)
    at = sample_count(0.01 * RATE)
    hits = tuple(voice_request(name, controls, 127.0, at, VOICE_GROUP) for _ in range(voices))
    used = child_cpu([setup(defs, [drum]), Bundle(0.01, hits)], SUSTAIN_SECONDS)
    return (used - empty) / (voices * SUSTAIN_SECONDS)


def main() -> None:
    defs = ensure_synthdefs()
    drums = load_kit(Path(str(files("actors.kit") / "default.mtpreset"))).drums[:TRACKS]
    print("default drums: def, UGens (audio-rate)")
    for drum in drums:
        info = read_synthdef(defs / f"{voice_for(drum)[0]}.scsyndef")
        audio = sum(rate == 2 for _, rate, _ in info.ugens)
        print(f"  {drum.name:14s} {info.name:38s} {len(info.ugens):4d} ({audio})")
    print(f"dense: {TRACKS} tracks every 16th at 120 BPM, {DENSE_SECONDS:.0f} s: "
          f"{dense(defs, drums):.0f}x real time (target >= 90x)")
    empty = child_cpu([setup(defs, drums)], SUSTAIN_SECONDS)
    for voices in (8, 32):
        costs = [per_voice_second(defs, sustained(d), voices, empty) for d in drums]
        detail = ", ".join(f"{d.name} {c:.6f}" for d, c in zip(drums, costs, strict=True))
        print(f"{voices} sustained voices: {sum(costs) / len(costs):.6f} CPU-s per voice-second "
              f"on average (target <= 0.0012); {detail}")


if __name__ == "__main__":
    main()
