"""The MIDI clock master: 24-ppqn ticks and transport, timed like the audio.

Every message is sent when its moment is *heard*: a step's ticks at its time
plus the bridge's lookahead, six per step, spaced at that step's duration (the
tempo in force), so a slave playing on our ticks plays with our audio.
Starting, continuing and locating are announced at the moment the transport
changed plus the lookahead, ahead of the first tick they concern; a stop is
sent when the audio stops, and ticks the audio will not reach are withdrawn.
"""

from __future__ import annotations

import math

from actors.messages import Message, Step, Transport

from ._follower import TICKS_PER_STEP
from ._input import CLOCK, CONTINUE, SONG_POSITION, START, STOP
from ._schedule import Data, Schedule


def song_position(step: int) -> Data:
    """MIDI's song position pointer: 14 bits of sixteenths, low seven bits first."""
    return (SONG_POSITION, step & 0x7F, step >> 7 & 0x7F)


class ClockOutCore:
    def __init__(self, lookahead: float) -> None:
        self.lookahead = lookahead
        self.schedule = Schedule()
        self.playing = False
        self._next_step = 0

    def receive(self, message: Message) -> None:
        match message:
            case Transport(playing=True, position=position, time=time):
                when = time + self.lookahead
                first = math.ceil(position - 1e-9)  # the first whole step still to come
                self.schedule.drop_from(when)
                if first == 0:
                    self.schedule.add(when, (START,))
                else:
                    self.schedule.add(when, song_position(first))
                    if not self.playing:
                        self.schedule.add(when, (CONTINUE,))
                self.playing = True
                self._next_step = first
            case Transport(playing=False, time=time):
                when = time + self.lookahead
                self.schedule.drop_from(when)
                self.schedule.add(when, (STOP,))
                self.playing = False
            case Step(index=index, time=time, duration=duration) if self.playing:
                when = time + self.lookahead
                # ticks still due from the previous step at an older tempo go just before
                self.schedule.bring_forward(when)
                if index != self._next_step:  # the clock skipped to catch up with its master
                    self.schedule.add(when, song_position(index))
                for tick in range(TICKS_PER_STEP):
                    self.schedule.add(when + tick * duration / TICKS_PER_STEP, (CLOCK,))
                self._next_step = index + 1
