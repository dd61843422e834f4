"""The bridge's pure core, and the whole live hit path on trio's MockClock.

The live actors (session, clock, sequencer) feeding the bridge core on a mock
clock must hand the server exactly the bundles a render writes into its score,
edits and all: that is what makes a render sound like the machine."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
import trio

from actors.clock import ClockCore, clock_actor
from actors.engine_bridge import (
    LEAD,
    BridgeCore,
    ExactPlacement,
    NodeSet,
    SynthNew,
    Voice,
)
from actors.kit import Drum
from actors.mesh import mailbox
from actors.messages import (
    Hit,
    Hits,
    SetChoke,
    SetFills,
    SetLowpass,
    SetMorph,
    SetMute,
    SetParam,
    SetPattern,
    SetStepRate,
    SetSwing,
    SetTempo,
    SetVoice,
    Start,
    Step,
)
from actors.render import PRE_ROLL, perform
from actors.sequencer import SequencerCore, sequencer_actor
from actors.session import Session, SessionCore, To, session_actor

RATE = 48000
KICK = Voice("kick_def", ("osc_freq", 50.0), 0.5)
HAT = Voice("hat_def", ("osc_freq", 900.0), 0.25)


@dataclasses.dataclass(frozen=True)
class Shifted:
    """A server placing as a render's score does, its beat's time 0 at ``origin`` on
    trio's clock."""

    origin: float
    sample_rate: int = RATE

    def line(self, when: float) -> float:
        return ExactPlacement(self.sample_rate, PRE_ROLL).line(when - self.origin)

    def place(self, when: float) -> tuple[float, int]:
        stamp, at = ExactPlacement(self.sample_rate, PRE_ROLL).place(when - self.origin)
        return stamp + self.origin, at


def voiced(lookahead: float = 0.0) -> BridgeCore:
    core = BridgeCore(lookahead)
    core.receive(SetVoice(0, KICK.synthdef, KICK.controls, KICK.length), 0.0, None)
    core.receive(SetVoice(2, HAT.synthdef, HAT.controls, HAT.length), 0.0, None)
    return core


def test_hits_are_placed_heard_after_the_lookahead_one_bundle_per_moment():
    core = voiced(lookahead=0.05)
    sendings = core.receive(Hits.of([Hit(0, 1.0, 127, False), Hit(2, 1.0, 64, True),
                                     Hit(2, 1.1, 64, True)]), 0.9, ExactPlacement(RATE))
    lead = LEAD / RATE  # stamped to start a little early, to wait for their samples
    assert [s.bundle.time for s in sendings] == pytest.approx([1.05 - lead, 1.15 - lead])
    assert [(s.hits, s.at) for s in sendings] == [(2, 50400), (1, 55200)]
    kick, choke, hat = sendings[0].bundle.requests
    assert isinstance(kick, SynthNew) and kick.synthdef == "kick_def"
    assert isinstance(choke, NodeSet)  # the choke group is cut on the hat's own sample
    assert isinstance(hat, SynthNew) and hat.controls[-4:-2] == ("at", 50400)
    assert core.ring_until == pytest.approx(max(1.05 + KICK.length, 1.15 + HAT.length))


def test_without_a_server_hits_are_dropped_and_the_state_still_follows():
    core = voiced()
    assert core.receive(Hits.of([Hit(0, 1.0, 64, False)]), 1.0, None) == []
    assert core.receive(SetLowpass(800.0, 0.5), 1.0, None) == []
    assert core.dropped_hits == 1
    # a server that comes later gets the low-pass as it stands
    (lowpass,) = [r for r in core.boot() if isinstance(r, SynthNew) and "freq" in r.controls]
    assert lowpass.controls[:2] == ("freq", 800.0)
    # a hit for a track with no voice yet is dropped too (its step's others with it)
    assert core.receive(Hits.of([Hit(1, 2.0, 64, False)]), 2.0, ExactPlacement(RATE)) == []
    assert core.dropped_hits == 2


def test_a_low_pass_change_is_heard_with_the_beat_and_exists_only_while_closed():
    core = voiced(lookahead=0.05)
    placement = ExactPlacement(RATE)
    assert core.boot()[-1:] != ()  # groups and clock synth; no low-pass while open
    (closing,) = core.receive(SetLowpass(1000.0, 0.0), 2.0, placement)
    assert closing.bundle.time == pytest.approx(2.05 - LEAD / RATE) and closing.hits == 0
    assert isinstance(closing.bundle.requests[0], SynthNew)
    (moving,) = core.receive(SetLowpass(500.0, 0.0), 2.5, placement)
    assert isinstance(moving.bundle.requests[0], NodeSet)
    (opening,) = core.receive(SetLowpass(20000.0, 0.0), 3.0, placement)
    assert opening.bundle.requests[0].address == "/n_free"
    assert core.receive(SetLowpass(20000.0, 0.0), 3.5, placement) == []
    assert core.release() == core.release()  # nothing of the low-pass left to free


def test_a_stem_sends_the_tracks_it_does_not_hear_to_the_silent_bus():
    core = BridgeCore(heard_tracks=frozenset({2}), silent_bus=509)
    for track, voice in ((0, KICK), (2, HAT)):
        core.receive(SetVoice(track, voice.synthdef, voice.controls, voice.length), 0, None)
    (sending,) = core.receive(Hits.of([Hit(0, 0.5, 64, False), Hit(2, 0.5, 64, False)]),
                              0.5, ExactPlacement(RATE))
    kick, hat = sending.bundle.requests
    assert kick.controls[-8:-6] == ("out", 509)  # after the voice's own controls: it wins
    assert "out" not in hat.controls


def test_align_puts_a_step_on_a_sample():
    core = BridgeCore(lookahead=0.05)
    placement = Shifted(origin=0.123456789)
    core.align(placement, Step(0, 10.0, 0.125))
    position = placement.line(core.heard(10.0))
    assert position == pytest.approx(round(position), abs=1e-6)
    assert abs(core.grid_shift) <= 0.5 / RATE


def test_a_message_it_does_not_handle_is_refused():
    with pytest.raises(ValueError, match="does not handle SetTempo"):
        BridgeCore().receive(SetTempo(90), 0.0, None)


def tonal(freq: float) -> Drum:
    return Drum(mix=0.0, osc_freq=freq, osc_dcy=0.4)


SESSION = (
    Session(tempo=123, lowpass=(6000.0, 0.3))
    .with_patterns({0: "X---x-x-", 1: "----X---", 2: "x-xX", 3: "--x-", 4: "-x--"})
    .with_track(0, patches=(tonal(50.0), tonal(80.0)), morph=0.25)
    .with_track(2, choke=True, swing=0.3)
    .with_track(3, choke=True, fills="--f-")
    .with_track(4, mute=True)
)
STEP = 60 / 123 / 4
EDITS = [  # (seconds after the first step, command): between steps, as a player's edits
    (4.6 * STEP, SetMorph(0, 0.75)),
    (6.5 * STEP, SetParam(1, 0, "osc_freq", 333.0)),
    (8.4 * STEP, SetMute(4, False)),
    (10.5 * STEP, SetPattern(1, "x-X-")),
    (12.3 * STEP, SetLowpass(3000.0, 0.6)),
    (16.5 * STEP, SetSwing(2, 0.6)),
    (18.5 * STEP, SetChoke(3, False)),
    (20.6 * STEP, SetFills(1, "f---")),
    (23.5 * STEP, SetTempo(140.0)),
    (26.0 * STEP, SetMute(0, True)),
]


async def live_bundles(session: Session, seconds: float, lookahead: float) -> list:
    """The bundles the live actors and the bridge core produce on the mock clock,
    with each bundle's time made relative to the first step."""
    to_session, session_inbox = mailbox()
    to_clock, clock_inbox = mailbox()
    steps_out, steps_in = mailbox()
    to_sequencer, sequencer_inbox = mailbox()
    to_bridge, bridge_inbox = mailbox()
    core = BridgeCore(lookahead)
    got: list = []
    start = trio.current_time() + 1.0  # the first step, once every actor has its state

    async def bridge() -> None:
        async for message in bridge_inbox:
            placement = Shifted(start + lookahead)
            for sending in core.receive(message, trio.current_time(), placement):
                got.append((sending.bundle.time - start - lookahead, sending.bundle.requests))

    async with trio.open_nursery() as nursery:
        nursery.start_soon(bridge)
        nursery.start_soon(clock_actor, clock_inbox, steps_out, ClockCore(session.tempo))
        nursery.start_soon(sequencer_actor, steps_in, sequencer_inbox, to_bridge.clone(),
                           SequencerCore())
        outboxes = {To.CLOCK: to_clock.clone(), To.SEQUENCER: to_sequencer,
                    To.BRIDGE: to_bridge}
        await nursery.start(session_actor, session_inbox, outboxes, SessionCore(session), None)
        await trio.sleep_until(start)
        await to_clock.send(Start())
        for when, command in EDITS:
            await trio.sleep_until(start + when)
            await to_session.send(command)
        await trio.sleep_until(start + seconds)
        nursery.cancel_scope.cancel()
    return got


async def test_the_live_hit_path_sends_what_a_render_writes(autojump_clock):
    offline = await perform(SESSION, Path("/defs"), 2, RATE, edits=EDITS)
    live = await live_bundles(SESSION, offline.bars_end - 0.05, lookahead=0.05)
    _setup, *written = offline.sink.bundles
    # the session's own low-pass comes first: before the first step live, stamped no
    # earlier than the server's start (sample 0 here) in both
    assert isinstance(written[0].requests[0], SynthNew) and written[0].time == 0.0
    assert len(live) == len(written) > 30
    for (time, requests), bundle in zip(live, written, strict=True):
        assert time == pytest.approx(bundle.time, abs=1e-9)
        assert requests == bundle.requests


def test_a_render_counts_bars_through_a_step_rate_edit():
    """A bar at 120 BPM is two seconds however many steps it holds: sixteenths, then (an
    edit half-way through the last one) eighth-note triplets, 12 steps a bar, from the
    next step on (the step under way ends at the new rate: 1.9375 + 1/12 s)."""
    session = dataclasses.replace(SESSION, tempo=120.0)
    edits = [(2.0 - 0.5 * 0.125, SetStepRate("1/8T"))]
    performance = trio.run(lambda: perform(session, Path("/defs"), 3, RATE, edits=edits))
    second = 1.9375 + 1 / 12
    assert performance.bar_starts == pytest.approx((0.0, second, second + 2, second + 4))
