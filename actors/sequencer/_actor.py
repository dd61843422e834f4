"""The sequencer's trio shell: edits and steps in, hits (and the steps) out."""

from __future__ import annotations

import logging

import trio

from actors.mesh import Inbox, Outbox
from actors.messages import Step

from ._core import SequencerCore

log = logging.getLogger(__name__)


async def sequencer_actor(steps: Inbox, edits: Inbox, out: Outbox, core: SequencerCore) -> None:
    """Turn steps into hits. Steps are forwarded too: the bridge marks recordings by them.

    Edits arrive on their own inbox so that a burst of edits can never queue
    ahead of a step that is due.
    """
    async with out, trio.open_nursery() as nursery:
        nursery.start_soon(_apply_edits, edits, core)
        async for step in steps:
            if not isinstance(step, Step):
                log.warning("sequencer ignores %r on its step input", step)
                continue
            await out.send(step)
            for hit in core.hits(step):
                await out.send(hit)
        nursery.cancel_scope.cancel()


async def _apply_edits(edits: Inbox, core: SequencerCore) -> None:
    async for message in edits:
        try:
            core.apply(message)
        except ValueError as exc:
            log.warning("edit refused: %s", exc)
