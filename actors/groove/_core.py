"""The groove's pure state: a step's hits in, the same hits with their timing offset
and velocity out.

A bar is drawn once, from its pattern and tempo, with a generator seeded by (seed,
bar), so a take replays exactly. Each hit's time moves by the global amount times its
track's amount times its drawn offset; its velocity moves toward the drawn one by the
dynamics amounts (an accent keeps its velocity, so accents stay the loudest). With
both global amounts at 0 the hits come back untouched: today's grid exactly.

Following a partner (:class:`._partner.PartnerCore`) moves every hit of a bar by the
same amount, on top of its groove; it works with the groove at 0 too.

An early hit must still reach the server within the lookahead: an offset earlier than
the lookahead less :data:`~actors.rules.GROOVE_MARGIN` is clamped to it, and counted,
and no hit moves before the first step this core saw (a recording starts there).
"""

from __future__ import annotations

import dataclasses

import numpy as np

from actors.messages import (
    TRACKS,
    Hit,
    Message,
    PartnerOnset,
    SetFeel,
    SetFollow,
    SetGroove,
    Step,
)
from actors.rules import BAR_STEPS, GROOVE, GROOVE_MARGIN, VELOCITY_ACCENT

from ._load import is_take
from ._model import Answer, GrooveModel, answer
from ._partner import PartnerCore

STEP_SHARE = 0.45
"""The most a hit moves, as a share of its step: less than half, so that a fast tempo
never plays a track's hits out of their order."""


@dataclasses.dataclass(frozen=True)
class GrooveSettings:
    amount: float = 0.0
    dynamics: float = 0.0
    track_amount: tuple[float, ...] = (1.0,) * len(TRACKS)
    track_dynamics: tuple[float, ...] = (1.0,) * len(TRACKS)
    feel: str = ""
    seed: int = 0


class GrooveCore:
    def __init__(self, model: GrooveModel | None, lookahead: float) -> None:
        self.model = model
        self.take: tuple[str, GrooveModel] | None = None
        self.settings = GrooveSettings()
        self.earliest = -max(lookahead - GROOVE_MARGIN, 0.0)
        """The earliest offset (seconds, negative) a hit may be moved by."""
        self.clamped = 0
        """Hits whose offset needed more than the lookahead."""
        self.lookahead = lookahead
        self.partner = PartnerCore()
        self._bars: dict[int, Answer] = {}
        self._start: float | None = None
        self._bar: int | None = None
        self._follow = 0.0
        """Seconds the partner moves this bar's hits by."""

    def apply(self, message: Message) -> None:
        """Apply a groove setting; raises ``ValueError`` (nothing changed) on a bad one."""
        s = self.settings
        match message:
            case SetGroove(track=t, amount=amount, dynamics=dynamics):
                for value in (amount, dynamics):
                    if not GROOVE.holds(value):
                        raise ValueError(f"groove amount {value} is outside {GROOVE}")
                if t == -1:
                    self.settings = dataclasses.replace(s, amount=amount, dynamics=dynamics)
                elif 0 <= t < len(TRACKS):
                    self.settings = dataclasses.replace(
                        s, track_amount=_set(s.track_amount, t, amount),
                        track_dynamics=_set(s.track_dynamics, t, dynamics))
                else:
                    raise ValueError(f"track {t} does not exist")
            case SetFeel(feel=feel, seed=seed):
                if is_take(feel):
                    if self.take is None or self.take[0] != feel:
                        raise ValueError(f"{feel}: its groove has not been learned yet")
                elif feel and (self.model is None or feel not in self.model.styles):
                    raise ValueError(f"feel {feel!r} is not a learned style")
                self.settings = dataclasses.replace(s, feel=feel, seed=seed)
                self._bars.clear()
            case SetFollow(amount=amount):
                if not GROOVE.holds(amount):
                    raise ValueError(f"follow {amount} is outside {GROOVE}")
                self.partner.follow = amount
            case PartnerOnset(time=time):
                self.partner.onset(time)
            case _:
                raise ValueError(f"the groove does not handle {type(message).__name__}")

    @property
    def active(self) -> bool:
        """Whether the learned groove plays (the partner may move hits without it)."""
        s = self.settings
        return self.playing is not None and (s.amount > 0 or s.dynamics > 0)

    @property
    def playing(self) -> GrooveModel | None:
        """The model the feel plays: a take's own, or the learned drummers'."""
        if is_take(self.settings.feel) and self.take is not None:
            return self.take[1]
        return self.model

    def load_take(self, path: str, model: GrooveModel) -> None:
        """A take's groove (see :func:`from_take`), for a :class:`SetFeel` of ``path``."""
        self.take = (path, model)

    def plan(self, bar: int, pattern: np.ndarray, bpm: float) -> None:
        """Draw ``bar`` (its pattern: tracks x 16 velocities) ahead of its steps, off the
        timing path; a bar not planned is drawn when its first hit comes."""
        model = self.playing
        if not self.active or model is None:
            return
        s = self.settings
        style = model.styles.index(s.feel) if s.feel in model.styles else -1
        rng = np.random.default_rng([s.seed, bar])
        played = np.where(pattern >= VELOCITY_ACCENT, 2, np.where(pattern > 0, 1, 0))
        self._bars[bar] = answer(model, played.astype(np.int8), bpm, [], rng, style)
        for old in [b for b in self._bars if b < bar - 1]:
            del self._bars[old]

    def hits(self, step: Step, hits: list[Hit], pattern: np.ndarray) -> list[Hit]:
        """``hits`` of ``step`` grooved; ``pattern`` is the step's bar (tracks x 16)."""
        if self._start is None:
            self._start = step.time
        bar, column = divmod(step.index, BAR_STEPS)
        if bar != self._bar:
            self._bar = bar
            self._follow = self.partner.bar()
        following = self._follow != 0.0 or self.partner.follow > 0
        if not hits or not (self.active or following):
            return hits
        if self.active and bar not in self._bars:
            self.plan(bar, pattern, 60.0 / (4 * step.duration))
        drawn = self._bars.get(bar)
        s = self.settings
        out = []
        for hit in hits:
            offset = velocity = float("nan")
            model = self.playing
            if drawn is not None and model is not None:
                offset = float(drawn.offset[hit.track, column])
                velocity = float(drawn.velocity[hit.track, column])
                if np.isnan(offset):  # a step added since the bar was drawn
                    offset = float(model.template_offset[hit.track, column])
                    velocity = float(model.template_velocity[hit.track, column])
            learned = 0.0 if drawn is None else offset / 1000.0
            shift = s.amount * s.track_amount[hit.track] * learned + self._follow
            # learned at slower tempos, an offset may pass the next step: a track's
            # hits keep their order
            shift = min(max(shift, -STEP_SHARE * step.duration), STEP_SHARE * step.duration)
            if shift < self.earliest:
                shift = self.earliest
                self.clamped += 1
            time = max(hit.time + shift, self._start)
            self.partner.ours(time + self.lookahead, self._follow)
            level = hit.velocity
            if drawn is not None and level < VELOCITY_ACCENT:
                pull = s.dynamics * s.track_dynamics[hit.track]
                level = int(np.clip(round(level + pull * (velocity - level)), 1,
                                    VELOCITY_ACCENT - 1))
            out.append(dataclasses.replace(hit, time=time, velocity=level))
        return out


def _set(values: tuple[float, ...], index: int, value: float) -> tuple[float, ...]:
    return (*values[:index], value, *values[index + 1:])
