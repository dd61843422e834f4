"""The sequencer actor: five 32-step tracks turned into time-stamped hits."""

from ._actor import sequencer_actor
from ._core import SequencerCore, Track, swing_delay
from ._groove import (
    answer_now,
    apply_groove,
    bar_pattern,
    grooved,
    is_groove,
    needs_learning,
    plan_next_bar,
)
from ._patterns import PatternError, parse_fills, parse_pattern, pattern_text

__all__ = [
    "PatternError",
    "SequencerCore",
    "Track",
    "answer_now",
    "apply_groove",
    "bar_pattern",
    "grooved",
    "is_groove",
    "needs_learning",
    "parse_fills",
    "parse_pattern",
    "pattern_text",
    "plan_next_bar",
    "sequencer_actor",
    "swing_delay",
]
