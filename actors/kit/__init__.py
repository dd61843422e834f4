"""Drums and kits: the model, Microtonic and JSON reading and writing, tracks and morphing.

Microtonic presets (``.mtpreset``, ``.mtpg``) load as a :class:`Kit` with
:func:`load_kit`; single drum patches (``.mtdrum``, ``.mtdp``) as a :class:`Drum`
with :func:`load_drum`. Every reader raises :class:`KitError` with a
``file:line:column`` message. :func:`kit_tracks`, :func:`pattern_text` and
:func:`fill_text` turn an eight-channel kit into supertonic's five tracks.
"""

from ._errors import KitError
from ._json import drum_from_json, drum_to_json, dumps_json, kit_from_json
from ._model import CHANNELS, PATTERN_NAMES, Channel, Drum, Kit, Pattern
from ._morph import CONTINUOUS, from_normalised, morph, to_normalised
from ._parse import load_drum, load_kit, parse_drum, parse_kit
from ._tracks import DEFAULT_CHANNEL_MAP, chain, fill_text, kit_tracks, pattern_text
from ._write import dumps_microtonic

__all__ = [
    "CHANNELS",
    "CONTINUOUS",
    "DEFAULT_CHANNEL_MAP",
    "PATTERN_NAMES",
    "Channel",
    "Drum",
    "Kit",
    "KitError",
    "Pattern",
    "chain",
    "drum_from_json",
    "drum_to_json",
    "dumps_json",
    "dumps_microtonic",
    "fill_text",
    "from_normalised",
    "kit_from_json",
    "kit_tracks",
    "load_drum",
    "load_kit",
    "morph",
    "parse_drum",
    "parse_kit",
    "pattern_text",
    "to_normalised",
]
