"""The clock's trio shell: sleep until the next step is due, or until a command arrives."""

from __future__ import annotations

import logging

import trio

from actors.mesh import Inbox, Outbox
from actors.messages import (
    Continue,
    Follow,
    Locate,
    Message,
    SetQuantum,
    SetTempo,
    Start,
    Stop,
    Transport,
)

from ._core import ClockCore, TempoError

log = logging.getLogger(__name__)


def apply(core: ClockCore, message: Message, now: float) -> None:
    match message:
        case Start():
            core.start(now)
        case Stop():
            core.stop(now)
        case Continue():
            core.continue_(now)
        case SetTempo(bpm=bpm):
            try:
                core.set_tempo(now, bpm)
            except TempoError as exc:
                log.warning("%s; tempo stays %g BPM", exc, core.bpm)
        case Locate(position=position):
            core.locate(now, position)
        case Follow(time=time, position=position, bpm=bpm):
            try:
                core.follow(time, position, bpm)
            except TempoError as exc:
                log.warning("master clock: %s; keeping %g BPM", exc, core.bpm)
        case SetQuantum():
            pass  # a Link phase: only the Link actor in front of the clock keeps one
        case _:
            log.warning("clock ignores %r", message)


async def clock_actor(inbox: Inbox, steps: Outbox, core: ClockCore) -> None:
    """Hand each step on ``EMIT_AHEAD`` before its time, carrying that exact time;
    transport changes go the same way, in order with the steps."""
    commands_open = True
    async with steps:
        while True:
            message: Message | None = None
            with trio.move_on_at(core.next_emit_time()):
                if not commands_open:
                    await trio.sleep_forever()
                try:
                    message = await inbox.receive()
                except trio.EndOfChannel:
                    commands_open = False  # nobody can steer us any more; keep time
                    continue
            if message is None:
                # a step is due; a command already waiting was sent before it fell due
                # (a Start and the Follow that places its first step come together)
                message = inbox.poll()
            if message is None:
                await steps.send(core.pop_step())
                continue
            now = trio.current_time()
            apply(core, message, now)
            if isinstance(message, Start | Stop | Continue | Locate):
                await steps.send(Transport(core.playing, core.position(now), now))
