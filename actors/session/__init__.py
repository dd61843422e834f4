"""The session: the player's whole editable state, its file, and the actor that owns it."""

from ._actor import AUTOSAVE_INTERVAL, autosave_path, session_actor
from ._core import Routed, SessionCore, To, full_state, voice_message
from ._file import FORMAT, VERSION, load_session, save_session, session_from_json, session_to_json
from ._model import (
    DEFAULT_KIT,
    DEFAULT_PATTERNS,
    Session,
    SessionError,
    TrackSettings,
    default_session,
)

__all__ = [
    "AUTOSAVE_INTERVAL",
    "DEFAULT_KIT",
    "DEFAULT_PATTERNS",
    "FORMAT",
    "VERSION",
    "Routed",
    "Session",
    "SessionCore",
    "SessionError",
    "To",
    "TrackSettings",
    "autosave_path",
    "default_session",
    "full_state",
    "load_session",
    "save_session",
    "session_actor",
    "session_from_json",
    "session_to_json",
    "voice_message",
]
