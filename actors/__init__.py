"""supertonic: an introspective drum machine built from cooperating trio actors.

Data flows input (``ui``) -> ``clock`` -> ``sequencer`` -> ``engine_bridge`` ->
scsynth, with the ``generator`` beside the sequencer; ``kit`` is the shared
vocabulary of drums and presets, and ``messages`` the only thing actors pass.
"""
