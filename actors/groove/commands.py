"""``supertonic groove``: the groove model from the command line (batch answers and
evaluation); ``supertonic priors build --midi`` builds its store."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import _batch, _eval, _store, _takes
from ._load import load_model


def register_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    groove = sub.add_parser(
        "groove", help="the groove model: timing and dynamics learned from drummers",
        description="Answer groove requests (--batch) or evaluate the model (eval).")
    groove.add_argument("--batch", type=Path, metavar="FILE.jsonl",
                        help="one JSON request per line, one JSON answer per line (README: "
                        "Groove)")
    groove.add_argument("--store", type=Path, metavar="STORE",
                        help="a groove store (default: the one beside the user's prior store, "
                        "else the shipped GMD model)")
    groove.set_defaults(func=_batch_command)
    actions = groove.add_subparsers(dest="groove_command", metavar="ACTION")
    evaluate = actions.add_parser("eval", help="timing and velocity figures on held-out MIDI")
    evaluate.add_argument("--midi", type=Path, required=True, help="a folder of drum MIDI files")
    evaluate.add_argument("--split", help="with GMD's info.csv: the held-out split")
    evaluate.add_argument("--store", type=Path, metavar="STORE", help="the model to judge")
    evaluate.set_defaults(func=_eval_command)


def _batch_command(args: argparse.Namespace) -> int:
    if args.batch is None:
        print("groove: give --batch FILE.jsonl, or the eval action", file=sys.stderr)
        return 2
    try:
        model = load_model(args.store)
        with args.batch.open() as lines:
            failures = _batch.answer_lines(model, lines, sys.stdout)
    except (OSError, _store.GrooveStoreError) as error:
        print(f"groove: {error}", file=sys.stderr)
        return 1
    return 1 if failures else 0


def _eval_command(args: argparse.Namespace) -> int:
    try:
        model = load_model(args.store)
        takes = _takes.read_takes(args.midi, args.split)
    except (OSError, ValueError, _store.GrooveStoreError) as error:
        print(f"groove eval: {error}", file=sys.stderr)
        return 1
    print(_eval.report(_eval.evaluate(model, takes)))
    return 0
