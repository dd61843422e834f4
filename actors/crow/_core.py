"""A gate on one of crow's outputs for every hit, timed by crow itself.

A line to crow takes about a millisecond over USB, plus whatever trio's
wake-up adds, so a gate sent at the moment of its hit would sound late and
unevenly. Each gate is instead sent ``LEAD`` before it is heard and carries
the rest of the wait in its ASL: hold 0 V for the wait, jump to the gate's
voltage, hold it for the gate's length, fall to 0 V. crow's own timer then
places it, and the wait is computed at the moment of writing, so trio's
lateness is taken out of it.

Restarting an output's action cancels a pulse still waiting on it, so a gate
is not sent before the previous gate on its output has ended; in a roll
faster than lead plus gate, a gate is sent later and waits less.
"""

from __future__ import annotations

import argparse
import bisect
import dataclasses

from actors.messages import TRACKS, Hit
from actors.rules import VELOCITY_ACCENT

OUTPUTS = 4
MIN_VOLTS = -5.0
MAX_VOLTS = 10.0
"""crow's outputs' range."""
LEAD = 0.030
"""Seconds before its sound that a gate is written to crow: more than trio's wake-up
is late by on a loaded machine (10 ms was not always), less than the lookahead."""
USB_LATENCY = 0.001
"""Seconds a line takes from our write to crow's Lua (full-speed USB serial)."""
DEFAULT_OUTPUTS: dict[int, int] = {0: 1, 1: 2, 2: 3, 3: 4}
"""Tracks 1-4 (kick, snare, closed and open hat) to outputs 1-4, as the original."""


class CrowError(ValueError):
    pass


@dataclasses.dataclass(frozen=True)
class GateShape:
    length: float = 0.010
    """Seconds a gate stays high."""
    volts: float = 5.0
    accent_volts: float | None = None
    """Accented hits' voltage; ``None``: the same as any hit's."""

    def __post_init__(self) -> None:
        if not 0.001 <= self.length <= 1.0:
            raise CrowError(f"crow gate length {self.length * 1000:g} ms is outside 1-1000 ms")
        for volts in (self.volts, self.accent_volts):
            if volts is not None and not MIN_VOLTS <= volts <= MAX_VOLTS:
                raise CrowError(
                    f"crow voltage {volts:g} V is outside {MIN_VOLTS:g} to {MAX_VOLTS:g} V")


def parse_output_option(text: str) -> tuple[int, int | None]:
    """``TRACK=OUTPUT`` (1-4) or ``TRACK=none`` for argparse."""
    name, sep, value = text.partition("=")
    if sep and name in TRACKS:
        if value == "none":
            return TRACKS.index(name), None
        if value.isdigit() and 1 <= int(value) <= OUTPUTS:
            return TRACKS.index(name), int(value)
    raise argparse.ArgumentTypeError(
        f"expected TRACK=OUTPUT with TRACK one of {', '.join(TRACKS)} and OUTPUT 1-{OUTPUTS} "
        f"or none, got {text!r}")


@dataclasses.dataclass(order=True, slots=True)
class _Gate:
    send: float
    sound: float
    output: int = dataclasses.field(compare=False)
    volts: float = dataclasses.field(compare=False)


class CrowCore:
    """Hits in, lines for crow out, each written when its gate is due to be sent."""

    def __init__(self, outputs: dict[int, int], shape: GateShape, lookahead: float) -> None:
        self.outputs = outputs
        self.shape = shape
        self.lookahead = lookahead
        self._gates: list[_Gate] = []
        self._ends = dict.fromkeys(range(1, OUTPUTS + 1), float("-inf"))
        """When each output's latest gate ends."""

    def receive(self, hit: Hit) -> None:
        output = self.outputs.get(hit.track)
        if output is None:
            return
        sound = hit.time + self.lookahead
        volts = self.shape.volts
        if hit.velocity >= VELOCITY_ACCENT and self.shape.accent_volts is not None:
            volts = self.shape.accent_volts
        send = max(sound - LEAD, self._ends[output])
        self._ends[output] = max(self._ends[output], sound + self.shape.length)
        bisect.insort(self._gates, _Gate(send, sound, output, volts))

    def next_time(self) -> float:
        return self._gates[0].send if self._gates else float("inf")

    def due(self, now: float) -> str:
        """The line that fires every gate due to be sent by ``now`` (empty if none)."""
        count = bisect.bisect_right([g.send for g in self._gates], now)
        due, self._gates = self._gates[:count], self._gates[count:]
        return pad(" ".join(self._statement(gate, now) for gate in due))

    def clear(self) -> None:
        """Forget the gates waiting (crow went away; they would sound late when it returns)."""
        self._gates.clear()

    def _statement(self, gate: _Gate, now: float) -> str:
        wait = max(0.0, gate.sound - now - USB_LATENCY)
        n, v, length = gate.output, gate.volts, self.shape.length
        return (f"output[{n}].action={{to(0,{wait:.4f}),to({v:g},0),to({v:g},{length:.4f}),"
                f"to(0,0)}} output[{n}]()")


def pad(line: str) -> str:
    """A line ready to write; crow drops a USB packet of exactly 64 bytes' end without
    another newline."""
    if not line:
        return ""
    line += "\n"
    if len(line) % 64 == 0:
        line += "\n"
    return line
