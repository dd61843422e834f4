"""Each track as a MIDI note: sent out for every hit, and recognised coming in.

Notes go out when the hit is heard (its time plus the bridge's lookahead),
with the hit's velocity (accents louder), and end after a short gate.
Drum modules mostly ignore note-offs, but a gate keeps synths and
recorders tidy; a new hit on a note still sounding ends the old note first.
"""

from __future__ import annotations

import argparse
import dataclasses

from actors.messages import TRACKS, Hit

from ._schedule import Schedule

NOTE_ON = 0x90
NOTE_OFF = 0x80
GATE = 0.02
"""Seconds a note lasts: shorter than the shortest gap between two hits on one
track (a swung 1/16 at 300 BPM), so a note always ends before it comes again."""


@dataclasses.dataclass(frozen=True)
class NoteMap:
    channel: int
    """0-15 (MIDI channel 10, General MIDI's drums, is 9)."""
    note: int


DEFAULT_NOTES = (NoteMap(9, 36), NoteMap(9, 38), NoteMap(9, 42), NoteMap(9, 46), NoteMap(9, 39))
"""General MIDI drums in track order: kick, snare, closed and open hi-hat, clap."""


def parse_note_option(text: str) -> tuple[int, NoteMap]:
    """``TRACK=NOTE`` or ``TRACK=NOTE/CHANNEL`` (channel 1-16, default 10) for argparse."""
    name, sep, value = text.partition("=")
    note_text, _, channel_text = value.partition("/")
    try:
        if not sep or name not in TRACKS:
            raise ValueError
        note, channel = int(note_text), int(channel_text or 10)
        if not (0 <= note <= 127 and 1 <= channel <= 16):
            raise ValueError
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected TRACK=NOTE[/CHANNEL] with TRACK one of {', '.join(TRACKS)}, NOTE 0-127 "
            f"and CHANNEL 1-16, got {text!r}"
        ) from None
    return TRACKS.index(name), NoteMap(channel - 1, note)


class NotesOutCore:
    def __init__(self, notes: tuple[NoteMap, ...], lookahead: float) -> None:
        self.notes = notes
        self.lookahead = lookahead
        self.schedule = Schedule()

    def receive(self, hit: Hit) -> None:
        mapping = self.notes[hit.track]
        when = hit.time + self.lookahead
        off = (NOTE_OFF | mapping.channel, mapping.note, 0)
        self.schedule.bring_forward(when, off)
        self.schedule.add(
            when, (NOTE_ON | mapping.channel, mapping.note, max(1, min(127, hit.velocity)))
        )
        self.schedule.add(when + GATE, off)
