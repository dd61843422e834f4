"""Every message the actors exchange, and the one way they travel: msgpack bytes.

Actors share no mutable state; the only thing that crosses between them is a
message from this module, encoded to bytes. Keeping every type in one place
makes the protocol reviewable at a glance and lets a later worker *process*
(the generator) speak exactly the same language over a pipe.

Times are seconds on trio's clock (``trio.current_time()``) unless a field
says otherwise: all actors run in one trio run, so they share that clock, and
only the engine bridge converts to wall-clock time for OSC time tags.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from typing import Any, ClassVar, TypeVar

import msgpack

from actors.rules import DEFAULT_STEP_RATE

TRACKS: tuple[str, ...] = ("kick", "snare", "hihat", "openhat", "clap")
"""Track names in channel order; a track is addressed by its index here."""


class Message:
    """Base of every message; ``TAG`` is its wire identifier."""

    TAG: ClassVar[int]
    __dataclass_fields__: ClassVar[dict[str, dataclasses.Field[Any]]]
    """Every message is a dataclass (:func:`_message` makes it one); declared here so
    that a ``Message`` is one to the type checker too."""


_BY_TAG: dict[int, type[Message]] = {}
M = TypeVar("M", bound=type[Message])


def _message(tag: int) -> Callable[[M], M]:
    def register(cls: M) -> M:
        if tag in _BY_TAG:
            raise ValueError(f"message tag {tag} used twice")
        cls.TAG = tag
        _BY_TAG[tag] = cls
        return cls

    return register


def encode(message: Message) -> bytes:
    """Pack a message as ``[tag, field, ...]``; field order is the dataclass order."""
    values = [getattr(message, f.name) for f in dataclasses.fields(message)]
    return msgpack.packb([message.TAG, *values], use_bin_type=True)


def decode(data: bytes) -> Message:
    """Inverse of :func:`encode`; msgpack arrays come back as the tuples the types declare."""
    return unpacked(msgpack.unpackb(data, raw=False))


def unpacked(values: list[Any]) -> Message:
    """A message from its unpacked ``[tag, field, ...]``: what a worker process reads
    from a stream of encoded messages. Raises ``ValueError`` on one that is none."""
    if not isinstance(values, list) or not values or values[0] not in _BY_TAG:
        raise ValueError(f"not a message: {values!r}")
    tag, *fields = values
    try:
        return _BY_TAG[tag](*(_freeze(v) for v in fields))
    except TypeError as error:
        raise ValueError(f"not a message: {values!r}: {error}") from None


def _freeze(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_freeze(v) for v in value)
    return value


# --- transport and tempo: input -> clock -------------------------------------------


@_message(1)
@dataclasses.dataclass(frozen=True, slots=True)
class Start(Message):
    """Play from the top: the clock stands at ``position`` sixteenths now, so step 0
    falls now, or later where the position is negative (a Link start waits for its
    quantum)."""

    position: float = 0.0


@_message(2)
@dataclasses.dataclass(frozen=True, slots=True)
class Stop(Message):
    """Stop, remembering the position so that :class:`Continue` resumes there."""


@_message(3)
@dataclasses.dataclass(frozen=True, slots=True)
class Continue(Message):
    """Resume from the position where the transport stopped."""


@_message(4)
@dataclasses.dataclass(frozen=True, slots=True)
class SetTempo(Message):
    bpm: float


@_message(5)
@dataclasses.dataclass(frozen=True, slots=True)
class Locate(Message):
    """Jump to ``position`` (in sixteenths, whatever the step rate), as a MIDI song
    position pointer asks."""

    position: float


@_message(6)
@dataclasses.dataclass(frozen=True, slots=True)
class Follow(Message):
    """An external master's estimate: at ``time`` it stands at ``position`` sixteenths,
    moving at ``bpm``. The clock re-anchors on it instead of its own tempo."""

    time: float
    position: float
    bpm: float


@_message(7)
@dataclasses.dataclass(frozen=True, slots=True)
class SetQuantum(Message):
    """Beats per Link phase: where a start lands (the next multiple of it) and what
    peers keep aligned. Only the Link actor acts on it."""

    quantum: float


@_message(9)
@dataclasses.dataclass(frozen=True, slots=True)
class SetStepRate(Message):
    """How long a step lasts: one of Microtonic's rates 1/8, 1/8T, 1/16, 1/16T, 1/32."""

    rate: str


# --- clock -> sequencer -------------------------------------------------------------


@_message(10)
@dataclasses.dataclass(frozen=True, slots=True)
class Step(Message):
    """A step that will fall at ``time``; sent a little before it.

    ``duration`` is the step length at the tempo in force, which the
    sequencer needs for swing and rolls; ``ticks`` is the step rate as the
    MIDI clock ticks (24 per quarter note) one step lasts, 6 for a 1/16.
    """

    index: int
    time: float
    duration: float
    ticks: int = 6


# --- pattern editing: input -> sequencer ----------------------------------------------


@_message(20)
@dataclasses.dataclass(frozen=True, slots=True)
class SetPattern(Message):
    """Replace a track's 32 steps; text uses ``-`` rest, ``x`` hit, ``X`` accent."""

    track: int
    text: str


@_message(21)
@dataclasses.dataclass(frozen=True, slots=True)
class SetMute(Message):
    track: int
    muted: bool


@_message(22)
@dataclasses.dataclass(frozen=True, slots=True)
class SetSwing(Message):
    """Microtonic swing for one track, 0.0 (straight) … 1.0 (100 %)."""

    track: int
    amount: float


@_message(23)
@dataclasses.dataclass(frozen=True, slots=True)
class SetChoke(Message):
    track: int
    enabled: bool


@_message(24)
@dataclasses.dataclass(frozen=True, slots=True)
class SetFills(Message):
    """Steps that play as a roll: 32 characters, ``f`` on a fill step, ``-`` elsewhere.

    A fill counts only on a step that also has a hit (Microtonic's rule).
    """

    track: int
    text: str


@_message(25)
@dataclasses.dataclass(frozen=True, slots=True)
class SetFillRate(Message):
    """Hits per step in a roll, 2-8 (Microtonic's FillRate; fractional rates end the
    roll's last gap early)."""

    rate: float


@_message(29)
@dataclasses.dataclass(frozen=True, slots=True)
class SetLength(Message):
    """How many of its steps a track plays before it starts over, 1-32; steps beyond
    it are kept, silent."""

    track: int
    length: int


@_message(28)
@dataclasses.dataclass(frozen=True, slots=True)
class SetChain(Message):
    """The pages a track plays after its own steps, in order, before it starts over:
    each ``(pattern text, fill text, length)``, as :class:`SetPattern`,
    :class:`SetFills` and :class:`SetLength` give its own. Empty: none (a chained
    Microtonic pattern brings the patterns chained to it)."""

    track: int
    pages: tuple[tuple[str, str, int], ...]


@_message(80)
@dataclasses.dataclass(frozen=True, slots=True)
class SetGroove(Message):
    """Groove amounts (0-1) for every track (``track`` -1) or one track: ``amount`` of
    the learned timing, ``dynamics`` of the learned velocities. A track plays the
    global amount times its own."""

    track: int
    amount: float
    dynamics: float


@_message(81)
@dataclasses.dataclass(frozen=True, slots=True)
class SetFeel(Message):
    """Whose timing the groove plays: ``feel`` a learned style (e.g. ``funk``), or ""
    for every drummer learned; ``seed`` makes a take's draws reproducible."""

    feel: str
    seed: int


@_message(82)
@dataclasses.dataclass(frozen=True, slots=True)
class SetFollow(Message):
    """How strongly our timing follows a live partner's lean, 0 (ignore them) - 1."""

    amount: float


@_message(83)
@dataclasses.dataclass(frozen=True, slots=True)
class PartnerOnset(Message):
    """The partner played at ``time`` (a note-on from the MIDI input)."""

    time: float


@_message(84)
@dataclasses.dataclass(frozen=True, slots=True)
class GrooveBar(Message):
    """A bar's groove, asked for ahead of its steps (sequencer -> groove worker): its
    ``pattern`` (tracks x 16 sixteenths: 0 rest, 1 hit, 2 accent) at ``bpm``, drawn for
    ``feel`` by a generator seeded with (``seed``, ``bar``)."""

    bar: int
    pattern: tuple[tuple[int, ...], ...]
    bpm: float
    feel: str
    seed: int


@_message(85)
@dataclasses.dataclass(frozen=True, slots=True)
class GrooveAnswer(Message):
    """A :class:`GrooveBar` drawn (groove worker -> sequencer): each position's offset
    (ms, positive late) and velocity, tracks x 16; a position the bar does not play has
    the learned template's, so a step added since, or one between sixteenths, has one
    too. ``error`` says why there is no answer (the rows are then empty)."""

    bar: int
    feel: str
    seed: int
    offset: tuple[tuple[float, ...], ...]
    velocity: tuple[tuple[float, ...], ...]
    error: str = ""


@_message(86)
@dataclasses.dataclass(frozen=True, slots=True)
class FeelLearned(Message):
    """The groove worker's answer to a :class:`SetFeel` that names a take: its groove is
    learned (``error`` empty) and the feel may play, or ``error`` says why not."""

    feel: str
    seed: int
    error: str = ""


# --- sequencer -> engine bridge ---------------------------------------------------------


@_message(30)
@dataclasses.dataclass(frozen=True, slots=True)
class Hit(Message):
    """One drum hit to sound at ``time``; ``choke`` cuts the choke group first."""

    track: int
    time: float
    velocity: int
    choke: bool


@_message(33)
@dataclasses.dataclass(frozen=True, slots=True)
class Hits(Message):
    """Every hit of one step in one message: one hop per step instead of one per
    track, and one bundle per distinct time, which halves the machine's own CPU.
    Each item is a :class:`Hit`'s fields in order."""

    items: tuple[tuple[int, float, int, bool], ...]

    @classmethod
    def of(cls, hits: Iterable[Hit]) -> Hits:
        return cls(tuple((h.track, h.time, h.velocity, h.choke) for h in hits))

    def each(self) -> list[Hit]:
        return [Hit(*item) for item in self.items]


@_message(31)
@dataclasses.dataclass(frozen=True, slots=True)
class SetVoice(Message):
    """The SynthDef and controls a track's hits play with from now on.

    Controls travel as a flat ``(name, value, name, value, ...)`` tuple, the
    shape ``/s_new`` wants, so the bridge forwards them without reshaping.
    """

    track: int
    synthdef: str
    controls: tuple[str | float, ...]
    length: float
    """Seconds one hit rings, so the bridge knows how long tails last."""


@_message(32)
@dataclasses.dataclass(frozen=True, slots=True)
class SetLowpass(Message):
    """The global low-pass on the output: cutoff in Hz, resonance 0 (none) - 1."""

    frequency: float
    resonance: float


# --- editing the session: input -> session --------------------------------------------
# The session actor owns the editable state; it turns these into the messages
# above for the clock, sequencer and bridge, and saves what they change.


@_message(50)
@dataclasses.dataclass(frozen=True, slots=True)
class SetStep(Message):
    """One step of a track: velocity 0 (rest), 64 (hit) or 127 (accent); steps 0-31."""

    track: int
    step: int
    velocity: int


@_message(51)
@dataclasses.dataclass(frozen=True, slots=True)
class SetMorph(Message):
    """Where a track's sound sits between its patch 1 (0.0) and patch 2 (1.0)."""

    track: int
    amount: float


@_message(52)
@dataclasses.dataclass(frozen=True, slots=True)
class SetParam(Message):
    """One parameter of one patch (slot 0 or 1) of a track, in the kit model's units;
    ``name`` is a :class:`actors.kit.Drum` field."""

    track: int
    slot: int
    name: str
    value: float | str | bool


@_message(53)
@dataclasses.dataclass(frozen=True, slots=True)
class LoadKit(Message):
    """Load a Microtonic preset's first five drums into patch slot 0, 1, or both (-1).

    With ``pattern`` (a-l) its pattern, accents, fills, fill rate and swing
    become the tracks' too.
    """

    path: str
    slot: int
    pattern: str


@_message(54)
@dataclasses.dataclass(frozen=True, slots=True)
class SetBasis(Message):
    """The track that generation looks at."""

    track: int


@_message(55)
@dataclasses.dataclass(frozen=True, slots=True)
class SetGeneration(Message):
    """Generation controls: surprise 0 (predictable) - 1 (adventurous); complexity,
    when set, the quantile 0 (plainest) - 1 (most syncopated) of the stored patterns
    that an answer's Toussaint + LHL syncopation should sit at."""

    surprise: float
    complexity: float | None


@_message(56)
@dataclasses.dataclass(frozen=True, slots=True)
class SaveSession(Message):
    path: str


@_message(58)
@dataclasses.dataclass(frozen=True, slots=True)
class LoadSession(Message):
    """Replace the whole session with a saved one (a damaged file changes nothing)."""

    path: str


@_message(59)
@dataclasses.dataclass(frozen=True, slots=True)
class SetHistoryWeight(Message):
    """How much the session's own bars count in generation: 0 the store alone, 1 as
    learned from data, up to 4."""

    weight: float


@_message(64)
@dataclasses.dataclass(frozen=True, slots=True)
class SetBasisOnly(Message):
    """Generate from the basis track alone (the original's way) rather than from every
    other unmuted track as it is."""

    only: bool


@_message(57)
@dataclasses.dataclass(frozen=True, slots=True)
class Generate(Message):
    """Ask for a new pattern for track ``target``: generated from the basis track's
    pattern, or (``continuation``) its steps 17-32 from its own steps 1-16."""

    target: int
    continuation: bool


# --- session <-> generator ---------------------------------------------------------------

DEFAULT_SURPRISE = 0.2
"""The surprise a request has unless it says otherwise; generation.md's figures are at it."""

@_message(70)
@dataclasses.dataclass(frozen=True, slots=True)
class GenerateRequest(Message):
    """New patterns for track ``target`` from the ``bases`` tracks' patterns.

    ``bases`` pairs track indices with their pattern text (``-``/``x``/``X``,
    16 or 32 steps at 1/16, all the same length); the answers have that length.
    ``current`` is the target's pattern now: it is never answered, and with
    ``continuation`` its steps 1-16 are kept and steps 17-32 generated from
    them (``bases`` may then be empty). ``surprise`` runs from 0 (the most
    expected pattern) to 1 (adventurous); ``complexity``, when given, asks for
    a pattern whose Toussaint + LHL syncopation sits at that quantile (0-1)
    of the target track's stored patterns. Equal requests with the same
    ``seed`` get equal answers; ``seed`` None draws a fresh one. ``rate`` is the
    grid of the patterns: at a triplet rate they have 12 or 24 steps and
    continuation answers steps 13-24 from 1-12 (``rules.GENERATION_LENGTHS``).
    ``request_id`` is assigned by the client and echoed in the result.
    """

    target: int
    bases: tuple[tuple[int, str], ...] = ()
    current: str = ""
    continuation: bool = False
    n: int = 1
    seed: int | None = None
    surprise: float = DEFAULT_SURPRISE
    complexity: float | None = None
    rate: str = DEFAULT_STEP_RATE
    request_id: int = 0


@_message(71)
@dataclasses.dataclass(frozen=True, slots=True)
class GenerateResult(Message):
    """``patterns`` (distinct, never ``current``) and per-step hit probabilities.

    ``probs`` has one entry per step of the answers: the model's calibrated
    probability of a hit there given the bases (for a 32-step answer, steps
    17-32 given the first answer's steps 1-16; kept steps are 0 or 1).
    ``error`` is non-empty, and ``patterns`` empty, when the request was invalid.
    """

    request_id: int
    target: int
    patterns: tuple[str, ...]
    probs: tuple[float, ...]
    error: str = ""


@_message(72)
@dataclasses.dataclass(frozen=True, slots=True)
class SetHistory(Message):
    """The session's own bars for the generator to learn from, oldest first.

    Each bar is the five tracks' 16-step text in track order (``""`` where the
    bar does not say); ``weight`` scales how much they count (0: the store
    alone, 1: as learned from data). The generator keeps the latest one.
    """

    bars: tuple[tuple[str, ...], ...]
    weight: float


# --- session -> surfaces -----------------------------------------------------------------


@_message(60)
@dataclasses.dataclass(frozen=True, slots=True)
class SessionState(Message):
    """The whole session as its JSON file text, for surfaces to draw from."""

    text: str


@_message(61)
@dataclasses.dataclass(frozen=True, slots=True)
class GenerationState(Message):
    """A generation for ``target`` is under way (``pending``) or done; when done,
    ``probabilities`` are the model's per-step hit probabilities (32 floats)."""

    target: int
    pending: bool
    probabilities: tuple[float, ...]


# --- MIDI -----------------------------------------------------------------------------------


@_message(40)
@dataclasses.dataclass(frozen=True, slots=True)
class Transport(Message):
    """The clock's transport changed at ``time``: it now stands (or plays on) at
    ``position`` steps.

    Sent by the clock on start, stop, continue and locate (never on a
    :class:`Follow`), in order with its steps, so that a MIDI clock master can
    tell its slaves start, stop, continue and song position in time with the
    audio: they cannot be derived from the steps alone (a stop is the absence
    of a step, and a start and a continue look alike).
    """

    playing: bool
    position: float
    time: float
    ticks: int = 6
    """The step rate in force, as :attr:`Step.ticks`."""


@_message(41)
@dataclasses.dataclass(frozen=True, slots=True)
class BasisCaptured(Message):
    """The notes a player played for ``track`` during the last bar, as a pattern of
    the bar's steps at the step rate, 16 at 1/16 (``-`` rest, ``x`` hit, ``X``
    accent): a basis to generate from."""

    track: int
    text: str


# --- Ableton Link -> surfaces ---------------------------------------------------------------


@_message(42)
@dataclasses.dataclass(frozen=True, slots=True)
class LinkState(Message):
    """The Link session as this peer sees it, for surfaces to show: ``peers`` other
    peers, the session's tempo, our quantum, and whether the transport plays."""

    peers: int
    bpm: float
    quantum: float
    playing: bool
