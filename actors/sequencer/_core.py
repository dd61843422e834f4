"""The sequencer's pure state: five tracks of 32 steps, swing, mutes and choke.

Each track plays the first ``length`` of its steps, then the pages of its chain
(if any) one after the other, and starts over on its own (polymeter): without a
chain the clock's step ``n`` is step ``n % length`` of a track. Swing counts the
steps of the page being played, so a track is periodic at its loop whatever its
neighbours do, and each page starts on an unswung step as a Microtonic pattern
does.
"""

from __future__ import annotations

import dataclasses
import math

from actors.messages import (
    TRACKS,
    Hit,
    Message,
    SetChain,
    SetChoke,
    SetFillRate,
    SetFills,
    SetLength,
    SetMute,
    SetPattern,
    SetSwing,
    Step,
)
from actors.rules import CHAIN_PAGES, FILL_RATE, STEPS, SWING, check_length

from ._patterns import parse_fills, parse_pattern

Page = tuple[tuple[int, ...], tuple[bool, ...], int]
"""One page of a track: velocities, fill flags, length."""


@dataclasses.dataclass
class Track:
    velocities: tuple[int, ...] = (0,) * STEPS
    muted: bool = False
    swing: float = 0.0
    choke: bool = False
    fills: tuple[bool, ...] = (False,) * STEPS
    length: int = STEPS
    chain: tuple[Page, ...] = ()
    """Pages played after the track's own steps."""

    def page(self, index: int) -> tuple[Page, int]:
        """The page the clock's step ``index`` plays, and the step of it."""
        if not self.chain:
            return (self.velocities, self.fills, self.length), index % self.length
        pages = ((self.velocities, self.fills, self.length), *self.chain)
        position = index % sum(page[2] for page in pages)
        for page in pages:
            if position < page[2]:
                break
            position -= page[2]
        return page, position


def swing_delay(step: Step, swing: float, column: int) -> float:
    """Microtonic's law at any step rate: paired steps last ``(1 + s/2)`` and
    ``(1 - s/2)`` steps, so every odd ``column`` (a step of the page a track plays)
    is late by half the swing amount of one step."""
    return step.duration * swing / 2 if column % 2 else 0.0


class SequencerCore:
    def __init__(self) -> None:
        self.tracks = [Track() for _ in TRACKS]
        self.fill_rate = FILL_RATE.low

    def apply(self, message: Message) -> None:
        """Apply an edit; raises ``ValueError`` (nothing changed) on a bad one."""
        match message:
            case SetPattern(track=t, text=text):
                self._track(t).velocities = parse_pattern(text)
            case SetMute(track=t, muted=muted):
                self._track(t).muted = muted
            case SetSwing(track=t, amount=amount):
                if not SWING.holds(amount):
                    raise ValueError(f"swing {amount} is outside {SWING}")
                self._track(t).swing = amount
            case SetChoke(track=t, enabled=enabled):
                self._track(t).choke = enabled
            case SetFills(track=t, text=text):
                self._track(t).fills = parse_fills(text)
            case SetLength(track=t, length=length):
                self._track(t).length = check_length(length)
            case SetChain(track=t, pages=pages):
                if len(pages) > CHAIN_PAGES:
                    raise ValueError(f"a chain has at most {CHAIN_PAGES} pages, got {len(pages)}")
                track = self._track(t)
                track.chain = tuple((parse_pattern(text), parse_fills(fills), check_length(n))
                                    for text, fills, n in pages)
            case SetFillRate(rate=rate):
                if not FILL_RATE.holds(rate):
                    raise ValueError(f"fill rate {rate} is outside {FILL_RATE}")
                self.fill_rate = rate
            case _:
                raise ValueError(f"the sequencer does not handle {type(message).__name__}")

    def hits(self, step: Step) -> list[Hit]:
        """The hits of one step. In the choke group only the lowest track of a step
        sounds, and muted tracks neither sound nor choke (Microtonic's rules)."""
        hits = []
        choke_taken = False
        for index, track in enumerate(self.tracks):
            (velocities, fills, _), column = track.page(step.index)
            velocity = velocities[column]
            if not velocity or track.muted:
                continue
            if track.choke:
                if choke_taken:
                    continue
                choke_taken = True
            time = step.time + swing_delay(step, track.swing, column)
            if fills[column]:
                hits += self._roll(index, time, velocity, step.duration, track.choke)
            else:
                hits.append(Hit(index, time, velocity, track.choke))
        return hits

    def _roll(self, track: int, time: float, velocity: int, duration: float, choke: bool
              ) -> list[Hit]:
        """A fill: hits every ``1/fill_rate`` of a step, for as long as the step lasts."""
        gap = duration / self.fill_rate
        count = math.ceil(self.fill_rate - 1e-9)
        return [Hit(track, time + i * gap, velocity, choke) for i in range(count)]

    def _track(self, index: int) -> Track:
        if not 0 <= index < len(self.tracks):
            raise ValueError(f"track {index} does not exist (0-{len(self.tracks) - 1})")
        return self.tracks[index]
