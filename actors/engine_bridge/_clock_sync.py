"""Stamping hits for how scsynth really maps time tags to samples.

scsynth converts a bundle's time tag to a sample position through a
delay-locked loop on its audio callback times (bandwidth 0.012 Hz). After a
server starts, and after any scheduling hiccup, that loop takes tens of
seconds to settle, and meanwhile tags drift against the sample clock by up
to tens of samples per second; a JACK xrun resets it by hundreds. So a tag
alone cannot put a hit on its sample. Instead every hit is told the very
sample it must sound on, as a count of the server's samples (the clock
synth's), and is sent a little early: the voice reads the count when it
starts and waits the rest in whole samples. This estimator makes "a little
early" reliable: every 20th of a second a pulse is sent with a known tag,
the clock synth reports the sample it landed on, and a fit of the recent
deviation from a perfect line at the nominal sample rate is extrapolated to
each new tag. The line fixes which count a moment of wall time is: its
slope is the nominal rate, exact for JACK's dummy driver (a period of whole
microseconds) and for any device clocked at its nominal rate; a sound card
whose crystal is off by N ppm is kept on its own sample grid, so against
wall time it drifts by those N ppm.
"""

from __future__ import annotations

import collections
import math

from ._nodes import COUNT_WRAP, LEAD, sample_count

WINDOW = 30
"""Probes in the fit. Each reading carries up to half a sample of rounding;
30 of them (1.5 s at the bridge's probe rate) average that down to a few
hundredths while the loop's slow drift stays a straight line over the span."""
MEMORY = 0.5
"""Seconds over which a reading's weight in the fit falls by e."""
READY_AFTER = WINDOW
"""A full window before the first hit, so the first hits are as well stamped as the rest."""
JUMP = 3.0
"""Samples of surprise that mean the server's loop was reset (scsynth resets it on
every JACK xrun): the history no longer describes the mapping, so it is dropped."""


class ServerClock:
    def __init__(self, sample_rate: float) -> None:
        self.sample_rate = sample_rate
        self._origin: tuple[float, float] | None = None
        self._last_phase = 0.0
        self._unwrapped = 0.0
        self._recent: collections.deque[tuple[float, float]] = collections.deque(maxlen=WINDOW)
        self._fit = (0.0, 0.0, 0.0)
        """(centre tag, deviation there, slope): refitted per probe, used per hit."""

    @property
    def ready(self) -> bool:
        return len(self._recent) >= READY_AFTER

    def add_probe(self, tag: float, phase: float) -> float | None:
        """Record that the pulse stamped ``tag`` landed on sample ``phase`` (mod 2^20).

        Returns the size of a jump in the mapping when this probe reveals one.
        """
        if self._origin is None:
            self._origin = (tag, phase)
            self._unwrapped = phase
            self._last_phase = phase
        missed = self._missed_by(tag, phase)
        jump = None
        if self.ready:
            surprise = missed - self.deviation(tag)
            if abs(surprise) > JUMP:
                self._recent.clear()
                jump = surprise
        self._recent.append((tag, missed))
        self._refit()
        return jump

    def line(self, tag: float) -> float:
        """Where on the server's sample count (unwrapped from the origin's) ``tag``
        belongs: the straight line every hit is placed on."""
        if self._origin is None:
            return 0.0
        origin_tag, origin_sample = self._origin
        return origin_sample + (tag - origin_tag) * self.sample_rate

    def _missed_by(self, target: float, phase: float) -> float:
        """Samples by which a pulse meant for ``target`` that landed on ``phase`` missed
        the line. For a pulse sent uncorrected this is the deviation to learn from."""
        if self._origin is None:
            return 0.0
        step = (phase - self._last_phase + COUNT_WRAP / 2) % COUNT_WRAP - COUNT_WRAP / 2
        self._unwrapped += step
        self._last_phase = phase
        return self._unwrapped - self.line(target)

    def deviation(self, tag: float) -> float:
        """Predicted samples by which scsynth would misplace ``tag``."""
        centre, level, slope = self._fit
        return level + slope * (tag - centre)

    def _refit(self) -> None:
        """Weighted least-squares line through the recent deviations, the latest
        counting most, so a disturbance of the server's loop is followed quickly."""
        last = self._recent[-1][0]
        weights = [math.exp((t - last) / MEMORY) for t, _ in self._recent]
        total = sum(weights)
        centre = sum(w * t for w, (t, _) in zip(weights, self._recent, strict=True)) / total
        level = sum(w * e for w, (_, e) in zip(weights, self._recent, strict=True)) / total
        spread = sum(w * (t - centre) ** 2 for w, (t, _) in zip(weights, self._recent,
                                                                 strict=True))
        slope = (sum(w * (t - centre) * (e - level)
                     for w, (t, e) in zip(weights, self._recent, strict=True)) / spread
                 if spread > 0 else 0.0)
        self._fit = (centre, level, slope)

    def place(self, tag: float) -> tuple[float, int]:
        """For a hit meant for ``tag``: the tag to send it with, and the count of the
        sample (nearest its place on the line) it is to sound on, ``LEAD`` samples
        after the server is predicted to start it."""
        position = self.line(tag)
        at = round(position)
        early = tag + (at - LEAD - position) / self.sample_rate
        return early - self.deviation(early) / self.sample_rate, sample_count(at)
