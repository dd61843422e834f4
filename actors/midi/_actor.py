"""The MIDI actor's trio shell: ports in a thread, arrivals stamped where they land.

Incoming messages carry the JACK time at which JACK read them (see
``_ports``; mido's rtmidi back end would drop it) and are handed to trio with
that stamp, so however late trio gets to them, the clock follower sees when
the master sent them. Outgoing messages wait in trio until they are to be heard.
"""

from __future__ import annotations

import contextlib
import logging
import math
import time

import trio

from actors.mesh import Inbox, Outbox
from actors.messages import Follow, Hits, PartnerOnset, Step, Transport

from ._capture import CaptureCore
from ._input import STOP, InputCore
from ._master import ClockOutCore
from ._notes import NOTE_ON, NotesOutCore
from ._options import MidiConfig
from ._ports import MidiPorts
from ._schedule import Data

log = logging.getLogger(__name__)

POLL_INTERVAL = 1.0
"""Seconds between looks for MIDI ports that appeared or vanished."""
ARRIVALS = 1024
"""Messages that may wait for trio; more are dropped (and counted)."""

_Arrival = tuple[str, float, Data]


async def midi_actor(
    config: MidiConfig,
    lookahead: float,
    clock: Outbox,
    played: Inbox,
    basis: Outbox,
    *,
    partner: Outbox | None = None,
    delivery: float = 0.0,
    task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED,
) -> None:
    """Run MIDI in and out until cancelled.

    ``clock`` receives transport and, with ``config.clock == "midi"``, a
    :class:`~actors.messages.Follow` at every tick. ``played`` must carry a
    copy of every :class:`~actors.messages.Transport`, :class:`~actors.messages.Step`
    and :class:`~actors.messages.Hits` (clock out, notes out, and the steps
    that played notes are placed on). ``basis`` receives a
    :class:`~actors.messages.BasisCaptured` for each track played from a pad
    in a bar. ``partner`` receives a :class:`~actors.messages.PartnerOnset` for each
    note-on on ``config.partner_channel``. ``lookahead`` is the bridge's: how long
    after its time a step is heard. ``delivery`` is how long a message waits on
    average for JACK's next period (half of one): arrivals are stamped that much
    earlier, so a master's beat is not heard that much late.
    """
    inputs = InputCore(config.clock, lookahead)
    capture = CaptureCore(config.notes, lookahead)
    clock_out = ClockOutCore(lookahead) if config.clock_out else None
    notes_out = NotesOutCore(config.notes, lookahead) if config.notes_out else None
    outputs = {
        role: pattern
        for role, pattern in (("clock", config.clock_out), ("notes", config.notes_out))
        if pattern
    }
    send_arrival, arrivals = trio.open_memory_channel[_Arrival](ARRIVALS)
    token = trio.lowlevel.current_trio_token()
    # trio's clock is perf_counter + offset; a message left its sender about
    # ``delivery`` before JACK handed it to us
    offset = trio.current_time() - time.perf_counter() - delivery
    dropped = 0

    def hand_in(arrival: _Arrival) -> None:
        nonlocal dropped
        try:
            send_arrival.send_nowait(arrival)
        except trio.WouldBlock:
            dropped += 1
            if dropped == 1 or dropped % 1000 == 0:
                log.error("MIDI input floods us: %d message(s) dropped", dropped)

    def on_message(port: str, stamp: float, data: Data) -> None:  # in the polling thread
        with contextlib.suppress(trio.RunFinishedError):  # a message during shutdown
            token.run_sync_soon(hand_in, (port, stamp + offset, data))

    ports = MidiPorts(tuple(config.inputs), outputs, on_message)
    log.info(
        "MIDI: %s clock%s",
        config.clock,
        "; every input" if not config.inputs else f"; inputs matching {config.inputs}",
    )
    try:
        async with clock, basis, trio.open_nursery() as nursery:
            # making JACK clients stalls trio's thread (see _ports): do it before the music
            await trio.to_thread.run_sync(ports.refresh)
            nursery.start_soon(_watch, ports)
            nursery.start_soon(_listen, arrivals, inputs, capture, clock, partner,
                               config.partner_channel)
            task_status.started()
            await _play_out(played, ports, capture, basis, clock_out, notes_out)
    finally:
        _silence(ports, clock_out, notes_out)
        ports.close()


async def _watch(ports: MidiPorts) -> None:
    while True:
        await trio.sleep(POLL_INTERVAL)
        await trio.to_thread.run_sync(ports.refresh)


async def _listen(
    arrivals: trio.MemoryReceiveChannel[_Arrival],
    inputs: InputCore,
    capture: CaptureCore,
    clock: Outbox,
    partner: Outbox | None,
    partner_channel: int | None,
) -> None:
    while True:
        with trio.move_on_at(inputs.silence_deadline()):
            port, stamp, data = await arrivals.receive()
            if data[0] & 0xF0 == NOTE_ON and len(data) == 3 and data[2] > 0:
                capture.note(stamp, data[0] & 0x0F, data[1], data[2])
                if partner is not None and data[0] & 0x0F == partner_channel:
                    await partner.send(PartnerOnset(stamp))
                continue
            was_lost = inputs.lost
            for message in inputs.receive(stamp, port, data):
                if not isinstance(message, Follow):
                    log.info("MIDI from %r: %s", port, message)
                await clock.send(message)
            if was_lost and not inputs.lost:
                log.info("MIDI clock from %r is back; following it again", port)
            continue
        inputs.clock_timed_out()
        log.warning(
            "MIDI clock from %r stopped arriving while playing: playing on by "
            "ourselves at the last tempo until it returns",
            inputs.clock_port,
        )


async def _play_out(
    played: Inbox,
    ports: MidiPorts,
    capture: CaptureCore,
    basis: Outbox,
    clock_out: ClockOutCore | None,
    notes_out: NotesOutCore | None,
) -> None:
    """Take in what the machine plays; send each MIDI message when it is heard."""
    while True:
        deadline = min(
            capture.next_time(),
            clock_out.schedule.next_time() if clock_out else math.inf,
            notes_out.schedule.next_time() if notes_out else math.inf,
        )
        message = await played.receive_by(deadline)
        if message is not None:
            match message:
                case Step():
                    capture.step(message)
                    if clock_out:
                        clock_out.receive(message)
                case Transport():
                    if clock_out:
                        clock_out.receive(message)
                case Hits():
                    if notes_out:
                        for hit in message.each():
                            notes_out.receive(hit)
                case _:
                    log.warning("the MIDI actor ignores %r", message)
            continue
        now = trio.current_time()
        for role, core in (("clock", clock_out), ("notes", notes_out)):
            if core is not None:
                for data in core.schedule.due(now):
                    ports.send(role, data)
        for captured in capture.due(now):
            await basis.send(captured)


def _silence(
    ports: MidiPorts, clock_out: ClockOutCore | None, notes_out: NotesOutCore | None
) -> None:
    """On the way out: end the notes still sounding, and stop the slaves we drive."""
    if notes_out is not None:
        for data in notes_out.schedule.due(math.inf):
            if data[0] & 0xF0 != NOTE_ON:
                ports.send("notes", data)
    if clock_out is not None and clock_out.playing:
        ports.send("clock", (STOP,))
