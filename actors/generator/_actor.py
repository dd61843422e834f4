"""The generator actor: requests in, results out, the work done in a worker process.

SQLite and numpy never run on the trio thread that keeps time; this shell
only awaits the worker's pipe. A newer request for a track supersedes a
queued older one (the player wants the latest), and a worker that dies is
reported and started again, so generation can fail but the music cannot.
The latest session history is given to every worker it starts.
"""

from __future__ import annotations

import logging
from pathlib import Path

import trio

from actors.mesh import Inbox, Outbox
from actors.messages import GenerateRequest, GenerateResult, SetHistory

from ._client import GeneratorClient, GeneratorError, Superseded, open_generator

log = logging.getLogger(__name__)

RESTART_DELAY = 1.0


async def generator_actor(requests: Inbox, results: Outbox, store: Path | None) -> None:
    """Serve until the requests' senders close; restart the worker if it fails."""
    history: list[SetHistory] = []  # the latest, once the session has sent one
    async with results:
        while True:
            try:
                async with open_generator(store) as client:
                    log.info("generator ready (%s)", client.description)
                    if history:
                        client.set_history(history[-1])
                    if await _serve(client, requests, results, history):
                        return
            except GeneratorError as exc:
                log.error("the generator worker failed (%s); starting it again", exc)
            await trio.sleep(RESTART_DELAY)


async def _serve(
    client: GeneratorClient, requests: Inbox, results: Outbox, history: list[SetHistory]
) -> bool:
    """Answer requests; True when the input ended, False when the worker died."""
    async with trio.open_nursery() as nursery:
        async for request in requests:
            if isinstance(request, SetHistory):
                history[:] = [request]
                client.set_history(request)
                continue
            if not isinstance(request, GenerateRequest):
                log.warning("the generator ignores %r", request)
                continue
            nursery.start_soon(_answer, client, request, results)
            if not client.alive:
                nursery.cancel_scope.cancel()
                return False
        return True


async def _answer(client: GeneratorClient, request: GenerateRequest, results: Outbox) -> None:
    try:
        result = await client.request(request)
    except Superseded:
        return
    except GeneratorError as exc:
        result = GenerateResult(request.request_id, request.target, (), (), str(exc))
    await results.send(result)
