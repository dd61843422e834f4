"""``supertonic convert``: kits between Microtonic text, supertonic JSON and SuperCollider.

The SuperCollider writer is the voice's (:func:`actors.voice.scd_text`), which reads the
kit package; this module sits above both, so neither imports the other back.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from actors import kit as kit_package
from actors.voice import scd_text


def register_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "convert",
        help="convert a kit file",
        description="Read a Microtonic preset (.mtpreset, .mtpg) or a supertonic kit (.json) "
        "and write it in another format.",
    )
    parser.add_argument("file", type=Path, help="the kit to read")
    parser.add_argument(
        "--to", required=True, choices=("json", "microtonic", "scd"), help="output format"
    )
    parser.add_argument("--out", type=Path, help="file to write (default: standard output)")
    parser.set_defaults(func=_convert)


def _convert(args: argparse.Namespace) -> int:
    writers: dict[str, Callable[[kit_package.Kit], str]] = {
        "json": kit_package.dumps_json,
        "microtonic": kit_package.dumps_microtonic,
        "scd": scd_text,
    }
    writer = writers[args.to]
    try:
        text = writer(kit_package.load_kit(args.file))
    except (kit_package.KitError, OSError) as exc:
        print(exc, file=sys.stderr)
        return 1
    if args.out is None:
        sys.stdout.write(text)
    else:
        # newline="" keeps the CRLF line ends Microtonic's own files use.
        args.out.write_text(text, encoding="utf-8", newline="")
    return 0
