"""The generator's worker process: msgpack requests in on stdin, results out on stdout.

Generating takes a fraction of a millisecond, but loading a store (or
rebuilding a broken one) takes longer and numpy can hold the GIL; in its own
process none of it can delay the trio thread that times the music. The
worker answers one request at a time in arrival order; queueing and
superseding happen in the client (``_client``), which sends the next request
only when the previous answer is back. Its first frame is
``{"ready": description}`` once the store is loaded. The session's history
lives here, beside the store: a history frame replaces it, unanswered, and
every later request is conditioned on it.

Run as ``python -m actors.generator._worker STORE``.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

import msgpack

from actors.messages import GenerateResult
from actors.workers import ignore_interrupts, write_all

from ._build import open_store
from ._generate import Generator
from ._history import use_history
from ._messages import history_from, pack, request_from

log = logging.getLogger(__name__)


def serve(store_path: Path, incoming: int, outgoing: int) -> None:
    """Answer requests read from file descriptor ``incoming`` until it closes."""
    store = open_store(store_path)
    generator = Generator(store)
    generator.warm()
    write_all(outgoing, msgpack.packb({"ready": store.meta.get("description", "")}))
    unpacker = msgpack.Unpacker(raw=False)
    while chunk := os.read(incoming, 1 << 16):
        unpacker.feed(chunk)
        for values in unpacker:
            if isinstance(values, dict):
                _set_history(generator, values)
                continue
            try:
                request = request_from(values)
            except (TypeError, ValueError) as error:
                log.error("malformed request %r: %s", values, error)
                request_id = values[-1] if isinstance(values, list) and values else 0
                result = GenerateResult(request_id, -1, (), (), f"malformed request: {error}")
            else:
                result = generator.generate(request)
            write_all(outgoing, pack(result))


def _set_history(generator: Generator, values: dict[str, object]) -> None:
    """Replace the history; a bad one is logged and the old one kept."""
    try:
        history = history_from(values)
        use_history(generator, history)
    except (TypeError, ValueError, KeyError) as error:
        log.error("history refused, the previous one kept: %s", error)


def main() -> None:
    ignore_interrupts()
    logging.basicConfig(
        level=logging.INFO,
        format="supertonic generator worker: %(levelname)s: %(message)s",
        stream=sys.stderr,
    )
    (path,) = sys.argv[1:]
    serve(Path(path), sys.stdin.fileno(), sys.stdout.fileno())


if __name__ == "__main__":
    main()
