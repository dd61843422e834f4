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
HISTORY_WEIGHT = Range(0.0, 4.0)
"""How much a session's own bars count in generation: 0 the store alone, 1 as learned
from data (cross-validated), more to lean on them harder."""
UNIT = Range(0.0, 1.0)
"""The whole travel of a knob: a track's morph between its patches, generation's surprise
and complexity, a drum parameter's knob position."""
GROOVE = Range(0.0, 1.0)
"""A groove amount, global or one track's, for timing and for dynamics: 0 the exact grid
and the pattern's own velocities, 1 the learned timing and velocities."""
GROOVE_MARGIN = 0.010
"""Seconds of the lookahead an early (grooved) hit must leave: offsets earlier than the
lookahead minus this are clamped (-40 ms at the 50 ms lookahead). Early hits are sent
with the step before theirs, so this is not what lets them arrive in time."""

STEPS = 32
"""Steps a track holds: two bars of sixteenths. A track plays the first ``length`` of them."""
LENGTH = Range(1, STEPS)
"""Steps a track plays before it starts over; each track loops on its own (polymeter)."""
CHAIN_PAGES = 11
"""Pages a track may play after its own before it starts over: a Microtonic chain of
all twelve patterns a-l, each a page, is the longest there is."""
BAR_STEPS = 16
"""Steps of one bar at 1/16, the unit the generator learns and a pad capture takes."""
TICKS_PER_BEAT = 24
"""MIDI clock ticks per quarter note; every step rate is a whole number of them."""
BAR_TICKS = 4 * TICKS_PER_BEAT
"""Ticks of a 4/4 bar, whatever the step rate."""
SIXTEENTHS_PER_BEAT = 4
SIXTEENTH_TICKS = TICKS_PER_BEAT // SIXTEENTHS_PER_BEAT
"""Ticks of a sixteenth: the unit of MIDI's song position pointer, and of the clock's
positions from outside (a master's Follow, a Locate, a Link start)."""
STEP_RATES: dict[str, int] = {"1/8": 12, "1/8T": 8, "1/16": 6, "1/16T": 4, "1/32": 3}
"""Microtonic's step rates, each as the ticks one step lasts."""
DEFAULT_STEP_RATE = "1/16"
"""The rate of a fresh session, and of every session file written before rates existed."""
REST, HIT, ACCENT, FILL = "-", "x", "X", "f"
"""Pattern text: a rest, a hit, an accent; fill text: ``f`` on a step that rolls, ``-``
elsewhere."""
VELOCITY_HIT = 64
VELOCITY_ACCENT = 127
STEP_VELOCITY: dict[str, int] = {REST: 0, HIT: VELOCITY_HIT, ACCENT: VELOCITY_ACCENT}
"""The velocity each pattern character plays."""
STEP_CHARACTER: dict[int, str] = {v: c for c, v in STEP_VELOCITY.items()}
"""The pattern character of each velocity a step can hold."""


def check_length(length: int) -> int:
    """``length`` if it is a whole number of steps in :data:`LENGTH`, else ``ValueError``."""
    if isinstance(length, bool) or not isinstance(length, int) or not LENGTH.holds(length):
        raise ValueError(f"a track's length is a whole number {LENGTH} steps, got {length!r}")
    return length


def sixteenth_place(ticks: int, column: int) -> float:
    """Where step ``column`` of a bar at a rate of ``ticks`` (per step) falls, in
    sixteenths from the bar's start: on one at 1/16 and 1/8, between two at 1/8T and
    1/16T and on every other step at 1/32."""
    return column * ticks / SIXTEENTH_TICKS


def check_step_rate(rate: str) -> str:
    """``rate`` if it is one of :data:`STEP_RATES`, else ``ValueError``."""
    if not isinstance(rate, str) or rate not in STEP_RATES:
        raise ValueError(f"step rate {rate!r} is not one of {', '.join(STEP_RATES)}")
    return rate


GENERATION_UNIT: dict[str, int] = {"1/16": BAR_STEPS, "1/8T": 12, "1/16T": 12}
"""Steps of the unit the generator learns at each rate it answers: a bar of sixteenths,
a bar of eighth triplets, half a bar of sixteenth triplets (each fits one 16-bit mask)."""
GENERATION_LENGTHS: dict[str, tuple[int, ...]] = {"1/16": (BAR_STEPS, STEPS),
                                                  "1/8T": (12, 24), "1/16T": (24,)}
"""The lengths a generated track may have at each rate: one or two bars (at 1/16T one
bar, two units). Continuation answers the second unit of a two-unit track."""


def generation_refusal(rate: str, length: int, continuation: bool = False,
                       chained: bool = False) -> str:
    """Why generation cannot answer a track of ``length`` steps at ``rate`` ("" when it
    can): it learnt bars of sixteenths and of triplets (:data:`GENERATION_LENGTHS`);
    anything else would be a pattern for another grid, played wrong. A track that plays
    a chain after its steps would keep playing the chain, which the answer knows
    nothing of."""
    if chained:
        return "generation answers a track's own steps; this one plays a chain after them"
    if rate not in GENERATION_LENGTHS:
        return (f"generation answers {', '.join(GENERATION_LENGTHS)} steps only (it learnt "
                f"bars of sixteenths and of triplets), not {rate}")
    unit = GENERATION_UNIT[rate]
    wanted = (2 * unit,) if continuation else GENERATION_LENGTHS[rate]
    if length not in wanted:
        return (f"generation answers {' or '.join(map(str, wanted))} steps at {rate}; "
                f"the track plays {length}")
    return ""


def bar_steps(rate: str) -> int:
    """Steps of one 4/4 bar at ``rate``: 8, 12, 16, 24 or 32."""
    return BAR_TICKS // STEP_RATES[rate]


def frequency_knob(hz: float) -> float:
    """Microtonic's frequency knob: position 0-1 of ``hz``, even in octaves over
    :data:`FREQUENCY` (out-of-range frequencies clamp)."""
    return math.log(FREQUENCY.clamp(hz) / FREQUENCY.low) / math.log(FREQUENCY.high / FREQUENCY.low)


def knob_frequency(knob: float) -> float:
    """The frequency at knob position ``knob`` (clamped to 0-1): ``20 * 1000^knob`` Hz."""
    return FREQUENCY.low * math.pow(FREQUENCY.high / FREQUENCY.low, min(max(knob, 0.0), 1.0))
