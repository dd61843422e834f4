"""The MIDI options of ``supertonic run`` and the configuration they make."""

from __future__ import annotations

import argparse
import dataclasses

from ._input import ClockMode
from ._notes import DEFAULT_NOTES, NoteMap, parse_note_option


@dataclasses.dataclass(frozen=True)
class MidiConfig:
    clock: ClockMode = "internal"
    """``midi``: follow the tempo and phase of a MIDI clock master."""
    inputs: tuple[str, ...] = ()
    """Name fragments of the MIDI sources to listen to; empty: every source."""
    clock_out: str | None = None
    """Name fragment of the destination our clock and transport are sent to."""
    notes_out: str | None = None
    """Name fragment of the destination every hit is sent to as a note."""
    notes: tuple[NoteMap, ...] = DEFAULT_NOTES
    """Each track's note, going out and coming in (a played bar becomes its basis)."""
    partner_channel: int | None = None
    """0-15: every note-on on this channel is a live partner's onset, which the groove
    follows (its ``follow`` amount); ``None``: no partner."""


def register_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("MIDI (JACK MIDI ports)")
    group.add_argument(
        "--clock",
        choices=("internal", "midi", "link"),
        default="internal",
        help="internal: play at our own tempo; midi: wait for a MIDI start and "
        "follow the master's clock, landing on its beat; link: join the Ableton Link "
        "session on the network and play on its beat (default %(default)s)",
    )
    group.add_argument(
        "--midi-in",
        action="append",
        default=[],
        metavar="NAME",
        help="listen only to MIDI sources whose name contains NAME (repeatable; "
        "default: every source, including ones plugged in while playing)",
    )
    group.add_argument(
        "--midi-clock-out",
        metavar="NAME",
        help="send our clock, start/stop/continue and song position to the "
        "first MIDI destination whose name contains NAME",
    )
    group.add_argument(
        "--midi-notes-out",
        metavar="NAME",
        help="send every hit as a note to the first MIDI destination whose name contains NAME",
    )
    group.add_argument(
        "--midi-note",
        type=parse_note_option,
        action="append",
        default=[],
        metavar="TRACK=NOTE[/CHANNEL]",
        help="a track's note, sent for its hits and recognised from a pad, whose "
        "last bar played becomes that track's basis (repeatable; default General "
        "MIDI drums on channel 10: kick 36, snare 38, hihat 42, openhat 46, "
        "clap 39)",
    )
    group.add_argument(
        "--partner-channel",
        type=_channel,
        metavar="CHANNEL",
        help="follow a live partner: every note-on on this MIDI channel (1-16) is their "
        "onset, matched to our nearest hit; how strongly is the groove's follow amount "
        "(--follow)",
    )


def _channel(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 16:
        raise argparse.ArgumentTypeError(f"expected a MIDI channel 1-16, got {text!r}")
    return int(text) - 1


def midi_config(args: argparse.Namespace) -> MidiConfig:
    notes = list(DEFAULT_NOTES)
    for track, mapping in args.midi_note:
        notes[track] = mapping
    return MidiConfig(
        clock=args.clock,
        inputs=tuple(args.midi_in),
        clock_out=args.midi_clock_out,
        notes_out=args.midi_notes_out,
        notes=tuple(notes),
        partner_channel=args.partner_channel,
    )
