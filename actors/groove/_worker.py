"""The groove worker process: bars asked for in on stdin, their draws out on stdout.

It holds the groove model (and a take's, once learned), so the machine's own process
never loads it: its memory and its load time stay out of the process that keeps time,
and each bar's draw runs here while the trio thread times hits. Requests are encoded
messages (:class:`GrooveBar`, or a :class:`SetFeel` naming a take to learn), answered
one at a time, in order, with a :class:`GrooveAnswer` or a :class:`FeelLearned`. Its
first frame, ``{"ready": learned bars}``, says the model is loaded.

Run as ``python -m actors.groove._worker``: the user's built store if it is usable,
else the shipped one.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import sys
import time

import msgpack
import numpy as np

from actors.messages import (
    TRACKS,
    GrooveAnswer,
    GrooveBar,
    Message,
    SetFeel,
    encode,
    unpacked,
)
from actors.rules import BAR_STEPS, DEFAULT_TEMPO
from actors.workers import ignore_interrupts, write_all

from ._answers import GrooveAnswers
from ._load import load_model

log = logging.getLogger(__name__)


def serve(incoming: int, outgoing: int) -> None:
    """Answer requests read from file descriptor ``incoming`` until it closes."""
    model = load_model()
    answers = GrooveAnswers(model)
    # a first draw costs ten times the next ones (16-18 ms against 1.5-2 here): not a
    # take's first bars
    answers.answer(GrooveBar(0, ((1,) * BAR_STEPS,) * len(TRACKS), DEFAULT_TEMPO, "", 0))
    write_all(outgoing, msgpack.packb({"ready": len(model.style)}))
    unpacker = msgpack.Unpacker(raw=False)
    drawing: list[float] = []
    ahead: tuple[GrooveBar, GrooveAnswer] | None = None
    """The bar after the last one asked for, drawn while the worker waits: the sequencer
    asks for a bar ahead, and the pattern seldom changes from one bar to the next."""
    while chunk := os.read(incoming, 1 << 16):
        unpacker.feed(chunk)
        last: GrooveBar | None = None
        for values in unpacker:
            try:
                message = unpacked(values)
            except ValueError as error:
                log.error("%s", error)
                continue
            reply: Message
            if isinstance(message, GrooveBar):
                start = time.perf_counter()
                drawn = ahead is not None and ahead[0] == message
                reply = ahead[1] if ahead is not None and drawn else answers.answer(message)
                drawing.append(time.perf_counter() - start)
                last = message
            elif isinstance(message, SetFeel):
                reply = answers.learn(message)
            else:
                log.error("the groove worker does not answer %s", type(message).__name__)
                continue
            write_all(outgoing, encode(reply))
        if last is not None:
            # drawn with the generator seeded by (seed, bar): the same answer as on demand
            following = dataclasses.replace(last, bar=last.bar + 1)
            ahead = (following, answers.answer(following))
    if drawing:
        ms = np.array(drawing) * 1000
        log.info("%d bars drawn: p50 %.2f ms, p99 %.2f ms, max %.2f ms", len(ms),
                 np.percentile(ms, 50), np.percentile(ms, 99), ms.max())


def main() -> None:
    ignore_interrupts()
    logging.basicConfig(level=logging.INFO,
                        format="supertonic groove worker: %(levelname)s: %(message)s",
                        stream=sys.stderr)
    serve(sys.stdin.fileno(), sys.stdout.fileno())


if __name__ == "__main__":
    main()
