"""``supertonic generate`` and ``supertonic priors``: the generator from the command line.

These run the generator in-process (a one-shot command has no music to keep
in time); the running machine uses the worker process of ``_client``.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import tempfile
import urllib.request
import zipfile
from pathlib import Path
from typing import Any

from actors import groove
from actors.messages import DEFAULT_SURPRISE, TRACKS, GenerateRequest, GenerateResult
from actors.rules import (
    DEFAULT_STEP_RATE,
    GENERATION_LENGTHS,
    GENERATION_UNIT,
    STEP_RATES,
    bar_steps,
    check_length,
    check_step_rate,
    generation_refusal,
)

from . import _build, _eval, _store
from ._corpus import Corpus, Source, grid_counts
from ._generate import Generator
from ._history import bars_from_fields, history_arrays, read_history
from ._patterns import track_index
from ._progress import progress

log = logging.getLogger(__name__)

GMD_URL = "https://storage.googleapis.com/magentadata/datasets/groove/groove-v1.0.0-midionly.zip"
"""Magenta's Groove MIDI Dataset, MIDI only (CC BY 4.0; Gillick et al., ICML 2019)."""


def register_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    generate = sub.add_parser(
        "generate",
        help="generate a track's pattern from other tracks' patterns",
        description="Generate patterns for one track from others. A basis instrument equal "
        "to --instrument generates steps 17-32 from its 16-step --basis (and the other "
        "bases' steps 17-32; a 16-step one loops).",
    )
    one = generate.add_argument_group("one request")
    one.add_argument("--instrument", choices=TRACKS, help="the track to generate")
    one.add_argument(
        "--basis-instrument",
        action="append",
        choices=TRACKS,
        default=[],
        help="a track to generate from (repeat with --basis for several)",
    )
    one.add_argument("--basis", action="append", default=[],
                     help="its pattern of - x X (16 or 32 steps at 1/16)")
    one.add_argument("--current", default="", help="the track's pattern now, never answered")
    one.add_argument("--n", type=int, default=1, help="how many patterns (default 1)")
    one.add_argument("--seed", type=int, help="same seed, same answer")
    one.add_argument(
        "--surprise",
        type=float,
        default=DEFAULT_SURPRISE,
        help=f"0 predictable ... 1 adventurous (default {DEFAULT_SURPRISE})",
    )
    one.add_argument(
        "--complexity", type=float, help="0 plain ... 1 most syncopated (Toussaint + LHL)"
    )
    one.add_argument("--json", action="store_true", help="answer as one JSON object")
    one.add_argument("--probs", action="store_true", help="also give per-step hit probabilities")
    one.add_argument("--step-rate", choices=tuple(STEP_RATES), default=DEFAULT_STEP_RATE,
                     help="the grid of the patterns (default %(default)s): "
                     f"{_lengths()}; another is refused with the reason. A continuation "
                     "at a triplet rate answers steps 13-24 from its 12-step basis")
    one.add_argument("--length", type=int,
                     help="steps of the answer: each basis plays round to it, as a shorter "
                     "track loops in the machine (default: the bases' length)")
    generate.add_argument(
        "--batch",
        type=Path,
        help="a JSONL file of requests (fields as the options, with underscores); "
        "one JSON answer per line",
    )
    generate.add_argument(
        "--history",
        type=Path,
        help="a JSONL file of earlier bars to learn from, oldest first, one per line: "
        '{"kick": "x---...", "snare": "----X...", ...} (a batch line\'s "history" replaces it)',
    )
    generate.add_argument("--db", type=Path, help="prior store (default: the user cache)")
    generate.set_defaults(func=_generate_command)

    priors = sub.add_parser("priors", help="build, fetch, inspect and evaluate prior stores")
    actions = priors.add_subparsers(dest="priors_command", required=True, metavar="ACTION")

    build = actions.add_parser("build", help="build a store from MIDI, presets or the starter")
    build.add_argument("--midi", type=Path, help="a folder of drum MIDI files (or GMD)")
    build.add_argument(
        "--split", help="with GMD's info.csv: only this split (train, validation, test)"
    )
    build.add_argument("--presets", type=Path, help="a folder of .mtpreset / .mtpg files")
    build.add_argument("--starter", action="store_true", help="the corpus shipped with supertonic")
    build.add_argument("--out", type=Path, help="the store to write (default: --add-to's)")
    build.add_argument(
        "--add-to",
        type=Path,
        metavar="STORE",
        help="merge into this existing store as a player's library, keeping what it holds",
    )
    build.add_argument(
        "--weight",
        type=float,
        default=_build.LIBRARY_WEIGHT,
        help=f"with --add-to: how much each added song counts against a stored one "
        f"(default {_build.LIBRARY_WEIGHT:g})",
    )
    build.set_defaults(func=_build_command)

    fetch = actions.add_parser("fetch", help="download the Groove MIDI Dataset and build from it")
    fetch.add_argument("--url", default=GMD_URL, help="where to get the zip (file:// works)")
    fetch.add_argument("--out", type=Path, help="the store to write (default: the user cache)")
    fetch.set_defaults(func=_fetch_command)

    info = actions.add_parser("info", help="describe a store")
    info.add_argument("--db", type=Path, help="prior store (default: the user cache)")
    info.set_defaults(func=_info_command)

    evaluate = actions.add_parser("eval", help="score a store on held-out MIDI bars")
    evaluate.add_argument("--midi", type=Path, required=True, help="a folder of drum MIDI files")
    evaluate.add_argument("--split", help="with GMD's info.csv: the held-out split")
    evaluate.add_argument("--db", type=Path, help="prior store (default: the user cache)")
    evaluate.add_argument(
        "--history-bars",
        type=int,
        default=0,
        help="each file's first N bars are the history; only its later bars are scored",
    )
    evaluate.add_argument("--json", action="store_true", help="one JSON object per track pair")
    evaluate.add_argument("--step-rate", choices=tuple(GENERATION_UNIT), default=DEFAULT_STEP_RATE,
                          help="score the bars of this grid (default %(default)s; at a triplet "
                          "rate only the takes in triplets, unit by unit)")
    evaluate.set_defaults(func=_eval_command)


# --- generate ---------------------------------------------------------------------------


def _lengths() -> str:
    return ", ".join(f"{' or '.join(map(str, lengths))} steps at {rate}"
                     for rate, lengths in GENERATION_LENGTHS.items())


def _generate_command(args: argparse.Namespace) -> int:
    if args.step_rate not in GENERATION_LENGTHS:
        print(f"generate: {generation_refusal(args.step_rate, 0)}", file=sys.stderr)
        return 2
    request = None
    if args.batch is None:
        if args.instrument is None:
            print("generate: give --instrument and --basis(-instrument), or --batch",
                  file=sys.stderr)
            return 2
        fields = {
            "instrument": args.instrument,
            "basis_instrument": args.basis_instrument,
            "basis": args.basis,
            "current": args.current,
            "n": args.n,
            "seed": args.seed,
            "surprise": args.surprise,
            "complexity": args.complexity,
            "step_rate": args.step_rate,
            "length": args.length,
        }
        try:
            request = request_from_fields(fields)
        except (ValueError, TypeError) as error:
            print(f"generate: {error}", file=sys.stderr)
            return 2
    history: list[tuple[str, ...]] = []
    if args.history is not None:
        try:
            history = read_history(args.history)
        except ValueError as error:
            print(f"generate: {error}", file=sys.stderr)
            return 1
    generator = Generator(_build.open_store(args.db or _store.default_path()))
    generator.set_history(*history_arrays(history))
    if request is None:
        return _batch(generator, args.batch, history, args.step_rate)
    result = generator.generate(request)
    if result.error:
        print(f"generate: {result.error}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(_answer(result, args.probs)))
        return 0
    for pattern in result.patterns:
        print(pattern)
    if args.probs:
        print(" ".join(f"{p:.2f}" for p in result.probs))
    return 0


def request_from_fields(fields: dict[str, Any], rate: str = DEFAULT_STEP_RATE
                        ) -> GenerateRequest:
    """A request from CLI / JSONL fields; the basis fields may be strings or lists.

    A basis instrument equal to ``instrument`` means "the second bar from this
    one-bar pattern" (a continuation); the others are bases, each played round to
    ``length`` when given. ``step_rate`` (else ``rate``) is the grid; a rate or
    length generation does not answer is refused with the reason.
    """
    names = fields.get("basis_instrument") or []
    patterns = fields.get("basis") or []
    names = [names] if isinstance(names, str) else list(names)
    patterns = [patterns] if isinstance(patterns, str) else list(patterns)
    if len(names) != len(patterns):
        raise ValueError("give one basis pattern per basis instrument")
    unknown = set(fields) - {*_FIELDS, "probs"}
    if unknown:
        raise ValueError(f"unknown field(s): {', '.join(sorted(unknown))}")
    target = track_index(str(fields["instrument"]))
    length = fields.get("length")
    if length is not None:
        length = check_length(length)
        patterns = [(str(text) * length)[:length] for text in patterns]
    bases = [(track_index(name), text) for name, text in zip(names, patterns, strict=True)]
    own = [text for track, text in bases if track == target]
    current = fields.get("current") or ""
    if own:
        current = own[0]
    rate = check_step_rate(fields.get("step_rate") or rate)
    given = [text for track, text in bases if track != target]
    # a continuation's track has two bars whatever its bases' length: the generator checks
    refusal = generation_refusal(rate, len(given[0])) if given and not own else ""
    if refusal:
        raise ValueError(refusal)
    surprise = fields.get("surprise")
    complexity = fields.get("complexity")
    return GenerateRequest(
        target=target,
        bases=tuple((t, p) for t, p in bases if t != target),
        current=current,
        continuation=bool(own),
        n=int(fields.get("n") or 1),
        seed=None if fields.get("seed") is None else int(fields["seed"]),
        surprise=DEFAULT_SURPRISE if surprise is None else float(surprise),
        complexity=None if complexity is None else float(complexity),
        rate=rate,
    )


_FIELDS = (
    "instrument",
    "basis_instrument",
    "basis",
    "current",
    "n",
    "seed",
    "surprise",
    "complexity",
    "step_rate",
    "length",
)


def _batch(generator: Generator, path: Path, history: list[tuple[str, ...]],
           rate: str) -> int:
    """Answer each JSON line in order; a bad line gets ``{"error": ...}``, not an abort.

    A line's ``"history"`` (a list of bars as in ``--history``) conditions that
    line alone, in place of ``history``; its ``"step_rate"`` replaces ``rate``.
    """
    failures = 0
    with path.open() as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                fields = json.loads(line)
                if not isinstance(fields, dict):
                    raise ValueError("each line must be a JSON object")
                own = _line_history(fields.pop("history", None))
                request = request_from_fields(fields, rate)
                if own is not None:
                    generator.set_history(*history_arrays(own))
                try:
                    result = generator.generate(request)
                finally:
                    if own is not None:
                        generator.set_history(*history_arrays(history))
            except (ValueError, TypeError, KeyError) as error:
                result = GenerateResult(0, -1, (), (), f"{path}:{number}: {error}")
            if result.error:
                failures += 1
                print(json.dumps({"error": result.error}), flush=True)
            else:
                print(json.dumps(_answer(result, bool(fields.get("probs")))), flush=True)
    return 1 if failures else 0


def _line_history(value: Any) -> list[tuple[str, ...]] | None:
    if value is None:
        return None
    if not isinstance(value, list):
        raise ValueError("history must be a list of bars")
    bars: list[tuple[str, ...]] = []
    for k, fields in enumerate(value, start=1):
        try:
            bars += bars_from_fields(fields)
        except ValueError as error:
            raise ValueError(f"history bar {k}: {error}") from None
    return bars


def _answer(result: GenerateResult, probs: bool) -> dict[str, Any]:
    answer: dict[str, Any] = {"patterns": list(result.patterns)}
    if probs:
        answer["probs"] = [round(p, 4) for p in result.probs]
    return answer


# --- priors -------------------------------------------------------------------------------


def _build_command(args: argparse.Namespace) -> int:
    if not (args.midi or args.presets or args.starter):
        print("priors build: give --midi, --presets and/or --starter", file=sys.stderr)
        return 2
    out = args.out or args.add_to
    if out is None:
        print("priors build: give --out, or --add-to an existing store", file=sys.stderr)
        return 2
    if not args.weight > 0:
        print(f"priors build: --weight must be above 0, got {args.weight}", file=sys.stderr)
        return 2
    sources = []
    described = []
    try:
        if args.midi:
            sources += _build.midi_sources(args.midi, args.split)
            described.append(f"MIDI {args.midi}" + (f" ({args.split})" if args.split else ""))
        if args.presets:
            sources += _build.preset_sources(args.presets)
            described.append(f"presets {args.presets}")
        if args.starter:
            sources += _build.starter_sources()
            described.append(_build.STARTER)
        if args.add_to is not None:
            existing = _store.read(args.add_to)
            added = _build.as_library(sources, " + ".join(described), args.weight)
            before = existing.meta.get("description", "")
            _build.build(
                out, [*existing.sources, *added], f"{before} + library {' + '.join(described)}"
            )
        else:
            _build.build(out, sources, " + ".join(described))
            if args.midi:  # a library's drumming is learned as patterns, not as a groove
                _build_groove(args.midi, args.split, out, described[0])
    except (ValueError, _store.StoreError) as error:
        print(f"priors build: {error}", file=sys.stderr)
        return 1
    print(f"built {out}: {_counted(sources)}")
    return 0


def _counted(sources: list[Source]) -> str:
    """The bars built, those of sixteenths first, then each triplet grid's."""
    counts = grid_counts(sources)
    said = [f"{counts.pop(DEFAULT_STEP_RATE)[1]} bars"]
    said += [f"{_bars(rate, units)} at {rate} from {n} takes"
             for rate, (n, units) in counts.items()]
    return "; ".join(said)


def _bars(rate: str, units: int) -> str:
    """``units`` of ``rate`` as bars (at 1/16T a bar is two units)."""
    per_bar = bar_steps(rate) // GENERATION_UNIT[rate]
    return f"{units} bars" if per_bar == 1 else f"{units // per_bar} bars ({units} half bars)"


def _build_groove(folder: Path, split: str | None, priors: Path, description: str) -> None:
    """The groove model of the same MIDI, in its store beside the priors."""
    takes = groove.read_takes(folder, split)
    if not takes:
        raise ValueError(f"no 4/4 MIDI file in {folder} has drum notes to learn a groove from")
    path = groove.beside(priors)
    groove.write(path, groove.build(takes), description)
    print(f"built {path}: groove of {len(takes)} takes")


def _fetch_command(args: argparse.Namespace) -> int:
    out = args.out or _store.default_path()
    with tempfile.TemporaryDirectory(prefix="supertonic-gmd-") as scratch:
        archive = Path(scratch) / "gmd.zip"
        try:
            _download(args.url, archive)
            with zipfile.ZipFile(archive) as zipped:
                zipped.extractall(scratch)
        except (OSError, zipfile.BadZipFile) as error:
            print(f"priors fetch: cannot get {args.url}: {error}", file=sys.stderr)
            return 1
        infos = sorted(Path(scratch).rglob("info.csv"))
        folder = infos[0].parent if infos else Path(scratch)
        try:
            sources = _build.midi_sources(folder)
        except ValueError as error:
            print(f"priors fetch: {error}", file=sys.stderr)
            return 1
        _build.build(out, sources, f"Groove MIDI Dataset from {args.url}")
    print(f"built {out}: {_counted(sources)}")
    return 0


def _download(url: str, target: Path) -> None:
    with urllib.request.urlopen(url, timeout=60) as response, target.open("wb") as f:
        total = int(response.headers.get("Content-Length") or 0)
        chunk = 1 << 20

        def chunks() -> Any:
            while block := response.read(chunk):
                yield block

        blocks = chunks()
        if total:
            blocks = progress(blocks, -(-total // chunk), "downloading (MB)")
        for block in blocks:
            f.write(block)


def _info_command(args: argparse.Namespace) -> int:
    path = args.db or _store.default_path()
    try:
        store = _store.read(path)
    except _store.StoreError as error:
        print(f"priors info: {error}", file=sys.stderr)
        return 1
    print(f"store:       {path} ({path.stat().st_size / 1e6:.1f} MB)")
    for key in ("description", "built_at", "sources", "bars"):
        print(f"{key + ':':<12} {store.meta.get(key, '?')}")
    known = (store.corpus.hits >= 0).sum(0)
    print("bars/track:  " + ", ".join(f"{t} {k}" for t, k in zip(TRACKS, known, strict=True)))
    for rate in GENERATION_UNIT:
        sources, units = grid_counts(store.sources).get(rate, (0, 0))
        said = (f"{_bars(rate, units)} from {sources} sources" if units
                else "none (generation there answers from the starter corpus)")
        print(f"{'at ' + rate + ':':<12} {said}")
    for name, sources, bars, weight in store.collections():
        print(f"source:      {name}: {sources} songs/patterns, {bars} bars, weight {weight:g}")
    return 0


def _eval_command(args: argparse.Namespace) -> int:
    generator = Generator(_build.open_store(args.db or _store.default_path()))
    try:
        generator = generator.at(args.step_rate)
        corpus = Corpus.from_sources(_build.midi_sources(args.midi, args.split),
                                     args.step_rate)
        if not len(corpus):
            raise ValueError(f"{args.midi} holds no takes in triplets to score at "
                             f"{args.step_rate}")
    except ValueError as error:
        print(f"priors eval: {error}", file=sys.stderr)
        return 1
    if args.history_bars < 0:
        print("priors eval: --history-bars must be 0 or more", file=sys.stderr)
        return 2
    scores = _eval.score_all(generator, corpus, history_bars=args.history_bars)
    if args.json:
        for s in scores:
            print(json.dumps({"basis": TRACKS[s.basis], "target": TRACKS[s.target], **_row(s)}))
        return 0
    print(f"{'basis -> target':<20} {'bars':>6} {'NLL bits':>9} {'F1':>6} {'no result':>10}")
    for s in scores:
        pair = f"{TRACKS[s.basis]} -> {TRACKS[s.target]}"
        print(f"{pair:<20} {s.bars:>6} {s.nll:>9.3f} {s.f1:>6.3f} {s.no_result:>10.1%}")
    return 0


def _row(score: _eval.PairScore) -> dict[str, Any]:
    return {
        "bars": score.bars,
        "nll": round(score.nll, 4),
        "f1": round(score.f1, 4),
        "no_result": score.no_result,
    }
