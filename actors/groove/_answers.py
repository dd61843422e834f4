"""The model side of playing a groove: a bar asked for in, its draw out.

Live, this runs in the groove worker process, so the model's memory and each draw's
milliseconds stay off the process that keeps time; a render holds one of its own and
asks it synchronously. Both give the same answer for the same request: a bar is drawn
by a generator seeded with (seed, bar), so a seeded live take equals its render.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from actors.messages import FeelLearned, GrooveAnswer, GrooveBar, SetFeel

from ._load import from_take, is_take
from ._model import GrooveModel, answer


class GrooveAnswers:
    def __init__(self, model: GrooveModel | None) -> None:
        self.model = model
        self.take: tuple[str, GrooveModel] | None = None
        """The latest take learned (its path and groove): only one plays at a time."""

    def learn(self, message: SetFeel) -> FeelLearned:
        """Learn the take ``message`` names (a file that gives no groove is named in
        the answer's ``error``)."""
        try:
            self._take(message.feel)
        except ValueError as error:
            return FeelLearned(message.feel, message.seed, str(error))
        return FeelLearned(message.feel, message.seed)

    def answer(self, request: GrooveBar) -> GrooveAnswer:
        try:
            model = self._take(request.feel) if is_take(request.feel) else self.model
        except ValueError as error:
            return GrooveAnswer(request.bar, request.feel, request.seed, (), (), str(error))
        if model is None:
            return GrooveAnswer(request.bar, request.feel, request.seed, (), (),
                                "no groove model is loaded")
        style = model.styles.index(request.feel) if request.feel in model.styles else -1
        rng = np.random.default_rng([request.seed, request.bar])
        drawn = answer(model, np.array(request.pattern, np.int8), request.bpm, [], rng, style)
        offset = np.where(np.isnan(drawn.offset), model.template_offset, drawn.offset)
        velocity = np.where(np.isnan(drawn.velocity), model.template_velocity, drawn.velocity)
        return GrooveAnswer(request.bar, request.feel, request.seed, _rows(offset),
                            _rows(velocity))

    def _take(self, feel: str) -> GrooveModel:
        """The groove of the take ``feel``, learned once (``ValueError`` names a file
        that gives none)."""
        if self.take is None or self.take[0] != feel:
            self.take = (feel, from_take(Path(feel)))
        return self.take[1]


def _rows(values: np.ndarray) -> tuple[tuple[float, ...], ...]:
    return tuple(tuple(float(v) for v in row) for row in values)
