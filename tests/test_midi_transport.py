"""MIDI transport, clock out, notes out and pad capture: the pure cores, and the output
shell on trio's MockClock."""

from __future__ import annotations

import argparse
import math

import pytest
import trio
import trio.testing

from actors.mesh import mailbox
from actors.messages import (
    BasisCaptured,
    Continue,
    Follow,
    Hit,
    Hits,
    Locate,
    Start,
    Step,
    Stop,
    Transport,
)
from actors.midi import (
    CLOCK_TIMEOUT,
    DEFAULT_NOTES,
    GATE,
    CaptureCore,
    ClockOutCore,
    InputCore,
    NoteMap,
    NotesOutCore,
    midi_config,
    register_options,
)
from actors.midi._actor import _play_out

L = 0.05
TICK = 60 / (24 * 120)  # 120 BPM
FA, FB, FC, F8 = (0xFA,), (0xFB,), (0xFC,), (0xF8,)


def spp(sixteenths: int) -> tuple[int, ...]:
    return (0xF2, sixteenths & 0x7F, sixteenths >> 7)


# --- transport in ------------------------------------------------------------------------


def test_internal_clock_takes_transport_from_any_port_and_ignores_ticks():
    core = InputCore("internal", L)
    assert core.receive(1.0, "a", FA) == [Start()]
    assert core.receive(1.1, "b", F8) == []
    assert core.receive(1.2, "b", FC) == [Stop()]
    assert core.receive(1.3, "c", spp(200)) == [Locate(200.0)]
    assert core.receive(1.4, "a", FB) == [Continue()]
    assert core.silence_deadline() == math.inf


def play_ticks(core: InputCore, start: float, count: int, port: str = "m") -> list:
    out = []
    for k in range(count):
        out += core.receive(start + k * TICK, port, F8)
    return out


def test_midi_clock_start_follows_from_the_third_tick_a_lookahead_ahead():
    core = InputCore("midi", L)
    assert core.receive(0.99, "m", FA) == [Start()]  # no clock yet: start on our own
    follows = play_ticks(core, 1.0, 48)
    assert all(isinstance(m, Follow) for m in follows)
    assert len(follows) == 46  # every tick once three have arrived
    last = follows[-1]
    assert last.time == pytest.approx(1.0 + 47 * TICK)
    # the clock stands where the master will be a lookahead later (in steps)
    assert last.position == pytest.approx((47 + L / TICK) / 6)
    assert last.bpm == pytest.approx(120)


def test_a_master_that_clocks_while_stopped_is_followed_from_its_start():
    core = InputCore("midi", L)
    assert play_ticks(core, 1.0, 30) == []  # stopped: tempo learnt, nothing sent
    start = 1.0 + 29.5 * TICK
    messages = core.receive(start, "m", FA)
    assert messages[0] == Start()
    follow = messages[1]
    # the next tick is the song's first; at start + L the master is L - TICK/2 past it
    assert follow.time == start
    assert follow.position == pytest.approx((L - TICK / 2) / TICK / 6)


def test_stop_then_continue_resumes_at_the_tick_after_the_last_one_played():
    core = InputCore("midi", L)
    core.receive(0.99, "m", FA)
    play_ticks(core, 1.0, 40)  # song ticks 0-39
    assert core.receive(1.0 + 39.5 * TICK, "m", FC) == [Stop()]
    assert core.song_position() == pytest.approx(40 / 6)
    play_ticks(core, 1.0 + 40 * TICK, 20)  # the master keeps clocking while stopped
    messages = core.receive(1.0 + 59.5 * TICK, "m", FB)
    assert messages[:2] == [Locate(40 / 6), Continue()]
    follow = core.receive(1.0 + 60 * TICK, "m", F8)[0]
    # that tick is song tick 40
    assert follow.position == pytest.approx((40 + L / TICK) / 6)


def test_song_position_pointer_sets_where_continue_resumes():
    core = InputCore("midi", L)
    play_ticks(core, 1.0, 10)
    assert core.receive(1.2, "m", spp(32)) == [Locate(32.0)]
    core.receive(1.0 + 9.5 * TICK, "m", FB)
    follow = core.receive(1.0 + 10 * TICK, "m", F8)[0]
    assert follow.position == pytest.approx(32 + L / TICK / 6)


def test_lost_clock_plays_on_and_rejoins_in_phase():
    core = InputCore("midi", L)
    core.receive(0.99, "m", FA)
    play_ticks(core, 1.0, 96)
    last = 1.0 + 95 * TICK
    assert core.silence_deadline() == pytest.approx(last + CLOCK_TIMEOUT)
    core.clock_timed_out()
    assert core.lost
    # the master played on; 200 ticks later (4 s) its clock reaches us again
    follows = play_ticks(core, 1.0 + 296 * TICK, 10)
    assert not core.lost
    assert follows[-1].position == pytest.approx((305 + L / TICK) / 6, abs=1e-6)


def test_a_second_master_is_ignored_until_the_first_falls_silent():
    core = InputCore("midi", L)
    core.receive(0.99, "a", FA)
    play_ticks(core, 1.0, 10, port="a")
    assert core.receive(1.0 + 9.5 * TICK, "b", F8) == []
    assert core.clock_port == "a"
    later = 1.0 + 9 * TICK + CLOCK_TIMEOUT + 0.1
    play_ticks(core, later, 3, port="b")
    assert core.clock_port == "b"


# --- clock out ----------------------------------------------------------------------------


def drain(core) -> list[tuple[float, tuple[int, ...]]]:
    sent = []
    while core.schedule.next_time() < math.inf:
        now = core.schedule.next_time()
        sent += [(now, data) for data in core.schedule.due(now)]
    return sent


def test_clock_out_starts_ticks_six_per_step_with_the_audio_and_stops_with_it():
    core = ClockOutCore(L)
    core.receive(Transport(True, 0.0, 10.0))
    for index in range(2):
        core.receive(Step(index, 10.0 + index * 0.125, 0.125))
    core.receive(Transport(False, 1.6, 10.2))
    sent = drain(core)
    assert sent[0] == (pytest.approx(10.05), FA)
    ticks = [t for t, data in sent if data == F8]
    assert ticks == pytest.approx([10.05 + k * 0.125 / 6 for k in range(len(ticks))])
    assert len(ticks) == 10  # 2 steps of 6, less the two after the stop is heard
    assert sent[-1] == (pytest.approx(10.25), FC)


def test_clock_out_continue_and_locate_announce_the_song_position():
    core = ClockOutCore(L)
    core.receive(Transport(True, 16.4, 5.0))  # a continue from mid-step 16
    core.receive(Step(17, 5.075, 0.125))
    core.receive(Step(18, 5.2, 0.125))
    core.receive(Transport(True, 32.0, 5.3))  # a locate while playing
    core.receive(Step(32, 5.3, 0.125))
    core.receive(Step(34, 5.425, 0.125))  # the clock skipped a step to keep up with a master
    sent = [data for _, data in drain(core) if data != F8]
    assert sent == [spp(17), FB, spp(32), spp(34)]


def test_clock_out_keeps_six_ticks_per_step_when_the_next_step_comes_early():
    core = ClockOutCore(L)
    core.receive(Transport(True, 0.0, 1.0))
    core.receive(Step(0, 1.0, 0.125))
    core.receive(Step(1, 1.1, 0.1))  # a tempo change brought step 1 forward
    sent = drain(core)
    ticks = [t for t, data in sent if data == F8]
    assert len(ticks) == 12
    assert ticks == sorted(ticks)
    assert ticks[6] == pytest.approx(1.15)  # step 1's first tick keeps its time


# --- notes out -----------------------------------------------------------------------------


def test_notes_out_sends_hits_when_heard_with_their_velocity_and_a_gate():
    core = NotesOutCore(DEFAULT_NOTES, L)
    core.receive(Hit(0, 2.0, 127, False))
    core.receive(Hit(2, 2.0, 64, True))
    assert drain(core) == [
        (pytest.approx(2.05), (0x99, 36, 127)),
        (pytest.approx(2.05), (0x99, 42, 64)),
        (pytest.approx(2.05 + GATE), (0x89, 36, 0)),
        (pytest.approx(2.05 + GATE), (0x89, 42, 0)),
    ]


def test_a_retriggered_note_ends_the_sounding_one_first():
    core = NotesOutCore((NoteMap(0, 60),) * 5, L)
    core.receive(Hit(1, 2.0, 64, False))
    core.receive(Hit(1, 2.0 + GATE / 2, 64, False))
    assert [data for _, data in drain(core)] == [
        (0x90, 60, 64),
        (0x80, 60, 0),
        (0x90, 60, 64),
        (0x80, 60, 0),
    ]


def test_note_options():
    parser = argparse.ArgumentParser()
    register_options(parser)
    args = parser.parse_args(
        [
            "--clock",
            "midi",
            "--midi-in",
            "pad",
            "--midi-in",
            "Digitakt",
            "--midi-clock-out",
            "synth",
            "--midi-note",
            "snare=40",
            "--midi-note",
            "clap=60/2",
        ]
    )
    config = midi_config(args)
    assert config.clock == "midi"
    assert config.inputs == ("pad", "Digitakt")
    assert config.clock_out == "synth" and config.notes_out is None
    assert config.notes[1] == NoteMap(9, 40)
    assert config.notes[4] == NoteMap(1, 60)
    assert config.notes[0] == DEFAULT_NOTES[0]
    for bad in ("snare", "cowbell=40", "kick=128", "kick=36/17", "kick=x"):
        with pytest.raises(SystemExit):
            parser.parse_args(["--midi-note", bad])


# --- pads captured as a basis -------------------------------------------------------------


def test_a_tapped_bar_becomes_the_tracks_basis():
    core = CaptureCore(DEFAULT_NOTES, L)
    step = 0.125
    heard = [1.0 + i * step + L for i in range(16)]
    for i in range(16):
        core.step(Step(i, 1.0 + i * step, step))
        if i % 4 == 0:  # a kick on every beat, played a little early or late
            core.note(heard[i] + (0.02 if i % 8 else -0.03), 9, 36, 127 if i == 0 else 70)
    core.note(heard[6] + 0.01, 9, 38, 100)  # one accented snare
    core.note(heard[7], 9, 77, 100)  # a note that is no track's
    end = heard[15] + step / 2
    assert core.next_time() == pytest.approx(end)
    assert core.due(end - 0.001) == []
    assert core.due(end) == [
        BasisCaptured(0, "X---x---x---x---"),
        BasisCaptured(1, "------X---------"),
    ]
    assert core.due(end + 10) == []


def test_a_note_rounds_to_a_step_not_yet_sent():
    core = CaptureCore(DEFAULT_NOTES, L)
    step = 0.25  # 60 BPM: a player may anticipate by more than the clock sends ahead
    for i in range(15):
        core.step(Step(i, i * step, step))
    core.note(15 * step + L - 0.1, 9, 36, 64)
    core.step(Step(15, 15 * step, step))
    assert core.due(math.inf) == [BasisCaptured(0, "-" * 15 + "x")]


# --- the output shell on MockClock ----------------------------------------------------------


class RecordingPorts:
    def __init__(self):
        self.sent = []

    def send(self, role, data):
        self.sent.append((trio.current_time(), role, data))


def test_the_shell_sends_each_message_when_it_is_heard():
    async def main():
        to_played, played = mailbox()
        to_basis, _ = mailbox()
        ports = RecordingPorts()
        cores = CaptureCore(DEFAULT_NOTES, L), ClockOutCore(L), NotesOutCore(DEFAULT_NOTES, L)
        async with trio.open_nursery() as nursery:
            nursery.start_soon(_play_out, played, ports, cores[0], to_basis, *cores[1:])
            await to_played.send(Transport(True, 0.0, 1.0))
            await to_played.send(Step(0, 1.0, 0.125))
            await to_played.send(Hits.of([Hit(0, 1.0, 64, False)]))
            await trio.sleep(2)
            nursery.cancel_scope.cancel()
        return ports.sent

    sent = trio.run(main, clock=trio.testing.MockClock(autojump_threshold=0))
    assert sent[:3] == [(1.05, "clock", FA), (1.05, "clock", F8), (1.05, "notes", (0x99, 36, 64))]
    assert (pytest.approx(1.05 + 0.125 / 6), "clock", F8) in sent
    assert (pytest.approx(1.05 + GATE), "notes", (0x89, 36, 0)) in sent


def test_clock_out_song_position_after_a_mid_song_rate_change_is_our_step_at_our_rate():
    """32 sixteenths, then 1/8T: a skip to step 38 says sixteenth 51 (the first at or after
    38 x 8 / 6), where a slave at 1/8T finds step 38 -- not the ticks sent so far (240)."""
    core = ClockOutCore(L)
    core.receive(Transport(True, 0.0, 1.0))
    for index in range(32):
        core.receive(Step(index, 1.0 + index * 0.125, 0.125))
    for index in range(32, 36):
        core.receive(Step(index, 5.0 + (index - 32) / 6, 1 / 6, 8))
    core.receive(Step(38, 5.0 + 6 / 6, 1 / 6, 8))  # caught up with a master
    sent = [data for _, data in drain(core) if data not in (F8, FA)]
    assert sent == [spp(51)]
