"""The session actor's pure half: commands in, state changes and messages out.

Every command is checked before it changes anything; a bad one raises
``ValueError`` (or :class:`actors.kit.KitError`) and leaves the session as it
was. The messages returned say where they go, so the shell only routes.
"""

from __future__ import annotations

import dataclasses
import enum
import logging

from actors import kit as kits
from actors.clock import check_bpm
from actors.groove import STYLES, is_take
from actors.messages import (
    TRACKS,
    BasisCaptured,
    Generate,
    GenerateRequest,
    GenerateResult,
    GenerationState,
    Message,
    SetBasis,
    SetChoke,
    SetFeel,
    SetFillRate,
    SetFills,
    SetFollow,
    SetGeneration,
    SetGroove,
    SetLowpass,
    SetMorph,
    SetMute,
    SetParam,
    SetPattern,
    SetStep,
    SetSwing,
    SetTempo,
    SetVoice,
)
from actors.rules import (
    FILL_RATE,
    GROOVE,
    LOWPASS_FREQUENCY,
    LOWPASS_RESONANCE,
    REST,
    STEP_CHARACTER,
    STEPS,
    SWING,
    UNIT,
    Range,
)
from actors.voice import voice_for, voice_length

from ._model import Session, SessionError, full_fills, full_pattern

log = logging.getLogger(__name__)

_DRUM_FIELDS = {f.name for f in dataclasses.fields(kits.Drum)}


class To(enum.Enum):
    CLOCK = "clock"
    SEQUENCER = "sequencer"
    BRIDGE = "bridge"
    GENERATOR = "generator"
    SURFACES = "surfaces"
    """Screens and controllers; a machine without one drops these."""


Routed = list[tuple[To, Message]]


def voice_message(session: Session, track: int) -> SetVoice:
    drum = session.track(track).drum()
    synthdef, controls = voice_for(drum)
    return SetVoice(track, synthdef, controls, voice_length(drum))


def track_messages(session: Session, index: int) -> Routed:
    track = session.track(index)
    return [
        (To.SEQUENCER, SetPattern(index, track.pattern)),
        (To.SEQUENCER, SetFills(index, track.fills)),
        (To.SEQUENCER, SetMute(index, track.mute)),
        (To.SEQUENCER, SetSwing(index, track.swing)),
        (To.SEQUENCER, SetChoke(index, track.choke)),
        (To.SEQUENCER, SetGroove(index, track.groove, track.dynamics)),
        (To.BRIDGE, voice_message(session, index)),
    ]


def full_state(session: Session) -> Routed:
    """Everything the other actors need to play ``session`` from scratch."""
    routed: Routed = [(To.CLOCK, SetTempo(session.tempo)),
                      (To.SEQUENCER, SetFillRate(session.fill_rate)),
                      (To.BRIDGE, SetLowpass(*session.lowpass)),
                      (To.SEQUENCER, SetGroove(-1, session.groove, session.dynamics)),
                      (To.SEQUENCER, SetFeel(session.feel, session.groove_seed)),
                      (To.SEQUENCER, SetFollow(session.follow))]
    for index in range(len(session.tracks)):
        routed += track_messages(session, index)
    return routed


class SessionCore:
    def __init__(self, session: Session) -> None:
        self.session = session
        self._continuations: dict[int, bool] = {}
        """Generations under way: target track -> whether it asked for steps 17-32."""

    def apply(self, command: Message) -> Routed:
        """Apply one command; returns the messages it sends on."""
        s = self.session
        match command:
            case SetTempo(bpm=bpm):
                s = dataclasses.replace(s, tempo=check_bpm(bpm))
                routed: Routed = [(To.CLOCK, SetTempo(s.tempo))]
            case SetPattern(track=t, text=text):
                s = s.with_track(t, pattern=full_pattern(text))
                routed = [(To.SEQUENCER, SetPattern(t, s.track(t).pattern))]
            case SetStep(track=t, step=i, velocity=v):
                if not 0 <= i < STEPS or v not in STEP_CHARACTER:
                    velocities = "/".join(map(str, STEP_CHARACTER))
                    raise SessionError(
                        f"no step {i} with velocity {v} (steps 0-{STEPS - 1}; {velocities})")
                old = s.track(t).pattern
                s = s.with_track(t, pattern=old[:i] + STEP_CHARACTER[v] + old[i + 1:])
                routed = [(To.SEQUENCER, SetPattern(t, s.track(t).pattern))]
            case SetFills(track=t, text=text):
                s = s.with_track(t, fills=full_fills(text))
                routed = [(To.SEQUENCER, SetFills(t, s.track(t).fills))]
            case SetMute(track=t, muted=muted):
                s = s.with_track(t, mute=muted)
                routed = [(To.SEQUENCER, command)]
            case SetSwing(track=t, amount=amount):
                s = s.with_track(t, swing=_within(amount, SWING, "swing"))
                routed = [(To.SEQUENCER, command)]
            case SetChoke(track=t, enabled=enabled):
                s = s.with_track(t, choke=enabled)
                routed = [(To.SEQUENCER, command)]
            case SetFillRate(rate=rate):
                if not FILL_RATE.holds(rate):
                    raise SessionError(f"fill rate {rate} is outside {FILL_RATE}")
                s = dataclasses.replace(s, fill_rate=rate)
                routed = [(To.SEQUENCER, command)]
            case SetMorph(track=t, amount=amount):
                s = s.with_track(t, morph=_within(amount, UNIT, "morph"))
                routed = [(To.BRIDGE, voice_message(s, t))]
            case SetParam(track=t, slot=slot, name=name, value=value):
                s = s.with_track(t, patches=_with_param(s.track(t).patches, slot, name, value))
                routed = [(To.BRIDGE, voice_message(s, t))]
            case SetBasis(track=t):
                s.track(t)
                s = dataclasses.replace(s, basis=t)
                routed = []
            case SetGeneration(surprise=surprise, complexity=complexity):
                s = dataclasses.replace(
                    s, surprise=_within(surprise, UNIT, "surprise"),
                    complexity=(None if complexity is None
                                else _within(complexity, UNIT, "complexity")))
                routed = []
            case BasisCaptured(track=t, text=text):
                # a bar tapped on a pad: it becomes that track's part and the basis
                s = dataclasses.replace(s.with_track(t, pattern=full_pattern(text)), basis=t)
                routed = [(To.SEQUENCER, SetPattern(t, s.track(t).pattern))]
            case Generate(target=t, continuation=continuation):
                routed = self._generate(t, continuation)
            case GenerateResult():
                s, routed = self._generated(command)
            case SetLowpass(frequency=frequency, resonance=resonance):
                if not LOWPASS_FREQUENCY.holds(frequency):
                    raise SessionError(
                        f"low-pass frequency {frequency} is outside {LOWPASS_FREQUENCY} Hz")
                resonance = _within(resonance, LOWPASS_RESONANCE, "resonance")
                s = dataclasses.replace(s, lowpass=(frequency, resonance))
                routed = [(To.BRIDGE, command)]
            case SetGroove(track=t, amount=amount, dynamics=dynamics):
                amount = _within(amount, GROOVE, "groove amount")
                dynamics = _within(dynamics, GROOVE, "dynamics amount")
                if t == -1:
                    s = dataclasses.replace(s, groove=amount, dynamics=dynamics)
                else:
                    s.track(t)
                    s = s.with_track(t, groove=amount, dynamics=dynamics)
                routed = [(To.SEQUENCER, command)]
            case SetFollow(amount=amount):
                s = dataclasses.replace(s, follow=_within(amount, GROOVE, "follow"))
                routed = [(To.SEQUENCER, command)]
            case SetFeel(feel=feel, seed=seed):
                if feel and feel not in STYLES and not is_take(feel):
                    raise SessionError(f"feel {feel!r} is neither a MIDI file nor one of "
                                       f"{', '.join(STYLES)}")
                s = dataclasses.replace(s, feel=feel, groove_seed=seed)
                routed = [(To.SEQUENCER, command)]
            case _:
                raise SessionError(f"the session does not handle {type(command).__name__}")
        self.session = s
        return routed

    def _generate(self, target: int, continuation: bool) -> Routed:
        """Ask the generator: from the basis track's pattern, or 17-32 from 1-16."""
        s = self.session
        current = s.track(target).pattern
        bases = () if continuation else ((s.basis, s.track(s.basis).pattern),)
        self._continuations[target] = continuation
        request = GenerateRequest(target, bases, current, continuation, 1, None, s.surprise,
                                  s.complexity)
        return [(To.GENERATOR, request), (To.SURFACES, GenerationState(target, True, ()))]

    def _generated(self, result: GenerateResult) -> tuple[Session, Routed]:
        """A generator's answer becomes the target's pattern (if still wanted)."""
        s, target = self.session, result.target
        continuation = self._continuations.pop(target, None)
        if continuation is None:
            return s, []  # nobody is waiting for it any more
        if result.error or not result.patterns:
            log.warning("generation for %s failed: %s", TRACKS[target], result.error)
            return s, [(To.SURFACES, GenerationState(target, False, ()))]
        pattern, probabilities = result.patterns[0], result.probs
        if continuation and len(pattern) == STEPS // 2:
            kept = s.track(target).pattern[: STEPS // 2]
            pattern = kept + pattern
            probabilities = tuple(0.0 if c == REST else 1.0 for c in kept) + probabilities
        s = s.with_track(target, pattern=full_pattern(pattern))
        done = GenerationState(target, False, tuple(probabilities))
        return s, [(To.SEQUENCER, SetPattern(target, s.track(target).pattern)),
                   (To.SURFACES, done)]

    def replace(self, session: Session) -> Routed:
        """A whole new session (a loaded file): everything is sent again."""
        self.session = session
        self._continuations.clear()
        return full_state(session)

    def load_kit(self, kit: kits.Kit, slot: int, pattern: str) -> Routed:
        """A loaded preset into patch slot 0, 1 or both (-1), and maybe its pattern."""
        if slot not in (-1, 0, 1):
            raise SessionError(f"patch slot {slot} does not exist (0, 1, or -1 for both)")
        if pattern and pattern not in kits.PATTERN_NAMES:
            raise SessionError(f"pattern {pattern!r} does not exist (a-l)")
        slots = (0, 1) if slot == -1 else (slot,)
        self.session = self.session.with_kit(kit, slots, pattern or None)
        if pattern:
            return full_state(self.session)
        return [(To.BRIDGE, voice_message(self.session, t))
                for t in range(len(self.session.tracks))]


def _within(value: float, bounds: Range, what: str) -> float:
    if not bounds.holds(value):
        raise SessionError(f"{what} {value:g} is outside {bounds}")
    return value


def _with_param(patches: tuple[kits.Drum, kits.Drum], slot: int, name: str,
                value: float | str | bool) -> tuple[kits.Drum, kits.Drum]:
    if slot not in (0, 1):
        raise SessionError(f"patch slot {slot} does not exist (0 or 1)")
    if name not in _DRUM_FIELDS:
        raise SessionError(f"a drum has no parameter {name!r}")
    document = kits.drum_to_json(patches[slot])
    document[name] = value
    # The kit reader checks type and choice and clamps the range, as for a file.
    drum = kits.drum_from_json(document, "<edit>", f"patch {slot + 1}")
    return (drum, patches[1]) if slot == 0 else (patches[0], drum)
