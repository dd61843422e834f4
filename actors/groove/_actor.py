"""The groove's trio shell: the worker process that holds the model, kept running for
the machine. Only awaiting pipes happens here; the sequencer sends bars to draw, and the
answers go back to it as messages, so a slow or dead worker costs bars of groove (they
play the grid) and never a hit's time. A worker that dies is started again and sent the
requests it left unanswered."""

from __future__ import annotations

import collections
import logging

import msgpack
import trio

from actors.mesh import Inbox, Outbox
from actors.messages import Message, encode, unpacked
from actors.workers import log_stderr, start_worker, stop_worker

log = logging.getLogger(__name__)

RESTART_DELAY = 1.0


class GrooveWorker:
    def __init__(self) -> None:
        self.latencies: collections.deque[float] = collections.deque(maxlen=100_000)
        """Seconds from sending each request to reading its answer: a bar's answer as
        the running machine gets it."""
        self.ready = trio.Event()
        """Set once the first worker has loaded its model (or could not start): the
        machine starts the transport after it, so a take's first bars are answered."""
        self._ended = False
        self._pending: collections.deque[tuple[float, Message]] = collections.deque()
        """Requests not yet answered, with when they were first sent: a worker started
        again is sent them first, so a bar asked for a bar ahead may still come in time."""

    async def run(self, requests: Inbox, answers: Outbox, now: bool = True) -> None:
        """Serve until the requests' senders close (or the answers' reader has gone).
        With ``now`` False the worker is started by the first request: a session that
        never grooves never pays for the model (about 1 s of CPU and 70 MB)."""
        async with answers:
            if not now:
                try:
                    first = await requests.receive()
                except trio.EndOfChannel:
                    return
                self._pending.append((trio.current_time(), first))
            while not self._ended:
                try:
                    process = await start_worker("actors.groove._worker")
                except OSError as error:
                    log.error("cannot start the groove worker (%s); the grid plays", error)
                    self.ready.set()
                    return
                log.info("groove worker %d started", process.pid)
                async with trio.open_nursery() as reading:  # its last words too
                    reading.start_soon(log_stderr, process)
                    try:
                        await self._serve(process, requests, answers)
                    finally:
                        with trio.CancelScope(shield=True):
                            await stop_worker(process)
                self.ready.set()  # a worker that died before it was ready will not be
                if not self._ended:
                    log.error("the groove worker exited; starting it again (the grid plays "
                              "meanwhile)")
                    await trio.sleep(RESTART_DELAY)

    async def _serve(self, process: trio.Process, requests: Inbox, answers: Outbox) -> None:
        assert process.stdin is not None
        async with trio.open_nursery() as nursery:

            async def back() -> None:
                await self._answer(process, answers)
                nursery.cancel_scope.cancel()

            nursery.start_soon(back)
            try:
                for _, request in list(self._pending):
                    await process.stdin.send_all(encode(request))
                async for request in requests:
                    self._pending.append((trio.current_time(), request))
                    await process.stdin.send_all(encode(request))
                self._ended = True
            except (trio.BrokenResourceError, trio.ClosedResourceError):
                pass  # the worker has gone: back() sees its end too
            nursery.cancel_scope.cancel()

    async def _answer(self, process: trio.Process, answers: Outbox) -> None:
        """Hand each answer to the sequencer, until the worker's output ends."""
        assert process.stdout is not None
        unpacker = msgpack.Unpacker(raw=False)
        async for chunk in process.stdout:
            unpacker.feed(chunk)
            for values in unpacker:
                if isinstance(values, dict):  # {"ready": bars}: the model is loaded
                    log.info("groove ready (%s learned bars)", values.get("ready"))
                    self.ready.set()
                    continue
                if self._pending:
                    self.latencies.append(trio.current_time() - self._pending.popleft()[0])
                try:
                    await answers.send(unpacked(values))
                except ValueError as error:
                    log.error("the groove worker sent %s", error)
                except (trio.BrokenResourceError, trio.ClosedResourceError):
                    self._ended = True  # the sequencer has gone: so has the machine
                    return
