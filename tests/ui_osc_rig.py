"""An OSC surface running against the real session actor, for the OSC and norns tests.

Generation requests and transport commands are recorded instead of played: the
session actor does not handle ``Generate`` (the generator does), and there is no
clock.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import socket
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import trio
from pythonosc.osc_message import OscMessage

from actors.mesh import Inbox, Outbox, mailbox
from actors.messages import Generate, Message
from actors.session import SessionCore, To, default_session, session_actor
from actors.ui import Places, osc_surface


@dataclasses.dataclass
class OscRig:
    port: int
    core: SessionCore
    places: Places
    clock: list[Message]
    generated: list[Generate]
    observers: Outbox

    def send(self, data: bytes) -> None:
        """Send a datagram from an ordinary blocking socket, as another program would."""
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            sock.sendto(data, ("127.0.0.1", self.port))

    async def until(self, condition: Callable[[], bool], seconds: float = 5.0) -> None:
        with trio.fail_after(seconds):
            while not condition():
                await trio.sleep(0.01)


async def _record(inbox: Inbox, into: list[Message]) -> None:
    async for message in inbox:
        into.append(message)


async def _proxy(commands: Inbox, session: Outbox, generated: list[Generate]) -> None:
    async with session:
        async for command in commands:
            if isinstance(command, Generate):
                generated.append(command)
            else:
                await session.send(command)


@contextlib.asynccontextmanager
async def osc_rig(tmp_path: Path) -> AsyncIterator[OscRig]:
    places = Places(kits=tmp_path / "kits", sessions=tmp_path / "sessions")
    to_clock, clock_inbox = mailbox()
    to_session, session_inbox = mailbox()
    to_core, core_inbox = mailbox()
    observers, observed = mailbox()
    sinks = {target: mailbox() for target in To if target is not To.SURFACES}
    core = SessionCore(default_session())
    rig = OscRig(0, core, places, [], [], observers)
    async with trio.open_nursery() as nursery:
        nursery.start_soon(_record, clock_inbox, rig.clock)
        for _, inbox in sinks.values():
            nursery.start_soon(_record, inbox, [])
        outboxes = {t: o for t, (o, _) in sinks.items()}
        outboxes[To.SURFACES] = observers.clone()
        await nursery.start(session_actor, core_inbox, outboxes, core, None)
        nursery.start_soon(_proxy, session_inbox, to_core, rig.generated)
        rig.port = await nursery.start(functools.partial(
            osc_surface, to_clock, to_session, observed, "127.0.0.1", 0, places=places))
        yield rig
        nursery.cancel_scope.cancel()


class Listener:
    """A UDP socket that collects what the surface sends to it, message by message."""

    def __init__(self, sock: trio.socket.SocketType) -> None:
        self.sock = sock
        self.received: list[tuple[str, list]] = []

    @property
    def port(self) -> int:
        return self.sock.getsockname()[1]

    async def collect(self) -> None:
        while True:
            data = await self.sock.recv(65536)
            message = OscMessage(data)
            self.received.append((message.address, message.params))

    def last(self, address: str) -> list | None:
        for got, params in reversed(self.received):
            if got == address:
                return params
        return None


@contextlib.asynccontextmanager
async def listener() -> AsyncIterator[Listener]:
    sock = trio.socket.socket(trio.socket.AF_INET, trio.socket.SOCK_DGRAM)
    with sock:
        await sock.bind(("127.0.0.1", 0))
        listening = Listener(sock)
        async with trio.open_nursery() as nursery:
            nursery.start_soon(listening.collect)
            yield listening
            nursery.cancel_scope.cancel()
