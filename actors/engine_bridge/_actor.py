"""The engine bridge's trio shell: keep a server alive and send it every hit on time.

What each message needs is the core's business (``_core``); the shell keeps
what only a live server has. Hits arrive a little before their time; each
goes out at once, placed by the server clock model (``_clock_sync``) on the
sample its time plus the lookahead falls on and stamped to start just before
it, so it sounds on that sample whatever jitter the trip had and however
scsynth's clock loop wanders. The server is supervised: if it dies, hits are
dropped (nobody could hear them) while a new one is started or re-attached,
and the music resumes at the right position as soon as it answers. The
recording's files are written here too.
"""

from __future__ import annotations

import collections
import contextlib
import dataclasses
import logging
import math
import os
import signal
import time
from pathlib import Path

import trio

from actors.mesh import Inbox
from actors.messages import Step

from ._clock_sync import ServerClock
from ._core import BridgeCore, Sending
from ._jack_users import JackUsers, users_folder
from ._link import LinkError, Reply, ScsynthLink
from ._nodes import (
    PROBE_BUS,
    WAIT_LIMIT,
    Voice,
    load_requests,
    marker_request,
    pulse_request,
    record_close_requests,
    record_open_requests,
    record_start_request,
)
from ._recording import Recording
from ._requests import Notify, Quit, Request, Status
from ._server import (
    ScsynthProcess,
    ServerError,
    block_size,
    free_udp_port,
    jack_period,
    jack_running,
    start_jackd,
)
from ._sinks import LinkSink

log = logging.getLogger(__name__)

DEFAULT_LOOKAHEAD = 0.05
STATUS_INTERVAL = 0.25
STATUS_DEAD_AFTER = 1.5
"""An attached server silent this long is taken for dead (we cannot watch its process)."""
PROBES_DEAD_AFTER = 1.0
"""An attached server that answers /status but stopped reporting probes has lost our
clock synth: it was restarted behind our back, so it is set up again."""
PROBE_INTERVAL = 0.05
WARM_UP_INTERVAL = 0.025
"""Probes come twice as fast until the clock model is ready, so a server is
ready (and a restart heard) sooner without a less certain first fit."""
SENT_LATE = 0.005
"""A hit sent less than this before its time tag may reach scsynth after it (a send
takes well under a millisecond here; the lookahead leaves 47 ms at the least)."""
RECORD_FLUSH = 0.5
"""DiskOut writes half-buffers: run on this long past the end so the tail reaches disk."""


@dataclasses.dataclass(frozen=True)
class BridgeConfig:
    synthdef_dirs: tuple[Path, ...]
    server: tuple[str, int] | None = None
    """Attach to this scsynth instead of starting one."""
    lookahead: float = DEFAULT_LOOKAHEAD
    record: Path | None = None
    voice_override: tuple[Voice, ...] | None = None
    """Play every track with these voices whatever the session says: sample-exact
    clicks let tests and benchmarks measure timing."""


def wall_clock_offset() -> float:
    """Unix time minus trio time, from the tightest of a few paired readings."""
    best = (math.inf, 0.0)
    for _ in range(9):
        before = trio.current_time()
        wall = time.time()
        after = trio.current_time()
        best = min(best, (after - before, wall - (before + after) / 2))
    return best[1]


@dataclasses.dataclass
class _Life:
    """One server life: its link, its clock model, and its recording segment."""

    link: ScsynthLink
    sink: LinkSink
    clock: ServerClock
    process: ScsynthProcess | None
    segment: Path | None = None
    """The recording segment still waiting for its marker."""
    probes: dict[int, float] = dataclasses.field(default_factory=dict)
    """Pulses in flight: id -> the time meant."""
    probe_id: int = 0
    last_probe: float = dataclasses.field(default_factory=trio.current_time)
    """When a probe last came back: an attached server that stops answering is lost."""
    sent_late: collections.deque[int] = dataclasses.field(
        default_factory=lambda: collections.deque(maxlen=64))
    """The samples of hits sent too close to their time to start before it (a MIDI
    start comes a tick before its beat): their lateness is the beat's, not the host's."""

    def probe(self, target: float) -> Request:
        """A clock probe meant for ``target`` (trio's seconds), to send stamped then."""
        self.probe_id = self.probe_id % 100_000 + 1
        self.probes[self.probe_id] = target
        return pulse_request(PROBE_BUS, float(self.probe_id))


class Bridge:
    def __init__(self, config: BridgeConfig, inbox: Inbox) -> None:
        self.config = config
        self._inbox = inbox
        self.core = BridgeCore(config.lookahead, config.voice_override)
        self._life: _Life | None = None
        self._offset = 0.0
        self._recording: Recording | None = None
        self._process: ScsynthProcess | None = None
        """The scsynth we started last: killed on the way out even if its bring-up failed
        before it had a life of its own."""
        self._closing = False
        self.jack: tuple[int, int] | None = None
        """The local JACK server's (period frames, sample rate), once known."""
        self.bridges_alsa_midi = False
        """Whether the jackd we started bridges ALSA MIDI devices itself (its bridge
        shows no ports until a device is plugged in, so this cannot be seen by looking)."""
        self.unsent_hits = 0
        """Hits whose bundle the link could not send (the server just died)."""
        self.sent_bundles = 0
        self.late_count = 0
        self.restarts = 0
        self.clock_jumps = 0
        """Times scsynth's clock loop was reset under us (JACK xruns) once hits were
        playing; hits in flight wait for their samples all the same."""
        self.misplaced = 0
        """Hits (and recording markers) the server reports off their samples, though
        sent in time: started after them, or too early to wait, when the host held JACK
        up for longer than the hits' lead."""
        self.margins: collections.deque[float] = collections.deque(maxlen=100_000)
        """Recent seconds between sending a hit and its time tag: what the lookahead
        is for, and how much of it the pipeline used."""

    async def run(self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED
                  ) -> None:
        """Serve until every sender has closed its outbox, then let tails ring and stop."""
        self._offset = wall_clock_offset()
        jackd = None
        # another supertonic may play through a jackd we start, or we through its
        users = JackUsers(users_folder()) if self.config.server is None else None
        try:
            async with trio.open_nursery() as nursery:
                if self.config.server is None and not await trio.to_thread.run_sync(
                    jack_running
                ):
                    jackd, self.bridges_alsa_midi = await start_jackd()
                if users is not None:
                    users.join(jackd.pid if jackd is not None else None)
                self.jack = await trio.to_thread.run_sync(jack_period)
                await nursery.start(self._serve)
                task_status.started()
                await self._forward()
                await self._finish()
                nursery.cancel_scope.cancel()
        finally:
            last = users.leave() if users is not None else None
            if jackd is not None and last == jackd.pid:
                jackd.terminate()
                with trio.move_on_after(3) as scope:
                    scope.shield = True
                    await jackd.wait()
                jackd.kill()
            elif jackd is not None:
                log.info("leaving the jackd we started running: another supertonic plays "
                         "through it (the last to stop stops it)")
            elif last is not None:  # started by another supertonic, which left before us
                with contextlib.suppress(ProcessLookupError):
                    os.kill(last, signal.SIGTERM)

    def _late(self) -> None:
        self.late_count += 1

    @property
    def jack_delivery(self) -> float:
        """Seconds a JACK MIDI message waits, on average, for the next period."""
        return self.jack[0] / self.jack[1] / 2 if self.jack else 0.0

    @property
    def dropped_hits(self) -> int:
        """Hits that could not sound: no server to play them, or no voice yet."""
        return self.core.dropped_hits + self.unsent_hits

    # --- the hit path -------------------------------------------------------------------

    async def _forward(self) -> None:
        async for message in self._inbox:
            if isinstance(message, Step):
                await self._mark(message)
            life = self._life
            try:
                sendings = self.core.receive(message, trio.current_time(),
                                             life.clock if life is not None else None)
            except ValueError as exc:
                log.warning("%s", exc)
                continue
            if life is not None:
                for sending in sendings:
                    await self._send(life, sending)

    async def _send(self, life: _Life, sending: Sending) -> None:
        if sending.hits:
            margin = sending.bundle.time + self._offset - time.time()
            self.margins.append(margin)
            if margin < SENT_LATE:
                life.sent_late.append(sending.at)
        try:
            await life.sink.send(sending.bundle)
        except OSError as exc:
            self.unsent_hits += sending.hits
            log.debug("bundle not sent: %s", exc)
            return
        if sending.hits:
            self.sent_bundles += 1

    async def _mark(self, step: Step) -> None:
        """The first step a server life plays fixes its recording segment's marker."""
        life, recording = self._life, self._recording
        if life is None or recording is None or life.segment is None:
            return
        segment, life.segment = life.segment, None
        if recording.start_unix is None:
            self.core.align(life.clock, step)
        when = self.core.heard(step.time)
        frame_unix = recording.place_marker(segment, when + self._offset)
        if recording.segments[-1].frame > 0:  # a later life's: on the first one's grid
            when = frame_unix - self._offset
        stamp, at = life.clock.place(when)
        position = life.clock.line(when)
        recording.marker_landed(segment, round(position) - position)
        await life.link.send((marker_request(at),), stamp + self._offset)

    # --- server supervision ------------------------------------------------------------------

    async def _serve(self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED
                     ) -> None:
        first = True
        lost_at = 0.0
        while True:
            failure: BaseException | None = None
            life: _Life | None = None
            try:
                async with trio.open_nursery() as nursery:
                    life = await self._bring_up(nursery)
                    self._life = life
                    if first:
                        task_status.started()
                        first = False
                    else:
                        log.info("scsynth is back %.2f s after it was lost",
                                 trio.current_time() - lost_at)
                    await self._until_lost(life)
                    nursery.cancel_scope.cancel()
            except* (ServerError, LinkError, OSError) as group:
                failure = group.exceptions[0]
            finally:
                self._life = None
                if life is not None:
                    life.link.close()
                if self._process is not None:
                    self._process.kill()
            if self._closing:
                return
            if failure is not None:
                if first:
                    raise ServerError(f"could not start scsynth: {failure}")
                log.error("scsynth restart failed (%s); trying again", failure)
                await trio.sleep(0.25)
                continue
            lost_at = trio.current_time()
            self.restarts += 1
            log.error("scsynth was lost; %s it",
                      "re-attaching to" if self.config.server else "restarting")

    async def _bring_up(self, nursery: trio.Nursery) -> _Life:
        """Start (or reach) a server and prepare it until it can place hits exactly."""
        process = None
        if self.config.server is None:
            process = self._process = ScsynthProcess(
                free_udp_port(), block_size(self.jack[0] if self.jack else None),
                on_late=self._late)
            await process.start(nursery)
            host, port = "127.0.0.1", process.port
        else:
            host, port = self.config.server
        link = await ScsynthLink.connect(host, port)
        nursery.start_soon(link.receive_loop)
        await link.call(Notify(1), "/done", "/notify")
        status = await link.call(Status(), "/status.reply")
        sample_rate = float(status[7])
        await link.send(load_requests(self.config.synthdef_dirs))
        await link.sync()
        await link.send(self.core.boot())
        await link.sync()
        life = _Life(link, LinkSink(link, self._offset), ServerClock(sample_rate), process)
        nursery.start_soon(self._poll_status, link)
        await nursery.start(self._probe_clock, life)
        if self.config.record is not None:
            if self._recording is None:
                self._recording = Recording(self.config.record, round(sample_rate))
            life.segment = self._recording.next_segment_path()
            for request in record_open_requests(life.segment):
                await link.call(request, "/done", request.address)
            await link.send((record_start_request(),))
            await link.sync()
        return life

    async def _probe_clock(self, life: _Life, *,
                           task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED
                           ) -> None:
        """Keep measuring where tagged pulses land; ready once the model has a fit."""
        def on_reply(params: Reply) -> None:
            _node, _reply, probe_id, phase = params
            target = life.probes.pop(int(probe_id), None)
            if target is None:
                return
            life.last_probe = trio.current_time()
            jump = life.clock.add_probe(target, float(phase))
            if jump is not None and self.sent_bundles:  # before any hit it costs nothing
                self.clock_jumps += 1
                log.info("scsynth's clock loop jumped by %.1f samples (a JACK xrun resets "
                         "it); hits already sent wait for their samples", jump)

        def on_misplaced(params: Reply) -> None:
            due, at = float(params[2]), float(params[3])
            if round(at) in life.sent_late:
                return
            self.misplaced += 1
            off = f"{-due:.0f} samples late" if due < 0 else f"{due - WAIT_LIMIT:.0f} early"
            log.warning("a hit sounded %s: scsynth started it outside its wait (the host "
                        "held JACK up)", off)

        life.link.subscribe("/supertonic/clock", on_reply)
        life.link.subscribe("/supertonic/misplaced", on_misplaced)
        started = False
        with trio.fail_after(5) as deadline:
            while True:
                when = trio.current_time() + self.config.lookahead
                with contextlib.suppress(OSError):
                    await life.link.send((life.probe(when),), when + self._offset)
                await trio.sleep(PROBE_INTERVAL if started else WARM_UP_INTERVAL)
                if not started and life.clock.ready:
                    deadline.deadline = math.inf
                    task_status.started()
                    started = True

    async def _until_lost(self, life: _Life) -> None:
        if life.process is not None:
            code = await life.process.wait()
            if not self._closing:
                log.error("scsynth exited with code %s", code)
            return
        while (trio.current_time() - life.link.last_status_time < STATUS_DEAD_AFTER
               and trio.current_time() - life.last_probe < PROBES_DEAD_AFTER):
            await trio.sleep(STATUS_INTERVAL)

    async def _poll_status(self, link: ScsynthLink) -> None:
        link.last_status_time = trio.current_time()
        while True:
            with contextlib.suppress(OSError):
                await link.send((Status(),))
            await trio.sleep(STATUS_INTERVAL)

    # --- the end -----------------------------------------------------------------------------

    async def _finish(self) -> None:
        """Let the last hits ring out, close the recording, quit the server we started."""
        with trio.CancelScope(shield=True):
            ringing = self.core.ring_until
            end = ringing + self._offset if ringing > -math.inf else time.time()
            life = self._life
            if self._recording is not None and life is not None:
                await trio.sleep(max(0.0, end + RECORD_FLUSH - time.time()))
                try:
                    await life.link.send(record_close_requests())
                    await life.link.sync()
                except (LinkError, OSError) as exc:
                    log.error("closing the recording on the server failed: %s", exc)
            if self._recording is not None:
                self._recording.finish(end)
            if life is not None and life.process is None:
                with contextlib.suppress(OSError):
                    await life.link.send(self.core.release())
            self._closing = True
            if life is not None and life.process is not None:
                with contextlib.suppress(OSError):
                    await life.link.send((Quit(),))
                with trio.move_on_after(2):
                    await life.process.wait()
