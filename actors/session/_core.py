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
    SetBasisOnly,
    SetChain,
    SetChoke,
    SetFeel,
    SetFillRate,
    SetFills,
    SetFollow,
    SetGeneration,
    SetGroove,
    SetHistory,
    SetHistoryWeight,
    SetLength,
    SetLowpass,
    SetMorph,
    SetMute,
    SetParam,
    SetPattern,
    SetQuantum,
    SetStep,
    SetStepRate,
    SetSwing,
    SetTempo,
    SetVoice,
)
from actors.rules import (
    FILL_RATE,
    GROOVE,
    HISTORY_WEIGHT,
    LOWPASS_FREQUENCY,
    LOWPASS_RESONANCE,
    REST,
    STEP_CHARACTER,
    STEPS,
    SWING,
    UNIT,
    Range,
    check_length,
    check_step_rate,
    generation_refusal,
)
from actors.voice import voice_for, voice_length

from ._model import MAX_HISTORY_BARS, Session, SessionError, full_fills, full_pattern

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
        (To.SEQUENCER, SetLength(index, track.length)),
        (To.SEQUENCER, SetChain(index, track.chain)),
        (To.SEQUENCER, SetGroove(index, track.groove, track.dynamics)),
        (To.BRIDGE, voice_message(session, index)),
    ]


def full_state(session: Session) -> Routed:
    """Everything the other actors need to play ``session`` from scratch."""
    routed: Routed = [(To.CLOCK, SetTempo(session.tempo)),
                      (To.CLOCK, SetQuantum(session.quantum)),
                      (To.CLOCK, SetStepRate(session.step_rate)),
                      (To.SEQUENCER, SetFillRate(session.fill_rate)),
                      (To.BRIDGE, SetLowpass(*session.lowpass)),
                      (To.SEQUENCER, SetGroove(-1, session.groove, session.dynamics)),
                      (To.SEQUENCER, SetFeel(session.feel, session.groove_seed)),
                      (To.SEQUENCER, SetFollow(session.follow))]
    for index in range(len(session.tracks)):
        routed += track_messages(session, index)
    return [*routed, (To.GENERATOR, history_message(session))]


def history_message(session: Session) -> SetHistory:
    return SetHistory(session.history, session.history_weight)


def with_history(session: Session, bars: list[tuple[str, ...]]) -> Session:
    """``bars`` played after the history, unless they are what it ends with already
    (asking again over an unchanged pattern is not playing it again)."""
    if session.history[-len(bars):] == tuple(bars):
        return session
    history = (*session.history, *bars)[-MAX_HISTORY_BARS:]
    return dataclasses.replace(session, history=history)


def _heard(session: Session, index: int, steps: slice) -> str:
    """A track's steps as the history keeps them: a muted track is unknown, not silent."""
    track = session.track(index)
    return "" if track.mute else (track.pattern[:track.length] * STEPS)[steps]


class SessionCore:
    def __init__(self, session: Session) -> None:
        self.session = session
        self._continuations: dict[int, bool] = {}
        """Generations under way: target track -> whether it asked for steps 17-32."""
        self._unkept: set[int] = set()
        """Tracks whose pattern is a generated answer the player has not built on yet:
        asking again replaces it, so it never joins the history."""

    def apply(self, command: Message) -> Routed:
        """Apply one command; returns the messages it sends on."""
        s = self.session
        match command:
            case SetTempo(bpm=bpm):
                s = dataclasses.replace(s, tempo=check_bpm(bpm))
                routed: Routed = [(To.CLOCK, SetTempo(s.tempo))]
            case SetQuantum(quantum=quantum):
                s = s.with_quantum(quantum)
                routed = [(To.CLOCK, SetQuantum(s.quantum))]
            case SetStepRate(rate=rate):
                s = dataclasses.replace(s, step_rate=check_step_rate(rate))
                routed = [(To.CLOCK, command)]
            case SetLength(track=t, length=length):
                s = s.with_track(t, length=check_length(length))
                routed = [(To.SEQUENCER, command)]
            case SetPattern(track=t, text=text):
                s = s.with_track(t, pattern=full_pattern(text))
                routed = [(To.SEQUENCER, SetPattern(t, s.track(t).pattern))]
                self._unkept.clear()
            case SetStep(track=t, step=i, velocity=v):
                if not 0 <= i < STEPS or v not in STEP_CHARACTER:
                    velocities = "/".join(map(str, STEP_CHARACTER))
                    raise SessionError(
                        f"no step {i} with velocity {v} (steps 0-{STEPS - 1}; {velocities})")
                old = s.track(t).pattern
                s = s.with_track(t, pattern=old[:i] + STEP_CHARACTER[v] + old[i + 1:])
                routed = [(To.SEQUENCER, SetPattern(t, s.track(t).pattern))]
                self._unkept.clear()
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
            case SetBasisOnly(only=only):
                s = dataclasses.replace(s, basis_only=only)
                routed = []
            case SetHistoryWeight(weight=weight):
                s = dataclasses.replace(
                    s, history_weight=_within(weight, HISTORY_WEIGHT, "history weight"))
                routed = [(To.GENERATOR, history_message(s))]
            case BasisCaptured(track=t, text=text):
                # a bar tapped on a pad: it becomes that track's part and the basis, and
                # the track plays it round (a 12-step bar of 1/8T loops after 12 steps)
                pattern, length = full_pattern(text), s.track(t).length
                routed = [(To.SEQUENCER, SetPattern(t, pattern))]
                if length % len(text):
                    length = check_length(len(text))
                    routed.append((To.SEQUENCER, SetLength(t, length)))
                s = dataclasses.replace(s.with_track(t, pattern=pattern, length=length),
                                        basis=t)
                if not generation_refusal(s.step_rate, STEPS // 2):
                    # a bar of sixteenths joins the history as played over the other
                    # tracks' first bar
                    played = pattern[:STEPS // 2]
                    bar = tuple(played if i == t else _heard(s, i, slice(0, STEPS // 2))
                                for i in range(len(s.tracks)))
                    s = with_history(s, [bar])
                    routed.append((To.GENERATOR, history_message(s)))
                self._unkept.clear()
            case Generate(target=t, continuation=continuation):
                s.track(t)
                self._check_grid(t, continuation)
                before = s
                if t not in self._unkept and not generation_refusal(s.step_rate, STEPS):
                    # the patterns as the player left them, two bars of sixteenths
                    halves = (slice(0, STEPS // 2), slice(STEPS // 2, STEPS))
                    s = with_history(s, [tuple(_heard(s, i, h) for i in range(len(s.tracks)))
                                         for h in halves])
                self._unkept.clear()
                self.session = s
                routed = [] if s is before else [(To.GENERATOR, history_message(s))]
                routed += self._generate(t, continuation)
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

    def _check_grid(self, target: int, continuation: bool) -> None:
        s = self.session
        refusal = generation_refusal(s.step_rate, s.track(target).length, continuation,
                                     bool(s.track(target).chain))
        if refusal:
            raise SessionError(f"{TRACKS[target]}: {refusal}")

    def _generate(self, target: int, continuation: bool) -> Routed:
        """Ask the generator: from every other unmuted track as it sounds over the
        target's length (a 12-step track loops), or the basis track alone, or the second
        half from the first (17-32 from 1-16, at a triplet rate 13-24 from 1-12), on the
        session's grid."""
        s = self.session
        length = s.track(target).length
        current = s.track(target).pattern[:length]

        def played(index: int) -> str:
            track = s.track(index)
            return (track.pattern[:track.length] * STEPS)[:length]

        bases: tuple[tuple[int, str], ...] = ()
        if not s.basis_only:
            bases = tuple((i, played(i)) for i, track in enumerate(s.tracks)
                          if i != target and not track.mute)
        if not bases and not continuation:
            bases = ((s.basis, played(s.basis)),)
        self._continuations[target] = continuation
        request = GenerateRequest(target, bases, current, continuation, 1, None, s.surprise,
                                  s.complexity, s.step_rate)
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
        self._unkept.add(target)
        done = GenerationState(target, False, tuple(probabilities))
        return s, [(To.SEQUENCER, SetPattern(target, s.track(target).pattern)),
                   (To.SURFACES, done)]

    def replace(self, session: Session) -> Routed:
        """A whole new session (a loaded file): everything is sent again."""
        self.session = session
        self._continuations.clear()
        self._unkept.clear()
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
