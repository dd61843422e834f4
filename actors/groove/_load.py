"""Which groove store the machine and the commands use."""

from __future__ import annotations

import logging
from pathlib import Path

from actors.generator import default_path

from . import _store
from ._model import GrooveModel, Params
from ._takes import read_take
from ._train import learn

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


MIDI_SUFFIXES = (".mid", ".midi")


def from_take(path: Path) -> GrooveModel:
    """One drummer's groove from a General MIDI drum file: the model's bars are the
    take's own, so every answer is drawn from how this take played that position.
    Raises ``ValueError`` naming the file when it has no drum notes in 4/4."""
    try:
        take = read_take(path)
    except (OSError, EOFError) as error:
        raise ValueError(f"{path}: cannot read MIDI: {error}") from None
    if take is None:
        raise ValueError(f"{path}: no drum notes on the five tracks in 4/4 to learn a "
                         "groove from")
    # its own bars carry the take's bar-to-bar lean: no lean is added to its draws
    model = learn([take], Params(neighbours=min(Params().neighbours, len(take.pattern)),
                                 bar_lean=0.0))
    log.info("groove from %s: %d bars at %.0f BPM", path, len(take.pattern), take.bpm)
    return model


def is_take(feel: str) -> bool:
    """Whether a feel names a MIDI file (a take's groove) rather than a style."""
    return feel.lower().endswith(MIDI_SUFFIXES)
