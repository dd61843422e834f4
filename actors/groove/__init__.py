"""Groove: microtiming and dynamics learned from drummers, played sample-exact.

The model (:class:`GrooveModel`) answers, for a bar's pattern at a tempo, each hit's
timing offset and velocity as drummers played the nearest bars it learned from
(Groove MIDI Dataset by default: a compact copy ships in the package). ``supertonic
priors build --midi`` builds a store of one's own; ``supertonic groove`` answers batch
requests and evaluates.
"""

from ._actor import GrooveWorker
from ._answers import GrooveAnswers
from ._core import GrooveCore, GrooveSettings
from ._load import default_store, from_take, is_take, load_model
from ._model import Answer, GrooveModel, Params, Played, answer
from ._store import GMD_ATTRIBUTION, GrooveStoreError, beside, write
from ._takes import Take, read_take, read_takes
from ._train import STYLES, build

__all__ = [
    "GMD_ATTRIBUTION",
    "STYLES",
    "Answer",
    "GrooveAnswers",
    "GrooveCore",
    "GrooveModel",
    "GrooveSettings",
    "GrooveStoreError",
    "GrooveWorker",
    "Params",
    "Played",
    "Take",
    "answer",
    "beside",
    "build",
    "default_store",
    "from_take",
    "is_take",
    "load_model",
    "read_take",
    "read_takes",
    "write",
]
