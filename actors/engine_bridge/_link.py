"""The live UDP link to one scsynth: send bundles now, await its replies.

Replies are matched by address (and first argument where scsynth echoes the
command), so a boot step can wait for exactly its own ``/done``.
"""

from __future__ import annotations

import contextlib
import logging
import math
import socket
from collections.abc import Callable, Sequence

import trio
from pythonosc.osc_message import OscMessage, ParseError

from ._requests import (
    NTP_UNIX_OFFSET,
    OscArg,
    Request,
    Sync,
    encode_message,
    pack_bundle,
    time_tag,
)

log = logging.getLogger(__name__)

_NODE_NOTICES = b"/n_"
MAX_DATAGRAM = 8192
"""scsynth's UDP receive buffer; a bundle is split below this size."""


Reply = tuple[OscArg, ...]
"""A message's arguments from scsynth, as python-osc parses them."""


class LinkError(RuntimeError):
    """The server did not answer in time, or answered ``/fail``."""


class ScsynthLink:
    """Over a plain non-blocking socket: scsynth answers every voice with /n_go and
    /n_end, and draining each burst of those in one wake-up, rather than one trio
    socket call per datagram, is a large share of the bridge's CPU at 300 BPM."""

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock
        self._waiters: dict[tuple[str, object], list[trio.MemorySendChannel[Reply]]] = {}
        self._sync_id = 0
        self._handlers: dict[str, Callable[[Reply], None]] = {}
        self.last_status_time = -math.inf

    @classmethod
    async def connect(cls, host: str, port: int) -> ScsynthLink:
        address = (await trio.socket.getaddrinfo(host, port, socket.AF_INET,
                                                 socket.SOCK_DGRAM))[0][4]
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.setblocking(False)
        sock.bind(("127.0.0.1" if host in ("127.0.0.1", "localhost") else "0.0.0.0", 0))
        sock.connect(address)
        return cls(sock)

    def close(self) -> None:
        trio.lowlevel.notify_closing(self._sock)
        self._sock.close()

    async def _send(self, data: bytes) -> None:
        while True:
            try:
                self._sock.send(data)
                return
            except BlockingIOError:
                await trio.lowlevel.wait_writable(self._sock)

    async def send(self, requests: Sequence[Request], unix_time: float | None = None) -> None:
        """Send requests as bundles stamped ``unix_time`` (``None``: immediately)."""
        tag = b"\0\0\0\0\0\0\0\1" if unix_time is None else time_tag(unix_time + NTP_UNIX_OFFSET)
        chunk: list[bytes] = []
        size = 16
        for data in map(encode_message, requests):
            if chunk and size + len(data) + 4 > MAX_DATAGRAM:
                await self._send(pack_bundle(chunk, tag))
                chunk, size = [], 16
            chunk.append(data)
            size += len(data) + 4
        if chunk:
            await self._send(pack_bundle(chunk, tag))

    async def call(self, request: Request, reply: str, key: object = None,
                   timeout: float = 5.0) -> Reply:
        """Send one request now and wait for the reply ``(reply, key, ...)``."""
        send, receive = trio.open_memory_channel[Reply](1)
        waiters = self._waiters.setdefault((reply, key), [])
        waiters.append(send)
        try:
            await self.send((request,))
            with trio.fail_after(timeout):
                return await receive.receive()
        except trio.TooSlowError:
            raise LinkError(f"no {reply} for {request.address} within {timeout} s") from None
        finally:
            waiters.remove(send)

    def subscribe(self, address: str, handler: Callable[[Reply], None]) -> None:
        """Call ``handler(params)`` for every message scsynth sends to ``address``."""
        self._handlers[address] = handler

    async def sync(self, timeout: float = 5.0) -> None:
        """Wait until the server has finished every asynchronous command sent before."""
        self._sync_id += 1
        await self.call(Sync(self._sync_id), "/synced", self._sync_id, timeout)

    async def receive_loop(self) -> None:
        """Dispatch replies until cancelled; garbage datagrams are logged and dropped."""
        while True:
            await trio.lowlevel.wait_readable(self._sock)
            while True:
                try:
                    data = self._sock.recv(65536)
                except BlockingIOError:
                    break
                except OSError as exc:  # ICMP "connection refused" while the server is down
                    log.debug("scsynth link: %s", exc)
                    await trio.sleep(0.05)
                    break
                if data.startswith(_NODE_NOTICES):
                    continue  # /n_go, /n_end ...: a notice per voice, none of them needed
                try:
                    message = OscMessage(data)
                except ParseError:
                    log.warning("dropped an unparsable datagram of %d bytes from scsynth",
                                len(data))
                    continue
                self._dispatch(message.address, tuple(message.params))

    def _dispatch(self, address: str, params: Reply) -> None:
        if address == "/status.reply":
            self.last_status_time = trio.current_time()
        elif address == "/fail":
            log.error("scsynth: /fail %s", " ".join(map(str, params)))
        elif address in self._handlers:
            self._handlers[address](params)
        first = params[0] if params else None
        for key in ((address, first), (address, None)):
            for waiter in self._waiters.get(key, ()):
                with contextlib.suppress(trio.WouldBlock):  # a duplicate reply
                    waiter.send_nowait(params)
