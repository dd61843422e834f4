"""The command-line options of the control surfaces."""

from __future__ import annotations

import argparse
from pathlib import Path

from ._files import Places

DEFAULT_OSC_HOST = "127.0.0.1"
DEFAULT_OSC_PORT = 10112
"""Next to matron's 10111 on a norns, and clear of scsynth (57110) and sclang (57120)."""


def register_options(parser: argparse.ArgumentParser) -> None:
    defaults = Places.default()
    parser.add_argument("--ui", choices=("headless", "terminal", "osc"), default="headless",
                        help="the control surface: none (play at once), the full-screen "
                        "terminal UI, or OSC (a norns or any OSC controller; see "
                        "actors/ui/README.md) (default %(default)s)")
    parser.add_argument("--osc-host", default=DEFAULT_OSC_HOST, metavar="HOST",
                        help="address the OSC surface listens on (default %(default)s; "
                        "0.0.0.0 opens it to the network)")
    parser.add_argument("--osc-port", type=int, default=DEFAULT_OSC_PORT, metavar="PORT",
                        help="UDP port of the OSC surface (default %(default)s)")
    parser.add_argument("--kits", type=Path, default=defaults.kits, metavar="DIR",
                        help="folder of Microtonic presets the UI offers (default %(default)s)")
    parser.add_argument("--sessions", type=Path, default=defaults.sessions, metavar="DIR",
                        help="folder the UI saves sessions to and loads them from "
                        "(default %(default)s)")


def places_from_options(args: argparse.Namespace) -> Places:
    return Places(kits=args.kits, sessions=args.sessions)
