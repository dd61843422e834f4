"""The ranges and laws that more than one actor applies, each stated once.

The session refuses a command outside them, the surfaces and OSC clamp a knob or refuse
a packet with them, the session file and the kit reader check or clamp a value to them,
and the clock and the MIDI follower keep the tempo inside them. Were each to keep its own
copy, one change would let a value that one actor accepts be refused, or silently moved,
by the next. The norns script (``norns/supertonic.lua``) repeats none of them: it only
forwards keys and encoders and shows the frames the OSC surface draws.
"""

from __future__ import annotations

import math
from typing import NamedTuple


class Range(NamedTuple):
    """A closed interval ``low``-``high``; NaN is never inside it."""

    low: float
    high: float

    def holds(self, value: float) -> bool:
        return self.low <= value <= self.high

    def clamp(self, value: float) -> float:
        return min(max(value, self.low), self.high)

    def __str__(self) -> str:
        return f"{self.low:g}-{self.high:g}"


TEMPO = Range(20.0, 300.0)
"""BPM, as Microtonic allows."""
DEFAULT_TEMPO = 120.0
"""BPM of a fresh session, and of a kit that carries none (user-saved presets)."""
SWING = Range(0.0, 1.0)
"""Microtonic swing of one track, 0 straight to 1 (100 %); the files write percent."""
FILL_RATE = Range(2.0, 8.0)
"""Hits per step in a fill roll, Microtonic's FillRate."""
FREQUENCY = Range(20.0, 20000.0)
"""Hz: the audible band, which every frequency knob spans (the low-pass and a drum's
oscillator, noise filter and EQ)."""
LOWPASS_FREQUENCY = FREQUENCY
"""Cutoff of the global low-pass on the output."""
LOWPASS_OPEN = LOWPASS_FREQUENCY.high
"""A cutoff this high leaves the output unfiltered (the filter is not even running)."""
LOWPASS_RESONANCE = Range(0.0, 1.0)
"""0 none, 1 the most the global low-pass allows."""
UNIT = Range(0.0, 1.0)
"""The whole travel of a knob: a track's morph between its patches, generation's surprise
and complexity, a drum parameter's knob position."""
GROOVE = Range(0.0, 1.0)
"""A groove amount, global or one track's, for timing and for dynamics: 0 the exact grid
and the pattern's own velocities, 1 the learned timing and velocities."""
GROOVE_MARGIN = 0.030
"""Seconds of the lookahead an early (grooved) hit must leave: offsets earlier than the
lookahead minus this are clamped."""

STEPS = 32
"""Steps of a track: two bars of sixteenths."""
BAR_STEPS = 16
"""Steps of one bar, the unit the generator learns and a pad capture takes."""
REST, HIT, ACCENT, FILL = "-", "x", "X", "f"
"""Pattern text: a rest, a hit, an accent; fill text: ``f`` on a step that rolls, ``-``
elsewhere."""
VELOCITY_HIT = 64
VELOCITY_ACCENT = 127
STEP_VELOCITY: dict[str, int] = {REST: 0, HIT: VELOCITY_HIT, ACCENT: VELOCITY_ACCENT}
"""The velocity each pattern character plays."""
STEP_CHARACTER: dict[int, str] = {v: c for c, v in STEP_VELOCITY.items()}
"""The pattern character of each velocity a step can hold."""


def frequency_knob(hz: float) -> float:
    """Microtonic's frequency knob: position 0-1 of ``hz``, even in octaves over
    :data:`FREQUENCY` (out-of-range frequencies clamp)."""
    return math.log(FREQUENCY.clamp(hz) / FREQUENCY.low) / math.log(FREQUENCY.high / FREQUENCY.low)


def knob_frequency(knob: float) -> float:
    """The frequency at knob position ``knob`` (clamped to 0-1): ``20 * 1000^knob`` Hz."""
    return FREQUENCY.low * math.pow(FREQUENCY.high / FREQUENCY.low, min(max(knob, 0.0), 1.0))
