"""Following a live partner: the issue's scenario (a partner's kick at 100 BPM, 15 ms
late with +-8 ms jitter for 16 bars, then 10 ms early for 16 bars) played against the
machine's clock, sequencer and groove actors on trio's MockClock."""

import numpy as np
import trio
import trio.testing

from actors.clock import ClockCore, clock_actor
from actors.groove import GrooveCore
from actors.groove._partner import HOLD_BARS, PartnerCore
from actors.mesh import mailbox
from actors.messages import Hits, PartnerOnset, SetFollow, SetPattern, Start, Step
from actors.sequencer import SequencerCore, sequencer_actor

BPM = 100
STEP = 60 / BPM / 4
BAR = 16 * STEP
LOOKAHEAD = 0.05
LEANS = [0.015] * 16 + [-0.010] * 16


async def perform(follow: float, seed: int = 0):
    """Our kicks' heard times and the partner's onsets, bar by bar."""
    rng = np.random.default_rng(seed)
    commands, commands_in = mailbox()
    steps, steps_in = mailbox()
    edits, edits_in = mailbox()
    out, out_in = mailbox()
    groove = GrooveCore(LOOKAHEAD)
    ours: list[float] = []
    theirs: list[float] = []
    first: list[float] = []

    async def listen():
        async for message in out_in:
            if isinstance(message, Step) and not first:
                first.append(message.time)
            if isinstance(message, Hits):
                ours.extend(hit.time + LOOKAHEAD for hit in message.each())

    async def partner():
        while not first:
            await trio.sleep(0.001)
        for bar, lean in enumerate(LEANS):
            for beat in range(4):
                heard_grid = first[0] + bar * BAR + beat * 4 * STEP + LOOKAHEAD
                at = heard_grid + lean + rng.normal(0, 0.008)
                await trio.sleep_until(at)
                theirs.append(at)
                await edits.send(PartnerOnset(trio.current_time()))

    async with trio.open_nursery() as nursery:
        nursery.start_soon(clock_actor, commands_in, steps, ClockCore(BPM))
        nursery.start_soon(sequencer_actor, steps_in, edits_in, out, SequencerCore(), None,
                           None, groove)
        nursery.start_soon(listen)
        await edits.send(SetPattern(0, "x---x---x---x---"))
        await edits.send(SetFollow(follow))
        await trio.sleep(0.01)
        await commands.send(Start())
        await partner()
        nursery.cancel_scope.cancel()
    ours_by_bar = np.array(ours[:4 * len(LEANS)]).reshape(len(LEANS), 4)
    return ours_by_bar, np.array(theirs).reshape(len(LEANS), 4), first[0]


def measure(follow, seed):
    ours, theirs, start = trio.run(perform, follow, seed,
                                   clock=trio.testing.MockClock(autojump_threshold=0))
    asynchrony = (theirs - ours).mean(1) * 1000
    grid = start + np.arange(len(LEANS))[:, None] * BAR + np.arange(4) * 4 * STEP + LOOKAHEAD
    shift = (ours - grid).mean(1) * 1000
    return asynchrony, shift


def test_follows_the_lean_not_the_jitter():
    for seed in range(3):
        asynchrony, shift = measure(1.0, seed)
        # bars 4-15 and 20-31: at least 4 bars after each change
        assert abs(asynchrony[4:16].mean()) <= 5.0
        assert abs(asynchrony[20:32].mean()) <= 5.0
        assert abs(asynchrony[4]) <= 5.0 + 8.0  # one bar of four jittered kicks
        steady = np.concatenate([np.diff(shift[4:16]), np.diff(shift[20:32])])
        assert steady.std() <= 3.0
        assert abs(asynchrony[:2].mean()) > 10  # it had to move: the partner was 15 ms late


def test_follow_zero_ignores_the_partner():
    asynchrony, shift = measure(0.0, 0)
    assert np.allclose(shift, 0.0, atol=1e-6)  # (float sums of the grid)
    assert asynchrony[4:16].mean() > 10


def test_a_silent_partner_is_held_then_let_go():
    core = PartnerCore()
    core.follow = 1.0
    for bar in range(8):
        core.ours(bar * 2.0 + core.shift, core.shift)  # our hit, moved as we follow
        core.onset(bar * 2.0 + 0.02)  # the partner, 20 ms late against our own groove
        core.bar()
    held = core.shift
    assert held > 0.015
    for _ in range(HOLD_BARS):
        assert core.bar() == held
    shifts = [core.bar() for _ in range(12)]
    assert all(b < a for a, b in zip([held, *shifts[:-1]], shifts, strict=True))
    assert shifts[-1] < 0.1 * held
