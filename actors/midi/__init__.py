"""MIDI in and out: transport from any input, a clock slave that lands on its master's
beat, a clock master, hits as notes, and pads captured as a track's basis.

Wire :func:`midi_actor` into the machine and :func:`register_options` /
:func:`midi_config` into ``supertonic run``.
"""

from ._actor import midi_actor
from ._capture import CaptureCore
from ._follower import ClockFollower
from ._input import CLOCK_TIMEOUT, ClockMode, InputCore
from ._master import ClockOutCore
from ._minimax import minimax_fit
from ._notes import DEFAULT_NOTES, GATE, NoteMap, NotesOutCore
from ._options import MidiConfig, midi_config, register_options

__all__ = [
    "CLOCK_TIMEOUT",
    "DEFAULT_NOTES",
    "GATE",
    "CaptureCore",
    "ClockFollower",
    "ClockMode",
    "ClockOutCore",
    "InputCore",
    "MidiConfig",
    "NoteMap",
    "NotesOutCore",
    "midi_actor",
    "midi_config",
    "minimax_fit",
    "register_options",
]
