"""The groove's pure state: a step's hits in, the same hits with their timing offset
and velocity out.

A bar is drawn once, from its pattern and tempo, with a generator seeded by (seed,
bar), so a take replays exactly. The draw is not made here: :meth:`GrooveCore.ask`
says which bars to ask for, a bar ahead (live the groove worker process answers, a
render answers at once), and :meth:`GrooveCore.apply` takes the answer. A bar whose
answer has not come plays the grid (counted in :attr:`GrooveCore.missed`); nothing
waits for one. A bar is asked for on a step, after that step's hits: so a bar asked
for late (the first of a take, or the one playing when the groove is turned on)
plays its answer from the next step on, live and in a render alike.

Each hit's time moves by the global amount times its track's amount times its drawn
offset; its velocity moves toward the drawn one by the dynamics amounts (an accent keeps
its velocity, so accents stay the loudest). With both global amounts at 0 the hits come
back untouched: today's grid exactly. At every step rate a step takes the answer at
its place in sixteenths, where the model learned drummers (:func:`_at`).

Following a partner (:class:`._partner.PartnerCore`) moves every hit of a bar by the
same amount, on top of its groove; it works with the groove at 0 too.

An early hit must still reach the server within the lookahead: an offset earlier than
the lookahead less :data:`~actors.rules.GROOVE_MARGIN` is clamped to it, and counted,
and no hit moves before the first step this core saw (a recording starts there). Early
hits are handed on with the step before theirs (:meth:`GrooveCore.ahead`).
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from actors.messages import (
    TRACKS,
    FeelLearned,
    GrooveAnswer,
    GrooveBar,
    Hit,
    Message,
    PartnerOnset,
    SetFeel,
    SetFollow,
    SetGroove,
    Step,
)
from actors.rules import BAR_TICKS, GROOVE, GROOVE_MARGIN, VELOCITY_ACCENT, sixteenth_place

from ._load import is_take
from ._partner import PartnerCore
from ._train import STYLES

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
    def __init__(self, lookahead: float) -> None:
        self.take: str | None = None
        """The take whose groove has been learned (where its model is held)."""
        self.settings = GrooveSettings()
        self.earliest = -max(lookahead - GROOVE_MARGIN, 0.0)
        """The earliest offset (seconds, negative) a hit may be moved by."""
        self.clamped = 0
        """Hits whose offset needed more than the lookahead, or that would have played
        early without having been sent ahead."""
        self.missed = 0
        """Bars asked for whose answer had not come when they played (the grid played)."""
        self.lookahead = lookahead
        self.partner = PartnerCore()
        self._asked: dict[int, GrooveBar] = {}
        self._bars: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        """Answered bars: offsets (seconds) and velocities, tracks x 16."""
        self._start: float | None = None
        self._bar: int | None = None
        self._missed: int | None = None
        self._ahead: tuple[int, frozenset[tuple[int, int]]] = (-1, frozenset())
        """The step whose early hits :meth:`ahead` sent, and their keys."""
        self._follow = 0.0
        """Seconds the partner moves this bar's hits by."""

    def apply(self, message: Message) -> None:
        """Apply a groove setting or a worker's answer; raises ``ValueError`` (nothing
        changed) on a bad one."""
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
                    if self.take != feel:
                        raise ValueError(f"{feel}: its groove has not been learned yet")
                elif feel and feel not in STYLES:
                    raise ValueError(f"feel {feel!r} is not a learned style")
                self.settings = dataclasses.replace(s, feel=feel, seed=seed)
                # bars to come are asked for again with this feel and seed
                for bar in [b for b in self._asked if self._bar is None or b > self._bar]:
                    del self._asked[bar]
                    self._bars.pop(bar, None)
            case FeelLearned(feel=feel, seed=seed, error=error):
                if error:
                    raise ValueError(error)
                self.take = feel
                self.apply(SetFeel(feel, seed))
            case GrooveAnswer(bar=bar, error=error):
                if error:
                    raise ValueError(f"groove of bar {bar}: {error}")
                asked = self._asked.get(bar)
                if asked is not None and (asked.feel, asked.seed) == (message.feel,
                                                                      message.seed):
                    self._bars[bar] = (np.array(message.offset) / 1000.0,
                                       np.array(message.velocity))
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
        return s.amount > 0 or s.dynamics > 0

    def wanted(self, step: Step) -> list[int]:
        """The bars to ask for after ``step``'s hits: its own and the next, those not
        yet asked for (the next one a bar ahead, as a rule)."""
        if not self.active:
            return []
        bar = step.index // (BAR_TICKS // step.ticks)
        return [b for b in (bar, bar + 1) if b not in self._asked]

    def ask(self, bar: int, pattern: np.ndarray, bpm: float) -> GrooveBar:
        """The request for ``bar``, whose ``pattern`` is tracks x 16 velocities."""
        s = self.settings
        played = np.where(pattern >= VELOCITY_ACCENT, 2, np.where(pattern > 0, 1, 0))
        request = GrooveBar(bar, tuple(tuple(int(v) for v in row) for row in played), bpm,
                            s.feel, s.seed)
        self._asked[bar] = request
        for old in [b for b in self._asked if b < bar - 1]:
            del self._asked[old]
            self._bars.pop(old, None)
        return request

    @property
    def moves(self) -> bool:
        """Whether hits move: the groove plays, or the partner is followed."""
        return self.active or self._follow != 0.0 or self.partner.follow > 0

    def hits(self, step: Step, hits: list[Hit]) -> list[Hit]:
        """``hits`` of ``step`` grooved, less those :meth:`ahead` sent already. A hit
        that would play early but was not sent ahead (its bar's answer came after the
        step before, or an edit made it early since) plays at the step's time, counted
        in :attr:`clamped`."""
        index, sent = self._ahead
        if index != step.index:
            sent = frozenset()
        return [hit for key, hit in _keyed(self._grooved(step, hits, sent)) if key not in sent]

    def ahead(self, step: Step, hits: list[Hit]) -> list[Hit]:
        """The hits of ``step``, the step after the one being handled, that play before
        its time, grooved: they are sent a step ahead, so that an early hit reaches the
        server as long before its time as a hit on the grid does (handed on when its
        own step comes, a hit 40 ms early had 20 ms to arrive, less the server's JACK
        period). They are decided with the pattern as it stands a step ahead; the
        step's other hits as it stands when the step comes."""
        early = [(key, hit) for key, hit in _keyed(self._grooved(step, hits, None))
                 if hit.time < step.time]
        self._ahead = (step.index, frozenset(key for key, _ in early))
        return [hit for _, hit in early]

    def _grooved(self, step: Step, hits: list[Hit], sent: frozenset[tuple[int, int]] | None
                 ) -> list[Hit]:
        """``hits`` of ``step`` grooved. When the step comes, ``sent`` holds the keys of
        its hits sent ahead: clamps and misses are counted and the partner follower
        hears each hit then (``None``: sending ahead, none of that)."""
        if self._start is None:
            self._start = step.time
        bar, column = divmod(step.index, BAR_TICKS // step.ticks)
        if bar != self._bar:
            self._bar = bar
            self._follow = self.partner.bar()
        if not hits or not self.moves:
            return hits
        drawn = self._bars.get(bar) if self.active else None
        if sent is not None and drawn is None and self.active and bar in self._asked \
                and bar != self._missed:
            self._missed = bar
            self.missed += 1
        place = sixteenth_place(step.ticks, column)
        s = self.settings
        out = []
        for key, hit in _keyed(hits):
            learned = velocity = 0.0
            if drawn is not None:
                learned, velocity = (_at(values[hit.track], place) for values in drawn)
            shift = s.amount * s.track_amount[hit.track] * learned + self._follow
            # learned at slower tempos, an offset may pass the next step: a track's
            # hits keep their order
            shift = min(max(shift, -STEP_SHARE * step.duration), STEP_SHARE * step.duration)
            if shift < self.earliest:
                shift = self.earliest
                if sent is not None:
                    self.clamped += 1
            time = max(hit.time + shift, self._start)
            if sent is not None:
                if time < step.time and key not in sent:
                    time = step.time
                    self.clamped += 1
                self.partner.ours(time + self.lookahead, self._follow)
            level = hit.velocity
            if drawn is not None and level < VELOCITY_ACCENT:
                pull = s.dynamics * s.track_dynamics[hit.track]
                level = int(np.clip(round(level + pull * (velocity - level)), 1,
                                    VELOCITY_ACCENT - 1))
            out.append(dataclasses.replace(hit, time=time, velocity=level))
        return out


def _keyed(hits: list[Hit]) -> list[tuple[tuple[int, int], Hit]]:
    """Each hit with its key in its step: its track and its place among the track's
    hits there (a fill rolls several)."""
    seen: dict[int, int] = {}
    out = []
    for hit in hits:
        seen[hit.track] = seen.get(hit.track, -1) + 1
        out.append(((hit.track, seen[hit.track]), hit))
    return out


def _at(values: np.ndarray, place: float) -> float:
    """A track's answer (16 sixteenths) at ``place``: on a sixteenth its own; between
    two (a triplet, an off 1/32) the two weighted by nearness, the bar's first standing
    in for the next bar's. Drummers' timing and weight move smoothly between the
    positions they learned (on-beats early and loud, the "e"/"a" later and softer), so
    a hit a third of the way from one to the next is played a third of the way between
    how they play there."""
    low = math.floor(place)
    share = place - low
    value = float(values[low % len(values)])
    if share:
        value += share * (float(values[(low + 1) % len(values)]) - value)
    return value


def _set(values: tuple[float, ...], index: int, value: float) -> tuple[float, ...]:
    return (*values[:index], value, *values[index + 1:])
