"""Introspection figures against the targets of issues 5 and 14 / generation.md.

Builds a store from GMD train and one from the starter corpus, then for each
prints: build time and size; per track pair on GMD validation beat bars the
per-step NLL, sampled hit F1 and no-result rate (with the exact-table and
marginal baselines recomputed on the same bars); the same with each take's
first 8 bars as the session's history (issue 14), for single bases, kick +
closed hat and every other track; how many of all 65,536 bases go unanswered;
the same scores on the Microtonic pattern files in ../shared/data/mtpg when
present; and reply latency through the worker, without and with a 64-bar
history.

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
from actors.generator._eval import baseline, score_all, score_pair, unanswered_bases
from actors.generator._patterns import TRACKS, Bar, render
from actors.generator._store import read
from actors.messages import SetHistory

DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"
TARGETS = {
    "kick->snare NLL": "<= 0.70 bits/step (table 0.785, marginal 0.846)",
    "kick->snare F1": ">= 0.55 (table 0.466)",
    "kick->hihat F1": ">= 0.62 (table 0.54)",
    "no result": "0 % for every pair and every basis",
    "latency": "p50 <= 1 ms, p99 <= 5 ms; with a 64-bar history p99 <= 5 ms",
    "kick->snare with 8 bars of history": "NLL <= 0.64 bits/step, F1 >= 0.65",
    "kick+closed hat->snare with history": "NLL <= 0.60",
    "without history": "nothing worse than 0.722 / 0.613 / 0 % (kick->snare)",
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


def print_history_scores(generator, corpus, bars=8):
    print(f"\n  each take's first {bars} bars as history, the later bars scored:")
    print(f"  {'bases->target':<32}{'bars':>6}{'NLL':>8}{'F1':>7}{'no res':>8}")
    rows = [((0,), 1), ((0, 2), 1), ((0, 2, 3, 4), 1), ((1, 2, 3, 4), 0), ((0, 1, 3, 4), 2)]
    for bases, target in rows:
        s = score_pair(generator, corpus, bases[0], target, history_bars=bars, also=bases[1:])
        pair = "+".join(TRACKS[b] for b in bases) + f"->{TRACKS[target]}"
        print(f"  {pair:<32}{s.bars:>6}{s.nll:>8.3f}{s.f1:>7.3f}{s.no_result:>8.1%}")
    scores = score_all(generator, corpus, history_bars=bars)
    nll, f1 = np.mean([s.nll for s in scores]), np.mean([s.f1 for s in scores])
    worst = max(s.no_result for s in scores)
    print(f"  mean of the 20 single-basis pairs: NLL {nll:.3f}, F1 {f1:.3f}, no result {worst:.1%}")


def random_history(rng, bars):
    """A session's worth of bars: random hits, as a history could hold anything."""
    return tuple(
        tuple(render([Bar(int(h))]) for h in rng.integers(0, 1 << 16, 5)) for _ in range(bars)
    )


async def latency(path, count=2000, history_bars=0, every_track=False, resend=False):
    """Reply times; ``resend``: the history grows by two bars before every request, as
    the session sends it when the player asks again after changing something."""
    async with open_generator(path) as client:
        rng = np.random.default_rng(0)
        history = random_history(rng, history_bars)
        if history_bars:
            client.set_history(SetHistory(history, 1.0))
        times = []
        for i in range(count):
            if resend:
                history = history[2:] + random_history(rng, 2)
                client.set_history(SetHistory(history, 1.0))
            target = int(rng.integers(5))
            sources = [t for t in range(5) if t != target]
            if not every_track:
                sources = [int(rng.choice(sources))]
            bases = tuple((t, "".join(rng.choice(list("--xX"), 16))) for t in sources)
            request = GenerateRequest(target, bases, n=1 + i % 4, seed=i)
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
        print_history_scores(generator, validation)
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
    for bars, every, resend in (
        (64, False, False),
        (64, True, False),
        (64, True, True),
        (128, True, True),
    ):
        p50, p99 = trio.run(latency, path, 2000, bars, every, resend)
        bases = "every other track" if every else "one basis"
        sent = ", the history re-sent before each" if resend else ""
        print(f"  with a {bars}-bar history, {bases}{sent}: p50 {p50:.3f} ms, p99 {p99:.3f} ms")


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
