"""Where the groove meets the sequencer: the one hook the live actor and the offline
render both call, so a render plays the groove exactly as the machine does."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import trio

from actors.groove import GrooveCore, from_take, is_take
from actors.messages import Hit, Message, PartnerOnset, SetFeel, SetFollow, SetGroove, Step
from actors.rules import BAR_STEPS, SIXTEENTH_TICKS

from ._core import SequencerCore, Track


def bar_pattern(core: SequencerCore, step_index: int) -> np.ndarray:
    """The velocities (tracks x 16) the bar holding ``step_index`` plays (each track at
    its own length and chain), muted tracks silent: what the groove model conditions on."""
    start = step_index - step_index % BAR_STEPS
    return np.array([[0 if track.muted else _velocity(track, start + i)
                      for i in range(BAR_STEPS)] for track in core.tracks])


def _velocity(track: Track, index: int) -> int:
    (velocities, _, _), column = track.page(index)
    return velocities[column]


def _sixteenths(step: Step) -> bool:
    """The groove was learned in sixteenths: at another step rate the grid plays."""
    return step.ticks == SIXTEENTH_TICKS


def grooved(groove: GrooveCore, core: SequencerCore, step: Step, hits: list[Hit]
            ) -> list[Hit]:
    if not _sixteenths(step):
        return hits
    out: list[Hit] = groove.hits(step, hits, bar_pattern(core, step.index))
    return out


def plan_next_bar(groove: GrooveCore, core: SequencerCore, step: Step) -> None:
    """On a bar's first step (after its hits are sent), draw the next bar."""
    if _sixteenths(step) and step.index % BAR_STEPS == 0:
        following = step.index + BAR_STEPS
        groove.plan(following // BAR_STEPS, bar_pattern(core, following),
                    60.0 / (4 * step.duration))


async def apply_groove(groove: GrooveCore, message: Message) -> None:
    """A groove setting; a feel that is a take is learned first, in a worker thread (the
    hits go on meanwhile). Raises ``ValueError`` naming a file that gives no groove."""
    if isinstance(message, SetFeel) and is_take(message.feel):
        path = message.feel
        if groove.take is None or groove.take[0] != path:
            model = await trio.to_thread.run_sync(from_take, Path(path))
            groove.load_take(path, model)
    groove.apply(message)


def is_groove(message: Message) -> bool:
    return isinstance(message, SetGroove | SetFeel | SetFollow | PartnerOnset)
