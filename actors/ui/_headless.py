"""The input actor when no control surface is attached: it plays what it was given."""

from __future__ import annotations

import trio

from actors.mesh import Outbox
from actors.messages import Message, SetTempo, Start


async def headless_ui(
    clock: Outbox, edits: Outbox, bridge: Outbox, voices: list[Message],
    state: list[Message], bpm: float,
) -> None:
    """Load voices and the session's state, then start the transport.

    Voices go first so no hit can reach the bridge before it knows its sound;
    the outboxes stay open until cancelled, because closing them is how the
    machine shuts down.
    """
    async with clock, edits, bridge:
        for message in voices:
            await bridge.send(message)
        for message in state:
            await edits.send(message)
        await clock.send(SetTempo(bpm))
        await clock.send(Start())
        await trio.sleep_forever()
