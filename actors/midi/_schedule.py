"""MIDI messages waiting for their moment: MIDI has no time tags, so each is held
until the time it should be heard and only then handed to the port."""

from __future__ import annotations

import bisect
import dataclasses
import itertools
import math

Data = tuple[int, ...]
"""One MIDI message's bytes."""


@dataclasses.dataclass(order=True, slots=True)
class _Entry:
    time: float
    order: int
    data: Data = dataclasses.field(compare=False)


class Schedule:
    """Messages sorted by time; messages given the same time keep the order they were added."""

    def __init__(self) -> None:
        self._entries: list[_Entry] = []
        self._counter = itertools.count()

    def __len__(self) -> int:
        return len(self._entries)

    def add(self, time: float, data: Data) -> None:
        bisect.insort(self._entries, _Entry(time, next(self._counter), data))

    def next_time(self) -> float:
        return self._entries[0].time if self._entries else math.inf

    def due(self, now: float) -> list[Data]:
        """Remove and return, in order, every message whose time has come."""
        count = bisect.bisect_right([e.time for e in self._entries], now)
        due, self._entries = self._entries[:count], self._entries[count:]
        return [entry.data for entry in due]

    def drop_from(self, time: float) -> None:
        """Forget every message meant for ``time`` or later."""
        self._entries = [e for e in self._entries if e.time < time]

    def bring_forward(self, time: float, data: Data | None = None) -> None:
        """Move messages later than ``time`` (only those equal to ``data``, if given) to
        ``time``, keeping their order: they then go just before anything added for
        ``time`` afterwards."""
        for entry in self._entries:
            if entry.time > time and (data is None or entry.data == data):
                entry.time = time
        self._entries.sort()
