"""Which groove store the machine and the commands use."""

from __future__ import annotations

import logging
from pathlib import Path

from actors.generator import default_path

from . import _store
from ._model import GrooveModel

log = logging.getLogger(__name__)


def default_store() -> Path:
    """Beside the user's default prior store (built by ``priors build --midi``)."""
    return _store.beside(default_path())


def load_model(path: Path | None = None) -> GrooveModel:
    """The model at ``path``; with none, the user's built store if it is usable, else
    the shipped one. An unusable explicit store raises :class:`GrooveStoreError`."""
    if path is not None:
        return _store.read(path)[0]
    user = default_store()
    if user.exists():
        try:
            return _store.read(user)[0]
        except _store.GrooveStoreError as error:
            log.warning("%s; playing the shipped groove instead", error)
    return _store.read(_store.SHIPPED)[0]
