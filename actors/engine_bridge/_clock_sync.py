"""Correcting time tags for how scsynth really maps them to samples.

scsynth converts a bundle's time tag to a sample position through a
delay-locked loop on its audio callback times (bandwidth 0.012 Hz). After a
server starts, and after any scheduling hiccup, that loop takes tens of
seconds to settle, and meanwhile tags drift against the sample clock by up
to tens of samples per second. Since hits must land within one sample of
their place, the bridge measures the mapping instead of trusting it: every
20th of a second a pulse is sent with a known tag, a clock synth reports
the sample it landed on, and this estimator fits the recent deviation from
a perfect line at the nominal sample rate and extrapolates it to each new
tag. The line's slope is the nominal rate: exact for JACK's dummy driver (a
period of whole microseconds) and for any device clocked at its nominal
rate; a sound card whose crystal is off by N ppm is kept on its own sample
grid, so against wall time it drifts by those N ppm.
"""

from __future__ import annotations

import collections
import math

PHASE_WRAP = 1 << 20
"""The clock synth counts samples modulo this (exact in float32)."""
WINDOW = 30
"""Probes in the fit. Each reading carries up to half a sample of rounding;
30 of them (1.5 s at the bridge's probe rate) average that down to a few
hundredths while the loop's slow drift stays a straight line over the span."""
MEMORY = 0.5
"""Seconds over which a reading's weight in the fit falls by e."""
READY_AFTER = WINDOW
"""A full window before the first hit: with fewer readings the fitted slope is
uncertain enough to move a hit across a rounding boundary."""
RESOLUTION = 0.02
"""Samples to which a place on the line is known: a Unix time in a double
resolves 2^-22 s, a hundredth of a sample at 48 kHz."""
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
        missed = self.missed_by(tag, phase)
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
        """Where on the server's sample count (mod 2^20 at the origin) a corrected
        ``tag`` lands: the straight line the corrections hold every event to."""
        if self._origin is None:
            return 0.0
        origin_tag, origin_sample = self._origin
        return origin_sample + (tag - origin_tag) * self.sample_rate

    def missed_by(self, target: float, phase: float) -> float:
        """Samples by which a pulse meant for ``target`` that landed on ``phase`` missed
        the line. For a pulse sent uncorrected this is the deviation to learn from."""
        if self._origin is None:
            return 0.0
        step = (phase - self._last_phase + PHASE_WRAP / 2) % PHASE_WRAP - PHASE_WRAP / 2
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

    def corrected(self, tag: float) -> float:
        """The tag to send so the event lands within one sample of where ``tag``
        belongs on the sample line.

        scsynth rounds to a whole sample, and a place between samples F and F+1 is
        within one sample of both, so the tag aims at the boundary between them:
        a prediction error of up to a whole sample either way still lands on one
        of the two. Aiming at the nearer one instead would leave only half a
        sample on the side where the miss becomes a sample and a fraction. A
        place on a sample (to the line's resolution) is aimed at directly: only
        that sample is surely within one.
        """
        position = self.line(tag)
        nearest = round(position)
        on_sample = abs(position - nearest) < RESOLUTION
        aim = float(nearest) if on_sample else math.floor(position) + 0.5
        aimed = tag + (aim - position) / self.sample_rate
        return aimed - self.deviation(aimed) / self.sample_rate
