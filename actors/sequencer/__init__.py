"""The sequencer actor: five 32-step tracks turned into time-stamped hits."""

from ._actor import sequencer_actor
from ._core import SequencerCore, Track, swing_delay
from ._patterns import PatternError, parse_fills, parse_pattern, pattern_text

__all__ = [
    "PatternError",
    "SequencerCore",
    "Track",
    "parse_fills",
    "parse_pattern",
    "pattern_text",
    "sequencer_actor",
    "swing_delay",
]
