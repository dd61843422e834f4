"""The sequencer's trio shell: edits and steps in, hits (and the steps) out."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator

import trio

from actors.groove import GrooveCore
from actors.mesh import Inbox, Outbox
from actors.messages import Hits, Step, Transport

from ._core import SequencerCore
from ._groove import grooved, is_groove, needs_learning, plan_next_bar

log = logging.getLogger(__name__)


async def sequencer_actor(steps: Inbox, edits: Inbox, out: Outbox, core: SequencerCore,
                          observers: Outbox | None = None, midi: Outbox | None = None,
                          groove: GrooveCore | None = None, grooves: Outbox | None = None
                          ) -> None:
    """Turn steps into hits. Steps and transport changes are forwarded too: the
    bridge marks recordings by them, and ``observers`` (screens) draw the playhead
    from them - sent without waiting, so a slow screen never delays a hit. ``midi``
    gets every step, transport change and step's hits, awaited: a MIDI clock master may
    not lose a step, and its actor only queues them.

    Edits arrive on their own inbox so that a burst of edits can never queue
    ahead of a step that is due. ``groove`` moves the hits' times and velocities; after
    a bar's first hits are sent it asks ``grooves`` (the groove worker) for the next
    bar, whose answer comes back among the edits. A bar whose answer has not come
    plays the grid: nothing here waits for the model.
    """
    async with out, _closing(grooves), trio.open_nursery() as nursery:
        nursery.start_soon(_apply_edits, edits, core, groove, grooves)
        async for message in steps:
            await out.send(message)
            if midi is not None:
                await midi.send(message)
            if observers is not None:
                observers.send_nowait(message)
            if isinstance(message, Step):
                hits = core.hits(message)
                if groove is not None:
                    missed = groove.missed
                    hits = grooved(groove, core, message, hits)
                    if groove.missed > missed:
                        log.warning("groove: the answer for the bar of step %d has not come; "
                                    "it plays the grid until it does", message.index)
                if hits:
                    batch = Hits.of(hits)
                    await out.send(batch)
                    if midi is not None:
                        await midi.send(batch)
                if groove is not None and grooves is not None:
                    await trio.lowlevel.checkpoint()  # the bridge sends these hits first
                    for request in plan_next_bar(groove, core, message):
                        if not grooves.send_nowait(request):  # never wait for the worker
                            log.warning("groove: the worker is behind; bar %d not asked for",
                                        request.bar)
            elif not isinstance(message, Transport):
                log.warning("sequencer ignores %r on its step input", message)
        nursery.cancel_scope.cancel()
        for extra in (observers, midi):
            if extra is not None:
                await extra.aclose()


@contextlib.asynccontextmanager
async def _closing(outbox: Outbox | None) -> AsyncIterator[None]:
    """Close ``outbox`` however the sequencer ends: the groove worker's requests end
    with it, and the worker is let go."""
    try:
        yield
    finally:
        if outbox is not None:
            await outbox.aclose()


async def _apply_edits(edits: Inbox, core: SequencerCore, groove: GrooveCore | None,
                       grooves: Outbox | None) -> None:
    async for message in edits:
        try:
            if is_groove(message):
                if groove is None:
                    continue
                if needs_learning(groove, message) and grooves is not None:
                    await grooves.send(message)  # learned there; FeelLearned sets it
                else:
                    groove.apply(message)
            else:
                core.apply(message)
        except ValueError as exc:
            log.warning("edit refused: %s", exc)
