"""``python -m actors.ui.demo``: the terminal UI on a silent machine.

The real session actor (saving to a folder of your choice) and the real clock
actor run; the sequencer and the sound are left out, and a stand-in generator
answers generation requests after a short pause (it rotates the basis pattern,
or repeats steps 1-16 shifted by one step). So the UI can be tried, and tested
in tmux, anywhere: no scsynth, no model table.
"""

from __future__ import annotations

import argparse
import logging
import signal
from pathlib import Path

import trio

from actors.clock import ClockCore, clock_actor
from actors.mesh import Inbox, Outbox, mailbox
from actors.messages import Generate, GenerationState, SetPattern
from actors.session import SessionCore, To, default_session, session_actor

from ._files import Places
from ._terminal import terminal_ui

GENERATION_DELAY = 0.4
"""Seconds the stand-in generator takes, so the pending indicator can be seen."""


async def run_demo(folder: Path, kits: Path, bpm: float) -> None:
    to_clock, clock_inbox = mailbox()
    steps_out, steps_in = mailbox()
    to_session, session_inbox = mailbox()
    to_core, core_inbox = mailbox()
    observers, observed = mailbox()
    sequencer_out, sequencer_in = mailbox()
    bridge_out, bridge_in = mailbox()
    core = SessionCore(default_session().with_tempo(bpm))
    outboxes = {To.CLOCK: to_clock.clone(), To.SEQUENCER: sequencer_out, To.BRIDGE: bridge_out}
    async with trio.open_nursery() as nursery:
        nursery.start_soon(clock_actor, clock_inbox, steps_out, ClockCore(bpm))
        nursery.start_soon(_forward, steps_in, observers.clone())
        nursery.start_soon(_drain, sequencer_in)
        nursery.start_soon(_drain, bridge_in)
        await nursery.start(session_actor, core_inbox, outboxes, core, folder / "autosave.json",
                            observers.clone())
        nursery.start_soon(_stand_in_generator, session_inbox, to_core, observers, core)
        nursery.start_soon(_stop_on_signal, nursery.cancel_scope)
        await terminal_ui(to_clock, to_session, observed,
                          places=Places(kits=kits, sessions=folder / "sessions"))
        nursery.cancel_scope.cancel()


async def _stop_on_signal(scope: trio.CancelScope) -> None:
    """Ctrl-C or SIGTERM end the demo as quitting does, as they do the machine."""
    with trio.open_signal_receiver(signal.SIGINT, signal.SIGTERM) as signals:
        async for _ in signals:
            scope.cancel()


async def _forward(steps: Inbox, observers: Outbox) -> None:
    """What the sequencer does for observers: steps and transport, without waiting."""
    async with observers:
        async for message in steps:
            observers.send_nowait(message)


async def _drain(inbox: Inbox) -> None:
    async for _ in inbox:
        pass


async def _stand_in_generator(commands: Inbox, session: Outbox, observers: Outbox,
                              core: SessionCore) -> None:
    """Pass commands to the session, answering ``Generate`` itself. It reads the
    session core directly, which only an in-process stand-in may do."""
    async with session, observers:
        async for command in commands:
            if not isinstance(command, Generate):
                await session.send(command)
                continue
            await observers.send(GenerationState(command.target, True, ()))
            await trio.sleep(GENERATION_DELAY)
            state = core.session
            current = state.track(command.target).pattern
            if command.continuation:
                pattern = current[:16] + current[15] + current[:15]
            else:
                basis = state.track(state.basis).pattern
                pattern = basis[-2:] + basis[:-2]
                if pattern == current:
                    pattern = basis[-4:] + basis[:-4]
            await session.send(SetPattern(command.target, pattern))
            probabilities = tuple(0.9 if c != "-" else 0.1 for c in pattern)
            await observers.send(GenerationState(command.target, False, probabilities))


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m actors.ui.demo", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dir", type=Path, required=True,
                        help="folder for the autosave, saved sessions (sessions/) and the log")
    parser.add_argument("--kits", type=Path, help="folder of presets (default DIR/kits)")
    parser.add_argument("--bpm", type=float, default=120.0)
    args = parser.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    logging.basicConfig(filename=args.dir / "demo.log", level=logging.INFO,
                        format="%(asctime)s %(name)s %(levelname)s: %(message)s")
    trio.run(run_demo, args.dir, args.kits or args.dir / "kits", args.bpm)


if __name__ == "__main__":
    main()
