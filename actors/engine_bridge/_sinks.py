"""Where the core's bundles go: one interface, the live server or a score.

Both take bundles stamped on the beat's own time line; only the live link
needs to turn that into wall-clock time tags.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

from ._link import ScsynthLink
from ._requests import Bundle
from ._score import render_samples


class Sink(Protocol):
    async def send(self, bundle: Bundle) -> None: ...


class LinkSink:
    """A live server over UDP; ``offset`` turns the beat's seconds (trio's) into Unix
    time for the OSC time tags."""

    def __init__(self, link: ScsynthLink, offset: float) -> None:
        self._link = link
        self._offset = offset

    async def send(self, bundle: Bundle) -> None:
        await self._link.send(bundle.requests, bundle.time + self._offset)


class ScoreSink:
    """A non-real-time score for ``scsynth -N``, seconds from 0."""

    def __init__(self, setup: Bundle) -> None:
        self.bundles = [setup]

    async def send(self, bundle: Bundle) -> None:
        self.bundles.append(bundle)

    def render(self, end: float, sample_rate: int) -> np.ndarray:
        """The score's stereo samples up to ``end`` (whole blocks: cut them to length)."""
        return render_samples(self.bundles, end, sample_rate=sample_rate)
