"""MIDI clock at every step rate: our ticks out (24 a beat whatever a step is), the
song position in sixteenths, and a slave clock that keeps the master's beat."""

from __future__ import annotations

import pytest

from actors.clock import ClockCore
from actors.messages import Follow, SetLength, SetPattern, Start, Step, Transport
from actors.midi import ClockOutCore, InputCore
from actors.rules import STEP_RATES, TICKS_PER_BEAT
from actors.sequencer import SequencerCore
from actors.session import To
from tests.test_midi_transport import F8, FA, FB, TICK, L, drain, play_ticks, spp


@pytest.mark.parametrize("rate", list(STEP_RATES))
def test_clock_out_sends_24_ticks_a_beat_at_every_rate(rate):
    core = ClockOutCore(L)
    clock = ClockCore(120, rate)
    clock.start(10.0)
    core.receive(Transport(True, 0.0, 10.0, clock.ticks))
    for _ in range(4 * TICKS_PER_BEAT // clock.ticks):  # one bar
        core.receive(clock.pop_step())
    sent = drain(core)
    assert sent[0] == (pytest.approx(10.05), FA)
    ticks = [t for t, data in sent if data == F8]
    assert len(ticks) == 4 * TICKS_PER_BEAT
    assert ticks == pytest.approx([10.05 + k * TICK for k in range(4 * TICKS_PER_BEAT)])


def test_a_continue_mid_triplet_names_the_next_sixteenth_and_holds_its_ticks_till_then():
    core = ClockOutCore(L)
    step = 60 / 120 / 3  # 1/8T
    core.receive(Transport(True, 4.5, 5.0, 8))  # the next whole step is 5: tick 40
    core.receive(Step(5, 5.0 + 0.5 * step, step, 8))
    core.receive(Step(6, 5.0 + 1.5 * step, step, 8))
    sent = drain(core)
    assert [data for _, data in sent if data != F8] == [spp(7), FB]  # tick 42 is 16th 7
    ticks = [t for t, data in sent if data == F8]
    # ticks 42-55 (the slave's next tick is 42), each at its own time
    assert ticks == pytest.approx([5.05 + 0.5 * step + k * TICK for k in range(2, 16)])


def test_a_skipped_step_relocates_in_sixteenths():
    core = ClockOutCore(L)
    step = 60 / 120 / 6  # 1/16T
    core.receive(Transport(True, 0.0, 1.0, 4))
    core.receive(Step(0, 1.0, step, 4))
    core.receive(Step(2, 1.0 + 2 * step, step, 4))  # step 1 skipped: tick 8 is 16th 4/3
    core.receive(Step(3, 1.0 + 3 * step, step, 4))
    sent = drain(core)
    assert [data for _, data in sent if data != F8] == [FA, spp(2)]
    ticks = [t for t, data in sent if data == F8]
    # ticks 0-3, then none until 16th 2 (tick 12): step 3's
    assert ticks == pytest.approx([1.05 + k * TICK for k in (0, 1, 2, 3, 12, 13, 14, 15)])


@pytest.mark.parametrize("rate", list(STEP_RATES))
def test_a_slave_keeps_the_masters_beat_at_every_rate(rate):
    midi = InputCore("midi", L)
    clock = ClockCore(90, rate)  # its own tempo is not the master's
    for message in midi.receive(0.99, "m", FA):
        clock.apply(message, 0.99)
    for message in play_ticks(midi, 1.0, 96):
        assert isinstance(message, Follow)
        clock.apply(message, message.time)
    # the master's song tick 0 came at 1.0; our steps fall on its beat, standing a
    # lookahead ahead (the bridge delays what they play by that much)
    step = 60 / 120 * STEP_RATES[rate] / TICKS_PER_BEAT
    for _ in range(8):
        played = clock.pop_step()
        assert played.time == pytest.approx(1.0 - L + played.index * step, abs=1e-6)
    assert clock.bpm == pytest.approx(120)


@pytest.mark.parametrize("rate", list(STEP_RATES))
def test_a_midi_start_begins_every_track_at_its_step_1_at_every_rate(rate):
    """Even when the master clocked while stopped, so its start comes with news of a
    position a lookahead on: more than half a step at 1/16T and 1/32."""
    midi = InputCore("midi", L)
    clock = ClockCore(120, rate)
    sequencer = SequencerCore()
    for track, length in enumerate((16, 12, 5, 3, 1)):
        sequencer.apply(SetPattern(track, "X" + "x" * 31))
        sequencer.apply(SetLength(track, length))
    play_ticks(midi, 1.0, 48)  # clocking while stopped
    start = 1.0 + 47.5 * TICK
    messages = midi.receive(start, "m", FA)
    assert messages[0] == Start() and isinstance(messages[1], Follow)
    for message in messages:
        clock.apply(message, start)
    first = clock.pop_step()
    assert first.index == 0
    assert [(h.track, h.velocity) for h in sequencer.hits(first)] == [
        (t, 127) for t in range(5)]
    # the next steps are the master's, whatever came late
    assert clock.pop_step().index == 1


def test_a_bar_tapped_at_1_8t_is_twelve_steps_and_the_track_loops_on_it():
    from actors.messages import BasisCaptured
    from actors.midi import DEFAULT_NOTES, CaptureCore
    from actors.session import Session, SessionCore

    core = CaptureCore(DEFAULT_NOTES, L)
    step = 60 / 120 / 3
    for i in range(12):
        core.step(Step(i, 1.0 + i * step, step, 8))
        if i % 3 == 0:  # a kick on every beat
            core.note(1.0 + i * step + L + 0.01, 9, 36, 70)
    end = 1.0 + 11 * step + L + step / 2
    assert core.next_time() == pytest.approx(end)
    captured = core.due(end)
    assert captured == [BasisCaptured(0, "x--" * 4)]
    session = SessionCore(Session(step_rate="1/8T"))
    routed = session.apply(captured[0])
    assert (session.session.track(0).length, session.session.basis) == (12, 0)
    assert (To.SEQUENCER, SetLength(0, 12)) in routed
    # at 1/16 a bar of 16 on a 32-step track keeps its 32, as before
    session = SessionCore(Session())
    session.apply(BasisCaptured(1, "x---" * 4))
    assert session.session.track(1).length == 32
