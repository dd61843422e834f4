"""What every surface shell shares: the model, the latest view, and the way out.

A surface (terminal, OSC) owns one :class:`Surface`. Observer messages update its
view; key and encoder events go through the control model, and the actions that
come out are carried out here: messages sent, files listed and read off the
event loop. ``changed`` tells the surface's drawing task that there is something
new to draw, so a screen draws only on change.
"""

from __future__ import annotations

import logging
from pathlib import Path

import trio

from actors.mesh import Inbox, Outbox
from actors.messages import LoadSession, Message, SessionState

from ._controls import Action, Controls, Dest, ListFiles, LoadSessionFile, Send
from ._files import Places, list_files, list_takes
from ._state import View, observe

log = logging.getLogger(__name__)


class Surface:
    def __init__(self, clock: Outbox, session: Outbox, places: Places,
                 clock_source: str = "internal") -> None:
        self.controls = Controls(places.sessions, clock_source)
        self.view = View()
        self.session_text = ""
        """The latest session state as sent, for surfaces that pass it on."""
        self.places = places
        self.changed = trio.Event()
        self._outboxes = {Dest.CLOCK: clock, Dest.SESSION: session}
        self._unreadable = 0

    def observe(self, message: Message) -> None:
        try:
            self.view = observe(self.view, message)
        except ValueError as exc:
            self._unreadable += 1
            if self._unreadable == 1:  # a bug upstream; once is enough to say so
                log.error("a surface could not read %s: %s", type(message).__name__, exc)
            return
        if isinstance(message, SessionState):
            self.session_text = message.text
        self.changed.set()

    async def follow(self, observed: Inbox) -> None:
        """Keep the view up to date; never blocks the senders for longer than a read."""
        async for message in observed:
            self.observe(message)

    async def key(self, n: int, z: int) -> None:
        await self.act(self.controls.key(n, z, self.view))

    async def enc(self, n: int, d: int) -> None:
        await self.act(self.controls.enc(n, d, self.view))

    async def act(self, actions: list[Action]) -> None:
        self.changed.set()
        for action in actions:
            match action:
                case Send(dest=dest, message=message):
                    await self._outboxes[dest].send(message)
                case ListFiles():
                    kits, sessions = await trio.to_thread.run_sync(list_files, self.places)
                    takes = await trio.to_thread.run_sync(list_takes, self.places)
                    self.controls.set_files(kits, sessions, takes)
                case LoadSessionFile(path=path):
                    await self._load(path)
            self.changed.set()

    async def send(self, dest: Dest, message: Message) -> None:
        """A direct setter (OSC's), outside the key and encoder model."""
        await self._outboxes[dest].send(message)

    async def _load(self, path: Path) -> None:
        """The session actor loads the file and replaces its state whole: a diff
        against this surface's view could miss a change not yet shown here."""
        await self._outboxes[Dest.SESSION].send(LoadSession(str(path)))
        self.controls.notice = f"loaded {path.name}"
