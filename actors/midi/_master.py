"""The MIDI clock master: 24-ppqn ticks and transport, timed like the audio.

Every message is sent when its moment is *heard*: a step's ticks at its time
plus the bridge's lookahead, as many as the step rate gives a step (6 at 1/16,
8 at 1/8T, 3 at 1/32), spaced at that step's duration (the tempo in force), so a
slave playing on our ticks plays with our audio. Starting, continuing and
locating are announced at the moment the transport changed plus the lookahead,
ahead of the first tick they concern; a stop is sent when the audio stops, and
ticks the audio will not reach are withdrawn.

The song position pointer counts sixteenths, which a triplet step need not
start on: the position sent is the first sixteenth at or after the step, and
the ticks before it are withheld, so the slave's next tick is that sixteenth's.
A step becomes a position as if the whole song had run at the rate in force, the
clock's law (``actors.clock``), so a slave at our rate finds our step even after
a mid-song rate change.
"""

from __future__ import annotations

import math

from actors.messages import Message, Step, Transport
from actors.rules import SIXTEENTH_TICKS

from ._input import CLOCK, CONTINUE, SONG_POSITION, START, STOP
from ._schedule import Data, Schedule


def song_position(sixteenth: int) -> Data:
    """MIDI's song position pointer: 14 bits of sixteenths, low seven bits first."""
    return (SONG_POSITION, sixteenth & 0x7F, sixteenth >> 7 & 0x7F)


class ClockOutCore:
    def __init__(self, lookahead: float) -> None:
        self.lookahead = lookahead
        self.schedule = Schedule()
        self.playing = False
        self._next_step = 0
        self._next_tick = 0
        """The tick (from song position 0) the next step starts on."""
        self._withheld_until = 0
        """Ticks before this one are not sent: the slave was told a later position."""

    def receive(self, message: Message) -> None:
        match message:
            case Transport(playing=True, position=position, time=time, ticks=ticks):
                when = time + self.lookahead
                first = math.ceil(position - 1e-9)  # the first whole step still to come
                self.schedule.drop_from(when)
                self._next_step = first
                self._next_tick = first * ticks
                if first == 0:
                    self.schedule.add(when, (START,))
                    self._withheld_until = 0
                else:
                    self._locate(when)
                    if not self.playing:
                        self.schedule.add(when, (CONTINUE,))
                self.playing = True
            case Transport(playing=False, time=time):
                when = time + self.lookahead
                self.schedule.drop_from(when)
                self.schedule.add(when, (STOP,))
                self.playing = False
            case Step(index=index, time=time, duration=duration, ticks=ticks) if self.playing:
                when = time + self.lookahead
                # ticks still due from the previous step at an older tempo go just before
                self.schedule.bring_forward(when)
                if index != self._next_step:  # the clock skipped to catch up with its master
                    self._next_tick = index * ticks  # where a slave at our rate finds it
                    self._locate(when)
                for tick in range(ticks):
                    if self._next_tick + tick >= self._withheld_until:
                        self.schedule.add(when + tick * duration / ticks, (CLOCK,))
                self._next_step = index + 1
                self._next_tick += ticks

    def _locate(self, when: float) -> None:
        sixteenth = -(-self._next_tick // SIXTEENTH_TICKS)
        self.schedule.add(when, song_position(sixteenth))
        self._withheld_until = sixteenth * SIXTEENTH_TICKS
