"""Hardware (ALSA) MIDI devices made visible to JACK, where ALSA exists.

The lead's jackd start adds :func:`jackd_midi_args` after ``-d DRIVER``; the
machine runs :func:`alsa_midi_bridge` beside the MIDI actor when it did not
start jackd itself (or started it on a driver without a bridge).
"""

from ._bridge import alsa_midi_bridge, alsa_sequencer, jackd_midi_args

__all__ = ["alsa_midi_bridge", "alsa_sequencer", "jackd_midi_args"]
