"""Wiring and supervision: start every actor, stop them all cleanly.

Edits flow from the surfaces and MIDI to the session actor, which owns the
editable state and tells the others: the sequencer (patterns), the bridge
(voices, low-pass) and the clock (tempo); the generator, a worker process,
sits beside the session and answers it. Transport (start, stop, locate, a MIDI
master's beat) goes from the surfaces and MIDI straight to the clock. Steps
then flow clock -> sequencer -> engine bridge -> scsynth. Shutdown runs the
same way: the producers are cancelled, which closes their outboxes; the
bridge sees its input end, lets the last hits ring out, closes the recording
and quits the servers it started. An actor that crashes is logged with its
traceback and stops the machine the same way.
"""

from __future__ import annotations

import dataclasses
import logging
import signal
from collections.abc import Awaitable, Callable
from pathlib import Path

import trio

from actors.alsa import alsa_midi_bridge
from actors.clock import ClockCore, clock_actor
from actors.crow import CrowConfig, crow_actor
from actors.engine_bridge import Bridge, BridgeConfig
from actors.generator import generator_actor
from actors.groove import GrooveCore, GrooveWorker
from actors.link import LinkConfig, link_actor
from actors.mesh import Inbox, Outbox, fan_out, mailbox
from actors.midi import MidiConfig, midi_actor
from actors.sequencer import SequencerCore, sequencer_actor
from actors.session import Session, SessionCore, To, session_actor
from actors.ui import (
    DEFAULT_OSC_HOST,
    DEFAULT_OSC_PORT,
    Places,
    headless_ui,
    osc_surface,
    terminal_ui,
)

log = logging.getLogger(__name__)

GROOVE_STOP = 5.0
"""Seconds the groove worker is given to stop once the machine stops (it takes well
under one; its shell kills it after two)."""


@dataclasses.dataclass(frozen=True)
class MachineConfig:
    session: Session
    bridge: BridgeConfig
    duration: float | None = None
    """Seconds to play before stopping by itself; ``None`` plays until a signal."""
    autosave: Path | None = None
    """Where edits are saved as they happen; ``None`` keeps them in memory only."""
    ui: str = "headless"
    """The control surface: ``headless`` (starts playing at once), ``terminal`` or ``osc``."""
    osc_address: tuple[str, int] = (DEFAULT_OSC_HOST, DEFAULT_OSC_PORT)
    places: Places | None = None
    """Where the surfaces find kits and keep sessions."""
    priors: Path | None = None
    """The generator's store; ``None`` is the default one (built from the starter corpus)."""
    midi: MidiConfig | None = None
    """MIDI in and out (JACK MIDI ports); ``None`` leaves MIDI alone."""
    link: LinkConfig | None = None
    """Follow the Ableton Link session (``--clock link``); ``None``: no Link."""
    crow: CrowConfig | None = None
    """A gate per hit on crow's outputs; ``None`` leaves crow alone."""
    groove: bool = False
    """Play the session's groove: its model is held by a worker process of its own (the
    user's built groove store if usable, else the shipped one). A session that starts
    with its groove on starts the worker with the machine and plays once the model is
    loaded; another starts it when the groove is first asked for (its first bars play
    the grid). False plays the exact grid."""


@dataclasses.dataclass(frozen=True)
class RunReport:
    """How a run went, for the command's exit code, the log, tests and benchmarks."""

    exit_code: int
    sent_bundles: int
    dropped_hits: int
    late: int
    restarts: int
    clock_jumps: int
    """JACK xruns that reset scsynth's clock loop while playing."""
    misplaced: int
    """Hits the server reports off their samples (the host held JACK up too long)."""
    margins: tuple[float, ...]
    """Seconds each recent hit was sent ahead of its time tag."""
    groove_missed: int = 0
    """Bars the groove asked for whose answer had not come when they played."""
    groove_latencies: tuple[float, ...] = ()
    """Seconds from asking the groove worker for each bar to its answer."""


async def run_machine(config: MachineConfig) -> RunReport:
    """Play until ``duration`` passes, SIGINT/SIGTERM arrives, or an actor fails."""
    failed = False
    stop = trio.Event()

    async def guard(name: str, actor: Callable[[trio.TaskStatus[None]], Awaitable[None]], *,
                    task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        nonlocal failed
        try:
            await actor(task_status)
        except Exception:
            log.exception("the %s actor crashed; stopping the machine", name)
            failed = True
        # an actor only returns when its inputs end or its player quits: either way, stop
        stop.set()

    to_bridge, bridge_inbox = mailbox()
    to_clock, clock_inbox = mailbox()
    link_inbox, to_clock_itself = clock_inbox, to_clock
    if config.link is not None:
        # everything meant for the clock goes to the Link actor, which steers the clock
        to_clock_itself, clock_inbox = mailbox()
    steps_out, steps_in = mailbox()
    to_sequencer, sequencer_inbox = mailbox()
    to_session, session_inbox = mailbox()
    bridge = Bridge(config.bridge, bridge_inbox)
    to_generator, generator_inbox = mailbox()
    to_midi, midi_inbox = mailbox()
    to_crow, crow_inbox = mailbox()
    to_players, players_inbox = mailbox()  # what the sequencer plays, for MIDI and crow
    observers, observed = mailbox()
    session_outboxes = {To.CLOCK: to_clock.clone(), To.SEQUENCER: to_sequencer,
                        To.BRIDGE: to_bridge.clone(), To.GENERATOR: to_generator}
    watched = config.ui != "headless"
    if watched:
        session_outboxes[To.SURFACES] = observers.clone()
    surface = _surface(config, to_clock, to_session, observed)
    grooving = GrooveCore(config.bridge.lookahead)
    worker = GrooveWorker() if config.groove else None
    to_groove, groove_inbox = mailbox()

    grooving_scope = trio.CancelScope()

    session = config.session
    grooving_now = session.groove > 0 or session.dynamics > 0

    async def serve_groove(worker: GrooveWorker, answers: Outbox) -> None:
        with grooving_scope:
            await worker.run(groove_inbox, answers, grooving_now)

    async with trio.open_nursery() as nursery:
        if worker is not None:  # it loads the model while the server boots
            nursery.start_soon(serve_groove, worker, to_sequencer.clone())
        await nursery.start(bridge.run)
        if worker is not None and grooving_now:
            await worker.ready.wait()  # its first bars are answered, as in a render
        async with trio.open_nursery() as producers:
            midi = config.midi
            if midi is not None:
                # first: opening JACK MIDI clients stalls trio's thread for tens of ms
                await producers.start(guard, "midi", lambda status: midi_actor(
                    midi, config.bridge.lookahead, to_clock.clone(), midi_inbox,
                    to_session.clone(), delivery=bridge.jack_delivery, task_status=status,
                    partner=None if midi.partner_channel is None else to_sequencer.clone()))
                producers.start_soon(guard, "alsa", lambda _: alsa_midi_bridge(
                    bridged=bridge.bridges_alsa_midi))
            crow = config.crow
            if crow is not None:
                producers.start_soon(guard, "crow", lambda _: crow_actor(
                    crow, config.bridge.lookahead, crow_inbox))
            link = config.link
            if link is not None:
                surfaces = observers.clone() if watched else None
                producers.start_soon(guard, "link", lambda _: link_actor(
                    link, config.session.tempo, config.bridge.lookahead, link_inbox,
                    to_clock_itself, surfaces))
            producers.start_soon(guard, "clock", lambda _: clock_actor(
                clock_inbox, steps_out, ClockCore(config.session.tempo)))
            watchers = observers.clone() if watched else None
            players = [box.clone() for box, used in ((to_midi, midi), (to_crow, crow)) if used]
            played = to_players.clone() if players else None
            if players:
                producers.start_soon(fan_out, players_inbox, *players)
            producers.start_soon(guard, "sequencer", lambda _: sequencer_actor(
                steps_in, sequencer_inbox, to_bridge, SequencerCore(), watchers, played,
                grooving, to_groove if worker is not None else None))
            answers = to_session.clone()
            producers.start_soon(guard, "generator", lambda _: generator_actor(
                generator_inbox, answers, config.priors))
            # the session sends every track's state before the transport can start
            await producers.start(guard, "session", lambda status: session_actor(
                session_inbox, session_outboxes, SessionCore(config.session), config.autosave,
                task_status=status))
            await observers.aclose()  # the clones above are the observers' only senders
            await to_midi.aclose()
            await to_crow.aclose()
            await to_players.aclose()
            producers.start_soon(guard, "ui", lambda _: surface())
            producers.start_soon(_stop_on_signal, stop)
            if config.duration is not None:
                producers.start_soon(_stop_after, config.duration, stop)
            await stop.wait()
            producers.cancel_scope.cancel()
        # the sequencer's end closed the worker's requests: it stops by itself
        grooving_scope.deadline = trio.current_time() + GROOVE_STOP
    report = RunReport(1 if failed else 0, bridge.sent_bundles, bridge.dropped_hits,
                       bridge.late_count, bridge.restarts, bridge.clock_jumps,
                       bridge.misplaced, tuple(bridge.margins), grooving.missed,
                       tuple(worker.latencies) if worker is not None else ())
    log.info("stopped: %d bundles sent, %d hits dropped, %d late, %d off their samples, "
             "%d server restart(s), %d clock jump(s)", report.sent_bundles,
             report.dropped_hits, report.late, report.misplaced, report.restarts,
             report.clock_jumps)
    if grooving.clamped:
        log.info("groove: %d early hit(s) clamped to the lookahead", grooving.clamped)
    if grooving.missed:
        log.warning("groove: %d bar(s) played the grid, their answer late", grooving.missed)
    return report


def _surface(config: MachineConfig, clock: Outbox, session: Outbox, observed: Inbox
             ) -> Callable[[], Awaitable[None]]:
    """The input actor the configuration asks for."""
    source = config.midi.clock if config.midi is not None else "internal"  # or "link"
    if config.ui == "terminal":
        return lambda: terminal_ui(clock, session, observed, places=config.places,
                                   clock_source=source)
    if config.ui == "osc":
        host, port = config.osc_address
        return lambda: osc_surface(clock, session, observed, host, port, places=config.places,
                                   clock_source=source)
    # a MIDI clock slave waits for its master's start (Link starts on its next quantum)
    return lambda: headless_ui(clock, session, start=source != "midi")


async def _stop_on_signal(stop: trio.Event) -> None:
    # SIGHUP too: a closed terminal stops the machine cleanly, servers and all
    with trio.open_signal_receiver(signal.SIGINT, signal.SIGTERM, signal.SIGHUP) as signals:
        async for signum in signals:
            log.info("received %s; stopping", signal.Signals(signum).name)
            stop.set()


async def _stop_after(seconds: float, stop: trio.Event) -> None:
    await trio.sleep(seconds)
    log.info("played for %g s; stopping", seconds)
    stop.set()
