"""Shared helpers of the UI tests: views of a session, and a model to drive."""

from __future__ import annotations

from pathlib import Path

from actors.messages import Generate, LoadKit, SaveSession, SessionState
from actors.session import Session, SessionCore, default_session, session_to_json
from actors.ui._controls import Controls, Send
from actors.ui._state import View, observe


def view_of(session: Session | None = None, *, playing: bool = False) -> View:
    view = observe(View(), SessionState(session_to_json(session or default_session())))
    return View(session=view.session, serial=view.serial, playing=playing)


class Rig:
    """A control model wired to a real session core: what the model sends is applied,
    and the session state comes back, as the actors would do it."""

    def __init__(self, tmp: Path, session: Session | None = None) -> None:
        self.core = SessionCore(session or default_session())
        self.controls = Controls(tmp / "sessions")
        self.view = view_of(self.core.session)
        self.sent: list = []

    def apply(self, actions: list) -> list:
        """Apply what went to the session, and observe the state it sends back."""
        for action in actions:
            self.sent.append(action)
            if isinstance(action, Send) and action.dest.value == "session" and not isinstance(
                    action.message, Generate | LoadKit | SaveSession):
                self.core.apply(action.message)
                self.view = observe(self.view,
                                    SessionState(session_to_json(self.core.session)))
        return actions

    def key(self, n: int, z: int) -> list:
        return self.apply(self.controls.key(n, z, self.view))

    def tap(self, n: int) -> list:
        return self.key(n, 1) + self.key(n, 0)

    def enc(self, n: int, d: int) -> list:
        return self.apply(self.controls.enc(n, d, self.view))

    def pattern(self, track: int) -> str:
        return self.core.session.track(track).pattern
