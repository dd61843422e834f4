"""The session actor's trio shell: route commands, do file I/O off the loop, autosave.

Autosave writes the whole session at most every ``AUTOSAVE_INTERVAL`` after a
change, atomically, so a crash (even ``kill -9``) loses at most that much of
the player's edits and never leaves a half-written file.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Awaitable, Callable
from pathlib import Path

import trio

from actors import kit as kits
from actors.mesh import Inbox, Outbox
from actors.messages import LoadKit, LoadSession, SaveSession, SessionState

from ._core import Routed, SessionCore, To, full_state
from ._file import load_session, save_session, session_to_json

log = logging.getLogger(__name__)

AUTOSAVE_INTERVAL = 0.5
SURFACE_RATE = 30


def autosave_path() -> Path:
    base = os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state"
    return Path(base) / "supertonic" / "autosave.json"


class _AtMostEvery:
    """Runs an action after changes, at most once per ``interval``: a burst of
    changes costs one run, with the latest state."""

    def __init__(self, action: Callable[[], Awaitable[None]], interval: float) -> None:
        self._action = action
        self._interval = interval
        self._changed = trio.Event()

    def poke(self) -> None:
        self._changed.set()

    async def run(self) -> None:
        while True:
            await self._changed.wait()
            self._changed = trio.Event()
            await self._action()
            await trio.sleep(self._interval)


async def session_actor(
    commands: Inbox, outboxes: dict[To, Outbox], core: SessionCore, autosave: Path | None, *,
    task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED,
) -> None:
    """Send the whole session on, then serve commands until the input closes.

    Messages for a destination missing from ``outboxes`` (a machine without
    surfaces, say) are dropped. Surfaces get the whole session after changes,
    at most ``SURFACE_RATE`` times a second (they redraw no faster). ``task_status``
    fires once the full state is queued, so the transport can start knowing
    every track already has its pattern and its voice.
    """

    async def save() -> None:
        assert autosave is not None
        try:
            await trio.to_thread.run_sync(save_session, core.session, autosave)
        except OSError as exc:
            log.error("autosave to %s failed: %s", autosave, exc)

    async def publish() -> None:
        await outboxes[To.SURFACES].send(SessionState(session_to_json(core.session, compact=True)))

    async def route(routed: Routed) -> None:
        for target, message in routed:
            if target in outboxes:
                await outboxes[target].send(message)

    saver = _AtMostEvery(save, AUTOSAVE_INTERVAL)
    publisher = _AtMostEvery(publish, 1 / SURFACE_RATE)
    async with contextlib.AsyncExitStack() as stack:
        for outbox in outboxes.values():
            await stack.enter_async_context(outbox)
        nursery = await stack.enter_async_context(trio.open_nursery())
        if autosave is not None:
            nursery.start_soon(saver.run)
        if To.SURFACES in outboxes:
            nursery.start_soon(publisher.run)
            publisher.poke()
        await route(full_state(core.session))
        task_status.started()
        async for command in commands:
            before = core.session
            try:
                match command:
                    case LoadKit(path=path, slot=slot, pattern=pattern):
                        kit = await trio.to_thread.run_sync(kits.load_kit, Path(path))
                        routed = core.load_kit(kit, slot, pattern)
                    case LoadSession(path=path):
                        loaded = await trio.to_thread.run_sync(load_session, Path(path))
                        routed = core.replace(loaded)
                        log.info("loaded the session %s", path)
                    case SaveSession(path=path):
                        await trio.to_thread.run_sync(save_session, core.session, Path(path))
                        log.info("saved the session to %s", path)
                        continue
                    case _:
                        routed = core.apply(command)
            except (ValueError, OSError) as exc:  # KitError is a ValueError
                log.warning("refused %s: %s", type(command).__name__, exc)
                continue
            await route(routed)
            if core.session is not before:
                saver.poke()
                publisher.poke()
        nursery.cancel_scope.cancel()
