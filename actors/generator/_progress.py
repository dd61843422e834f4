"""A one-line progress bar on stderr, for builds that take more than a moment."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")

_WIDTH = 30
_INTERVAL = 0.1


def progress(items: Iterable[T], total: int, label: str) -> Iterator[T]:
    """Yield ``items``, redrawing ``label [####----] done/total`` at most ten times a second."""
    shown = 0.0
    done = 0

    def draw(end: str = "") -> None:
        filled = _WIDTH * done // max(total, 1)
        bar = "#" * filled + "-" * (_WIDTH - filled)
        sys.stderr.write(f"\r{label} [{bar}] {done}/{total}{end}")
        sys.stderr.flush()

    draw()
    for item in items:
        yield item
        done += 1
        if time.monotonic() - shown >= _INTERVAL:
            shown = time.monotonic()
            draw()
    draw("\n")
