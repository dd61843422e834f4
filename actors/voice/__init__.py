"""The supertonic drum voice: which SynthDef plays a drum, with which controls.

The voice itself is ``scd/defs/voice.scd`` (built by
:func:`actors.engine_bridge.ensure_synthdefs`); its header states every law.
A hit is ``voice_request(name, controls, velocity, at, group)`` (from
:mod:`actors.engine_bridge`) with ``name, controls = voice_for(drum)``: it
sounds on sample ``at`` of the server's count, frees itself after
:func:`voice_length` seconds, and ``choke_request(group, at)`` fades it out
over 2 ms from sample ``at``. :func:`scd_text` writes a kit as a SuperCollider file that
plays it through the same defs and controls.
"""

from ._mapping import synthdef_name, voice_for, voice_length
from ._scd import scd_text

__all__ = ["scd_text", "synthdef_name", "voice_for", "voice_length"]
