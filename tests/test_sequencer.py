"""Pattern text, swing, mute and choke; the actor on memory channels and MockClock."""

import pytest
import trio

from actors.mesh import mailbox
from actors.messages import (
    Hit,
    Hits,
    SetChoke,
    SetFillRate,
    SetFills,
    SetLength,
    SetMute,
    SetPattern,
    SetSwing,
    Step,
)
from actors.sequencer import PatternError, SequencerCore, parse_pattern, sequencer_actor


def test_pattern_text():
    assert parse_pattern("x-X")[:6] == (64, 0, 127, 64, 0, 127)
    assert len(parse_pattern("x")) == 32
    assert parse_pattern("-" * 31 + "X")[31] == 127
    for bad in ("", "x" * 33, "x-o-"):
        with pytest.raises(PatternError):
            parse_pattern(bad)


def test_swing_follows_microtonics_pair_law():
    core = SequencerCore()
    core.apply(SetPattern(0, "x"))
    core.apply(SetSwing(0, 0.5))
    even = core.hits(Step(4, 10.0, 0.1))
    odd = core.hits(Step(5, 10.1, 0.1))
    assert even[0].time == 10.0
    # the pair lasts (1 + s/2) and (1 - s/2) steps: the odd one starts 0.1 * 1.25 after
    assert odd[0].time == pytest.approx(10.0 + 0.1 * 1.25)


def test_accents_mutes_and_wrapping():
    core = SequencerCore()
    core.apply(SetPattern(1, "-X" + "-" * 29 + "x"))
    assert core.hits(Step(33, 1.0, 0.1)) == [Hit(1, 1.0, 127, False)]
    assert core.hits(Step(31, 1.0, 0.1)) == [Hit(1, 1.0, 64, False)]
    core.apply(SetMute(1, True))
    assert core.hits(Step(33, 1.0, 0.1)) == []


def test_choke_lower_channel_wins_and_muted_tracks_do_not_choke():
    core = SequencerCore()
    for track in (2, 3, 4):
        core.apply(SetPattern(track, "x"))
        core.apply(SetChoke(track, True))
    assert [h.track for h in core.hits(Step(0, 0.0, 0.1))] == [2]
    core.apply(SetMute(2, True))
    hits = core.hits(Step(0, 0.0, 0.1))
    assert [(h.track, h.choke) for h in hits] == [(3, True)]
    core.apply(SetChoke(3, False))
    assert [(h.track, h.choke) for h in core.hits(Step(0, 0.0, 0.1))] == [(3, False), (4, True)]


def test_bad_edits_change_nothing():
    core = SequencerCore()
    core.apply(SetPattern(0, "x"))
    for bad in (SetPattern(0, "xo"), SetSwing(0, 1.5), SetPattern(9, "x")):
        with pytest.raises(ValueError):
            core.apply(bad)
    assert core.tracks[0].velocities == parse_pattern("x")
    assert core.tracks[0].swing == 0.0


async def test_actor_forwards_steps_and_their_hits(autojump_clock):
    steps, steps_in = mailbox()
    edits, edits_in = mailbox()
    out, out_in = mailbox()
    got = []

    async def collect():
        async for message in out_in:
            got.append(message)

    async with trio.open_nursery() as nursery:
        nursery.start_soon(sequencer_actor, steps_in, edits_in, out, SequencerCore())
        nursery.start_soon(collect)
        await edits.send(SetPattern(0, "x-"))
        await edits.send(SetPattern(7, "x"))  # refused, logged, the actor lives on
        await trio.sleep(0.01)
        for i in range(3):
            await steps.send(Step(i, i * 0.1, 0.1))
        await steps.aclose()  # the end of steps ends the actor, closing its output
    assert got == [
        Step(0, 0.0, 0.1),
        Hits.of([Hit(0, 0.0, 64, False)]),
        Step(1, 0.1, 0.1),  # no hits, no Hits message
        Step(2, 0.2, 0.1),
        Hits.of([Hit(0, 0.2, 64, False)]),
    ]
    assert got[1].each() == [Hit(0, 0.0, 64, False)]


def test_fills_roll_at_the_fill_rate_only_on_hit_steps():
    core = SequencerCore()
    core.apply(SetPattern(0, "x-X-"))
    core.apply(SetFills(0, "ff-f"))
    core.apply(SetFillRate(3.0))
    roll = core.hits(Step(0, 1.0, 0.3))
    assert [h.time for h in roll] == pytest.approx([1.0, 1.1, 1.2])
    assert core.hits(Step(1, 1.3, 0.3)) == []  # a fill without a hit is nothing
    core.apply(SetFillRate(2.5))  # 2.5 per step: three hits, the last gap cut short
    roll = core.hits(Step(4, 2.0, 0.5))
    assert [h.time for h in roll] == pytest.approx([2.0, 2.2, 2.4])
    assert {h.velocity for h in roll} == {64}
    for bad in (SetFillRate(1.0), SetFills(0, "fx")):
        with pytest.raises(ValueError):
            core.apply(bad)


def test_each_track_loops_on_its_own_length():
    core = SequencerCore()
    core.apply(SetPattern(0, "x" + "-" * 31))
    core.apply(SetPattern(1, "X--" + "x" * 29))
    core.apply(SetLength(0, 16))
    core.apply(SetLength(1, 3))  # steps 4-32 are kept but never play
    played = {0: [], 1: []}
    for index in range(48):
        for hit in core.hits(Step(index, index * 0.1, 0.1)):
            played[hit.track].append(index)
    assert played[0] == [0, 16, 32]
    assert played[1] == list(range(0, 48, 3))  # a 3 against a 16 meets again at 48


def test_swing_counts_a_tracks_own_steps():
    core = SequencerCore()
    core.apply(SetPattern(0, "xxxxx"))
    core.apply(SetLength(0, 5))
    core.apply(SetSwing(0, 0.5))
    late = [core.hits(Step(i, i * 0.1, 0.1))[0].time - i * 0.1 for i in range(15)]
    # columns 0 1 2 3 4 | 0 1 2 3 4 | ...: every time round starts unswung
    assert [round(d / 0.025) for d in late] == [0, 1, 0, 1, 0] * 3


@pytest.mark.parametrize("bad", [0, 33, -1, 2.5, True])
def test_a_length_outside_1_to_32_changes_nothing(bad):
    core = SequencerCore()
    core.apply(SetLength(2, 12))
    with pytest.raises(ValueError, match="1-32"):
        core.apply(SetLength(2, bad))
    assert core.tracks[2].length == 12
