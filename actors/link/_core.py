"""Following an Ableton Link session: its timeline turned into where our clock stands.

Link gives every peer one timeline (tempo, and a beat at every time) whose
phase over the *quantum* all peers share. Our hits are heard ``lookahead``
after their step's time, so, as a MIDI clock slave does, the clock is told
that *now* it stands where Link will be a lookahead from now: its steps then
fall a lookahead before Link's beats and their audio exactly on them.
Link's timeline is exact (no ticks to fit), so there is nothing to predict
beyond that line; a Follow is sent only when the line moved (a peer changed
the tempo, or the host clocks drifted apart), not at every look.

A start, ours or a peer's, lands on the next quantum boundary whose audio can
still be heard in time: step 0 is that boundary's beat. We propose it to the
session as the time playing starts, so peers that share start/stop start on
the same boundary; a peer's start that reaches us too late for its boundary
joins in phase, the steps already past skipped rather than rushed. Tempo
changes from our side are proposed for ``lookahead`` from now, so no peer
(including us) has hits already sent at the old tempo after the change.
"""

from __future__ import annotations

import dataclasses
import math

from actors.clock import EMIT_AHEAD, check_bpm
from actors.messages import (
    Continue,
    Follow,
    LinkState,
    Message,
    SetQuantum,
    SetTempo,
    Start,
    Stop,
)
from actors.rules import SIXTEENTHS_PER_BEAT, TEMPO

MIN_QUANTUM = 1.0
MAX_QUANTUM = 32.0
"""Beats per phase: from one beat to eight bars of 4/4 (Live's longest launch quantisation)."""
DEFAULT_QUANTUM = 4.0
START_MARGIN = 0.005
"""Seconds beyond the lookahead a boundary must lie to be started on: time for the
proposal to reach the other peers before their own lookahead runs out."""
FOLLOW_TOLERANCE = 20e-6
"""Seconds our free-running beat may drift from Link's before the clock is re-anchored."""


class QuantumError(ValueError):
    pass


def check_quantum(quantum: float) -> float:
    if not MIN_QUANTUM <= quantum <= MAX_QUANTUM:
        raise QuantumError(
            f"Link quantum {quantum:g} is outside {MIN_QUANTUM:g}-{MAX_QUANTUM:g} beats"
        )
    return float(quantum)


@dataclasses.dataclass(frozen=True, slots=True)
class LinkView:
    """One look at the Link session, its times put on trio's clock."""

    time: float
    beat: float
    """Link's beat at ``time`` for the quantum the look was taken with."""
    bpm: float
    playing: bool
    play_time: float
    """When the session's transport started or stopped playing."""
    peers: int

    def beat_at(self, time: float) -> float:
        return self.beat + (time - self.time) * self.bpm / 60.0

    def time_at(self, beat: float) -> float:
        return self.time + (beat - self.beat) * 60.0 / self.bpm


@dataclasses.dataclass(frozen=True, slots=True)
class ProposeTempo:
    bpm: float
    time: float


@dataclasses.dataclass(frozen=True, slots=True)
class ProposePlaying:
    playing: bool
    time: float


Proposal = ProposeTempo | ProposePlaying


class LinkCore:
    """Turns looks at the session and commands meant for the clock into messages for
    the clock and proposals for the session."""

    def __init__(self, lookahead: float, quantum: float = DEFAULT_QUANTUM) -> None:
        self.lookahead = lookahead
        self.quantum = check_quantum(quantum)
        self.playing = False
        self.unplayable: float | None = None
        """Link's tempo when it is one our clock cannot play (it then keeps its own)."""
        self._start_beat = 0.0
        self._last: Follow | None = None

    def command(self, now: float, message: Message, view: LinkView
                ) -> tuple[list[Message], list[Proposal]]:
        """A command meant for the clock. Raises :class:`QuantumError` or
        :class:`~actors.clock.TempoError` for one out of range (nothing changes)."""
        match message:
            case Start() | Continue():
                earliest = now + self.lookahead + EMIT_AHEAD + START_MARGIN
                boundary = math.ceil(view.beat_at(earliest) / self.quantum) * self.quantum
                return self._start(now, view, boundary), [
                    ProposePlaying(True, view.time_at(boundary))
                ]
            case Stop():
                self.playing = False
                return [Stop()], [ProposePlaying(False, now + self.lookahead)]
            case SetTempo(bpm=bpm):
                return [], [ProposeTempo(check_bpm(bpm), now + self.lookahead)]
            case SetQuantum(quantum=quantum):
                self.quantum = check_quantum(quantum)
                return [], []
            case _:
                return [message], []

    def requantise(self, before: LinkView, after: LinkView) -> None:
        """Link numbers beats per quantum (a new quantum can shift them by up to half
        of it); keep the step we play on its beat across the change."""
        self._start_beat += after.beat_at(before.time) - before.beat

    def observe(self, now: float, view: LinkView) -> list[Message]:
        """A look at the session: follow a peer's start, stop and tempo."""
        if view.playing and not self.playing:
            # a peer started on its boundary: ours is the one at or just after it
            boundary = math.ceil(view.beat_at(view.play_time) / self.quantum - 1e-6)
            return self._start(now, view, boundary * self.quantum)
        if self.playing and not view.playing:
            self.playing = False
            return [Stop()]
        if not self.playing:
            return []
        last = self._last
        if last is None:  # Link's tempo was one we cannot play; look again
            return self._follow(now, view)
        steps_per_second = SIXTEENTHS_PER_BEAT / 60.0
        free_running = last.position + (now - last.time) * last.bpm * steps_per_second
        # Sessions that meet merge into one timeline, whose beat count may be far from
        # ours: keep counting our steps and take only its phase in the quantum, or the
        # clock would wait (or skip) for every beat of the difference.
        jump = (free_running - self._position(now, view)) / SIXTEENTHS_PER_BEAT
        self._start_beat -= round(jump / self.quantum) * self.quantum
        drift = (free_running - self._position(now, view)) / (view.bpm * steps_per_second)
        if view.bpm != last.bpm or abs(drift) > FOLLOW_TOLERANCE:
            return self._follow(now, view)
        return []

    def state(self, view: LinkView) -> LinkState:
        return LinkState(view.peers, view.bpm, self.quantum, self.playing)

    def _start(self, now: float, view: LinkView, boundary: float) -> list[Message]:
        self.playing = True
        self._start_beat = boundary
        self._last = None
        follow = self._follow(now, view)
        # the clock stands before step 0 until the boundary; the Follow sets the tempo
        position = self._last.position if self._last is not None else 0.0
        return [Start(position), *follow]

    def _position(self, now: float, view: LinkView) -> float:
        return (view.beat_at(now + self.lookahead) - self._start_beat) * SIXTEENTHS_PER_BEAT

    def _follow(self, now: float, view: LinkView) -> list[Message]:
        if not TEMPO.holds(view.bpm):
            self.unplayable = view.bpm
            return []
        self.unplayable = None
        self._last = Follow(now, self._position(now, view), view.bpm)
        return [self._last]
