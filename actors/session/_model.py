"""The session: everything a player can change, as one immutable value."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import TypedDict, Unpack

from actors import kit as kits
from actors.clock import check_bpm
from actors.kit import Drum
from actors.link import DEFAULT_QUANTUM, check_quantum
from actors.messages import DEFAULT_SURPRISE, TRACKS
from actors.rules import (
    DEFAULT_STEP_RATE,
    DEFAULT_TEMPO,
    FILL,
    FILL_RATE,
    LOWPASS_OPEN,
    REST,
    STEPS,
    SWING,
)
from actors.sequencer import parse_fills, parse_pattern, pattern_text

DEFAULT_KIT = Path(kits.__file__).parent / "default.mtpreset"
DEFAULT_PATTERNS: tuple[str, ...] = (
    "X-------x-x-----X-------x--x--x-",
    "----X-------X-------X-------X--x",
    "x-x-X-x-x-x-X-x-x-x-X-x-x-x-X-xx",
    "--------------x---------------x-",
    "------------x---------------x---",
)
"""The embedded beat: a plain backbeat with a little push, so a fresh machine grooves."""


MAX_HISTORY_BARS = 128
"""The newest bars of history kept: an hour's set of edits, a few ms per generation."""


class SessionError(ValueError):
    pass


def full_pattern(text: str) -> str:
    """Pattern text as its 32 steps (shorter text repeats); raises on bad text."""
    return pattern_text(parse_pattern(text))


def full_fills(text: str) -> str:
    return "".join(FILL if f else REST for f in parse_fills(text))


@dataclasses.dataclass(frozen=True)
class TrackSettings:
    pattern: str = REST * STEPS
    fills: str = REST * STEPS
    mute: bool = False
    swing: float = 0.0
    """0.0-1.0."""
    choke: bool = False
    patches: tuple[Drum, Drum] = (Drum(), Drum())
    morph: float = 0.0
    """0.0 plays patch 1, 1.0 patch 2."""
    length: int = STEPS
    """Steps played before the track starts over (or goes on to its chain), 1-32."""
    chain: tuple[tuple[str, str, int], ...] = ()
    """Pages played after the track's own steps, before it starts over: each its
    pattern and fills (32 steps, as ``pattern`` and ``fills``) and its length."""
    groove: float = 1.0
    """This track's share of the global groove amount, 0-1."""
    dynamics: float = 1.0
    """This track's share of the global dynamics amount, 0-1."""

    def drum(self) -> Drum:
        return kits.morph(self.patches[0], self.patches[1], self.morph)


class TrackChanges(TypedDict, total=False):
    """Fields of :class:`TrackSettings` to change, for :meth:`Session.with_track`."""

    pattern: str
    fills: str
    mute: bool
    swing: float
    choke: bool
    patches: tuple[Drum, Drum]
    morph: float
    length: int
    chain: tuple[tuple[str, str, int], ...]
    groove: float
    dynamics: float


@dataclasses.dataclass(frozen=True)
class Session:
    tempo: float = DEFAULT_TEMPO
    step_rate: str = DEFAULT_STEP_RATE
    """One of :data:`actors.rules.STEP_RATES`."""
    tracks: tuple[TrackSettings, ...] = tuple(TrackSettings() for _ in TRACKS)
    fill_rate: float = FILL_RATE.low
    basis: int = 0
    lowpass: tuple[float, float] = (LOWPASS_OPEN, 0.0)
    """Cutoff in Hz and resonance 0-1 of the global low-pass."""
    surprise: float = DEFAULT_SURPRISE
    complexity: float | None = None
    """None: as the store has it; else the syncopation quantile answers aim at."""
    quantum: float = DEFAULT_QUANTUM
    """Beats per Ableton Link phase (with ``--clock link``): a start lands on its multiple."""
    basis_only: bool = False
    """Generate from the basis track alone, not from every other unmuted track."""
    history: tuple[tuple[str, ...], ...] = ()
    """The session's own bars, oldest first, each the five tracks' 16 steps: what the
    generator learns the player from (at most ``MAX_HISTORY_BARS``)."""
    history_weight: float = 1.0
    """How much the history counts: 0 the store alone, 1 as learned from data."""
    groove: float = 0.0
    """Groove timing amount, 0 (the exact grid) - 1 (the learned timing)."""
    dynamics: float = 0.0
    """Groove dynamics amount, 0 (the pattern's velocities) - 1 (the learned ones)."""
    feel: str = ""
    """The learned style the groove plays, "" for every drummer learned."""
    groove_seed: int = 0
    follow: float = 0.0
    """How strongly timing follows a live partner, 0 (not at all) - 1."""

    def track(self, index: int) -> TrackSettings:
        if not 0 <= index < len(self.tracks):
            raise SessionError(f"track {index} does not exist (0-{len(self.tracks) - 1})")
        return self.tracks[index]

    def with_track(self, index: int, **changes: Unpack[TrackChanges]) -> Session:
        tracks = list(self.tracks)
        tracks[index] = dataclasses.replace(self.track(index), **changes)
        return dataclasses.replace(self, tracks=tuple(tracks))

    def with_patterns(self, patterns: dict[int, str]) -> Session:
        session = self
        for index, text in patterns.items():
            try:
                session = session.with_track(index, pattern=full_pattern(text))
            except ValueError as exc:
                raise SessionError(f"{TRACKS[index]}: {exc}") from None
        return session

    def with_swing(self, swing: float) -> Session:
        if not SWING.holds(swing):
            raise SessionError(f"swing {100 * swing:g} % is outside "
                               f"{100 * SWING.low:g}-{100 * SWING.high:g}")
        return dataclasses.replace(
            self, tracks=tuple(dataclasses.replace(t, swing=swing) for t in self.tracks))

    def with_tempo(self, bpm: float) -> Session:
        return dataclasses.replace(self, tempo=check_bpm(bpm))

    def with_quantum(self, quantum: float) -> Session:
        return dataclasses.replace(self, quantum=check_quantum(quantum))

    def with_kit(self, kit: kits.Kit, slots: tuple[int, ...] = (0, 1),
                 pattern: str | None = None,
                 channels: tuple[int, ...] = kits.DEFAULT_CHANNEL_MAP) -> Session:
        """The kit's drums on ``channels`` (its first five unless told) into the given
        patch slots; with ``pattern`` (a-l) its steps, accents, fills, fill rate,
        swing and step rate as well: each track plays the pattern and the patterns
        chained to it (:func:`chain_pages`), so it loops where Microtonic's does."""
        session = self
        drums = kits.kit_tracks(kit, channels)
        for index, drum in enumerate(drums):
            patches = list(session.tracks[index].patches)
            for slot in slots:
                patches[slot] = drum
            session = session.with_track(index, patches=(patches[0], patches[1]))
        if pattern is None:
            return session
        pages = chain_pages(kit, kits.chain(kit, pattern))
        texts = [(kits.pattern_text(kit, page, channels), kits.fill_text(kit, page, channels))
                 for page in pages]
        for index in range(len(TRACKS)):
            (steps, fills), *rest = ((text[index], marks[index]) for text, marks in texts)
            session = session.with_track(
                index, pattern=full_pattern(steps), fills=full_fills(fills), swing=kit.swing,
                length=len(steps),
                chain=tuple((full_pattern(p), full_fills(f), len(p)) for p, f in rest))
        return dataclasses.replace(session, fill_rate=kit.fill_rate, step_rate=kit.step_rate)


def chain_pages(kit: kits.Kit, played: str) -> tuple[str, ...]:
    """The patterns of a chain (``"abcd"``) grouped into a track's pages: as many
    whole patterns to a page as fit in its 32 steps, so a chained pair of 16-step
    patterns stays one 32-step page to edit. A pattern joins a page only after an
    even number of steps, so swing still falls on every second step of each
    pattern (Microtonic's count starts again with each pattern)."""
    pages: list[str] = []
    steps = 0
    for name in played:
        length = kit.patterns[kits.PATTERN_NAMES.index(name)].length
        if pages and steps % 2 == 0 and steps + length <= STEPS:
            pages[-1] += name
            steps += length
        else:
            pages.append(name)
            steps = length
    return tuple(pages)


def default_session() -> Session:
    """The embedded beat on the default kit: what a fresh machine plays."""
    session = Session().with_kit(kits.load_kit(DEFAULT_KIT))
    return session.with_patterns(dict(enumerate(DEFAULT_PATTERNS)))
