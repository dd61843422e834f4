"""Requests waiting for the worker: at most one per target track, newest wins.

A performer who presses "generate" for the snare three times while the
worker is busy wants the last press answered, not all three in turn; and a
queue with one slot per track can never hold more than five requests, so it
is bounded by construction and a stuck worker cannot pile up work.
"""

from __future__ import annotations

from typing import Generic, TypeVar

T = TypeVar("T")


class LatestPerKey(Generic[T]):
    """First in, first out across keys; putting a key already queued replaces its item.

    The replacement takes the *newer* item's place at the back, so one track
    being asked for again and again cannot starve the others.
    """

    def __init__(self) -> None:
        self._items: dict[int, T] = {}

    def put(self, key: int, item: T) -> T | None:
        """Queue ``item``; return the item it superseded, if any."""
        older = self._items.pop(key, None)
        self._items[key] = item
        return older

    def pop(self) -> T:
        """The oldest item; raises ``IndexError`` when empty."""
        if not self._items:
            raise IndexError("pop from an empty queue")
        key = next(iter(self._items))
        return self._items.pop(key)

    def discard(self, key: int, item: T) -> bool:
        """Remove ``item`` if it is still the one queued under ``key``."""
        if self._items.get(key) is item:
            del self._items[key]
            return True
        return False

    def __len__(self) -> int:
        return len(self._items)
