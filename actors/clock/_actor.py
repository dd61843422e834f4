"""The clock's trio shell: sleep until the next step is due, or until a command arrives."""

from __future__ import annotations

import trio

from actors.mesh import Inbox, Outbox
from actors.messages import Continue, Locate, Start, Stop, Transport

from ._core import ClockCore


async def clock_actor(inbox: Inbox, steps: Outbox, core: ClockCore) -> None:
    """Hand each step on ``EMIT_AHEAD`` before its time, carrying that exact time;
    transport changes go the same way, in order with the steps."""
    async with steps:
        while True:
            message = await inbox.receive_by(core.next_emit_time())
            if message is None:
                await steps.send(core.pop_step())
                continue
            now = trio.current_time()
            core.apply(message, now)
            if isinstance(message, Start | Stop | Continue | Locate):
                await steps.send(Transport(core.playing, core.position(now), now))
