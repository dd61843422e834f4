"""The Link actor's trio shell: it stands in front of the clock and looks at the session.

Everything meant for the clock comes here first: transport and tempo go to
the Link session as proposals, the rest passes through. Between commands
the session is looked at every ``POLL`` seconds; a peer's tempo, start or
stop reaches the clock within that.
"""

from __future__ import annotations

import logging

import trio

from actors.clock import TempoError
from actors.mesh import Inbox, Outbox
from actors.messages import LinkState, SetQuantum

from ._core import LinkCore, LinkView, Proposal, ProposePlaying, ProposeTempo, QuantumError
from ._options import LinkConfig
from ._session import AbletonLink, LinkSession

log = logging.getLogger(__name__)

POLL = 0.010
"""Seconds between looks at the session: a peer's change is followed this much after
it is made, well inside the lookahead. Looking costs 2.0 % of a core here (3.4 % at
5 ms), Link's own threads included."""
_OFFSET_TRIES = 3


class _Clocks:
    """Link's microseconds on trio's clock, by an offset measured at every look: the
    two clocks drift apart (Link's is not slewed by NTP, trio's is)."""

    def __init__(self, session: LinkSession) -> None:
        self._session = session
        self.offset = 0.0

    def measure(self) -> float:
        """Measure the offset; returns trio's time now. The narrowest of a few
        bracketings wins: a thread switch inside one widens it."""
        best = None
        for _ in range(_OFFSET_TRIES):
            before = trio.current_time()
            micros = self._session.micros()
            after = trio.current_time()
            if best is None or after - before < best[0]:
                best = (after - before, (before + after) / 2 - micros / 1e6)
        assert best is not None
        self.offset = best[1]
        return trio.current_time()

    def to_trio(self, micros: int) -> float:
        return micros / 1e6 + self.offset

    def to_link(self, time: float) -> int:
        return round((time - self.offset) * 1e6)


async def link_actor(
    config: LinkConfig,
    bpm: float,
    lookahead: float,
    inbox: Inbox,
    clock: Outbox,
    surfaces: Outbox | None = None,
    *,
    session: LinkSession | None = None,
    task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED,
) -> None:
    """Join the Link session (at ``bpm`` if we are the first) and steer ``clock`` by it
    until cancelled. ``inbox`` carries every command meant for the clock;
    ``surfaces`` (optional, never waited for) get a :class:`LinkState` when it changes."""
    if session is None:
        session = AbletonLink(bpm, config.start_stop)
    core = LinkCore(lookahead, config.quantum)
    clocks = _Clocks(session)
    shown: LinkState | None = None
    unplayable: float | None = None

    def look(now: float, quantum: float | None = None) -> LinkView:
        tempo, beat, playing, play_micros = session.look(
            quantum or core.quantum, clocks.to_link(now))
        return LinkView(now, beat, tempo, playing, clocks.to_trio(play_micros), session.peers())

    log.info("Link: joined the session (quantum %g, start/stop %s)", core.quantum,
             "shared" if config.start_stop else "ours alone")
    try:
        async with clock:
            task_status.started()
            while True:
                message = await inbox.receive_by(trio.current_time() + POLL)
                if message is not None:
                    now = clocks.measure()
                    view = look(now)
                    quantum = core.quantum
                    try:
                        to_clock, proposals = core.command(now, message, view)
                    except (QuantumError, TempoError) as exc:
                        log.warning("%s; keeping %s", exc, f"quantum {core.quantum:g}"
                                    if isinstance(message, SetQuantum) else "the tempo")
                        continue
                    if core.quantum != quantum:
                        core.requantise(view, look(now))
                        log.info("Link quantum: %g beats", core.quantum)
                    _propose(session, clocks, proposals)
                    for item in to_clock:
                        await clock.send(item)
                now = clocks.measure()
                view = look(now)
                for item in core.observe(now, view):
                    await clock.send(item)
                if core.unplayable != unplayable:
                    unplayable = core.unplayable
                    if unplayable is not None:
                        log.warning("the Link session's tempo %g BPM is one we cannot play; "
                                    "keeping ours until it comes back into range", unplayable)
                state = core.state(view)
                if state != shown:
                    if shown is None or state.peers != shown.peers:
                        log.info("Link: %d other peer(s)", state.peers)
                    shown = state
                    if surfaces is not None:
                        surfaces.send_nowait(state)
    finally:
        session.close()


def _propose(session: LinkSession, clocks: _Clocks, proposals: list[Proposal]) -> None:
    for proposal in proposals:
        match proposal:
            case ProposeTempo(bpm=bpm, time=time):
                session.propose_tempo(bpm, clocks.to_link(time))
            case ProposePlaying(playing=playing, time=time):
                session.propose_playing(playing, clocks.to_link(time))
