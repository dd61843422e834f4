"""The clock's trio shell: sleep until the next step is due, or until a command arrives."""

from __future__ import annotations

import trio

from actors.mesh import Inbox, Outbox
from actors.messages import Continue, Locate, Start, Stop, Transport

from ._core import ClockCore


async def clock_actor(inbox: Inbox, steps: Outbox, core: ClockCore) -> None:
    """Hand each step on ``EMIT_AHEAD`` before its time, carrying that exact time;
    transport changes go the same way, in order with the steps."""
    commands_open = True
    async with steps:
        while True:
            with trio.move_on_at(core.next_emit_time()):
                if not commands_open:
                    await trio.sleep_forever()
                try:
                    message = await inbox.receive()
                except trio.EndOfChannel:
                    commands_open = False  # nobody can steer us any more; keep time
                    continue
                now = trio.current_time()
                core.apply(message, now)
                if isinstance(message, Start | Stop | Continue | Locate):
                    await steps.send(Transport(core.playing, core.position(now), now,
                                                   core.ticks))
                continue
            await steps.send(core.pop_step())
