"""The crow options of ``supertonic run`` and the configuration they make."""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path

from ._core import DEFAULT_OUTPUTS, MAX_VOLTS, MIN_VOLTS, CrowError, GateShape, parse_output_option


@dataclasses.dataclass(frozen=True)
class CrowConfig:
    device: Path | None = None
    """The serial port; ``None`` finds a crow by its USB id (and again after a replug)."""
    outputs: tuple[tuple[int, int], ...] = tuple(DEFAULT_OUTPUTS.items())
    """(track, output 1-4) pairs: which track's hits fire which output."""
    shape: GateShape = dataclasses.field(default_factory=GateShape)


def _volts(text: str) -> float:
    try:
        volts = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected volts, got {text!r}") from None
    if not MIN_VOLTS <= volts <= MAX_VOLTS:
        raise argparse.ArgumentTypeError(
            f"crow voltage {volts:g} V is outside {MIN_VOLTS:g} to {MAX_VOLTS:g} V")
    return volts


def _milliseconds(text: str) -> float:
    try:
        ms = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected milliseconds, got {text!r}") from None
    try:
        GateShape(length=ms / 1000)
    except CrowError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return ms


def register_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("crow (monome's USB CV module)")
    group.add_argument(
        "--crow", nargs="?", const="auto", metavar="DEVICE",
        help="send a gate per hit to crow: found by its USB id, or at DEVICE "
        "(e.g. /dev/ttyACM0); an unplugged crow is picked up again when it returns")
    group.add_argument(
        "--crow-output", type=parse_output_option, action="append", default=[],
        metavar="TRACK=OUTPUT",
        help="the crow output (1-4, or none) a track's hits fire (repeatable; default "
        "kick, snare, hihat, openhat to outputs 1-4)")
    group.add_argument("--crow-gate", type=_milliseconds, default=10.0, metavar="MS",
                       help="gate length, 1-1000 ms (default %(default)g)")
    group.add_argument("--crow-volts", type=_volts, default=5.0, metavar="V",
                       help="gate voltage, -5 to 10 V (default %(default)g)")
    group.add_argument("--crow-accent-volts", type=_volts, metavar="V",
                       help="accented hits' gate voltage (default: --crow-volts)")


def crow_config(args: argparse.Namespace) -> CrowConfig | None:
    """The crow configuration, or ``None`` without ``--crow``."""
    if args.crow is None:
        return None
    outputs = dict(DEFAULT_OUTPUTS)
    for track, output in args.crow_output:
        outputs.pop(track, None)
        if output is not None:
            outputs[track] = output
    return CrowConfig(
        device=None if args.crow == "auto" else Path(args.crow),
        outputs=tuple(sorted(outputs.items())),
        shape=GateShape(args.crow_gate / 1000, args.crow_volts, args.crow_accent_volts),
    )
