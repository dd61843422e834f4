"""The clock's formula and its trio shell, on trio's MockClock (no real sleeping)."""

import math

import pytest
import trio
import trio.testing

from actors.clock import EMIT_AHEAD, ClockCore, TempoError, clock_actor
from actors.mesh import mailbox
from actors.messages import (
    Follow,
    Locate,
    SetStepRate,
    SetTempo,
    Start,
    Step,
    Stop,
    Transport,
)


def test_step_times_come_from_the_anchor_not_from_sums():
    core = ClockCore(120)
    core.start(100.0)
    steps = [core.pop_step() for _ in range(100_000)]
    assert steps[0].time == 100.0
    assert steps[-1].time == pytest.approx(100.0 + 99_999 * 0.125, abs=1e-9)
    assert steps[-1].index == 99_999


def test_tempo_change_bends_without_a_jump():
    core = ClockCore(120)
    core.start(0.0)
    for _ in range(4):
        core.pop_step()  # steps 0-3 at 0, .125, .25, .375
    core.set_tempo(0.4375, 60)  # half-way through step 3 -> 4, at position 3.5
    step = core.pop_step()
    assert step.index == 4
    assert step.time == pytest.approx(0.4375 + 0.5 * 0.25)
    assert core.pop_step().time == pytest.approx(step.time + 0.25)


def test_stop_and_continue_resume_at_the_stopped_position():
    core = ClockCore(120)
    core.start(0.0)
    for _ in range(3):
        core.pop_step()
    core.stop(0.30)  # position 2.4
    assert core.next_emit_time() == math.inf
    core.continue_(10.0)
    step = core.pop_step()
    assert step.index == 3
    assert step.time == pytest.approx(10.0 + 0.6 * 0.125)


def test_start_plays_from_the_top():
    core = ClockCore(120)
    core.start(0.0)
    core.pop_step()
    core.pop_step()
    core.start(5.0)
    assert core.pop_step() == Step(0, 5.0, 0.125)


def test_locate_and_follow():
    core = ClockCore(120)
    core.start(0.0)
    core.locate(1.0, 16)
    assert core.pop_step().time == pytest.approx(1.0)
    core.follow(2.0, 30.25, 90)  # a quarter step past 30: still played, at once
    step = core.pop_step()
    assert (step.index, core.bpm) == (30, 90)
    assert step.time == pytest.approx(2.0 - 0.25 * 60 / 90 / 4)
    core.follow(3.0, 40.75, 90)  # three quarters past 40: skipped, not rushed
    assert core.pop_step().index == 41


def test_tempo_limits():
    with pytest.raises(TempoError):
        ClockCore(19.9)
    core = ClockCore(300)
    with pytest.raises(TempoError):
        core.set_tempo(0, 301)
    assert core.bpm == 300


async def _collect(inbox, into, transports=None):
    async for message in inbox:
        if isinstance(message, Transport):
            if transports is not None:
                transports.append(message)
        else:
            into.append((trio.current_time(), message))


async def test_actor_emits_each_step_ahead_with_its_exact_time(autojump_clock):
    commands, command_inbox = mailbox()
    steps_out, steps_in = mailbox()
    got, transports = [], []
    async with trio.open_nursery() as nursery:
        nursery.start_soon(clock_actor, command_inbox, steps_out, ClockCore(120))
        nursery.start_soon(_collect, steps_in, got, transports)
        await commands.send(SetTempo(150))
        await commands.send(Start())
        start = trio.current_time()
        await trio.sleep(1.0)
        await commands.send(SetTempo(300))  # at 1.0 s: position exactly 10 steps
        await trio.sleep(0.5)
        await commands.send(Stop())
        await trio.sleep(5)
        nursery.cancel_scope.cancel()
    times = [m.time - start for _, m in got]
    indexes = [m.index for _, m in got]
    assert indexes == list(range(len(got)))
    assert times[:10] == pytest.approx([i * 0.1 for i in range(10)])
    assert times[10:] == pytest.approx([1.0 + i * 0.05 for i in range(len(times) - 10)])
    assert times[-1] < 1.5 + EMIT_AHEAD
    for emitted, message in got:
        assert emitted == pytest.approx(max(start, message.time - EMIT_AHEAD))
    assert [(t.playing, t.time - start) for t in transports] == [(True, 0.0), (False, 1.5)]
    assert transports[1].position == pytest.approx(20.0)


async def test_actor_keeps_time_after_its_inputs_close(autojump_clock):
    commands, command_inbox = mailbox()
    steps_out, steps_in = mailbox()
    got = []
    async with trio.open_nursery() as nursery:
        nursery.start_soon(clock_actor, command_inbox, steps_out, ClockCore(120))
        nursery.start_soon(_collect, steps_in, got)
        await commands.send(Start())
        await commands.aclose()
        await trio.sleep(2.0)
        nursery.cancel_scope.cancel()
    assert len(got) == 17  # steps 0..16 fall within 2 s (+ EMIT_AHEAD)


async def test_bad_tempo_is_refused_and_time_goes_on(autojump_clock, caplog):
    commands, command_inbox = mailbox()
    steps_out, steps_in = mailbox()
    got = []
    async with trio.open_nursery() as nursery:
        nursery.start_soon(clock_actor, command_inbox, steps_out, ClockCore(120))
        nursery.start_soon(_collect, steps_in, got)
        await commands.send(Start())
        await commands.send(SetTempo(1000))
        await trio.sleep(1.0)
        nursery.cancel_scope.cancel()
    assert "outside" in caplog.text
    assert [m.index for _, m in got] == list(range(9))


async def test_actor_locates_and_follows(autojump_clock):
    commands, command_inbox = mailbox()
    steps_out, steps_in = mailbox()
    got = []
    async with trio.open_nursery() as nursery:
        nursery.start_soon(clock_actor, command_inbox, steps_out, ClockCore(120))
        nursery.start_soon(_collect, steps_in, got)
        await commands.send(Start())
        await trio.sleep(0.3)  # steps 0, 1, 2
        await commands.send(Locate(16))
        await trio.sleep(0.2)  # 16, 17
        now = trio.current_time()
        await commands.send(Follow(now, 20.0, 60))
        await trio.sleep(0.6)  # 20, 21, 22 at 0.25 s
        nursery.cancel_scope.cancel()
    assert [m.index for _, m in got] == [0, 1, 2, 16, 17, 20, 21, 22]
    assert got[-1][1].time == pytest.approx(now + 0.5)


async def test_a_start_before_step_0_waits_for_it(autojump_clock):
    """A Link start comes before its quantum's boundary: the clock stands before step 0
    until then, and hands on nothing before it."""
    commands, command_inbox = mailbox()
    steps_out, steps_in = mailbox()
    got, transports = [], []
    async with trio.open_nursery() as nursery:
        nursery.start_soon(clock_actor, command_inbox, steps_out, ClockCore(120))
        nursery.start_soon(_collect, steps_in, got, transports)
        await trio.sleep(1.0)
        await commands.send(Start(-8.0))  # step 0 one second from now
        await trio.sleep(1.5)
        nursery.cancel_scope.cancel()
    assert got[0][1] == Step(0, 2.0, 0.125, 6)
    assert got[0][0] == pytest.approx(2.0 - EMIT_AHEAD)
    assert transports[0].position == -8.0 and transports[0].playing


@pytest.mark.parametrize(("rate", "ticks", "seconds"),
                         [("1/8", 12, 0.25), ("1/8T", 8, 1 / 6), ("1/16", 6, 0.125),
                          ("1/16T", 4, 1 / 12), ("1/32", 3, 0.0625)])
def test_each_step_rate_is_its_ticks_of_a_beat(rate, ticks, seconds):
    core = ClockCore(120, rate)
    core.start(0.0)
    steps = [core.pop_step() for _ in range(1000)]
    assert all(s.ticks == ticks and s.duration == pytest.approx(seconds) for s in steps)
    assert steps[-1].time == pytest.approx(999 * seconds, abs=1e-9)


def test_step_rate_change_keeps_the_step_under_way_in_place():
    core = ClockCore(120)
    core.start(0.0)
    for _ in range(4):
        core.pop_step()  # steps 0-3 at 0, .125, .25, .375
    core.apply(SetStepRate("1/8T"), 0.4375)  # half-way through step 3
    step = core.pop_step()
    assert (step.index, step.ticks) == (4, 8)
    assert step.time == pytest.approx(0.4375 + 0.5 / 6)
    assert core.pop_step().time == pytest.approx(step.time + 1 / 6)


def test_a_bad_step_rate_is_refused_and_time_goes_on(caplog):
    core = ClockCore(120, "1/32")
    core.start(0.0)
    core.apply(SetStepRate("1/12"), 0.0)
    assert core.pop_step().ticks == 3
    assert "1/12" in caplog.text
    with pytest.raises(ValueError):
        ClockCore(120, "1/64")


def test_song_positions_count_sixteenths_at_every_rate():
    core = ClockCore(120, "1/8T")  # three steps a beat, four sixteenths a beat
    core.start(0.0)
    core.apply(Locate(8.0), 1.0)  # two beats in: step 6
    step = core.pop_step()
    assert (step.index, step.time) == (6, pytest.approx(1.0))
    core.apply(Follow(2.0, 12.0, 120), 2.0)  # three beats in: step 9
    assert core.pop_step().index == 9
    assert core.position(2.5) == pytest.approx(9 + 0.5 * 6)


def test_a_rate_changed_while_following_keeps_the_step_under_way_until_the_master_locates():
    """Following at 1/16, the player picks 1/8T mid-song: the next steps go on from the
    step under way at the new rate (no gap, no jump); the master's next song position
    puts us where a slave at 1/8T belongs."""
    core = ClockCore(120, "1/16")
    core.start(0.0)
    steps = []

    def master(ticks: range) -> None:  # its clock, one follow a sixteenth, steps as due
        for tick in ticks:
            now = tick / 48
            core.apply(Follow(now, tick / 6, 120), now)
            while core.next_emit_time() <= now:
                steps.append(core.pop_step())

    master(range(0, 192, 6))
    core.apply(SetStepRate("1/8T"), 4.0 - 1e-9)  # at step 32: a bar at 1/16
    master(range(192, 288, 6))
    assert [s.index for s in steps] == list(range(len(steps)))
    assert len(steps) > 40
    after = steps[32:]
    assert [s.time for s in after] == pytest.approx([4.0 + k / 6 for k in range(len(after))])
    core.apply(Locate(64.0), 6.0)  # four bars in, at 1/8T: step 48
    assert core.pop_step().index == 48
