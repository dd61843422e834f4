"""Two real Link peers on this machine's loopback: ours (the Link actor before the real
clock actor) and another one steered directly. Run by tests/test_link_peers.py inside a
network namespace that holds only loopback; prints its measurements as JSON."""

from __future__ import annotations

import itertools
import json
import math
import sys

import trio

from actors.clock import ClockCore, clock_actor
from actors.link import AbletonLink, LinkConfig, link_actor
from actors.mesh import mailbox
from actors.messages import Start, Step, Transport

L = 0.05
QUANTUM = 4.0


async def main() -> dict[str, object]:
    other = AbletonLink(128.0, start_stop=True)
    ours = AbletonLink(120.0, start_stop=True)
    offset = trio.current_time() - other.micros() / 1e6

    def micros(time: float) -> int:
        return round((time - offset) * 1e6)

    def beat(time: float) -> float:
        return other.look(QUANTUM, micros(time))[1]

    for _ in range(100):
        if other.peers() and ours.peers():
            break
        await trio.sleep(0.05)
    else:
        return {"error": "the two Link peers did not find each other on loopback in 5 s"}
    other.propose_tempo(128.0, other.micros())
    commands, link_inbox = mailbox()
    to_clock, clock_inbox = mailbox()
    steps_out, steps_in = mailbox()
    got: list[tuple[float, Step | Transport]] = []
    result: dict[str, object] = {}

    async def collect() -> None:
        async for message in steps_in:
            if isinstance(message, Step | Transport):
                got.append((trio.current_time(), message))

    def errors_ms(since: float, until: float, start_beat: float, bpm: float) -> list[float]:
        return [
            (beat(m.time + L) - start_beat - m.index / 4) * 60 / bpm * 1000
            for _, m in got if isinstance(m, Step) and since < m.time < until
        ]

    async with trio.open_nursery() as nursery:
        nursery.start_soon(lambda: link_actor(LinkConfig(QUANTUM, True), 120.0, L, link_inbox,
                                              to_clock, session=ours))
        nursery.start_soon(clock_actor, clock_inbox, steps_out, ClockCore(120))
        nursery.start_soon(collect)
        await trio.sleep(0.3)
        result["bpm_joined"] = ours.look(QUANTUM, ours.micros())[0]
        await commands.send(Start())
        await trio.sleep(3.0)
        first = next(m for _, m in got if isinstance(m, Step))
        start_beat = round(beat(first.time + L))
        result["start_phase_ms"] = (beat(first.time + L) % QUANTUM) * 60 / 128 * 1000
        result["steady_ms"] = errors_ms(0, math.inf, start_beat, 128.0)
        change = trio.current_time()
        other.propose_tempo(90.0, other.micros())  # another peer changes the tempo at its now
        await trio.sleep(3.0)
        # every step sent after the change; and those heard from one beat after it
        result["change_max_ms"] = max(map(abs, errors_ms(change, math.inf, start_beat, 90.0)))
        result["after_change_ms"] = errors_ms(change + 60 / 90 - L, math.inf, start_beat, 90.0)
        steps = [m.time for _, m in got if isinstance(m, Step)]
        result["step_times_increase"] = all(b > a for a, b in itertools.pairwise(steps))
        stopped = trio.current_time()
        other.propose_playing(False, other.micros())
        await trio.sleep(0.5)
        stops = [t for t, m in got if isinstance(m, Transport) and not m.playing]
        result["stop_after_ms"] = (stops[0] - stopped) * 1000 if stops else None
        # the other peer starts on its next boundary at least 200 ms away
        now = trio.current_time()
        boundary = math.ceil(beat(now + 0.2) / QUANTUM) * QUANTUM
        boundary_time = offset + _time_at(other, boundary) / 1e6
        count = len(got)
        other.propose_playing(True, _time_at(other, boundary))
        await trio.sleep_until(boundary_time + 0.5)
        restarted = [m for _, m in got[count:] if isinstance(m, Step)]
        result["restart_ms"] = (
            (restarted[0].time + L - boundary_time) * 1000 if restarted else None)
        result["restart_index"] = restarted[0].index if restarted else None
        # the other peer leaves: we play on, on the same grid
        left = trio.current_time()
        other.close()
        await trio.sleep(1.0)
        after = [m.time for _, m in got if isinstance(m, Step) and m.time > left - 0.5]
        gaps = [b - a for a, b in itertools.pairwise(after)]
        result["after_leave_gaps_ms"] = [round(g * 1000, 4) for g in gaps]
        result["stopped_after_leave"] = any(
            isinstance(m, Transport) and not m.playing for t, m in got if t > left)
        result["peers_after_leave"] = ours.peers()
        nursery.cancel_scope.cancel()
    return result


def _time_at(session: AbletonLink, beat: float) -> int:
    now = session.micros()
    bpm, now_beat, _, _ = session.look(QUANTUM, now)
    return round(now + (beat - now_beat) * 60 / bpm * 1e6)


if __name__ == "__main__":
    json.dump(trio.run(main), sys.stdout)
