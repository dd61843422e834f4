"""Worker processes: a part of the machine that runs in a process of its own, so its
memory and its CPU bursts (numpy holds the GIL) never delay the trio thread that times
the music. A worker reads msgpack frames on its stdin and writes its answers on its
stdout; its stderr comes back through our log, since written straight to the terminal
it would tear through a full-screen UI. The machine owns a worker's life: closing its
stdin tells it to exit."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
from contextlib import suppress

import trio

log = logging.getLogger(__name__)


async def start_worker(module: str, *args: str) -> trio.Process:
    """``python -m module args`` with its three streams piped to us."""
    return await trio.lowlevel.open_process(
        [sys.executable, "-m", module, *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE)


async def log_stderr(process: trio.Process) -> None:
    """The worker's own messages (store rebuilds, progress), line by line."""
    assert process.stderr is not None
    pending = b""
    async for chunk in process.stderr:
        *lines, pending = (pending + chunk).replace(b"\r", b"\n").split(b"\n")
        for line in lines:
            if line.strip():
                log.info("worker: %s", line.decode(errors="replace").rstrip())


async def stop_worker(process: trio.Process) -> None:
    """Close the worker's stdin so it exits by itself; kill it if it does not."""
    assert process.stdin is not None
    with suppress(trio.BrokenResourceError, trio.ClosedResourceError):
        await process.stdin.aclose()
    with trio.move_on_after(2):
        await process.wait()
        return
    log.warning("worker %d did not exit; killing it", process.pid)
    process.kill()
    await process.wait()


def write_all(fd: int, data: bytes) -> None:
    """Write all of ``data`` to ``fd`` (the worker's side of its stdout)."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def ignore_interrupts() -> None:
    """In the worker: Ctrl-C in a terminal reaches the whole process group, but the
    machine owns the worker's life (it closes our stdin on its way out): without this
    the player saw a KeyboardInterrupt traceback from the worker in the log at every
    stop."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
