"""The Link options of ``supertonic run`` and the configuration they make."""

from __future__ import annotations

import argparse
import dataclasses

from ._core import DEFAULT_QUANTUM, QuantumError, check_quantum


@dataclasses.dataclass(frozen=True)
class LinkConfig:
    quantum: float = DEFAULT_QUANTUM
    """Beats per phase: a start lands on the next multiple of it."""
    start_stop: bool = True
    """Start and stop with the peers that share start/stop, and make them follow ours."""


def _quantum(text: str) -> float:
    try:
        return check_quantum(float(text))
    except (QuantumError, ValueError) as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def register_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("Ableton Link (with --clock link)")
    group.add_argument(
        "--link-quantum",
        type=_quantum,
        metavar="BEATS",
        help="beats per Link phase, 1-32: playing starts on the next multiple of it, "
        "in phase with the other peers (default: the session's link_quantum, 4 unless "
        "it says otherwise; also on the global page)",
    )
    group.add_argument(
        "--link-start-stop",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="start and stop with the Link peers that share start/stop, and make them "
        "follow ours (default: on)",
    )


def link_config(args: argparse.Namespace) -> LinkConfig | None:
    """The Link configuration, or ``None`` unless ``--clock link`` asks for Link."""
    if args.clock != "link":
        return None
    quantum = DEFAULT_QUANTUM if args.link_quantum is None else args.link_quantum
    return LinkConfig(quantum=quantum, start_stop=args.link_start_stop)
