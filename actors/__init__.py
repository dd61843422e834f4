"""supertonic: an introspective drum machine built from cooperating trio actors.

Transport goes from the surfaces (``ui``) and ``midi`` straight to the ``clock``, whose
steps the ``sequencer`` turns into hits for the ``engine_bridge`` and so scsynth. Edits
go from the same inputs to the ``session``, which owns everything a player can change
and tells the clock (tempo), the sequencer (patterns), the bridge (voices, low-pass) and
the surfaces (its state); the ``generator`` sits beside the session, answering its
requests from a worker process. ``messages`` is the only thing actors pass; ``kit`` and
``voice`` are the drums' vocabulary and their SuperCollider side; ``rules`` holds the
ranges and laws several of them apply.
"""
