"""The clock's pure state: transport, tempo and the step-time formula.

Step times are never accumulated from sleeps. Every tempo or transport change
records an *anchor* (a time and the position in steps at that time); step n
then falls at ``anchor_time + (n - anchor_position) * step_duration``. A tempo
change re-anchors at the current position, so the beat bends without a jump
and no rounding error can build up over a long set. A step rate change
re-anchors the same way: positions count steps of the rate in force, and only
a MIDI song position (:class:`Locate`, :class:`Follow`) counts sixteenths.

A song position becomes steps as if the whole song had run at the rate in force
(a master at the same rate is then on the same step). A rate changed while a
master leads keeps the step under way, as it does alone: the steps are moved by
a constant from then on, until the master next says where the song is (a start
or a song position pointer).
"""

from __future__ import annotations

import logging
import math

from actors.messages import (
    Continue,
    Follow,
    Locate,
    Message,
    SetQuantum,
    SetStepRate,
    SetTempo,
    Start,
    Step,
    Stop,
)
from actors.rules import (
    DEFAULT_STEP_RATE,
    DEFAULT_TEMPO,
    SIXTEENTH_TICKS,
    STEP_RATES,
    TEMPO,
    TICKS_PER_BEAT,
    check_step_rate,
)

log = logging.getLogger(__name__)

EMIT_AHEAD = 0.010
"""Seconds before its time that a step is handed on, so a late wake-up of the
clock task still leaves the whole pipeline its lookahead."""


class TempoError(ValueError):
    pass


def check_bpm(bpm: float) -> float:
    if not TEMPO.holds(bpm):
        raise TempoError(f"tempo {bpm} BPM is outside {TEMPO}")
    return float(bpm)


class ClockCore:
    def __init__(self, bpm: float = DEFAULT_TEMPO, rate: str = DEFAULT_STEP_RATE) -> None:
        self.bpm = check_bpm(bpm)
        self.ticks = STEP_RATES[check_step_rate(rate)]
        """MIDI clock ticks one step lasts: the step rate."""
        self.playing = False
        self.next_step = 0
        self._downbeat_due = False
        """A start's first step is still to be handed on."""
        self._anchor_time = 0.0
        self._anchor_position = 0.0
        self._shift = 0.0
        """Steps added to a master's running position since a rate change (see above)."""

    @property
    def step_duration(self) -> float:
        return 60.0 / self.bpm * self.ticks / TICKS_PER_BEAT

    def position(self, now: float) -> float:
        """Position in steps; it stands still while stopped."""
        if not self.playing:
            return self._anchor_position
        return self._anchor_position + (now - self._anchor_time) / self.step_duration

    def step_time(self, index: int) -> float:
        return self._anchor_time + (index - self._anchor_position) * self.step_duration

    def next_emit_time(self) -> float:
        """When the next step is due to be handed on; infinity while stopped."""
        if not self.playing:
            return math.inf
        return self.step_time(self.next_step) - EMIT_AHEAD

    def apply(self, message: Message, now: float) -> None:
        """Obey a transport or tempo message arriving at ``now``; a tempo out of range
        is refused with a warning and the beat goes on."""
        match message:
            case Start(position=position):
                self._shift = 0.0
                self.start(now, self._steps(position))
            case Stop():
                self.stop(now)
            case Continue():
                self.continue_(now)
            case SetTempo(bpm=bpm):
                try:
                    self.set_tempo(now, bpm)
                except TempoError as exc:
                    log.warning("%s; tempo stays %g BPM", exc, self.bpm)
            case SetStepRate(rate=rate):
                try:
                    self.set_step_rate(now, rate)
                except ValueError as exc:
                    log.warning("%s; the step rate stays as it was", exc)
            case Locate(position=position):
                self._shift = 0.0
                self.locate(now, self._steps(position))
            case Follow(time=time, position=position, bpm=bpm):
                try:
                    self.follow(time, self._steps(position) + self._shift, bpm)
                except TempoError as exc:
                    log.warning("master clock: %s; keeping %g BPM", exc, self.bpm)
            case SetQuantum():
                pass  # a Link phase: only the Link actor in front of the clock keeps one
            case _:
                log.warning("clock ignores %r", message)

    def pop_step(self) -> Step:
        step = Step(self.next_step, self.step_time(self.next_step), self.step_duration,
                    self.ticks)
        self.next_step += 1
        self._downbeat_due = False
        return step

    def start(self, now: float, position: float = 0.0) -> None:
        """Play from step 0, standing at ``position`` steps now: a negative one waits
        for step 0 (a Link start on its quantum); step 0 is never skipped."""
        self._reanchor(now, position)
        self.next_step = 0
        self._downbeat_due = True
        self.playing = True

    def stop(self, now: float) -> None:
        self._reanchor(now, self.position(now))
        self.playing = False

    def continue_(self, now: float) -> None:
        """Resume at the stopped position; steps already handed on are not repeated."""
        self._reanchor(now, self._anchor_position)
        self.next_step = max(self.next_step, math.ceil(self._anchor_position))
        self.playing = True

    def set_tempo(self, now: float, bpm: float) -> None:
        bpm = check_bpm(bpm)
        self._reanchor(now, self.position(now))
        self.bpm = bpm

    def set_step_rate(self, now: float, rate: str) -> None:
        """Steps from now on last ``rate``; the step under way keeps its place."""
        ticks = STEP_RATES[check_step_rate(rate)]
        position = self.position(now)
        unshifted = position - self._shift  # the master's position, in the old steps
        self._reanchor(now, position)
        self._shift = position - unshifted * self.ticks / ticks
        self.ticks = ticks

    def locate(self, now: float, position: float) -> None:
        """Move to ``position``; the next step handed on is the first at or after it."""
        self._reanchor(now, position)
        self.next_step = math.ceil(position)

    def follow(self, time: float, position: float, bpm: float) -> None:
        """Re-anchor on an external master's estimate of where it is at ``time``.

        Steps already handed on stay as they were. A step not yet handed on that
        the master has passed by less than half a step is played at once; one it
        passed by more is skipped rather than rushed - except a start's first
        step, which every track begins on: a master's news comes a lookahead
        ahead, which is more than half a step when steps are short (1/32, 1/16T).
        """
        self.bpm = check_bpm(bpm)
        self._reanchor(time, position)
        if not self._downbeat_due:
            self.next_step = max(self.next_step, math.ceil(position - 0.5))

    def _steps(self, sixteenths: float) -> float:
        return sixteenths * SIXTEENTH_TICKS / self.ticks

    def _reanchor(self, now: float, position: float) -> None:
        self._anchor_time = now
        self._anchor_position = position
