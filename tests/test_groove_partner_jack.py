"""The issue's partner over real JACK MIDI: a partner device plays the kick part at
100 BPM, 15 ms late with +-8 ms jitter for 16 bars, then 10 ms early for 16 bars, on
channel 10; the MIDI actor hands its onsets to the sequencer's groove, which follows.
Clock, sequencer, groove and MIDI actors run as in the machine (no sound: our kicks'
heard times are their time tags plus the lookahead)."""

from __future__ import annotations

import time

import numpy as np
import pytest
import trio

from actors.clock import ClockCore, clock_actor
from actors.groove import GrooveCore
from actors.mesh import mailbox
from actors.messages import Hits, SetFollow, SetPattern, Start, Step
from actors.midi import MidiConfig, midi_actor
from actors.sequencer import SequencerCore, sequencer_actor
from tests.test_midi_jack import (  # noqa: F401
    Device,
    L,
    in_thread,
    jack,
    pytestmark,
)

BPM = 100
STEP = 60 / BPM / 4
BAR = 16 * STEP
LEANS = [0.015] * 16 + [-0.010] * 16
CHANNEL = 9


def play(device: Device, due: list[float]) -> list[float]:
    """Note-ons at the ``perf_counter`` times ``due``; returns when each left."""
    sent = []
    for at in due:
        time.sleep(max(0.0, at - time.perf_counter() - 0.002))
        while time.perf_counter() < at:
            pass
        device.send((0x90 | CHANNEL, 36, 100))
        sent.append(time.perf_counter())
        device.send((0x80 | CHANNEL, 36, 0))
    return sent


async def perform(seed: int) -> tuple[np.ndarray, np.ndarray, float]:
    rng = np.random.default_rng(seed)
    commands, commands_in = mailbox()
    steps, steps_in = mailbox()
    edits, edits_in = mailbox()
    out, out_in = mailbox()
    to_clock, clock_in = mailbox()
    basis, basis_in = mailbox()
    _, played_in = mailbox()
    groove = GrooveCore(L)
    device = await in_thread(Device, "partner")
    ours: list[float] = []
    first: list[float] = []

    async def listen() -> None:
        async for message in out_in:
            if isinstance(message, Step) and not first:
                first.append(message.time)
            if isinstance(message, Hits):
                ours.extend(hit.time + L for hit in message.each())

    async def drain(inbox) -> None:
        async for _ in inbox:
            pass

    async with trio.open_nursery() as nursery:
        await nursery.start(lambda task_status: midi_actor(
            MidiConfig(partner_channel=CHANNEL), L, to_clock, played_in, basis,
            partner=edits.clone(), task_status=task_status))
        nursery.start_soon(clock_actor, commands_in, steps, ClockCore(BPM))
        nursery.start_soon(sequencer_actor, steps_in, edits_in, out, SequencerCore(), None,
                           None, groove)
        for task in (listen, lambda: drain(clock_in), lambda: drain(basis_in)):
            nursery.start_soon(task)
        await edits.send(SetPattern(0, "x---x---x---x---"))
        await edits.send(SetFollow(1.0))
        await trio.sleep(0.5)  # the MIDI actor connects to the partner's port
        await commands.send(Start())
        while not first:
            await trio.sleep(0.001)
        offset = trio.current_time() - time.perf_counter()
        grid = [first[0] + bar * BAR + beat * 4 * STEP + L
                for bar in range(len(LEANS)) for beat in range(4)]
        due = [g + LEANS[k // 4] + rng.normal(0, 0.008) - offset for k, g in enumerate(grid)]
        sent = await in_thread(play, device, due)
        offset = trio.current_time() - time.perf_counter()
        await trio.sleep(0.2)
        nursery.cancel_scope.cancel()
    await in_thread(device.unplug)
    theirs = np.array(sent) + offset
    return np.array(ours[:len(theirs)]).reshape(-1, 4), theirs.reshape(-1, 4), first[0]


@pytest.mark.usefixtures("jack")
def test_a_partner_over_jack_midi_is_followed():
    for seed in (0,):
        ours, theirs, start = trio.run(perform, seed)
        asynchrony = (theirs - ours).mean(1) * 1000
        grid = start + np.arange(len(LEANS))[:, None] * BAR + np.arange(4) * 4 * STEP + L
        shift = (ours - grid).mean(1) * 1000
        assert abs(asynchrony[:2].mean()) > 10  # the partner started 15 ms late
        assert abs(asynchrony[4:16].mean()) <= 5.0, asynchrony
        assert abs(asynchrony[20:32].mean()) <= 5.0, asynchrony
        steady = np.concatenate([np.diff(shift[4:16]), np.diff(shift[20:32])])
        assert steady.std() <= 3.0, shift
        print(f"seed {seed}: asynchrony bars 4-15 {asynchrony[4:16].mean():.2f} ms, "
              f"20-31 {asynchrony[20:32].mean():.2f} ms; steady change SD {steady.std():.2f} "
              f"ms, all bars {np.diff(shift).std():.2f} ms")
