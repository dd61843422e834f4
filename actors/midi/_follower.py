"""Tempo *and phase* of a MIDI clock master, predicted ahead from tick arrival times.

A slave that schedules its hits ahead of time has to know where the master's
next beats will fall before they come, not merely how fast the ticks came so
far. The follower fits a curve to the arrival times of the recent ticks and
extrapolates it:

- a straight line (steady tempo) over the last four beats, fitted minimax
  (see ``_minimax``): bounded jitter averages out as 1/N, so with +-1 ms
  jitter the tempo is within 0.05 BPM after a few beats and the predicted
  beat within 0.06 ms (SD), a tenth of the jitter;
- a parabola (a tempo ramp: the tick period changing steadily) over the last
  two beats, used only while the parabola fits the four beats clearly better
  than the line does. The test is relative to the line's own spread, so
  jitter alone (of any size) almost never passes it, while a DAW's tempo
  ramp passes it within about half a beat of starting.

A tick far off the curve (a scheduling stall in the sending or receiving
process, an xrun, or a sudden tempo change) is set aside rather than allowed
to bend the fit; several in a row that keep a steady tempo among themselves
mean the master changed, and the fit restarts from them. If instead they keep
the fitted tempo but sit a whole number of ticks off it, ticks were lost on
the way (JACK drops MIDI in an xrun) or doubled, and the count is corrected:
MIDI clock carries no tick numbers, and a slave that kept counting from the
slip would play a tick off the master's beat for good. What counts as far
is measured against the jitter seen over the last few beats, not against the
current fit, which a sudden change would widen until it let itself in.
"""

from __future__ import annotations

import collections

import numpy as np

from actors.rules import TEMPO, TICKS_PER_BEAT

from ._minimax import minimax_fit

LINE_WINDOW = 4 * TICKS_PER_BEAT
RAMP_WINDOW = 2 * TICKS_PER_BEAT
RAMP_MIN_TICKS = 12
"""A parabola needs enough ticks that its curvature is not just the last tick's jitter."""
RAMP_TEST = 0.15
"""The parabola is used when it narrows the four beats' residual band by more
than this fraction of the line's band."""
LOCK_TICKS = 3
"""Ticks needed before the follower will predict anything (two intervals)."""
GATE_FLOOR = 0.002
"""Seconds a tick may stray from the prediction beyond twice the jitter seen so far."""
RELOCK_AFTER = 4
"""Consecutive stray ticks that mean the master changed, not a stall."""
SLIP_TOLERANCE = 0.25
"""Ticks by which set-aside ticks may miss a whole-tick offset and still be a slip."""
GATE_AFTER = TICKS_PER_BEAT
"""Ticks a fit needs before it judges strays: a fit of a few ticks extrapolates too
loosely to tell a stall from its own error."""
LATE_BAND = 1.25
LATE_FLOOR = 0.0002
"""A tick later than the fit by more than this many jitter half-widths plus this many
seconds is held out as late (a JACK xrun or a stall delayed it a period or more):
jitter is bounded, and a minimax fit, which only the extremes hold up, would move
by half the delay for the whole window."""


class ClockFollower:
    """Fed the arrival time of every tick, numbered; answers where any tick falls.

    Tick numbers are the caller's (absolute, counted since it started
    listening); they must increase, and may skip when the caller knows ticks
    were missed. Answers are in the master's count: the caller's plus the
    ticks the follower found lost.
    """

    def __init__(self) -> None:
        self._ticks: collections.deque[tuple[int, float]] = collections.deque(maxlen=LINE_WINDOW)
        self._strays: list[tuple[int, float]] = []
        self._origin = (0, 0.0)
        self._curve = np.zeros(3)
        self._bands: collections.deque[float] = collections.deque(maxlen=LINE_WINDOW)
        """Half the width of each fit's residuals, for judging strays."""
        self._slip = 0
        """Ticks the caller's count is behind the master's (lost ticks)."""
        self._late: tuple[int, float] | None = None
        """The last tick, if it was held out as late."""

    @property
    def locked(self) -> bool:
        return len(self._ticks) >= LOCK_TICKS and self.tick_period(self._origin[0]) > 0

    def restart(self) -> None:
        """Forget every tick: the master went silent and may come back at any tempo."""
        self._ticks.clear()
        self._strays.clear()
        self._bands.clear()
        self._slip = 0
        self._late = None

    def add(self, tick: int, time: float) -> bool:
        """Take one tick's arrival; returns ``False`` when it was set aside as a stray."""
        tick += self._slip
        limit = GATE_FLOOR + 2 * self._jitter()
        if len(self._ticks) >= GATE_AFTER and abs(time - self.tick_time(tick)) > limit:
            self._strays.append((tick, time))
            if len(self._strays) < RELOCK_AFTER:
                return False
            if not _regular(self._strays):  # a stall's bunched ticks: wait for steady ones
                del self._strays[0]
                return False
            slip = self._count_slip()
            if slip:
                self._slip += slip
                self._ticks.extend((k + slip, t) for k, t in self._strays)
            else:
                self._ticks.clear()
                self._ticks.extend(self._strays)
        elif self._is_late(tick, time) and self._late is None:
            self._late = (tick, time)
            return False
        else:
            # a late tick followed by another is the master moving, not a delay
            if self._late is not None and self._is_late(tick, time):
                self._ticks.append(self._late)
            self._late = None
            self._ticks.append((tick, time))
        self._strays.clear()
        if len(self._ticks) >= 2:
            self._fit()
        return True

    def tick_time(self, tick: float) -> float:
        """When the master's tick ``tick`` (fractional: between ticks) falls."""
        base_tick, base_time = self._origin
        x = tick - base_tick
        c = self._curve
        return float(base_time + c[0] + c[1] * x + c[2] * x * x)

    def tick_period(self, tick: float) -> float:
        """Seconds per tick at ``tick``."""
        return float(self._curve[1] + 2 * self._curve[2] * (tick - self._origin[0]))

    def bpm(self, tick: float) -> float:
        return 60.0 / (TICKS_PER_BEAT * self.tick_period(tick))

    def tick_at(self, time: float) -> float:
        """The (fractional) tick the master stands at at ``time``: the curve inverted."""
        tick = self._origin[0] + (time - self.tick_time(self._origin[0])) / self.tick_period(
            self._origin[0]
        )
        for _ in range(3):  # Newton; the curve is nearly straight, so this is plenty
            tick -= (self.tick_time(tick) - time) / self.tick_period(tick)
        return tick

    def _fit(self) -> None:
        ticks = np.array([k for k, _ in self._ticks], dtype=float)
        times = np.array([t for _, t in self._ticks])
        last_tick, last_time = self._ticks[-1]
        x, y = ticks - last_tick, times - last_time
        self._origin = (last_tick, last_time)
        curve = np.zeros(3)
        if len(x) < 3:
            curve[1] = y[0] / x[0]  # two ticks: their interval, until a third arrives
            self._curve = curve
            return
        line, band = minimax_fit(x, y, 1)
        curve[:2] = line
        if len(x) >= RAMP_MIN_TICKS:
            _, parabola_band = minimax_fit(x, y, 2)
            if band - parabola_band > RAMP_TEST * band:
                recent = slice(-RAMP_WINDOW, None)
                curve, _ = minimax_fit(x[recent], y[recent], 2)
            band = parabola_band  # the jitter, not the line's misfit of a ramp
        self._curve = curve
        self._bands.append(band)

    def _is_late(self, tick: int, time: float) -> bool:
        limit = LATE_FLOOR + LATE_BAND * self._jitter()
        return len(self._ticks) >= GATE_AFTER and time - self.tick_time(tick) > limit

    def _count_slip(self) -> int:
        """Whole ticks by which the set-aside ticks sit off the fit, if they all do."""
        offsets = [(t - self.tick_time(k)) / self.tick_period(k) for k, t in self._strays]
        slip = round(sum(offsets) / len(offsets))
        if all(abs(offset - slip) < SLIP_TOLERANCE for offset in offsets):
            return slip
        return 0

    def _jitter(self) -> float:
        """The jitter's half-width over the last few beats: a median, so that the
        ticks of a sudden tempo change, which no curve fits, cannot widen the gate
        meant to catch them."""
        return float(np.median(self._bands)) if self._bands else 0.0


def _regular(ticks: list[tuple[int, float]]) -> bool:
    """Whether stray ticks keep a playable tempo among themselves, as a master's do."""
    x = np.array([k for k, _ in ticks], dtype=float)
    y = np.array([t for _, t in ticks])
    (_, period), band = minimax_fit(x - x[-1], y - y[-1], 1)
    if band > GATE_FLOOR or period <= 0:
        return False
    return TEMPO.holds(60.0 / (TICKS_PER_BEAT * period))
