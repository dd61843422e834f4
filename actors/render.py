"""Offline rendering: the live machine's own cores, played into a score.

The session core routes its state (and any edits) exactly as the session
actor does live, to the clock core, the sequencer core and the bridge core;
the bridge core's bundles go to a score sink instead of the UDP link. No
message kind has a path of its own here, so none can be forgotten: a render
and a live recording of one session agree to the sample.

A render is exactly its bars long, so it drops into a DAW on the grid; the
ring-out after the last bar can be kept (``tail``) or folded onto the start
(``loop``). A loop is what the bars sound like played round and round: the
bars are played as often as the longest ring-out needs and the last time
round is kept, so earlier rounds ring into it and choke as they would live
(adding the ring-out onto the start would let a choked tail ring on).
"""

from __future__ import annotations

import dataclasses
import enum
import logging
import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import trio

from actors import kit as kits
from actors.clock import ClockCore
from actors.engine_bridge import (
    DEFAULT_LOOKAHEAD,
    LEAD,
    SILENT_BUS,
    BridgeCore,
    Bundle,
    ExactPlacement,
    LoadDefDir,
    ScoreSink,
    Voice,
    write_float_wav,
)
from actors.groove import GrooveAnswers, GrooveCore, GrooveModel
from actors.messages import TRACKS, Hits, LoadKit, Message
from actors.rules import BAR_TICKS
from actors.sequencer import (
    SequencerCore,
    answer_now,
    apply_groove,
    grooved,
    is_groove,
    plan_next_bar,
)
from actors.session import Routed, Session, SessionCore, To, full_state

log = logging.getLogger(__name__)

TAIL = 0.05
"""Seconds after the longest-ringing voice ends, so a tail closes on silence."""
PRE_ROLL = LEAD
"""Samples of the score before the first step (cut from the file): a live server's
nodes have run for a while when the beat starts, and here too the first hits are
stamped their lead early and the low-pass has settled into its first block."""

Edit = tuple[float, Message]
"""A session command given ``float`` seconds after the first step: it changes what
the steps handed on after that moment play, and a low-pass change is heard a
lookahead later, exactly as a player's edit does live."""


class Ending(enum.Enum):
    BARS = "bars"
    """Exactly the bars; what rings on past them is cut."""
    TAIL = "tail"
    """The bars, then the ring-out until the last voice has ended."""
    LOOP = "loop"
    """Exactly the bars, with the ring-out of the rounds before: seamless as a loop."""


@dataclasses.dataclass(frozen=True)
class Performance:
    sink: ScoreSink
    bar_starts: tuple[float, ...]
    """When each bar's first step falls, and (last) when the bars end."""
    ring_end: float
    """When the last voice has ended, plus :data:`TAIL`, or the bars' end if later."""

    @property
    def bars_end(self) -> float:
        return self.bar_starts[-1]


async def perform(session: Session, synthdefs: Path, bars: int, sample_rate: int,
                  voices: tuple[Voice, ...] | None = None, edits: Sequence[Edit] = (),
                  heard_tracks: frozenset[int] | None = None,
                  groove: GrooveModel | None = None,
                  lookahead: float = DEFAULT_LOOKAHEAD) -> Performance:
    """Play ``bars`` bars of ``session`` from time 0 into a score.

    ``voices`` overrides the sound (sample-exact clicks for tests); ``heard_tracks``
    sends the other tracks to a silent bus (a stem). ``groove`` is the model the
    session's groove plays, asked here for each bar where the machine asks its groove
    worker; early hits are clamped as live at ``lookahead``.
    """
    session_core = SessionCore(session)
    clock = ClockCore(session.tempo, session.step_rate)
    sequencer = SequencerCore()
    grooving = GrooveCore(lookahead)
    answers = GrooveAnswers(groove)
    bridge = BridgeCore(voice_override=voices, heard_tracks=heard_tracks,
                        silent_bus=SILENT_BUS)
    placement = ExactPlacement(sample_rate, PRE_ROLL)
    sink = ScoreSink(Bundle(0.0, (LoadDefDir(str(synthdefs)), *bridge.boot())))

    async def route(routed: Routed, now: float) -> None:
        for target, message in routed:
            if target is To.CLOCK:
                clock.apply(message, now)
            elif target is To.SEQUENCER:
                if is_groove(message):
                    try:
                        await apply_groove(grooving, answers, message)
                    except ValueError as exc:  # as the live sequencer: refused, played on
                        log.warning("edit refused: %s", exc)
                else:
                    sequencer.apply(message)
            elif target is To.BRIDGE:
                for sending in bridge.receive(message, now, placement):
                    await sink.send(sending.bundle)

    await route(full_state(session), 0.0)
    clock.start(0.0)
    pending = sorted(edits, key=lambda edit: edit[0])
    bar_starts: list[float] = []
    ticks = 0  # bars are counted in MIDI clock ticks: a rate edit changes steps per bar
    while ticks < bars * BAR_TICKS:
        while pending and pending[0][0] < clock.next_emit_time():
            when, command = pending.pop(0)
            await route(_command(session_core, command), when)
        if ticks >= len(bar_starts) * BAR_TICKS:  # the first step at or after a bar line
            bar_starts.append(clock.step_time(clock.next_step))
        step = clock.pop_step()
        ticks += step.ticks
        hits = grooved(grooving, sequencer, step, sequencer.hits(step))
        if hits:
            for sending in bridge.receive(Hits.of(hits), step.time, placement):
                await sink.send(sending.bundle)
        answer_now(grooving, answers, plan_next_bar(grooving, sequencer, step))
    bars_end = clock.step_time(clock.next_step)
    return Performance(sink, (*bar_starts, bars_end), max(bars_end, bridge.ring_until + TAIL))


def _command(core: SessionCore, command: Message) -> Routed:
    """A command as the session actor obeys it (a kit is read from its file first)."""
    if isinstance(command, LoadKit):
        return core.load_kit(kits.load_kit(Path(command.path)), command.slot, command.pattern)
    return core.apply(command)


def render_session(session: Session, synthdefs: Path, bars: int, out: Path,
                   sample_rate: int = 48000, voices: tuple[Voice, ...] | None = None,
                   edits: Sequence[Edit] = (), ending: Ending = Ending.BARS,
                   stems: Path | None = None, groove: GrooveModel | None = None) -> float:
    """Render to ``out`` (and one WAV per track into ``stems``, each as long as the
    mix); returns the file's length in seconds."""
    mix = _render(session, synthdefs, bars, sample_rate, voices, edits, ending, None, groove)
    write_float_wav(out, mix, sample_rate)
    if stems is not None:
        stems.mkdir(parents=True, exist_ok=True)
        for track, name in enumerate(TRACKS):
            stem = _render(session, synthdefs, bars, sample_rate, voices, edits, ending,
                           frozenset({track}), groove)
            write_float_wav(stems / f"{name}.wav", stem[:len(mix)], sample_rate)
    return len(mix) / sample_rate


def _render(session: Session, synthdefs: Path, bars: int, sample_rate: int,
            voices: tuple[Voice, ...] | None, edits: Sequence[Edit], ending: Ending,
            heard_tracks: frozenset[int] | None, groove: GrooveModel | None = None
            ) -> np.ndarray:
    def play(bars: int) -> Performance:
        return trio.run(perform, session, synthdefs, bars, sample_rate, voices, edits,
                        heard_tracks, groove)

    performance = play(bars)
    first = 0
    if ending is Ending.LOOP:
        overhang = performance.ring_end - performance.bars_end
        rounds = 1 + math.ceil(overhang / performance.bars_end)
        performance = play(rounds * bars)
        first = round(performance.bar_starts[(rounds - 1) * bars] * sample_rate)
    samples = performance.sink.render(performance.ring_end + PRE_ROLL / sample_rate,
                                      sample_rate)[PRE_ROLL:]
    end = round(performance.bars_end * sample_rate)
    if ending is Ending.TAIL:
        end = max(end, math.ceil(performance.ring_end * sample_rate))
    return samples[first:end]
