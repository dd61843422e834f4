"""``python -m actors.ui.demo``: the terminal UI on a silent machine.

The real session actor (saving to a folder of your choice), clock actor and
generator actor (with a store built from the starter corpus in that folder)
run; the sequencer and the sound are left out. So the UI can be tried, and
tested in tmux, anywhere: no scsynth, no sound card.
"""

from __future__ import annotations

import argparse
import logging
import signal
from pathlib import Path

import trio

from actors.clock import ClockCore, clock_actor
from actors.generator import generator_actor
from actors.mesh import Inbox, Outbox, mailbox
from actors.rules import DEFAULT_TEMPO
from actors.session import SessionCore, To, default_session, session_actor

from ._files import Places
from ._terminal import terminal_ui


async def run_demo(folder: Path, kits: Path, bpm: float) -> None:
    to_clock, clock_inbox = mailbox()
    steps_out, steps_in = mailbox()
    to_session, session_inbox = mailbox()
    to_generator, generator_inbox = mailbox()
    observers, observed = mailbox()
    sequencer_out, sequencer_in = mailbox()
    bridge_out, bridge_in = mailbox()
    core = SessionCore(default_session().with_tempo(bpm))
    outboxes = {To.CLOCK: to_clock.clone(), To.SEQUENCER: sequencer_out, To.BRIDGE: bridge_out,
                To.GENERATOR: to_generator, To.SURFACES: observers.clone()}
    async with trio.open_nursery() as nursery:
        nursery.start_soon(clock_actor, clock_inbox, steps_out, ClockCore(bpm))
        nursery.start_soon(_forward, steps_in, observers.clone())
        nursery.start_soon(_drain, sequencer_in)
        nursery.start_soon(_drain, bridge_in)
        await nursery.start(session_actor, session_inbox, outboxes, core,
                            folder / "autosave.json")
        nursery.start_soon(generator_actor, generator_inbox, to_session.clone(),
                           folder / "priors.sqlite")
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


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m actors.ui.demo", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dir", type=Path, required=True,
                        help="folder for the autosave, saved sessions (sessions/) and the log")
    parser.add_argument("--kits", type=Path, help="folder of presets (default DIR/kits)")
    parser.add_argument("--bpm", type=float, default=DEFAULT_TEMPO)
    args = parser.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    logging.basicConfig(filename=args.dir / "demo.log", level=logging.INFO,
                        format="%(asctime)s %(name)s %(levelname)s: %(message)s")
    trio.run(run_demo, args.dir, args.kits or args.dir / "kits", args.bpm)


if __name__ == "__main__":
    main()
