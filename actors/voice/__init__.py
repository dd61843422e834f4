"""The supertonic drum voice: which SynthDef plays a drum, with which controls.

The voice itself is ``scd/defs/voice.scd`` (built by
:func:`actors.engine_bridge.ensure_synthdefs`); its header states every law.
A hit is ``SynthNew(name, -1, ADD_TO_TAIL, group, (*controls, "vel", velocity))``
with ``name, controls = voice_for(drum)``; it frees itself after
:func:`voice_length` seconds, and ``NodeSet(node_or_group, ("gate", 0))`` chokes
it within 5 ms.
"""

from ._mapping import synthdef_name, voice_for, voice_length

__all__ = ["synthdef_name", "voice_for", "voice_length"]
