"""``supertonic run`` and ``supertonic render``: the command line of the machine.

Options become a :class:`~actors.session.Session` and a
:class:`~actors.app.MachineConfig`; the wiring itself is :mod:`actors.app`,
the offline path :mod:`actors.render`.
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
from pathlib import Path
from typing import Any

import trio

from actors import kit as kits
from actors.app import MachineConfig, run_machine
from actors.clock import TempoError
from actors.crow import crow_config
from actors.crow import register_options as register_crow_options
from actors.engine_bridge import (
    DEFAULT_LOOKAHEAD,
    SCD_DIR,
    BridgeConfig,
    RenderError,
    ServerError,
    SynthDefBuildError,
    ensure_synthdefs,
)
from actors.groove import is_take, load_model
from actors.link import link_config
from actors.link import register_options as register_link_options
from actors.messages import TRACKS
from actors.midi import midi_config
from actors.midi import register_options as register_midi_options
from actors.render import Ending, render_session
from actors.rules import GROOVE, LENGTH, STEP_RATES, SWING, TEMPO, check_length
from actors.session import Session, SessionError, autosave_path, default_session, load_session
from actors.ui import pattern_png, places_from_options, register_options

log = logging.getLogger(__name__)


def _track_pattern(text: str) -> tuple[int, str]:
    name, sep, pattern = text.partition("=")
    if not sep or name not in TRACKS:
        raise argparse.ArgumentTypeError(
            f"expected TRACK=PATTERN with TRACK one of {', '.join(TRACKS)}, got {text!r}")
    return TRACKS.index(name), pattern


def _track_length(text: str) -> tuple[int, int]:
    name, sep, steps = text.partition("=")
    try:
        if not sep or name not in TRACKS:
            raise ValueError
        return TRACKS.index(name), check_length(int(steps))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected TRACK=STEPS with TRACK one of {', '.join(TRACKS)} and STEPS a whole "
            f"number {LENGTH}, got {text!r}") from None


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
    parser.add_argument("--bpm", type=float, metavar="N", help=f"tempo, {TEMPO} BPM")
    parser.add_argument("--swing", type=float, metavar="PERCENT",
                        help=f"swing for every track, {SWING.low * 100:g}-{SWING.high * 100:g} "
                        "(Microtonic's law)")
    parser.add_argument("--pattern", type=_track_pattern, action="append", default=[],
                        metavar="TRACK=TEXT",
                        help="a track's steps: '-' rest, 'x' hit, 'X' accent; shorter text "
                        "repeats to 32 steps (repeatable; TRACK is kick, snare, hihat, openhat "
                        "or clap)")
    parser.add_argument("--length", type=_track_length, action="append", default=[],
                        metavar="TRACK=STEPS",
                        help=f"how many of its steps a track plays before it starts over, "
                        f"{LENGTH} (repeatable; each track loops on its own)")
    parser.add_argument("--step-rate", choices=tuple(STEP_RATES),
                        help="how long a step lasts (default 1/16)")
    parser.add_argument("--kit", type=Path, metavar="FILE",
                        help="a Microtonic preset; its first five drums play the five tracks "
                        "(both patches)")
    parser.add_argument("--kit-channels", type=_kit_channels, metavar="K,S,H,O,C",
                        default=kits.DEFAULT_CHANNEL_MAP,
                        help="the kit's channels (1-8) that play kick, snare, hi-hat, open hat "
                        "and clap (default 1,2,3,4,5, as the original)")
    parser.add_argument("--groove", type=float, metavar="PERCENT",
                        help="groove timing amount, 0 (the exact grid) - 100 (the learned "
                        "timing)")
    parser.add_argument("--dynamics", type=float, metavar="PERCENT",
                        help="groove dynamics amount, 0 (the pattern's velocities) - 100 "
                        "(the learned ones; accents kept)")
    parser.add_argument("--feel", metavar="STYLE",
                        help="play the groove of one learned style (funk, rock, jazz, ...)")
    parser.add_argument("--follow", type=float, metavar="PERCENT",
                        help="how strongly timing follows a live partner (--partner-channel), "
                        "0-100")
    parser.add_argument("--groove-seed", type=int, metavar="N",
                        help="the seed of the groove's per-bar draws (same seed, same take)")
    parser.add_argument("--groove-from", type=Path, metavar="FILE.mid",
                        help="play the groove of this General MIDI drum file (one drummer's "
                        "timing and dynamics per position): the feel becomes the take")
    parser.add_argument("--kit-pattern", metavar="a-l",
                        help="also play this pattern of the --kit preset (and the patterns "
                        "chained to it), its accents, fills, length, fill rate, swing and "
                        "step rate")


def register_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    run = sub.add_parser(
        "run", help="play the drum machine",
        description="Play five tracks through scsynth. With no options it plays the "
        "embedded beat on the default kit until interrupted (Ctrl-C).",
    )
    run.add_argument("--headless", action="store_true",
                     help="play without a control surface, starting at once (as --ui headless)")
    register_options(run)
    register_midi_options(run)
    register_link_options(run)
    register_crow_options(run)
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
        description="Render offline with scsynth -N, through the same cores and requests the "
        "live machine uses; the file is exactly the bars long unless --tail or --loop.",
    )
    _add_music_options(render)
    render.add_argument("--bars", type=int, default=2, metavar="N",
                        help="4/4 bars to play, at the session's step rate (default "
                        "%(default)s)")
    render.add_argument("--out", type=Path, metavar="WAV", help="the audio file to write")
    ending = render.add_mutually_exclusive_group()
    ending.add_argument("--tail", action="store_const", dest="ending", const=Ending.TAIL,
                        default=Ending.BARS,
                        help="run on after the bars until the last voice has ended")
    ending.add_argument("--loop", action="store_const", dest="ending", const=Ending.LOOP,
                        help="fold what rings on past the bars onto the start, so the file "
                        "loops seamlessly")
    render.add_argument("--stems", type=Path, metavar="DIR",
                        help="also write one WAV per track into DIR, each as long as the mix "
                        "(they add up to it)")
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
        if getattr(args, "link_quantum", None) is not None:  # run's option, not render's
            session = session.with_quantum(args.link_quantum)
        if args.swing is not None:
            session = session.with_swing(args.swing / 100.0)
        if args.step_rate is not None:
            session = dataclasses.replace(session, step_rate=args.step_rate)
        for track, length in args.length:
            session = session.with_track(track, length=length)
        session = _with_groove(session, args)
        return session.with_patterns(dict(args.pattern))
    except (SessionError, TempoError, kits.KitError, OSError) as exc:
        raise SetupError(str(exc)) from None


def _with_groove(session: Session, args: argparse.Namespace) -> Session:
    changes: dict[str, Any] = {}
    for name, option in (("groove", args.groove), ("dynamics", args.dynamics),
                         ("follow", args.follow)):
        if option is not None:
            if not GROOVE.holds(option / 100.0):
                raise SessionError(f"--{name} {option:g} is outside 0-100")
            changes[name] = option / 100.0
    if args.feel is not None:
        changes["feel"] = args.feel
    if args.groove_seed is not None:
        changes["groove_seed"] = args.groove_seed
    if args.groove_from is not None:
        if not is_take(str(args.groove_from)):
            raise SessionError(f"--groove-from takes a MIDI file (.mid), got {args.groove_from}")
        changes["feel"] = str(args.groove_from.resolve())
        if args.groove is None and session.groove == 0:
            changes["groove"] = 1.0  # asking for a take's groove means hearing it
    return dataclasses.replace(session, **changes)


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
        link=link_config(args),
        crow=crow_config(args),
        groove=True,
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
        if args.stems is not None and args.out is None:
            raise SetupError("--stems goes with --out")
        if args.png is not None:
            args.png.write_bytes(pattern_png([t.pattern for t in session.tracks], None,
                                             [t.length for t in session.tracks],
                                             session.step_rate))
            log.info("drew the patterns to %s", args.png)
        if args.out is not None:
            seconds = render_session(session, compiled_synthdefs(), args.bars, args.out,
                                     args.sample_rate, ending=args.ending, stems=args.stems,
                                     groove=load_model())
            log.info("rendered %d bar(s), %.2f s, to %s", args.bars, seconds, args.out)
    except (SetupError, RenderError, OSError) as exc:
        log.error("%s", exc)
        return 2 if isinstance(exc, SetupError) else 1
    return 0
