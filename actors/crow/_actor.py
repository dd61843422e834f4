"""The crow actor's trio shell: keep a crow connected, write each gate when it is due.

It receives what the machine plays (like MIDI notes out) and never holds it
up: while no crow answers, due gates are dropped; the audio plays on.
"""

from __future__ import annotations

import logging

import trio

from actors.mesh import Inbox
from actors.messages import Hits

from ._core import CrowCore
from ._device import CrowPort, NotACrow, find_crow
from ._options import CrowConfig

log = logging.getLogger(__name__)

RETRY = 1.0
"""Seconds between looks for a crow that is missing or did not answer."""


class _Connection:
    port: CrowPort | None = None


async def crow_actor(
    config: CrowConfig,
    lookahead: float,
    played: Inbox,
    *,
    task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED,
) -> None:
    """Gate crow's outputs for the hits in ``played`` (every :class:`Hits`; other
    messages are ignored) until cancelled. ``lookahead`` is the bridge's: a hit is
    heard that long after its time."""
    core = CrowCore(dict(config.outputs), config.shape, lookahead)
    link = _Connection()
    async with trio.open_nursery() as nursery:
        nursery.start_soon(_keep_connected, config, link)
        task_status.started()
        while True:
            message = await played.receive_by(core.next_time())
            if message is not None:
                if isinstance(message, Hits):
                    for hit in message.each():
                        core.receive(hit)
                continue
            line = core.due(trio.current_time())
            if link.port is not None and line:
                try:
                    link.port.write(line)
                except OSError as exc:
                    log.warning("crow: writing to %s failed (%s)", link.port.path, exc.strerror)
                    link.port = None  # the reader sees it go and looks for it again


async def _keep_connected(config: CrowConfig, link: _Connection) -> None:
    reported: str | None = None
    while True:
        path = config.device or find_crow()
        problem = None
        if path is None:
            problem = ("crow: none plugged in (USB 0483:5740); gates start when one is, "
                       "the music plays on")
        else:
            try:
                port = CrowPort(path)
            except NotACrow as exc:
                problem = f"{exc}; looking again every {RETRY:g} s"
            else:
                try:
                    await port.identify()
                except NotACrow as exc:
                    problem = f"crow: {exc}; no gates are sent to it"
                    port.close()
                else:
                    await _connected(port, link)
                    reported = None
                    continue
        if problem != reported:
            log.warning("%s", problem)
            reported = problem
        await trio.sleep(RETRY)


async def _connected(port: CrowPort, link: _Connection) -> None:
    """Use ``port`` until it goes away, logging what crow reports."""
    log.info("crow %s (%s) on %s: gates on", port.version, port.identity, port.path)
    port.write("for n=1,4 do output[n].volts=0 end\n")
    link.port = port
    try:
        while link.port is port:
            for line in await port.lines():
                if line.startswith("\\"):
                    log.warning("crow reports: %s", line)
    except EOFError:
        pass
    finally:
        link.port = None
        port.close()
    log.warning("crow on %s went away: gates stop until it returns (the music plays on)",
                port.path)
    await trio.sleep(RETRY)
