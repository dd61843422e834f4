"""Mailboxes: trio memory channels that carry msgpack bytes between actors.

Encoding at the boundary is deliberate even inside one process: it makes it
impossible for two actors to share a mutable object, and any actor can move
to another process later without changing its peers.
"""

from __future__ import annotations

import contextlib

import trio

from actors.messages import Message, decode, encode

DEFAULT_CAPACITY = 256


class Outbox:
    """The sending end; close it (``async with`` or :meth:`aclose`) to end the stream."""

    def __init__(self, channel: trio.MemorySendChannel[bytes]) -> None:
        self._channel = channel

    async def send(self, message: Message) -> None:
        await self._channel.send(encode(message))

    def send_nowait(self, message: Message) -> bool:
        """Send unless the receiver is behind; for observers (a screen) that must
        never hold up the sender. Returns whether the message went."""
        try:
            self._channel.send_nowait(encode(message))
        except (trio.WouldBlock, trio.BrokenResourceError):
            return False
        return True

    def clone(self) -> Outbox:
        return Outbox(self._channel.clone())

    async def aclose(self) -> None:
        await self._channel.aclose()

    async def __aenter__(self) -> Outbox:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()


class Inbox:
    """The receiving end; iterating ends when every clone of the outbox is closed."""

    def __init__(self, channel: trio.MemoryReceiveChannel[bytes]) -> None:
        self._channel = channel
        self._ended = False

    async def receive(self) -> Message:
        return decode(await self._channel.receive())

    async def receive_by(self, deadline: float) -> Message | None:
        """The next message, or ``None`` once ``deadline`` (trio's time) has come: what an
        actor that keeps time between messages waits on. A deadline already past wins
        over a message already waiting, so work that is due is never put off by input;
        once every sender has gone, it only waits for the deadline."""
        with trio.move_on_at(deadline):
            if self._ended:
                await trio.sleep_forever()
            try:
                return await self.receive()
            except trio.EndOfChannel:
                self._ended = True
                await trio.sleep_forever()
        return None

    def __aiter__(self) -> Inbox:
        return self

    async def __anext__(self) -> Message:
        try:
            return await self.receive()
        except trio.EndOfChannel:
            raise StopAsyncIteration from None


def mailbox(capacity: int = DEFAULT_CAPACITY) -> tuple[Outbox, Inbox]:
    send, receive = trio.open_memory_channel[bytes](capacity)
    return Outbox(send), Inbox(receive)


async def fan_out(inbox: Inbox, *outboxes: Outbox) -> None:
    """Hand every message of ``inbox`` to each of ``outboxes`` (awaited, in order) until
    it ends, then close them: one sender's stream for several players (MIDI, crow)."""
    async with contextlib.AsyncExitStack() as stack:
        for outbox in outboxes:
            await stack.enter_async_context(outbox)
        async for message in inbox:
            for outbox in outboxes:
                await outbox.send(message)
