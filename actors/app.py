"""Wiring and supervision: start every actor, stop them all cleanly.

The flow is ui -> clock -> sequencer -> engine bridge -> scsynth. Shutdown
runs the same way: the producers (ui, clock, sequencer) are cancelled, which
closes their outboxes; the bridge sees its input end, lets the last hits ring
out, closes the recording and quits the servers it started. An actor that
crashes is logged with its traceback and stops the machine the same way.
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import signal
from collections.abc import Awaitable, Callable
from pathlib import Path

import trio

from actors import kit as kit_package
from actors.clock import ClockCore, TempoError, check_bpm, clock_actor
from actors.engine_bridge import (
    DEFAULT_LOOKAHEAD,
    SCD_DIR,
    Bridge,
    BridgeConfig,
    RenderError,
    ServerError,
    SynthDefBuildError,
    Voice,
    ensure_synthdefs,
)
from actors.mesh import mailbox
from actors.messages import TRACKS, Message, SetVoice
from actors.render import render_session
from actors.sequencer import SequencerCore, sequencer_actor
from actors.session import Session, SessionError, load_session, session_edits
from actors.ui import headless_ui
from actors.voice import voice_for, voice_length

log = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class MachineConfig:
    session: Session
    voices: tuple[Voice, ...]
    """One per track, in track order."""
    bridge: BridgeConfig
    duration: float | None = None
    """Seconds to play before stopping by itself; ``None`` plays until a signal."""


@dataclasses.dataclass(frozen=True)
class RunReport:
    """How a run went, for the command's exit code, the log, tests and benchmarks."""

    exit_code: int
    sent_bundles: int
    dropped_hits: int
    late: int
    restarts: int
    margins: tuple[float, ...]
    """Seconds each recent hit was sent ahead of its time tag."""


async def run_machine(config: MachineConfig) -> RunReport:
    """Play until ``duration`` passes, SIGINT/SIGTERM arrives, or an actor fails."""
    failed = False
    stop = trio.Event()

    async def guard(name: str, actor: Callable[[], Awaitable[None]]) -> None:
        nonlocal failed
        try:
            await actor()
        except Exception:
            log.exception("the %s actor crashed; stopping the machine", name)
            failed = True
            stop.set()

    to_bridge, bridge_inbox = mailbox()
    to_clock, clock_inbox = mailbox()
    steps_out, steps_in = mailbox()
    to_sequencer, sequencer_inbox = mailbox()
    bridge = Bridge(config.bridge, bridge_inbox)
    voices: list[Message] = [
        SetVoice(i, v.synthdef, v.controls, v.length) for i, v in enumerate(config.voices)
    ]

    async with trio.open_nursery() as nursery:
        await nursery.start(bridge.run)
        async with trio.open_nursery() as producers:
            producers.start_soon(guard, "ui", lambda: headless_ui(
                to_clock, to_sequencer, to_bridge.clone(), voices,
                session_edits(config.session), config.session.tempo))
            producers.start_soon(guard, "clock", lambda: clock_actor(
                clock_inbox, steps_out, ClockCore()))
            producers.start_soon(guard, "sequencer", lambda: sequencer_actor(
                steps_in, sequencer_inbox, to_bridge, SequencerCore()))
            producers.start_soon(_stop_on_signal, stop)
            if config.duration is not None:
                producers.start_soon(_stop_after, config.duration, stop)
            await stop.wait()
            producers.cancel_scope.cancel()
    report = RunReport(1 if failed else 0, bridge.sent_bundles, bridge.dropped_hits,
                       bridge.late_count, bridge.restarts, tuple(bridge.margins))
    log.info("stopped: %d bundles sent, %d hits dropped, %d late, %d server restart(s)",
             report.sent_bundles, report.dropped_hits, report.late, report.restarts)
    return report


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
                        help="a Microtonic preset; its first five drums play the five tracks")


def register_commands(sub: argparse._SubParsersAction) -> None:
    run = sub.add_parser(
        "run", help="play the drum machine",
        description="Play five tracks through scsynth. With no options it plays the "
        "embedded beat on the default kit until interrupted (Ctrl-C).",
    )
    run.add_argument("--headless", action="store_true",
                     help="play without a control surface (for now the only way it plays)")
    _add_music_options(run)
    run.add_argument("--duration", type=float, metavar="SECONDS",
                     help="play this long, let the last hits ring, then exit 0")
    run.add_argument("--record", type=Path, metavar="OUT.wav",
                     help="record the server's stereo output (float WAV) from the first step, "
                     "with a sidecar OUT.wav.json giving the Unix time of its first sample")
    run.add_argument("--server", type=_server_address, metavar="HOST:PORT",
                     help="attach to a running scsynth (e.g. norns' 127.0.0.1:57110) instead of "
                     "starting one")
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
    render.add_argument("--out", type=Path, required=True, metavar="WAV")
    render.add_argument("--sample-rate", type=int, default=48000, metavar="HZ")
    render.set_defaults(func=render_command)


class SetupError(RuntimeError):
    """The command line, session or kit cannot make a playable machine."""


DEFAULT_KIT = Path(kit_package.__file__).parent / "default.mtpreset"


def kit_voices(path: Path | None) -> tuple[Voice, ...]:
    """The five tracks' voices: the kit's first five drums (the default kit's without one)."""
    try:
        kit = kit_package.load_kit(path or DEFAULT_KIT)
    except (kit_package.KitError, OSError) as exc:
        raise SetupError(str(exc)) from None
    return tuple(
        Voice(*voice_for(drum), voice_length(drum)) for drum in kit_package.kit_tracks(kit)
    )


def build_music(args: argparse.Namespace) -> tuple[Session, tuple[Voice, ...], Path]:
    """The session, voices and compiled SynthDefs the options ask for."""
    try:
        session = load_session(args.session) if args.session else Session()
        if args.bpm is not None:
            session = dataclasses.replace(session, tempo=check_bpm(args.bpm))
        if args.swing is not None:
            if not 0 <= args.swing <= 100:
                raise SessionError(f"swing {args.swing} % is outside 0-100")
            session = session.with_swing(args.swing / 100.0)
        session = session.with_patterns(dict(args.pattern))
    except (SessionError, TempoError) as exc:
        raise SetupError(str(exc)) from None
    voices = kit_voices(args.kit or session.kit)
    try:
        synthdefs = ensure_synthdefs((SCD_DIR / "defs",))
    except SynthDefBuildError as exc:
        raise SetupError(str(exc)) from None
    return session, voices, synthdefs


def run_command(args: argparse.Namespace) -> int:
    try:
        session, voices, synthdefs = build_music(args)
    except SetupError as exc:
        log.error("%s", exc)
        return 2
    config = MachineConfig(
        session=session,
        voices=voices,
        bridge=BridgeConfig(synthdef_dirs=(synthdefs,), server=args.server,
                            lookahead=args.lookahead / 1000.0, record=args.record),
        duration=args.duration,
    )
    try:
        return trio.run(run_machine, config).exit_code
    except ServerError as exc:
        log.error("%s", exc)
        return 1


def render_command(args: argparse.Namespace) -> int:
    try:
        session, voices, synthdefs = build_music(args)
        if args.bars < 1:
            raise SetupError(f"--bars must be at least 1, got {args.bars}")
        seconds = render_session(session, voices, synthdefs, args.bars, args.out,
                                 args.sample_rate)
    except (SetupError, RenderError) as exc:
        log.error("%s", exc)
        return 2 if isinstance(exc, SetupError) else 1
    log.info("rendered %d bar(s), %.2f s, to %s", args.bars, seconds, args.out)
    return 0
