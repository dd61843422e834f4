"""The input actor when no control surface is attached: it starts the transport."""

from __future__ import annotations

import trio

from actors.mesh import Outbox
from actors.messages import Start


async def headless_ui(clock: Outbox, session: Outbox, *, start: bool = True) -> None:
    """Start playing (unless a MIDI master will), then hold the outboxes open until
    cancelled: closing them is how the machine shuts down."""
    async with clock, session:
        if start:
            await clock.send(Start())
        await trio.sleep_forever()
