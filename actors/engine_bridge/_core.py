"""The bridge's pure core: the hit path's state, and the bundles each message needs.

Live and offline play the same messages through this one object, so a render
cannot forget a kind of message the live machine obeys (it once forgot the
low-pass). What differs between them is passed in: *where* a moment lands on
the server's samples (a :class:`Placement`: the server clock model live,
exact sample counts offline) and *where* the bundles go (a sink: UDP or a
score). Nothing here does I/O or reads a clock.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Protocol

from actors.messages import Hit, Hits, Message, SetLowpass, SetVoice, Step, Transport
from actors.rules import LOWPASS_OPEN

from ._nodes import (
    LEAD,
    Voice,
    hit_requests,
    lowpass_requests,
    node_requests,
    release_requests,
    sample_count,
)
from ._requests import Bundle, Request


class Placement(Protocol):
    """Where moments of the beat land on one server's samples."""

    @property
    def sample_rate(self) -> float: ...

    def line(self, when: float) -> float:
        """The (fractional) sample of the server's count that ``when`` falls on."""
        ...

    def place(self, when: float) -> tuple[float, int]:
        """For a hit heard at ``when``: the time to stamp its bundle with, on the
        sink's line, and the count of the sample it sounds on."""
        ...


@dataclasses.dataclass(frozen=True, slots=True)
class ExactPlacement:
    """Offline: a score's clock synth starts on sample 0, so a moment's sample is its
    time's (from ``start``, the sample the beat's time 0 falls on); the bundle is
    stamped ``LEAD`` samples early, as live (never before 0)."""

    sample_rate: int
    start: int = 0

    def line(self, when: float) -> float:
        return self.start + when * self.sample_rate

    def place(self, when: float) -> tuple[float, int]:
        position = self.line(when)
        return max(0.0, (round(position) - LEAD) / self.sample_rate), sample_count(position)


@dataclasses.dataclass(frozen=True, slots=True)
class Sending:
    """A bundle the core wants sent, and what the shell needs to account for it."""

    bundle: Bundle
    hits: int
    """Hits it carries (0 for a control change): dropped with it if the send fails."""
    at: int
    """The sample count it sounds on."""


class BridgeCore:
    """Voices, low-pass, choke, grid shift and ring-out of one bridge, whichever
    server (or score) it plays on.

    Times are the beat's (trio's seconds live, seconds from 0 offline); a hit is
    *heard* at its time plus the lookahead plus the grid shift.
    """

    def __init__(self, lookahead: float = 0.0,
                 voice_override: tuple[Voice, ...] | None = None,
                 heard_tracks: frozenset[int] | None = None, silent_bus: int = 0) -> None:
        self.lookahead = lookahead
        self._override = voice_override
        self._heard_tracks = heard_tracks
        self._silent_bus = silent_bus
        self._voices: dict[int, Voice] = {}
        self._lowpass = (LOWPASS_OPEN, 0.0)
        self._lowpass_running = False
        self.grid_shift = 0.0
        """Seconds under a sample that delay the whole beat so that a recording's first
        step falls on a sample (see :meth:`align`)."""
        self.ring_until = -math.inf
        """When (heard) the longest-ringing voice sent so far ends."""
        self.dropped_hits = 0

    def heard(self, time: float) -> float:
        return time + self.lookahead + self.grid_shift

    def align(self, placement: Placement, step: Step) -> None:
        """Delay the beat by under a sample so that ``step`` falls on one: then a
        recording's steps sit where a render's do (sample 0, and from there the same
        multiples of a step), and hits land on the same samples."""
        self.grid_shift = 0.0
        position = placement.line(self.heard(step.time))
        self.grid_shift = (round(position) - position) / placement.sample_rate

    def boot(self) -> tuple[Request, ...]:
        """What a fresh server needs (after its SynthDefs), the low-pass as it stands."""
        self._lowpass_running = False
        return (*node_requests(), *self._lowpass_change())

    def release(self) -> tuple[Request, ...]:
        """Our nodes freed from a server we attached to and leave running."""
        return release_requests(self._lowpass_running)

    def receive(self, message: Message, now: float, placement: Placement | None
                ) -> list[Sending]:
        """The bundles ``message`` needs, arriving at ``now``; with no placement (no
        server to play on) hits are dropped and the state still follows."""
        match message:
            case Hits():
                return self._hits(message.each(), placement)
            case SetVoice(track=track):
                self._voices[track] = (self._override[track] if self._override is not None
                                       else Voice.from_message(message))
                return []
            case SetLowpass(frequency=frequency, resonance=resonance):
                self._lowpass = (frequency, resonance)
                if placement is None:
                    return []
                # heard with the beat's delay, as the hits sent at the same moment
                stamp, at = placement.place(self.heard(now))
                requests = self._lowpass_change()
                return [Sending(Bundle(stamp, requests), 0, at)] if requests else []
            case Step() | Transport():
                return []  # steps carry all the bridge needs
            case _:
                raise ValueError(f"the engine bridge does not handle {type(message).__name__}")

    def _lowpass_change(self) -> tuple[Request, ...]:
        requests = lowpass_requests(*self._lowpass, self._lowpass_running)
        self._lowpass_running = self._lowpass[0] < LOWPASS_OPEN
        return requests

    def _hits(self, hits: list[Hit], placement: Placement | None) -> list[Sending]:
        """One step's hits: one bundle for each distinct time among them."""
        voiced = [(hit, self._voices.get(hit.track)) for hit in hits]
        if placement is None or any(voice is None for _, voice in voiced):
            self.dropped_hits += len(hits)
            return []
        sendings = []
        for moment in sorted({hit.time for hit in hits}):
            together = [(hit, voice) for hit, voice in voiced
                        if hit.time == moment and voice is not None]
            when = self.heard(moment)
            stamp, at = placement.place(when)
            requests = tuple(r for hit, voice in together
                             for r in hit_requests(hit, self._routed(hit, voice), at))
            sendings.append(Sending(Bundle(stamp, requests), len(together), at))
            longest = max(voice.length for _, voice in together)
            self.ring_until = max(self.ring_until, when + longest)
        return sendings

    def _routed(self, hit: Hit, voice: Voice) -> Voice:
        """A track that is not heard (another track's stem) plays to a silent bus: it
        still chokes and is choked, so the stems add up to the mix."""
        if self._heard_tracks is None or hit.track in self._heard_tracks:
            return voice
        return dataclasses.replace(voice, controls=(*voice.controls, "out", self._silent_bus))

