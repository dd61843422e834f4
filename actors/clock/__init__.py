"""The clock actor: transport and tempo, emitting each step ahead of its exact time."""

from ._actor import clock_actor
from ._core import EMIT_AHEAD, ClockCore, TempoError, check_bpm

__all__ = [
    "EMIT_AHEAD",
    "ClockCore",
    "TempoError",
    "check_bpm",
    "clock_actor",
]
