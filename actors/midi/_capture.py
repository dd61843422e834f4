"""A bar of a player's notes, captured as a track's pattern: a basis to generate from.

A player taps along with what they *hear*, and a step is heard a lookahead
after its time; so each note is placed on the step whose sound it is nearest
to. A bar is complete once no later note could still round into it (half a
step after its last step sounds); each track that was played in it is then
reported as a pattern of the bar's steps at the step rate (16 at 1/16, 12 at 1/8T).
"""

from __future__ import annotations

import collections
import math

from actors.messages import BasisCaptured, Step
from actors.rules import ACCENT, BAR_TICKS, HIT, REST, STEP_RATES

from ._notes import NoteMap

ACCENT_FROM = 96
"""Velocities from here up are accents: about half-way from the velocity the machine plays
a hit at (:data:`~actors.rules.VELOCITY_HIT`) to an accent's."""
_RECENT_STEPS = 2 * BAR_TICKS // min(STEP_RATES.values())


class CaptureCore:
    def __init__(self, notes: tuple[NoteMap, ...], lookahead: float) -> None:
        self.tracks = {(m.channel, m.note): track for track, m in enumerate(notes)}
        self.lookahead = lookahead
        self._steps: collections.deque[Step] = collections.deque(maxlen=_RECENT_STEPS)
        self._bars: dict[int, dict[int, list[int]]] = {}
        """bar -> track -> velocity per step of the bar (0: not played)."""
        self._ends: dict[int, float] = {}
        """bar -> when it is complete."""

    def step(self, step: Step) -> None:
        if self._steps and step.index != self._steps[-1].index + 1:
            # the transport jumped: half-played bars would mix two places in the song
            self._steps.clear()
            self._bars.clear()
            self._ends.clear()
        self._steps.append(step)
        steps = BAR_TICKS // step.ticks
        if step.index % steps == steps - 1:
            bar = step.index // steps
            self._ends[bar] = step.time + self.lookahead + step.duration / 2

    def note(self, time: float, channel: int, note: int, velocity: int) -> None:
        """A note-on heard at ``time``; notes not mapped to a track are ignored."""
        track = self.tracks.get((channel, note))
        if track is None or not self._steps:
            return
        last = self._steps[-1]
        # at slow tempos a note may anticipate a step the clock has not sent yet
        coming = Step(last.index + 1, last.time + last.duration, last.duration, last.ticks)
        nearest = min((*self._steps, coming), key=lambda s: abs(time - s.time - self.lookahead))
        if abs(time - nearest.time - self.lookahead) > nearest.duration / 2:
            return  # nowhere near a step that sounded: the transport is stopped
        steps = BAR_TICKS // nearest.ticks
        bar, column = divmod(nearest.index, steps)
        velocities = self._bars.setdefault(bar, {}).setdefault(track, [0] * steps)
        velocities[column] = max(velocities[column], velocity)

    def next_time(self) -> float:
        return min(self._ends.values(), default=math.inf)

    def due(self, now: float) -> list[BasisCaptured]:
        captured = []
        for bar in sorted(b for b, end in self._ends.items() if end <= now):
            del self._ends[bar]
            for track, velocities in sorted(self._bars.pop(bar, {}).items()):
                text = "".join(
                    REST if v == 0 else ACCENT if v >= ACCENT_FROM else HIT for v in velocities
                )
                captured.append(BasisCaptured(track, text))
        return captured
