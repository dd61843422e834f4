"""The Link follower: the pure core, and the actor in front of the real clock actor on
trio's MockClock, steered by a model of a Link session (a timeline and a transport)."""

from __future__ import annotations

import argparse
import itertools
import math

import pytest
import trio
import trio.testing

from actors.clock import EMIT_AHEAD, ClockCore, clock_actor
from actors.link import (
    LinkConfig,
    LinkCore,
    LinkView,
    QuantumError,
    check_quantum,
    link_actor,
    link_config,
    register_options,
)
from actors.link._actor import POLL
from actors.mesh import mailbox
from actors.messages import (
    Follow,
    LinkState,
    SetQuantum,
    SetTempo,
    Start,
    Step,
    Stop,
    Transport,
    decode,
)
from actors.midi import register_options as register_midi_options

L = 0.05


class ModelLink:
    """A Link session as a peer sees it, on trio's clock: one timeline that any peer
    may re-tempo (beat continuous at the change) and one shared transport."""

    def __init__(self, bpm: float = 120.0) -> None:
        self.timeline = [(0, 0.0, bpm)]  # (from micros, beat there, tempo)
        self.playing = False
        self.play_micros = 0
        self.peer_count = 0
        self.closed = False

    def micros(self) -> int:
        return round(trio.current_time() * 1e6)

    @property
    def bpm(self) -> float:
        return self.timeline[-1][2]

    def beat(self, micros: float) -> float:
        at, beat, bpm = next(s for s in reversed(self.timeline) if s[0] <= micros)
        return beat + (micros - at) / 1e6 * bpm / 60

    def time_of(self, beat: float) -> float:
        at, anchor_beat, bpm = next(s for s in reversed(self.timeline) if s[1] <= beat)
        return at / 1e6 + (beat - anchor_beat) * 60 / bpm

    def look(self, quantum, micros):
        return self.bpm, self.beat(micros), self.playing, self.play_micros

    def peers(self) -> int:
        return self.peer_count

    def propose_tempo(self, bpm, micros):
        self.timeline.append((micros, self.beat(micros), bpm))

    def propose_playing(self, playing, micros):
        self.playing, self.play_micros = playing, micros

    def close(self) -> None:
        self.closed = True


async def _collect(inbox, steps, transports):
    async for message in inbox:
        if isinstance(message, Step):
            steps.append(message)
        elif isinstance(message, Transport):
            transports.append(message)


class Rig:
    """link actor -> clock actor -> collected steps, on MockClock."""

    def __init__(self, nursery, model, quantum=4.0, surfaces=None):
        self.commands, link_inbox = mailbox()
        to_clock, clock_inbox = mailbox()
        steps_out, steps_in = mailbox()
        self.steps: list[Step] = []
        self.transports: list[Transport] = []
        self.follows = 0
        counter = self

        class Counting:
            """Counts the Follows on their way to the clock."""

            async def send(self, message):
                if isinstance(message, Follow):
                    counter.follows += 1
                await to_clock.send(message)

            async def __aenter__(self):
                return self

            async def __aexit__(self, *exc):
                await to_clock.aclose()

        nursery.start_soon(lambda: link_actor(
            LinkConfig(quantum=quantum), 120.0, L, link_inbox, Counting(), surfaces,
            session=model))
        nursery.start_soon(clock_actor, clock_inbox, steps_out, ClockCore(120))
        nursery.start_soon(_collect, steps_in, self.steps, self.transports)

    def heard(self, model, since=-math.inf):
        """(step index, Link beat at which the step is heard) for steps after ``since``."""
        return [(s.index, model.beat((s.time + L) * 1e6)) for s in self.steps if s.time > since]


def assert_on_beats(heard, start_beat, tolerance_beats):
    for index, beat in heard:
        assert beat == pytest.approx(start_beat + index / 4, abs=tolerance_beats), index


# --- the pure core -------------------------------------------------------------------------


def test_quantum_range_has_a_clear_message():
    for bad in (0, 1000, -4, 0.5):
        with pytest.raises(QuantumError, match=r"Link quantum .* is outside 1-32 beats"):
            check_quantum(bad)
    assert check_quantum(3) == 3.0
    with pytest.raises(QuantumError):
        LinkCore(L, 0)


def test_start_lands_on_the_next_boundary_that_can_still_be_heard():
    core = LinkCore(L, 4)
    view = LinkView(10.0, 7.95, 120.0, False, 0.0, 0)  # beat 8 is 25 ms away: too near
    to_clock, proposals = core.command(10.0, Start(), view)
    start, follow = to_clock
    assert isinstance(start, Start) and isinstance(follow, Follow)
    # beat 12 falls at 10 + 4.05 * 0.5 s; step 0 is sent a lookahead before it: the clock
    # stands that far before it from the start on
    assert follow.position == pytest.approx((view.beat_at(10.0 + L) - 12) * 4)
    assert start.position == follow.position
    assert proposals[0].playing
    assert proposals[0].time == pytest.approx(10.0 + 4.05 * 0.5)


def test_a_steady_session_is_not_refollowed_at_every_look():
    core = LinkCore(L, 4)
    view = LinkView(0.0, 0.0, 120.0, True, 0.0, 1)
    assert [type(m) for m in core.observe(0.0, view)] == [Start, Follow]
    looks = [core.observe(t / 200, view) for t in range(1, 2000)]
    assert not any(looks)
    retempo = LinkView(10.0, 20.0, 90.0, True, 0.0, 1)
    follow = core.observe(10.0, retempo)[0]
    assert isinstance(follow, Follow)
    assert follow.bpm == 90.0


def test_a_tempo_we_cannot_play_is_held_until_it_returns():
    core = LinkCore(L, 4)
    core.observe(0.0, LinkView(0.0, 0.0, 120.0, True, 0.0, 1))
    assert core.observe(1.0, LinkView(1.0, 2.0, 400.0, True, 0.0, 1)) == []
    assert core.unplayable == 400.0
    assert isinstance(core.observe(2.0, LinkView(2.0, 8.0, 140.0, True, 0.0, 1))[0], Follow)
    assert core.unplayable is None


def test_clock_option_offers_link_and_quantum_is_checked(capsys):
    parser = argparse.ArgumentParser()
    register_midi_options(parser)
    register_options(parser)
    args = parser.parse_args(["--clock", "link", "--link-quantum", "3", "--no-link-start-stop"])
    assert link_config(args) == LinkConfig(quantum=3.0, start_stop=False)
    assert link_config(parser.parse_args([])) is None
    for bad in ("0", "1000", "four"):
        with pytest.raises(SystemExit):
            parser.parse_args(["--clock", "link", "--link-quantum", bad])
        err = capsys.readouterr().err
        assert "--link-quantum" in err
    assert "Link quantum 1000 is outside 1-32 beats" in err or "four" in err


# --- the actor with the clock, on MockClock ---------------------------------------------------


async def test_our_start_lands_on_the_quantum_and_steps_land_on_links_beats(autojump_clock):
    model = ModelLink(120.0)
    async with trio.open_nursery() as nursery:
        rig = Rig(nursery, model)
        await trio.sleep(1.3)  # Link at beat 2.6: the next boundary is beat 4
        await rig.commands.send(Start())
        await trio.sleep(10)
        nursery.cancel_scope.cancel()
    assert model.playing
    assert model.play_micros == round(model.time_of(4.0) * 1e6)
    assert [s.index for s in rig.steps] == list(range(len(rig.steps)))
    assert rig.steps[0].time + L == pytest.approx(2.0, abs=1e-6)
    assert len(rig.steps) == pytest.approx((11.3 + EMIT_AHEAD - L - 2.0) * 8, abs=1)
    assert_on_beats(rig.heard(model), 4.0, 1e-6)
    assert rig.follows == 1
    assert model.closed


async def test_a_peers_tempo_change_is_followed_within_a_look(autojump_clock):
    model = ModelLink(120.0)
    async with trio.open_nursery() as nursery:
        rig = Rig(nursery, model)
        await rig.commands.send(Start())
        await trio.sleep(3.0)
        change = trio.current_time()
        model.propose_tempo(90.0, model.micros())  # another peer, at its now
        await trio.sleep(3.0)
        nursery.cancel_scope.cancel()
    start_beat = math.ceil(model.beat((L + EMIT_AHEAD) * 1e6) / 4) * 4
    # steps sent after the change was seen (one look) are heard on the new timeline
    assert_on_beats(rig.heard(model, since=change + POLL + EMIT_AHEAD), start_beat, 1e-6)
    times = [s.time for s in rig.steps]
    assert times == sorted(times)
    gaps = {round(b - a, 4) for a, b in itertools.pairwise(times)}
    assert {0.125, round(60 / 90 / 4, 4)} <= gaps


async def test_our_tempo_is_proposed_for_a_lookahead_on_and_followed(autojump_clock):
    model = ModelLink(120.0)
    async with trio.open_nursery() as nursery:
        rig = Rig(nursery, model)
        await rig.commands.send(Start())
        await trio.sleep(2.0)
        sent = trio.current_time()
        await rig.commands.send(SetTempo(90.0))
        await trio.sleep(2.0)
        await rig.commands.send(SetTempo(500.0))  # refused: the session keeps 90
        await trio.sleep(1.0)
        nursery.cancel_scope.cancel()
    assert model.bpm == 90.0
    assert model.timeline[1][0] == round((sent + L) * 1e6)
    start_beat = math.ceil(model.beat((L + EMIT_AHEAD) * 1e6) / 4) * 4
    # every step, before and after the change, is heard on Link's beat: no jump at all
    assert_on_beats(rig.heard(model), start_beat, 1e-6)


async def test_a_peers_start_and_stop_are_followed(autojump_clock):
    model = ModelLink(120.0)
    async with trio.open_nursery() as nursery:
        rig = Rig(nursery, model)
        await trio.sleep(1.0)
        model.propose_playing(True, round(model.time_of(8.0) * 1e6))  # a peer starts at beat 8
        await trio.sleep(4.0)
        model.propose_playing(False, model.micros())
        await trio.sleep(0.5)
        # a peer's start that reaches us after its first step was due (beat 24 is
        # heard 15 ms from now: step 0 should have been sent 35 ms ago, step 1 can be)
        await trio.sleep_until(model.time_of(24.0) - 0.015)
        model.propose_playing(True, round(model.time_of(24.0) * 1e6))
        await trio.sleep(2.0)
        nursery.cancel_scope.cancel()
    first = [s for s in rig.steps if s.time < 5.0]
    assert first[0].index == 0
    assert first[0].time + L == pytest.approx(4.0, abs=1e-6)
    assert_on_beats(rig.heard(model)[: len(first)], 8.0, 1e-6)
    assert [t.playing for t in rig.transports] == [True, False, True]
    assert rig.transports[1].time == pytest.approx(5.0, abs=POLL + 0.001)  # the next look
    again = [s for s in rig.steps if s.time > 9.0]
    # step 0's time has passed, but not its sound: it is sent at once, still on the beat
    assert again[0].index == 0
    assert_on_beats(rig.heard(model, since=9.0), 24.0, 1e-6)


async def test_a_bad_quantum_is_refused_and_the_music_plays_on(autojump_clock, caplog):
    model = ModelLink(120.0)
    shown = []
    observers, observed = mailbox()
    async with trio.open_nursery() as nursery:
        rig = Rig(nursery, model, surfaces=observers)
        await rig.commands.send(Start())
        await trio.sleep(1.0)
        await rig.commands.send(SetQuantum(0))
        await rig.commands.send(SetQuantum(1000))
        model.peer_count = 2
        await trio.sleep(1.0)
        await rig.commands.send(SetQuantum(3))
        await trio.sleep(1.0)
        nursery.cancel_scope.cancel()
    while True:
        try:
            shown.append(observed._channel.receive_nowait())
        except trio.WouldBlock:
            break
    assert "Link quantum 0 is outside 1-32 beats; keeping quantum 4" in caplog.text
    assert "Link quantum 1000 is outside 1-32 beats; keeping quantum 4" in caplog.text
    steps = [s.index for s in rig.steps]
    assert steps == list(range(len(steps)))
    assert rig.steps[-1].time > 2.9 - L
    states = [decode(b) for b in shown]
    assert all(isinstance(s, LinkState) for s in states)
    assert (states[-2].peers, states[-1].quantum) == (2, 3.0)
    assert_on_beats(rig.heard(model), 4.0, 1e-6)


async def test_stop_is_proposed_and_reaches_the_clock(autojump_clock):
    model = ModelLink(120.0)
    async with trio.open_nursery() as nursery:
        rig = Rig(nursery, model)
        await rig.commands.send(Start())
        await trio.sleep(3.0)
        await rig.commands.send(Stop())
        await trio.sleep(1.0)
        nursery.cancel_scope.cancel()
    assert not model.playing
    assert [t.playing for t in rig.transports] == [True, False]
    assert rig.steps[-1].time < 3.0 + EMIT_AHEAD
    assert len(rig.steps) == 9  # heard from 2.0 s, the last sent at 2.95 s


def test_a_new_quantum_keeps_the_steps_on_their_beats():
    """Link numbers beats per quantum: the same moment can be beat 10 at quantum 4 and
    beat 11 at quantum 3; the position the clock is told must not jump."""
    core = LinkCore(L, 4)
    before = LinkView(5.0, 10.0, 120.0, True, 0.0, 1)
    core.observe(5.0, before)
    (follow,) = core.observe(5.5, LinkView(5.5, 11.0, 130.0, True, 0.0, 1))
    core.command(6.0, SetQuantum(3), before)
    beat = 11.0 + 0.5 * 130 / 60  # at 6.0 s, numbered for quantum 4
    core.requantise(LinkView(6.0, beat, 130.0, True, 0.0, 1),
                    LinkView(6.0, beat + 1, 130.0, True, 0.0, 1))
    assert core.observe(6.0, LinkView(6.0, beat + 1, 130.0, True, 0.0, 1)) == []
    assert core.quantum == 3
    assert follow.bpm == 130.0


def test_sessions_that_merge_keep_our_count_and_take_the_new_phase():
    """Two Link sessions meeting merge into one timeline, whose beat count can be far
    from ours: we keep counting steps and take the new phase within the quantum, rather
    than waiting out (or skipping) the difference."""
    core = LinkCore(L, 4)
    assert [type(m) for m in core.observe(0.0, LinkView(0.0, 0.0, 120.0, True, 0.0, 1))] == [
        Start, Follow]
    steady = (10.0 + L) * 2 * 4  # sixteenths played by 10 s, a lookahead on
    merged = LinkView(10.0, 20.0 - 36.0 + 0.25, 120.0, True, 0.0, 2)  # a quarter beat on
    (follow,) = core.observe(10.0, merged)
    assert isinstance(follow, Follow)
    assert follow.position == pytest.approx(steady + 1.0)  # the phase, not the count
