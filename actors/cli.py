"""The ``supertonic`` command: each subsystem registers its own sub-commands."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from actors import commands as machine_commands
from actors.engine_bridge import commands as engine_commands
from actors.generator import commands as generator_commands
from actors.groove import commands as groove_commands
from actors.kit import commands as kit_commands


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="supertonic",
        description="An introspective drum machine: five tracks played through its own "
        "SuperCollider drum voice, which can generate one track from another.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug detail")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in (machine_commands, engine_commands, kit_commands, generator_commands,
                   groove_commands):
        module.register_commands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(name)s %(levelname)s: %(message)s",
        stream=sys.stderr,
    )
    return int(args.func(args) or 0)
