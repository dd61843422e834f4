"""``supertonic build``: compile the SuperCollider sources, surfacing sclang's errors."""

from __future__ import annotations

import argparse
import logging
import sys

from ._synthdefs import SynthDefBuildError, ensure_synthdefs

log = logging.getLogger(__name__)


def register_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    build = sub.add_parser(
        "build", help="compile scd/defs/*.scd into SynthDefs",
        description="Compile every scd/defs/*.scd with sclang (under a timeout, since sclang "
        "hangs silently on an error) into the SynthDef cache the engine loads from. "
        "`run` does this by itself when the sources changed.",
    )
    build.set_defaults(func=build_command)


def build_command(args: argparse.Namespace) -> int:
    try:
        out = ensure_synthdefs()
    except SynthDefBuildError as exc:
        print(f"supertonic build: {exc}", file=sys.stderr)
        return 1
    names = sorted(p.stem for p in out.glob("*.scsyndef"))
    print(f"{len(names)} SynthDefs in {out}")
    return 0
