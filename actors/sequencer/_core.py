"""The sequencer's pure state: five tracks of 32 steps, swing, mutes and choke."""

from __future__ import annotations

import dataclasses

from actors.messages import (
    TRACKS,
    Hit,
    Message,
    SetChoke,
    SetMute,
    SetPattern,
    SetSwing,
    Step,
)

from ._patterns import STEPS, parse_pattern


@dataclasses.dataclass
class Track:
    velocities: tuple[int, ...] = (0,) * STEPS
    muted: bool = False
    swing: float = 0.0
    choke: bool = False


def swing_delay(step: Step, swing: float) -> float:
    """Microtonic's law: paired 16ths last ``(1 + s/2)`` and ``(1 - s/2)`` steps,
    so every odd step is late by half the swing amount of one step."""
    return step.duration * swing / 2 if step.index % 2 else 0.0


class SequencerCore:
    def __init__(self) -> None:
        self.tracks = [Track() for _ in TRACKS]

    def apply(self, message: Message) -> None:
        """Apply an edit; raises ``ValueError`` (nothing changed) on a bad one."""
        match message:
            case SetPattern(track=t, text=text):
                self._track(t).velocities = parse_pattern(text)
            case SetMute(track=t, muted=muted):
                self._track(t).muted = muted
            case SetSwing(track=t, amount=amount):
                if not 0.0 <= amount <= 1.0:
                    raise ValueError(f"swing {amount} is outside 0-1")
                self._track(t).swing = amount
            case SetChoke(track=t, enabled=enabled):
                self._track(t).choke = enabled
            case _:
                raise ValueError(f"the sequencer does not handle {type(message).__name__}")

    def hits(self, step: Step) -> list[Hit]:
        """The hits of one step. In the choke group only the lowest track of a step
        sounds, and muted tracks neither sound nor choke (Microtonic's rules)."""
        hits = []
        choke_taken = False
        column = step.index % STEPS
        for index, track in enumerate(self.tracks):
            velocity = track.velocities[column]
            if not velocity or track.muted:
                continue
            if track.choke:
                if choke_taken:
                    continue
                choke_taken = True
            time = step.time + swing_delay(step, track.swing)
            hits.append(Hit(index, time, velocity, track.choke))
        return hits

    def _track(self, index: int) -> Track:
        if not 0 <= index < len(self.tracks):
            raise ValueError(f"track {index} does not exist (0-{len(self.tracks) - 1})")
        return self.tracks[index]
