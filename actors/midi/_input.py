"""What MIDI real-time messages ask of the clock: transport, song position, and (as
a clock slave) where the master's beat is.

In ``midi`` clock mode the clock is told, at every tick, where it must stand
*now* so that what it plays is heard on the master's beat: hits sound
``lookahead`` after their time, so the clock's position now is the master's
position ``lookahead`` from now. Its steps therefore fall ``lookahead``
before the master's, and their audio exactly on them.

The song position is counted in ticks as the MIDI spec has it: the first tick
after a start is position 0, a continue resumes at the tick after the last one
played (or where a song position pointer put it), and a stop freezes it.

When the clock stops arriving while playing (``CLOCK_TIMEOUT``), the clock
keeps playing at the last tempo and phase it was told: a pulled cable should
not stop a performance. When ticks come back they are matched to the nearest
tick of that free-running beat, so a master that kept playing is rejoined in
phase without a jump.
"""

from __future__ import annotations

import math
from typing import Literal

from actors.messages import Continue, Follow, Locate, Message, Start, Stop
from actors.rules import SIXTEENTH_TICKS

from ._follower import ClockFollower

CLOCK = 0xF8
START = 0xFA
CONTINUE = 0xFB
STOP = 0xFC
SONG_POSITION = 0xF2
CLOCK_TIMEOUT = 1.0
"""Seconds without a tick that count as the master's clock being lost."""

ClockMode = Literal["internal", "midi", "link"]


class InputCore:
    """Turns (arrival time, port, message bytes) into messages for the clock."""

    def __init__(self, mode: ClockMode, lookahead: float) -> None:
        self.mode = mode
        self.lookahead = lookahead
        self.follower = ClockFollower()
        self.playing = False
        self.lost = False
        """The master's clock stopped arriving while playing (cleared when it returns)."""
        self.clock_port: str | None = None
        """The port whose ticks are followed: the first to send any, until it falls silent."""
        self._last_tick = -1
        self._last_time = -math.inf
        self._next_song_tick = 0
        self._origin = 0
        """The absolute tick number of song position 0 in the current run."""
        self._last_follow: Follow | None = None

    def silence_deadline(self) -> float:
        """When the clock counts as lost if no tick arrives; infinity if it cannot be."""
        if self.mode != "midi" or not self.playing or self.lost or self._last_tick < 0:
            return math.inf
        return self._last_time + CLOCK_TIMEOUT

    def clock_timed_out(self) -> None:
        self.lost = True

    def song_position(self) -> float:
        """Where the next tick will put the master, in sixteenths (MIDI's unit, whatever
        our step rate: the clock converts)."""
        return self._next_song_tick / SIXTEENTH_TICKS

    def receive(self, time: float, port: str, data: tuple[int, ...]) -> list[Message]:
        status = data[0]
        if status == CLOCK:
            return self._tick(time, port)
        if status == START:
            self._next_song_tick = 0
            return self._play(time, [Start()])
        if status == CONTINUE:
            if self.mode == "internal":
                return self._play(time, [Continue()])
            return self._play(time, [Locate(self.song_position()), Continue()])
        if status == STOP:
            if self.playing and self.mode == "midi":
                self._next_song_tick = self._last_tick + 1 - self._origin
            self.playing = False
            return [Stop()]
        if status == SONG_POSITION and len(data) == 3:
            sixteenths = data[1] | data[2] << 7
            messages: list[Message] = [Locate(float(sixteenths))]
            if self.mode == "midi":
                self._next_song_tick = sixteenths * SIXTEENTH_TICKS
                self._origin = self._last_tick + 1 - self._next_song_tick
                if self.playing and self.follower.locked:
                    messages.append(self._follow(time))
            return messages
        return []

    def _play(self, time: float, messages: list[Message]) -> list[Message]:
        self.playing = True
        if self.mode == "midi":
            self._origin = self._last_tick + 1 - self._next_song_tick
            # a master that kept its clock running while stopped can be followed at once
            if self.follower.locked and time - self._last_time < CLOCK_TIMEOUT:
                messages.append(self._follow(time))
        return messages

    def _tick(self, time: float, port: str) -> list[Message]:
        if self.mode != "midi":
            return []
        silent = time - self._last_time > CLOCK_TIMEOUT
        if port != self.clock_port:
            if not silent:
                return []  # a second master; the first one keeps the lead
            self.clock_port = port
        tick = self._last_tick + 1
        if silent:
            if self.lost and self._last_follow is not None:
                tick = max(tick, round(self._free_running_tick(self._last_follow, time)))
            self.follower.restart()
            self.lost = False
        self._last_tick, self._last_time = tick, time
        if not self.follower.add(tick, time) or not self.playing or not self.follower.locked:
            return []
        return [self._follow(time)]

    def _follow(self, time: float) -> Follow:
        """Where the clock must stand at ``time``: the master's position a lookahead on."""
        master_tick = self.follower.tick_at(time + self.lookahead)
        self._last_follow = Follow(
            time, (master_tick - self._origin) / SIXTEENTH_TICKS, self.follower.bpm(master_tick)
        )
        return self._last_follow

    def _free_running_tick(self, follow: Follow, time: float) -> float:
        """The master tick at ``time`` on the beat the clock kept since ``follow``."""
        sixteenths = follow.position + (time - self.lookahead - follow.time) * follow.bpm / 15.0
        return self._origin + sixteenths * SIXTEENTH_TICKS
