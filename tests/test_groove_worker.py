"""The groove off the timing path: the worker process answers bars and learns takes
exactly as a render does in its own process, comes back when it dies, and a sequencer
whose bar has no answer plays the grid without waiting for one."""

import logging
import os
import signal

import numpy as np
import trio
import trio.testing

from actors.clock import ClockCore, clock_actor
from actors.groove import GrooveAnswers, GrooveCore, GrooveWorker, load_model
from actors.mesh import mailbox
from actors.messages import (
    FeelLearned,
    GrooveAnswer,
    GrooveBar,
    Hits,
    SetFeel,
    SetGroove,
    SetPattern,
    Start,
)
from actors.sequencer import SequencerCore, sequencer_actor
from tests.test_groove import write_take

PATTERN = ((2, 0, 0, 0, 1, 0, 0, 0, 2, 0, 1, 0, 1, 0, 0, 0),
           (0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 1),
           (1,) * 16, (0,) * 16, (0,) * 16)


def serve(messages, between=None):
    """The worker's answers to ``messages``; ``between(answers)`` runs after the first."""

    async def main():
        requests, requests_in = mailbox()
        answers, answers_in = mailbox()
        worker = GrooveWorker()
        out = []
        async with trio.open_nursery() as nursery:
            nursery.start_soon(worker.run, requests_in, answers)
            with trio.fail_after(60):
                await worker.ready.wait()
            for i, message in enumerate(messages):
                await requests.send(message)
                with trio.fail_after(60):
                    out.append(await answers_in.receive())
                if i == 0 and between is not None:
                    await between()
            await requests.aclose()
        return out, worker

    return trio.run(main)


def test_the_worker_answers_as_a_render_does_and_learns_takes(tmp_path):
    take = tmp_path / "late.mid"
    write_take(take, bars=4)
    piano = tmp_path / "piano.mid"
    write_take(piano, notes=())
    bar = GrooveBar(3, PATTERN, 104.0, "", 9)
    funk = GrooveBar(4, PATTERN, 104.0, "funk", 9)
    from_take = GrooveBar(5, PATTERN, 104.0, str(take), 9)
    (answer, styled, refused, learned, taken), worker = serve(
        [bar, funk, SetFeel(str(piano), 1), SetFeel(str(take), 1), from_take])
    here = GrooveAnswers(load_model())
    assert answer == here.answer(bar) and not answer.error
    assert styled == here.answer(funk)
    assert isinstance(refused, FeelLearned) and f"{piano}: no drum notes" in refused.error
    assert learned == FeelLearned(str(take), 1)
    assert taken == here.answer(from_take) and not taken.error
    offsets = np.array(answer.offset)
    assert offsets.shape == (5, 16) and not np.isnan(offsets).any()  # every position
    assert len(worker.latencies) == 5


def test_bars_drawn_ahead_are_the_bars_asked_for():
    """The worker draws the next bar while it waits; what it hands on is still exactly
    the bar asked for, a changed pattern or feel included."""
    changed = tuple((0,) * 16 if track == PATTERN[2] else track for track in PATTERN)
    asked = [GrooveBar(3, PATTERN, 104.0, "", 9), GrooveBar(4, PATTERN, 104.0, "", 9),
             GrooveBar(5, changed, 104.0, "", 9), GrooveBar(6, changed, 104.0, "funk", 9),
             GrooveBar(7, changed, 104.0, "funk", 9)]
    answers, _ = serve(asked)
    here = GrooveAnswers(load_model())
    assert answers == [here.answer(bar) for bar in asked]
    assert answers[1].offset != answers[2].offset


def test_a_worker_that_dies_is_started_again(caplog):
    caplog.set_level(logging.INFO)
    bar = GrooveBar(0, PATTERN, 120.0, "", 1)

    def pids():
        return [int(r.args[0]) for r in caplog.records if r.msg.startswith("groove worker %d")]

    async def kill():
        os.kill(pids()[0], signal.SIGKILL)

    (first, second), _ = serve([bar, bar], kill)
    assert len(set(pids())) == 2
    assert first == second and isinstance(second, GrooveAnswer)
    assert any("exited; starting it again" in r.getMessage() for r in caplog.records)


def test_a_bar_without_its_answer_plays_the_grid_and_nothing_waits():
    """Nobody answers: every hit comes on time, on the grid, and the bars are counted."""

    async def main():
        commands, commands_in = mailbox()
        steps, steps_in = mailbox()
        edits, edits_in = mailbox()
        out, out_in = mailbox()
        grooves, grooves_in = mailbox()
        groove = GrooveCore(0.05)
        played = []

        async def listen():
            async for message in out_in:
                if isinstance(message, Hits):
                    played.extend((hit.time, trio.current_time()) for hit in message.each())

        async with trio.open_nursery() as nursery:
            nursery.start_soon(clock_actor, commands_in, steps, ClockCore(120.0))
            nursery.start_soon(sequencer_actor, steps_in, edits_in, out, SequencerCore(),
                               None, None, groove, grooves)
            nursery.start_soon(listen)
            await edits.send(SetPattern(0, "x-x-x-x-x-x-x-x-"))
            await edits.send(SetGroove(-1, 1.0, 1.0))
            await trio.sleep(0.01)
            await commands.send(Start())
            start = trio.current_time()
            await trio.sleep(4 * 2.0)  # four bars
            nursery.cancel_scope.cancel()
        asked = []
        while True:
            try:
                asked.append(grooves_in._channel.receive_nowait())
            except (trio.WouldBlock, trio.EndOfChannel):
                break
        return played, start, groove, asked

    played, start, groove, asked = trio.run(main,
                                            clock=trio.testing.MockClock(autojump_threshold=0))
    times = np.array([t for t, _ in played]) - start
    assert np.allclose(times, np.arange(len(times)) * 0.25)  # the grid, every eighth
    assert all(handed <= time for time, handed in played)  # each handed on before its time
    assert len(times) >= 31
    assert groove.missed >= 3 and len(asked) >= 4


def test_a_worker_not_needed_at_the_start_is_started_by_the_first_bar(caplog):
    caplog.set_level(logging.INFO)
    bar = GrooveBar(0, PATTERN, 120.0, "", 1)

    async def main(messages):
        requests, requests_in = mailbox()
        answers, answers_in = mailbox()
        out = []
        async with trio.open_nursery() as nursery:
            nursery.start_soon(GrooveWorker().run, requests_in, answers, False)
            await trio.sleep(0.5)
            started = [r for r in caplog.records if r.msg.startswith("groove worker %d")]
            for message in messages:
                await requests.send(message)
                with trio.fail_after(60):
                    out.append(await answers_in.receive())
            await requests.aclose()
        return started, out

    started, out = trio.run(main, [])
    assert started == [] and out == []
    assert not any(r.msg.startswith("groove worker %d") for r in caplog.records)
    started, (answer,) = trio.run(main, [bar])
    assert started == [] and answer == GrooveAnswers(load_model()).answer(bar)
    assert any(r.msg.startswith("groove worker %d") for r in caplog.records)
