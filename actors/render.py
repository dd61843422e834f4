"""Offline rendering: the live machine's own cores and requests, written as a score.

The clock's step formula, the sequencer's hits and the bridge's hit requests
are the very functions the live actors use; only the sink differs (a score
for ``scsynth -N`` instead of UDP), which is why a render and a live
recording of one session agree to the sample.
"""

from __future__ import annotations

from pathlib import Path

from actors.clock import ClockCore
from actors.engine_bridge import Bundle, LoadDefDir, Voice, hit_requests, render_score
from actors.engine_bridge._core import node_requests, sample_count
from actors.messages import SetVoice
from actors.sequencer import SequencerCore
from actors.session import Session, SessionCore, To, full_state

STEPS_PER_BAR = 16
TAIL = 0.05
"""Seconds after the longest-ringing voice ends, so the file closes on silence."""


def performance(session: Session, bars: int, sample_rate: int,
                voices: tuple[Voice, ...] | None = None) -> tuple[list[Bundle], float]:
    """The bundles of ``bars`` bars from time 0, and when the last voice has ended.

    The session's state reaches the sequencer and the voices exactly as the
    session actor sends it live; ``voices`` overrides the sound (for clicks).
    A score's clock synth starts on sample 0, so a hit's sample is its time's;
    stamped with that time, scsynth starts it within its block, in time.
    """
    sequencer = SequencerCore()
    session_voices: dict[int, Voice] = {}
    for target, message in full_state(SessionCore(session).session):
        if target is To.SEQUENCER:
            sequencer.apply(message)
        elif isinstance(message, SetVoice):
            session_voices[message.track] = Voice.from_message(message)
    voices = voices or tuple(session_voices[t] for t in sorted(session_voices))
    clock = ClockCore(session.tempo)
    clock.start(0.0)
    bundles = []
    end = 0.0
    for _ in range(bars * STEPS_PER_BAR):
        for hit in sequencer.hits(clock.pop_step()):
            voice = voices[hit.track]
            at = sample_count(hit.time * sample_rate)
            bundles.append(Bundle(hit.time, hit_requests(hit, voice, at)))
            end = max(end, hit.time + voice.length)
    return bundles, end + TAIL


def render_session(session: Session, synthdefs: Path, bars: int, out: Path,
                   sample_rate: int = 48000, voices: tuple[Voice, ...] | None = None) -> float:
    """Render to ``out``; returns the file's length in seconds."""
    bundles, end = performance(session, bars, sample_rate, voices)
    setup = Bundle(0.0, (LoadDefDir(str(synthdefs)), *node_requests()))
    render_score([setup, *bundles], end, out, sample_rate=sample_rate)
    return end
