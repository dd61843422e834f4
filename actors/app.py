"""Wiring and supervision: start every actor, stop them all cleanly.

The flow is ui / midi -> session -> clock -> sequencer -> engine bridge ->
scsynth; the session actor owns the editable state and tells the others, and
asks the generator (a worker process) beside them, whose answers come back to
it. Shutdown
runs the same way: the producers are cancelled, which closes their
outboxes; the bridge sees its input end, lets the last hits ring out, closes
the recording and quits the servers it started. An actor that crashes is
logged with its traceback and stops the machine the same way.
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import signal
from collections.abc import Awaitable, Callable
from pathlib import Path

import trio

from actors import kit as kits
from actors.clock import ClockCore, TempoError, clock_actor
from actors.engine_bridge import (
    DEFAULT_LOOKAHEAD,
    SCD_DIR,
    Bridge,
    BridgeConfig,
    RenderError,
    ServerError,
    SynthDefBuildError,
    ensure_synthdefs,
)
from actors.generator import generator_actor
from actors.mesh import Inbox, Outbox, mailbox
from actors.messages import TRACKS
from actors.midi import MidiConfig, midi_actor, midi_config
from actors.midi import register_options as register_midi_options
from actors.render import render_session
from actors.sequencer import SequencerCore, sequencer_actor
from actors.session import (
    Session,
    SessionCore,
    SessionError,
    To,
    autosave_path,
    default_session,
    load_session,
    session_actor,
)
from actors.ui import (
    DEFAULT_OSC_HOST,
    DEFAULT_OSC_PORT,
    Places,
    headless_ui,
    osc_surface,
    pattern_png,
    places_from_options,
    register_options,
    terminal_ui,
)

log = logging.getLogger(__name__)


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
    steps_out, steps_in = mailbox()
    to_sequencer, sequencer_inbox = mailbox()
    to_session, session_inbox = mailbox()
    bridge = Bridge(config.bridge, bridge_inbox)
    to_generator, generator_inbox = mailbox()
    to_midi, midi_inbox = mailbox()
    observers, observed = mailbox()
    session_outboxes = {To.CLOCK: to_clock.clone(), To.SEQUENCER: to_sequencer,
                        To.BRIDGE: to_bridge.clone(), To.GENERATOR: to_generator}
    watched = config.ui != "headless"
    if watched:
        session_outboxes[To.SURFACES] = observers.clone()
    surface = _surface(config, to_clock, to_session, observed)

    async with trio.open_nursery() as nursery:
        await nursery.start(bridge.run)
        async with trio.open_nursery() as producers:
            midi = config.midi
            if midi is not None:
                # first: opening JACK MIDI clients stalls trio's thread for tens of ms
                await producers.start(guard, "midi", lambda status: midi_actor(
                    midi, config.bridge.lookahead, to_clock.clone(), midi_inbox,
                    to_session.clone(), delivery=bridge.jack_delivery, task_status=status))
            producers.start_soon(guard, "clock", lambda _: clock_actor(
                clock_inbox, steps_out, ClockCore(config.session.tempo)))
            watchers = observers.clone() if watched else None
            played = to_midi.clone() if midi is not None else None
            producers.start_soon(guard, "sequencer", lambda _: sequencer_actor(
                steps_in, sequencer_inbox, to_bridge, SequencerCore(), watchers, played))
            answers = to_session.clone()
            producers.start_soon(guard, "generator", lambda _: generator_actor(
                generator_inbox, answers, config.priors))
            # the session sends every track's state before the transport can start
            await producers.start(guard, "session", lambda status: session_actor(
                session_inbox, session_outboxes, SessionCore(config.session), config.autosave,
                task_status=status))
            await observers.aclose()  # the clones above are the observers' only senders
            await to_midi.aclose()
            producers.start_soon(guard, "ui", lambda _: surface())
            producers.start_soon(_stop_on_signal, stop)
            if config.duration is not None:
                producers.start_soon(_stop_after, config.duration, stop)
            await stop.wait()
            producers.cancel_scope.cancel()
    report = RunReport(1 if failed else 0, bridge.sent_bundles, bridge.dropped_hits,
                       bridge.late_count, bridge.restarts, bridge.clock_jumps,
                       bridge.misplaced, tuple(bridge.margins))
    log.info("stopped: %d bundles sent, %d hits dropped, %d late, %d off their samples, "
             "%d server restart(s), %d clock jump(s)", report.sent_bundles,
             report.dropped_hits, report.late, report.misplaced, report.restarts,
             report.clock_jumps)
    return report


def _surface(config: MachineConfig, clock: Outbox, session: Outbox, observed: Inbox
             ) -> Callable[[], Awaitable[None]]:
    """The input actor the configuration asks for."""
    if config.ui == "terminal":
        return lambda: terminal_ui(clock, session, observed, places=config.places)
    if config.ui == "osc":
        host, port = config.osc_address
        return lambda: osc_surface(clock, session, observed, host, port, places=config.places)
    # a MIDI clock slave waits for its master's start
    following = config.midi is not None and config.midi.clock == "midi"
    return lambda: headless_ui(clock, session, start=not following)


async def _stop_on_signal(stop: trio.Event) -> None:
    with trio.open_signal_receiver(signal.SIGINT, signal.SIGTERM) as signals:
        async for signum in signals:
            log.info("received %s; stopping", signal.Signals(signum).name)
            stop.set()


async def _stop_after(seconds: float, stop: trio.Event) -> None:
    await trio.sleep(seconds)
    log.info("played for %g s; stopping", seconds)
    stop.set()


# --- the command line -------------------------------------------------------------------------


def _track_pattern(text: str) -> tuple[int, str]:
    name, sep, pattern = text.partition("=")
    if not sep or name not in TRACKS:
        raise argparse.ArgumentTypeError(
            f"expected TRACK=PATTERN with TRACK one of {', '.join(TRACKS)}, got {text!r}")
    return TRACKS.index(name), pattern


def _kit_channels(text: str) -> tuple[int, ...]:
    try:
        channels = tuple(int(part) - 1 for part in text.split(","))
    except ValueError:
        channels = ()
    if len(channels) != len(TRACKS) or not all(0 <= c < kits.CHANNELS for c in channels):
        raise argparse.ArgumentTypeError(
            f"expected five kit channels 1-{kits.CHANNELS} like 1,2,3,4,8, got {text!r}")
    return channels


def _server_address(text: str) -> tuple[str, int]:
    host, sep, port = text.rpartition(":")
    if not sep or not port.isdigit():
        raise argparse.ArgumentTypeError(f"expected HOST:PORT, got {text!r}")
    return host or "127.0.0.1", int(port)


def _add_music_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--session", type=Path, metavar="FILE",
                        help="a JSON session (see README: Sessions)")
    parser.add_argument("--bpm", type=float, metavar="N", help="tempo, 20-300 BPM")
    parser.add_argument("--swing", type=float, metavar="PERCENT",
                        help="swing for every track, 0-100 (Microtonic's law)")
    parser.add_argument("--pattern", type=_track_pattern, action="append", default=[],
                        metavar="TRACK=TEXT",
                        help="a track's steps: '-' rest, 'x' hit, 'X' accent; shorter text "
                        "repeats to 32 steps (repeatable; TRACK is kick, snare, hihat, openhat "
                        "or clap)")
    parser.add_argument("--kit", type=Path, metavar="FILE",
                        help="a Microtonic preset; its first five drums play the five tracks "
                        "(both patches)")
    parser.add_argument("--kit-channels", type=_kit_channels, metavar="K,S,H,O,C",
                        default=kits.DEFAULT_CHANNEL_MAP,
                        help="the kit's channels (1-8) that play kick, snare, hi-hat, open hat "
                        "and clap (default 1,2,3,4,5, as the original)")
    parser.add_argument("--kit-pattern", metavar="a-l",
                        help="also play this pattern of the --kit preset (with the next one "
                        "when chained), its accents, fills, fill rate and swing")


def register_commands(sub: argparse._SubParsersAction) -> None:
    run = sub.add_parser(
        "run", help="play the drum machine",
        description="Play five tracks through scsynth. With no options it plays the "
        "embedded beat on the default kit until interrupted (Ctrl-C).",
    )
    run.add_argument("--headless", action="store_true",
                     help="play without a control surface, starting at once (as --ui headless)")
    register_options(run)
    register_midi_options(run)
    _add_music_options(run)
    run.add_argument("--duration", type=float, metavar="SECONDS",
                     help="play this long, let the last hits ring, then exit 0")
    run.add_argument("--record", type=Path, metavar="OUT.wav",
                     help="record the server's stereo output (float WAV) from the first step, "
                     "with a sidecar OUT.wav.json giving the Unix time of its first sample")
    run.add_argument("--server", type=_server_address, metavar="HOST:PORT",
                     help="attach to a running scsynth (e.g. norns' 127.0.0.1:57110) instead of "
                     "starting one")
    run.add_argument("--priors", type=Path, metavar="STORE",
                     help="the generator's prior store (supertonic priors build); default: "
                     "one built from the shipped starter corpus on first use")
    run.add_argument("--lookahead", type=float, metavar="MS",
                     default=1000 * DEFAULT_LOOKAHEAD,
                     help="how far ahead hits are time-stamped (default %(default)g ms)")
    run.set_defaults(func=run_command)

    render = sub.add_parser(
        "render", help="render a session offline to a WAV file",
        description="Render offline with scsynth -N, from the same requests the live machine "
        "sends; the file runs on until the last voice has ended.",
    )
    _add_music_options(render)
    render.add_argument("--bars", type=int, default=2, metavar="N",
                        help="bars of 16 steps to play (default %(default)s)")
    render.add_argument("--out", type=Path, metavar="WAV", help="the audio file to write")
    render.add_argument("--png", type=Path, metavar="PNG",
                        help="also (or only) draw the pattern grid, accents included")
    render.add_argument("--sample-rate", type=int, default=48000, metavar="HZ")
    render.set_defaults(func=render_command)


class SetupError(RuntimeError):
    """The command line, session or kit cannot make a playable machine."""


def build_session(args: argparse.Namespace) -> Session:
    """The session the options ask for: a file (or, if it is damaged, the last good
    autosave), then a kit, then the options that override single settings."""
    try:
        session = _load_or_recover(args.session) if args.session else default_session()
        if args.kit:
            session = session.with_kit(kits.load_kit(args.kit), pattern=args.kit_pattern,
                                       channels=args.kit_channels)
        elif args.kit_pattern:
            raise SessionError("--kit-pattern needs --kit")
        if args.bpm is not None:
            session = session.with_tempo(args.bpm)
        if args.swing is not None:
            session = session.with_swing(args.swing / 100.0)
        return session.with_patterns(dict(args.pattern))
    except (SessionError, TempoError, kits.KitError, OSError) as exc:
        raise SetupError(str(exc)) from None


def _load_or_recover(path: Path) -> Session:
    try:
        return load_session(path)
    except SessionError as exc:
        backup = autosave_path()
        if not backup.exists():
            raise
        log.error("%s", exc)
        log.warning("playing the last good autosave instead: %s (save it under a new name to "
                    "keep it)", backup)
        return load_session(backup)


def compiled_synthdefs() -> Path:
    try:
        return ensure_synthdefs((SCD_DIR / "defs",))
    except SynthDefBuildError as exc:
        raise SetupError(str(exc)) from None


def run_command(args: argparse.Namespace) -> int:
    try:
        session = build_session(args)
        synthdefs = compiled_synthdefs()
    except SetupError as exc:
        log.error("%s", exc)
        return 2
    config = MachineConfig(
        session=session,
        bridge=BridgeConfig(synthdef_dirs=(synthdefs,), server=args.server,
                            lookahead=args.lookahead / 1000.0, record=args.record),
        duration=args.duration,
        autosave=autosave_path(),
        ui="headless" if args.headless else args.ui,
        osc_address=(args.osc_host, args.osc_port),
        places=places_from_options(args),
        priors=args.priors,
        midi=midi_config(args),
    )
    try:
        return trio.run(run_machine, config).exit_code
    except ServerError as exc:
        log.error("%s", exc)
        return 1


def render_command(args: argparse.Namespace) -> int:
    try:
        session = build_session(args)
        if args.bars < 1:
            raise SetupError(f"--bars must be at least 1, got {args.bars}")
        if args.out is None and args.png is None:
            raise SetupError("render needs --out WAV, --png PNG or both")
        if args.png is not None:
            args.png.write_bytes(pattern_png([t.pattern for t in session.tracks]))
            log.info("drew the patterns to %s", args.png)
        if args.out is not None:
            seconds = render_session(session, compiled_synthdefs(), args.bars, args.out,
                                     args.sample_rate)
            log.info("rendered %d bar(s), %.2f s, to %s", args.bars, seconds, args.out)
    except (SetupError, RenderError, OSError) as exc:
        log.error("%s", exc)
        return 2 if isinstance(exc, SetupError) else 1
    return 0
