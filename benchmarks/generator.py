"""Introspection figures against the targets of issue 5 / generation.md.

Builds a store from GMD train and one from the starter corpus, then for each
prints: build time and size; per track pair on GMD validation beat bars the
per-step NLL, sampled hit F1 and no-result rate (with the exact-table and
marginal baselines recomputed on the same bars); how many of all 65,536
bases go unanswered; the same scores on the Microtonic pattern files in
../shared/data/mtpg when present; and reply latency through the worker.

Data: Groove MIDI Dataset (Gillick et al., ICML 2019; CC BY 4.0), read from
../shared/data/gmd and never copied. Run: .venv/bin/python benchmarks/generator.py
"""

import itertools
import tempfile
import time
from pathlib import Path

import numpy as np
import trio

from actors.generator import GenerateRequest, Generator, open_generator
from actors.generator._build import build, build_starter, midi_sources, preset_sources
from actors.generator._corpus import Corpus
from actors.generator._eval import baseline, score_all, unanswered_bases
from actors.generator._store import read
from actors.messages import TRACKS

DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"
TARGETS = {
    "kick->snare NLL": "<= 0.70 bits/step (table 0.785, marginal 0.846)",
    "kick->snare F1": ">= 0.55 (table 0.466)",
    "kick->hihat F1": ">= 0.62 (table 0.54)",
    "no result": "0 % for every pair and every basis",
    "latency": "p50 <= 1 ms, p99 <= 5 ms",
    "store": "<= 50 MB; GMD-train build <= 120 s",
}


def print_scores(title, generator, corpus, train=None):
    print(f"\n{title}")
    header = f"  {'pair':<18}{'bars':>6}{'NLL':>8}{'F1':>7}{'no res':>8}"
    print(header + "   table NLL / F1 / no res, marginal NLL")
    for s in score_all(generator, corpus):
        pair = f"{TRACKS[s.basis]}->{TRACKS[s.target]}"
        line = f"  {pair:<18}{s.bars:>6}{s.nll:>8.3f}{s.f1:>7.3f}{s.no_result:>8.1%}"
        if train is not None:
            b = baseline(train, corpus, s.basis, s.target)
            line += f"   {b.table_nll:.3f} / {b.table_f1:.3f} / {b.table_no_result:.1%}"
            line += f", {b.unconditional_nll:.3f}"
        print(line)


async def latency(path, count=2000):
    async with open_generator(path) as client:
        rng = np.random.default_rng(0)
        times = []
        for i in range(count):
            basis = "".join(rng.choice(list("--xX"), 16))
            target, source = rng.choice(5, 2, replace=False)
            request = GenerateRequest(int(target), ((int(source), basis),), n=1 + i % 4, seed=i)
            start = time.perf_counter()
            await client.request(request)
            times.append(time.perf_counter() - start)
    times = np.array(times) * 1000
    return np.percentile(times, 50), np.percentile(times, 99)


def report(name, path, seconds, train, validation, kits):
    generator = Generator(read(path))
    size = path.stat().st_size / 1e6
    print(f"\n=== {name}: built in {seconds:.1f} s, {size:.2f} MB, {read(path).meta['bars']} bars")
    if validation is not None:
        print_scores("GMD validation beat bars", generator, validation, train)
    if kits is not None:
        print_scores(
            "Microtonic patterns (../shared/data/mtpg, never seen by either store)", generator, kits
        )
    start = time.monotonic()
    missing = {
        (a, b): unanswered_bases(generator, a, b) for a, b in itertools.permutations(range(5), 2)
    }
    took = time.monotonic() - start
    print(f"\nall 65,536 bases x 20 pairs: {sum(missing.values())} unanswered ({took:.0f} s)")
    p50, p99 = trio.run(latency, path)
    print(f"latency through the worker: p50 {p50:.3f} ms, p99 {p99:.3f} ms")


def main():
    print("targets:")
    for key, value in TARGETS.items():
        print(f"  {key}: {value}")
    gmd = DATA / "gmd"
    kits = Corpus.from_sources(preset_sources(DATA / "mtpg")) if (DATA / "mtpg").is_dir() else None
    with tempfile.TemporaryDirectory() as scratch:
        validation = train = None
        if (gmd / "info.csv").exists():
            start = time.monotonic()
            sources = midi_sources(gmd, "train")
            build(Path(scratch) / "gmd.sqlite", sources, "GMD train")
            seconds = time.monotonic() - start
            train = Corpus.from_sources(sources)
            validation = Corpus.from_sources(midi_sources(gmd, "validation"))
            report(
                "GMD train store", Path(scratch) / "gmd.sqlite", seconds, train, validation, kits
            )
        else:
            print("\n../shared/data/gmd is not present: GMD figures skipped")
        start = time.monotonic()
        build_starter(Path(scratch) / "starter.sqlite")
        seconds = time.monotonic() - start
        report("starter store", Path(scratch) / "starter.sqlite", seconds, train, validation, kits)


if __name__ == "__main__":
    main()
