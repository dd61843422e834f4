"""Where the groove meets the sequencer: the hooks the live actor and the offline render
both call, so a render plays the groove exactly as the machine does. Live, the bars
asked for go to the groove worker process and its answers come back as messages; a
render answers them at once with the same code (:func:`answer_now`)."""

from __future__ import annotations

import math

import numpy as np
import trio

from actors.groove import GrooveAnswers, GrooveCore, is_take
from actors.messages import (
    FeelLearned,
    GrooveAnswer,
    GrooveBar,
    Hit,
    Message,
    PartnerOnset,
    SetFeel,
    SetFollow,
    SetGroove,
    Step,
)
from actors.rules import BAR_STEPS, BAR_TICKS, TICKS_PER_BEAT, sixteenth_place

from ._core import SequencerCore, Track


def bar_pattern(core: SequencerCore, bar: int, ticks: int) -> np.ndarray:
    """The velocities (tracks x 16 sixteenths) bar ``bar`` plays at a rate of ``ticks``
    per step (each track at its own length and chain), muted tracks silent: what the
    groove model conditions on. A step between sixteenths counts at the nearer one (the
    earlier when midway: an off 1/32 is its sixteenth's ornament), the loudest of the
    steps there."""
    steps = BAR_TICKS // ticks
    pattern = np.zeros((len(core.tracks), BAR_STEPS), np.int64)
    for column in range(steps):
        place = math.ceil(sixteenth_place(ticks, column) - 0.5) % BAR_STEPS
        for t, track in enumerate(core.tracks):
            if not track.muted:
                pattern[t, place] = max(pattern[t, place],
                                        _velocity(track, bar * steps + column))
    return pattern


def _velocity(track: Track, index: int) -> int:
    (velocities, _, _), column = track.page(index)
    return velocities[column]


def grooved(groove: GrooveCore, core: SequencerCore, step: Step, hits: list[Hit]
            ) -> list[Hit]:
    """``step``'s ``hits`` grooved, with the next step's early hits, sent a step ahead
    (see :meth:`GrooveCore.ahead`): the next step is taken to follow this one at the
    same tempo."""
    out: list[Hit] = groove.hits(step, hits)
    if groove.moves:
        following = Step(step.index + 1, step.time + step.duration, step.duration, step.ticks)
        out += groove.ahead(following, core.hits(following))
    return out


def plan_next_bar(groove: GrooveCore, core: SequencerCore, step: Step) -> list[GrooveBar]:
    """After a step's hits are sent: the bars to ask the groove for (the next one, on a
    bar's first step), each with the pattern it plays as it stands now."""
    bpm = 60.0 * step.ticks / (TICKS_PER_BEAT * step.duration)
    return [groove.ask(bar, bar_pattern(core, bar, step.ticks), bpm)
            for bar in groove.wanted(step)]


def answer_now(groove: GrooveCore, answers: GrooveAnswers, requests: list[GrooveBar]
               ) -> None:
    """Answer ``requests`` in this process: what a render (and a test) does where the
    machine asks its groove worker."""
    for request in requests:
        groove.apply(answers.answer(request))


def needs_learning(groove: GrooveCore, message: Message) -> bool:
    """Whether ``message`` sets a feel from a take whose groove is not learned yet: it
    goes to the model's side first (:meth:`GrooveAnswers.learn`), and its answer
    (:class:`FeelLearned`) sets the feel."""
    return isinstance(message, SetFeel) and is_take(message.feel) and groove.take != message.feel


async def apply_groove(groove: GrooveCore, answers: GrooveAnswers, message: Message) -> None:
    """A groove setting in a render; a take is learned in a worker thread first. Raises
    ``ValueError`` naming a file that gives no groove."""
    if isinstance(message, SetFeel) and needs_learning(groove, message):
        message = await trio.to_thread.run_sync(answers.learn, message)
    groove.apply(message)


def is_groove(message: Message) -> bool:
    return isinstance(message, SetGroove | SetFeel | SetFollow | PartnerOnset | GrooveAnswer
                      | FeelLearned)
