"""What a surface knows of the machine: the latest state observed, as plain values.

Surfaces learn everything from observer messages. The session arrives as its JSON
file text; it is read here with :func:`json.loads` into light views rather than
through the session file reader, because a surface re-reads it after every edit
(a knob turn sends dozens a second) and the full reader rebuilds and re-checks
ten drums each time, some 6 ms. The text comes from the session actor, which
has already checked every value, so a surface only needs the shape.
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Mapping
from typing import Any

from actors.messages import (
    TRACKS,
    GenerationState,
    LinkState,
    Message,
    SessionState,
    Step,
    Transport,
)
from actors.rules import STEPS


@dataclasses.dataclass(frozen=True)
class TrackView:
    pattern: str
    fills: str
    mute: bool
    swing: float
    """0-1 (the file writes percent)."""
    choke: bool
    morph: float
    patches: tuple[Mapping[str, Any], Mapping[str, Any]]
    """Each patch as the kit model's fields in its units (infinities as floats)."""
    length: int
    """Steps played before the track starts over; the steps past it are silent."""
    chain: tuple[int, ...]
    """The lengths of the pages it plays after its own steps (a Microtonic chain)."""
    groove: float = 1.0
    """The track's share of the global groove amount."""
    dynamics: float = 1.0


@dataclasses.dataclass(frozen=True)
class SessionView:
    tempo: float
    step_rate: str
    fill_rate: float
    basis: int
    lowpass: tuple[float, float]
    surprise: float
    complexity: float | None
    """None: generation is free to be as complex as the store has it."""
    tracks: tuple[TrackView, ...]
    quantum: float = 4.0
    """Beats per Ableton Link phase."""
    history_weight: float = 1.0
    """How much the session's own bars count in generation (0: the store alone)."""
    basis_only: bool = False
    """Generation looks at the basis track alone, not every other track."""
    groove: float = 0.0
    dynamics: float = 0.0
    feel: str = ""
    groove_seed: int = 0
    follow: float = 0.0


def parse_session(text: str) -> SessionView:
    """A session from its JSON file text; raises ``ValueError`` (also for a wrong
    shape) so that a caller needs to catch only one kind of error."""
    try:
        data = json.loads(text)
        tracks = tuple(_track(data["tracks"][name]) for name in TRACKS)
        return SessionView(
            tempo=float(data["tempo"]),
            step_rate=str(data["step_rate"]),
            fill_rate=float(data["fill_rate"]),
            basis=TRACKS.index(data["basis"]),
            lowpass=(float(data["lowpass"]["frequency"]), float(data["lowpass"]["resonance"])),
            surprise=float(data["generation"]["surprise"]),
            complexity=(None if data["generation"]["complexity"] is None
                        else float(data["generation"]["complexity"])),
            tracks=tracks,
            quantum=float(data.get("link_quantum", 4.0)),
            history_weight=float(data["generation"].get("history_weight", 1.0)),
            basis_only=bool(data["generation"].get("basis_only", False)),
            **_groove(data.get("groove", {})),
        )
    except (KeyError, TypeError, IndexError, AttributeError) as exc:
        raise ValueError(f"not a session state: {exc!r}") from None


def _track(item: Mapping[str, Any]) -> TrackView:
    pattern = str(item["pattern"])
    if len(pattern) != STEPS:
        raise TypeError(f"a pattern of {len(pattern)} steps")
    patches = item["patches"]
    return TrackView(
        pattern=pattern,
        fills=str(item["fills"]),
        mute=bool(item["mute"]),
        swing=float(item["swing"]) / 100.0,
        choke=bool(item["choke"]),
        morph=float(item["morph"]),
        groove=float(item.get("groove", 1.0)),
        dynamics=float(item.get("dynamics", 1.0)),
        patches=(_patch(patches[0]), _patch(patches[1])),
        length=int(item["length"]),
        chain=tuple(int(page["length"]) for page in item["chain"]),
    )


def _groove(item: Mapping[str, Any]) -> dict[str, Any]:
    return {"groove": float(item.get("amount", 0.0)), "dynamics": float(item.get("dynamics", 0.0)),
            "feel": str(item.get("feel", "")), "groove_seed": int(item.get("seed", 0)),
            "follow": float(item.get("follow", 0.0))}


def _patch(drum: Mapping[str, Any]) -> Mapping[str, Any]:
    """Infinite values travel as the strings ``"inf"``/``"-inf"``; make them numbers."""
    return {k: float(v) if v in ("inf", "-inf") else v for k, v in dict(drum).items()}


@dataclasses.dataclass(frozen=True)
class View:
    """The latest of everything observed; ``session`` is ``None`` until the session
    actor's first state arrives."""

    session: SessionView | None = None
    serial: int = 0
    """How many session states have arrived: edits in flight are aged by it."""
    playing: bool = False
    playhead: int | None = None
    """The clock's count of the last step played; each track is at its own step of it
    (:meth:`column`)."""
    pending: frozenset[int] = frozenset()
    """Tracks whose generation is under way."""
    probabilities: tuple[tuple[float, ...] | None, ...] = (None,) * len(TRACKS)
    """Per track, the model's hit probabilities from its last generation."""
    link: LinkState | None = None
    """The Ableton Link session, when the machine follows one."""


    def column(self, track: int) -> int | None:
        """The step of ``track`` the playhead is on (each track loops on its own), or
        None while it plays a page of its chain."""
        if self.playhead is None:
            return None
        if self.session is None:
            return self.playhead % STEPS
        settings = self.session.tracks[track]
        column = self.playhead % (settings.length + sum(settings.chain))
        return column if column < settings.length else None


def observe(view: View, message: Message) -> View:
    """The view after one observer message; raises ``ValueError`` for a session
    state that cannot be read (the caller keeps the old view)."""
    match message:
        case SessionState(text=text):
            return dataclasses.replace(view, session=parse_session(text), serial=view.serial + 1)
        case Step(index=index):
            # a step only comes while playing, so it also mends a missed Transport
            return dataclasses.replace(view, playing=True, playhead=index)
        case Transport(playing=playing, position=position):
            playhead = view.playhead if playing else math.floor(position)
            return dataclasses.replace(view, playing=playing, playhead=playhead)
        case GenerationState(target=target, pending=pending, probabilities=probabilities):
            if not 0 <= target < len(TRACKS):
                raise ValueError(f"a generation for track {target}")
            if pending:
                return dataclasses.replace(view, pending=view.pending | {target})
            known = list(view.probabilities)
            if len(probabilities) == STEPS:
                known[target] = tuple(float(p) for p in probabilities)
            return dataclasses.replace(view, pending=view.pending - {target},
                                       probabilities=tuple(known))
        case LinkState():
            return dataclasses.replace(view, link=message)
        case _:
            return view
