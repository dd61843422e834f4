"""The trio side of the generator: a client that talks to the worker process.

Only awaiting happens on the trio thread -- encoding a request and decoding a
result are microseconds -- so a performance's timing is never held up by
generation. One request is in flight at a time (the worker is sequential
anyway); the rest wait in a :class:`LatestPerKey` queue where a newer request
for the same target track replaces an older one, whose caller gets
:class:`Superseded`. The session's history goes ahead of any request not yet
sent; only the latest is kept, and the worker does not answer it.
"""

from __future__ import annotations

import dataclasses
import itertools
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import msgpack
import trio

from actors.messages import GenerateRequest, GenerateResult, SetHistory
from actors.workers import log_stderr, start_worker, stop_worker

from ._messages import pack, pack_history, result_from
from ._queue import LatestPerKey
from ._store import default_path

log = logging.getLogger(__name__)


class GeneratorError(Exception):
    """The worker rejected a request (the message says why) or is gone."""


class Superseded(Exception):
    """A newer request for the same track replaced this one before it was sent."""


@dataclasses.dataclass(eq=False)
class _Pending:
    request: GenerateRequest
    done: trio.Event = dataclasses.field(default_factory=trio.Event)
    result: GenerateResult | None = None
    error: Exception | None = None

    def finish(self, result: GenerateResult | None = None, error: Exception | None = None) -> None:
        self.result, self.error = result, error
        self.done.set()


class GeneratorClient:
    """Send :class:`GenerateRequest` s to the worker; made by :func:`open_generator`."""

    def __init__(self, process: trio.Process) -> None:
        assert process.stdin is not None and process.stdout is not None
        self._process = process
        self._stdin = process.stdin
        self._stdout = process.stdout
        self._ids = itertools.count(1)
        self._queue: LatestPerKey[_Pending] = LatestPerKey()
        self._in_flight: _Pending | None = None
        self._wake = trio.lowlevel.ParkingLot()
        self._unpacker = msgpack.Unpacker(raw=False)
        self._closed: Exception | None = None
        self._history: SetHistory | None = None
        self.description = ""
        """What the worker's store was built from (its ``meta.description``)."""

    @property
    def alive(self) -> bool:
        """False once the worker has gone; every later request fails at once."""
        return self._closed is None

    async def request(self, request: GenerateRequest) -> GenerateResult:
        """Queue ``request`` (its ``request_id`` is assigned here) and await the answer.

        Raises :class:`Superseded` if a newer request for the same target
        replaced it while queued, :class:`GeneratorError` if the worker
        rejected it or exited.
        """
        if self._closed is not None:
            raise GeneratorError("the generator worker is not running") from self._closed
        pending = _Pending(dataclasses.replace(request, request_id=next(self._ids)))
        older = self._queue.put(request.target, pending)
        if older is not None:
            older.finish(error=Superseded(f"request {older.request.request_id} superseded"))
        self._wake.unpark_all()
        try:
            await pending.done.wait()
        except trio.Cancelled:
            self._queue.discard(request.target, pending)
            raise
        if pending.error is not None:
            raise pending.error
        assert pending.result is not None
        if pending.result.error:
            raise GeneratorError(pending.result.error)
        return pending.result

    def set_history(self, history: SetHistory) -> None:
        """Condition every request sent from now on on ``history``."""
        self._history = history
        self._wake.unpark_all()

    async def _send(self) -> None:
        while True:
            while self._history is None and (self._in_flight is not None or not self._queue):
                await self._wake.park()
            if self._history is not None:
                data, self._history = pack_history(self._history), None
            else:
                self._in_flight = self._queue.pop()
                data = pack(self._in_flight.request)
            try:
                await self._stdin.send_all(data)
            except (trio.BrokenResourceError, trio.ClosedResourceError) as error:
                self._fail(GeneratorError("the generator worker exited"))
                log.error("cannot reach the generator worker: %s", error)
                return

    async def _receive_frame(self) -> object:
        while True:
            for frame in self._unpacker:
                return frame
            chunk = await self._stdout.receive_some()
            if not chunk:
                raise GeneratorError("the generator worker exited")
            self._unpacker.feed(chunk)

    async def _receive(self) -> None:
        """Hand each answer to its caller; when the worker goes, fail everything waiting."""
        try:
            while True:
                values = await self._receive_frame()
                if not isinstance(values, list):
                    raise GeneratorError(f"the generator worker sent {values!r}, not a result")
                result = result_from(values)
                pending, self._in_flight = self._in_flight, None
                if pending is None or result.request_id != pending.request.request_id:
                    raise GeneratorError(f"unexpected answer {result.request_id} from the worker")
                pending.finish(result)
                self._wake.unpark_all()
        except GeneratorError as error:
            log.error("%s", error)
            self._fail(error)

    def _fail(self, error: Exception) -> None:
        self._closed = error
        if self._in_flight is not None:
            self._in_flight.finish(error=error)
            self._in_flight = None
        while self._queue:
            self._queue.pop().finish(error=error)


@asynccontextmanager
async def open_generator(db_path: Path | None = None) -> AsyncIterator[GeneratorClient]:
    """Start a worker on the store at ``db_path`` (default: :func:`default_path`).

    Returns once the worker has loaded the store -- rebuilding it from the
    starter corpus if it is missing or corrupt -- and stops it on exit.
    """
    path = db_path or default_path()
    process = await start_worker("actors.generator._worker", str(path))
    client = GeneratorClient(process)
    try:
        try:
            async with trio.open_nursery() as nursery:
                nursery.start_soon(log_stderr, process)
                ready = await client._receive_frame()
                if not isinstance(ready, dict) or "ready" not in ready:
                    raise GeneratorError(f"the generator worker did not start: {ready!r}")
                client.description = str(ready["ready"])
                nursery.start_soon(client._send)
                nursery.start_soon(client._receive)
                yield client
                nursery.cancel_scope.cancel()
        except BaseExceptionGroup as group:
            # The helper tasks never raise, so a group holds the caller's own
            # exception: give it back unwrapped, as if no nursery were here.
            if len(group.exceptions) == 1:
                raise group.exceptions[0] from None
            raise
    finally:
        with trio.CancelScope(shield=True):
            await stop_worker(process)
