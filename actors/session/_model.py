"""The session: everything a player can change, as one immutable value."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import TypedDict, Unpack

from actors import kit as kits
from actors.clock import check_bpm
from actors.kit import Drum
from actors.messages import DEFAULT_SURPRISE, TRACKS
from actors.rules import DEFAULT_TEMPO, FILL, FILL_RATE, LOWPASS_OPEN, REST, STEPS, SWING
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
    groove: float
    dynamics: float


@dataclasses.dataclass(frozen=True)
class Session:
    tempo: float = DEFAULT_TEMPO
    tracks: tuple[TrackSettings, ...] = tuple(TrackSettings() for _ in TRACKS)
    fill_rate: float = FILL_RATE.low
    basis: int = 0
    lowpass: tuple[float, float] = (LOWPASS_OPEN, 0.0)
    """Cutoff in Hz and resonance 0-1 of the global low-pass."""
    surprise: float = DEFAULT_SURPRISE
    complexity: float | None = None
    """None: as the store has it; else the syncopation quantile answers aim at."""
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

    def with_kit(self, kit: kits.Kit, slots: tuple[int, ...] = (0, 1),
                 pattern: str | None = None,
                 channels: tuple[int, ...] = kits.DEFAULT_CHANNEL_MAP) -> Session:
        """The kit's drums on ``channels`` (its first five unless told) into the given
        patch slots; with ``pattern`` (a-l) its steps, accents, fills, fill rate and
        swing as well."""
        session = self
        drums = kits.kit_tracks(kit, channels)
        for index, drum in enumerate(drums):
            patches = list(session.tracks[index].patches)
            for slot in slots:
                patches[slot] = drum
            session = session.with_track(index, patches=(patches[0], patches[1]))
        if pattern is None:
            return session
        steps = kits.pattern_text(kit, pattern, chain_next=True, channel_map=channels)
        fills = kits.fill_text(kit, pattern, chain_next=True, channel_map=channels)
        for index in range(len(TRACKS)):
            session = session.with_track(index, pattern=steps[index], fills=fills[index],
                                         swing=kit.swing)
        return dataclasses.replace(session, fill_rate=kit.fill_rate)


def default_session() -> Session:
    """The embedded beat on the default kit: what a fresh machine plays."""
    session = Session().with_kit(kits.load_kit(DEFAULT_KIT))
    return session.with_patterns(dict(enumerate(DEFAULT_PATTERNS)))
