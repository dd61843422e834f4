"""Following a live partner: their onsets against our hits, bar by bar.

Each partner onset is matched to the nearest of our hits sounding within
:data:`WINDOW`; the asynchrony (theirs minus ours, positive when they are late) plus
the shift we had given that hit is where they sit against our own groove. At each bar
the estimate moves :data:`RATE` of the way to that bar's median: a consistent lean is
followed within a few bars, one bar's jitter moves it little. We play ``follow`` x the
estimate later. When the partner stops, the estimate is held for :data:`HOLD_BARS`
bars, then eases back to our own groove (``1/RETURN_BARS`` of the way each bar).
"""

from __future__ import annotations

import collections
import statistics

WINDOW = 0.060
"""Seconds either side of one of our hits within which a partner onset is its match."""
RATE = 0.4
"""How far a bar's lean moves the estimate."""
HOLD_BARS = 2
RETURN_BARS = 4
_KEEP = 64
"""Our most recent hits kept for matching."""


class PartnerCore:
    def __init__(self) -> None:
        self.follow = 0.0
        self.estimate = 0.0
        """Seconds the partner sits later than our own groove."""
        self.looseness = 0.0
        """The last bar's spread (seconds, median absolute deviation) of their lean."""
        self._ours: collections.deque[tuple[float, float]] = collections.deque(maxlen=_KEEP)
        self._matched: set[float] = set()
        self._leans: list[float] = []
        self._silent = 0

    @property
    def shift(self) -> float:
        """Seconds to move our hits by (later when positive)."""
        return self.follow * self.estimate

    def ours(self, heard: float, shift: float) -> None:
        """One of our hits sounds at ``heard``, ``shift`` of it the partner's."""
        self._ours.append((heard, shift))

    def onset(self, time: float) -> None:
        """The partner played at ``time`` (the same clock as our hits' ``heard``)."""
        candidates = [(abs(time - heard), heard, shift) for heard, shift in self._ours
                      if abs(time - heard) <= WINDOW and heard not in self._matched]
        if not candidates:
            return
        _, heard, shift = min(candidates)
        self._matched.add(heard)
        self._leans.append(time - heard + shift)

    def bar(self) -> float:
        """A bar has passed: update the estimate; returns the shift for the next bar."""
        if self._leans:
            lean = statistics.median(self._leans)
            self.looseness = statistics.median(abs(x - lean) for x in self._leans)
            self.estimate += RATE * (lean - self.estimate)
            self._silent = 0
        else:
            self._silent += 1
            if self._silent > HOLD_BARS:
                self.estimate *= 1.0 - 1.0 / RETURN_BARS
        self._leans = []
        kept = {heard for heard, _ in self._ours}
        self._matched &= kept
        return self.shift
