"""Introspection: generate one track's pattern from others, from a store of real bars.

The store (``priors``) is an SQLite file of drum bars from MIDI (e.g. the
Groove MIDI Dataset), Microtonic kits or the shipped starter corpus; the
generator answers from it by kernel-weighted nearest neighbours, in a worker
process that the trio machine talks to through :func:`open_generator`.
"""

from actors.messages import DEFAULT_SURPRISE, TRACKS, GenerateRequest, GenerateResult

from ._actor import generator_actor
from ._build import open_store
from ._client import GeneratorClient, GeneratorError, Superseded, open_generator
from ._generate import Generator
from ._midi import DrumPart, MidiFile, TrackHit, find_midi, read_drum_part
from ._patterns import lhl, toussaint
from ._progress import progress
from ._store import default_path

__all__ = [
    "DEFAULT_SURPRISE",
    "TRACKS",
    "DrumPart",
    "GenerateRequest",
    "GenerateResult",
    "Generator",
    "GeneratorClient",
    "GeneratorError",
    "MidiFile",
    "Superseded",
    "TrackHit",
    "default_path",
    "find_midi",
    "generator_actor",
    "lhl",
    "open_generator",
    "open_store",
    "progress",
    "read_drum_part",
    "toussaint",
]
