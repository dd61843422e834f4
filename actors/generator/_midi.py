"""Drum MIDI files to bars of the five tracks.

A file becomes bars of 16 steps: every note-on is snapped to the nearest 16th
of its file's resolution, and a bar is kept when it has at least one drum note
of any kind (so counts match generation.md's GMD table). Only 4/4 files are
read -- a 16-step bar means nothing in 3/4 -- and a file without a
time-signature event is 4/4, as the MIDI standard says. Drum notes are taken
from channel 10 when the file uses it, else from every channel (DAW exports
often put a lone drum part on channel 1).

Mapping (Magenta's Roland classes, with two deliberate choices):

* kick 35, 36; snare 38, 37 (cross-stick), 40 (rim); open hat 46, 26.
* **hi-hat is the time line.** A drum machine's closed hat carries the pulse a
  drummer keeps on a cymbal, so in each bar it is whichever cymbal voice the
  drummer played on the most steps: stick hats (42, 22), ride (51, 53, 59),
  crash (49, 52, 55, 57) or pedal hat (44), a tie going to the hands in that
  order. So a rock bar on the hats is its stick hats (the foot's 2-and-4 chick
  is not blended in), a jazz bar its ride, a chorus ridden on the crash its
  crash, and a bar where one stick "chick" or ride bell sits over the foot
  keeping eighths is the foot's line rather than that single hit. (Taking stick
  hats whenever any were played gives another line in 11 % of GMD train bars.)
* **clap is the loud backbeat layer.** GM hand claps (39) are used when a file
  has any; GMD has none, so there the clap track is the snare or rim stroke
  (38, 40) played at velocity >= 90 -- 69 % of GMD bars have one and its most
  common pattern is the 2-and-4 backbeat, which is what a clap doubles.

A hit played at velocity >= 100 is an accent.

**Triplet grids.** A take whose hits lie closer, in root mean square, to the
eighth-note triplets than to the sixteenths is played in triplets (a shuffle, a
12/8 feel) and is read a second and third time, each hit snapped to the nearest
eighth triplet (bars of 12 steps, for 1/8T) and to the nearest sixteenth triplet
(bars of 24 steps, stored as two halves of 12, for 1/16T). The triplet grid has
fewer points per beat than the sixteenths, so a straight take fits it worse even
where its timing is loose; a straight take forced onto it would teach a
sixteenth-note groove as a wrong triplet one, so straight takes are on 1/16 only.
On GMD train this keeps 47 of 368 beat takes (shuffles, 12/8 bembe and chacarera,
jazz; docs/generator-triplets.md).
"""

from __future__ import annotations

import csv
import dataclasses
import logging
from collections.abc import Iterable
from pathlib import Path

import mido

from actors.messages import TRACKS
from actors.rules import DEFAULT_STEP_RATE, GENERATION_UNIT, bar_steps

from ._corpus import unit_position
from ._patterns import STEPS, Bar

log = logging.getLogger(__name__)

ACCENT_VELOCITY = 100
CLAP_PROXY_VELOCITY = 90
_DRUM_CHANNEL = 9

_KICK = frozenset({35, 36})
_SNARE = frozenset({37, 38, 40})
_STICK_HAT = frozenset({42, 22})
_RIDE = frozenset({51, 53, 59})
_CRASH = frozenset({49, 52, 55, 57})
_PEDAL_HAT = frozenset({44})
_TIME_LINE = (_STICK_HAT, _RIDE, _CRASH, _PEDAL_HAT)
"""Cymbal voices that can keep time, in the order a tie between them is settled."""
_OPEN_HAT = frozenset({46, 26})
_HAND_CLAP = 39
_CLAP_PROXY = frozenset({38, 40})


Units = dict[int, tuple[Bar, ...]]
"""A take's units on one grid, keyed by position so that gaps break continuity."""


@dataclasses.dataclass(frozen=True, slots=True)
class Song:
    """The bars of one file, keyed by bar number so that gaps break continuity, and,
    for a take in triplets, its units on each triplet grid."""

    name: str
    style: str
    bars: Units
    triplets: dict[str, Units] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass(frozen=True, slots=True)
class TrackHit:
    """One note the mapping puts on a track, where it was played: ``tick`` exactly,
    ``step`` its nearest 16th (from the file's start)."""

    track: int
    step: int
    tick: int
    velocity: int


@dataclasses.dataclass(frozen=True, slots=True)
class DrumPart:
    """The drum notes of one 4/4 file on the five tracks (see the module's mapping)."""

    step_ticks: float
    bpm: float
    """The file's first tempo (120, MIDI's default, when it has none)."""
    hits: tuple[TrackHit, ...]
    bars: tuple[int, ...]
    """The bars with any drum note (a bar of toms alone has no track hits)."""


def read_drum_part(path: Path) -> DrumPart | None:
    """Every note-on the mapping puts on a track, or ``None`` for a file not in 4/4.

    The groove model reads the same hits as the generator, with their exact ticks."""
    midi = mido.MidiFile(path)
    step_ticks = midi.ticks_per_beat / 4
    notes: list[tuple[int, int, int, int]] = []  # tick, note, velocity, channel
    tempo: int | None = None
    tick = 0
    for message in mido.merge_tracks(midi.tracks):
        tick += message.time
        if message.type == "time_signature" and (message.numerator, message.denominator) != (
            4,
            4,
        ):
            return None
        if message.type == "set_tempo" and tempo is None:
            tempo = message.tempo
        if message.type == "note_on" and message.velocity > 0:
            notes.append((tick, message.note, message.velocity, message.channel))
    if any(channel == _DRUM_CHANNEL for *_, channel in notes):
        notes = [n for n in notes if n[3] == _DRUM_CHANNEL]
    has_claps = any(note == _HAND_CLAP for _, note, _, _ in notes)
    by_bar: dict[int, list[tuple[int, int, int, int]]] = {}  # step in bar, note, velocity, tick
    for tick, note, velocity, _ in notes:
        step = round(tick / step_ticks)
        by_bar.setdefault(step // STEPS, []).append((step % STEPS, note, velocity, tick))
    hits = []
    for bar, played in sorted(by_bar.items()):
        for track, chosen in enumerate(_track_notes([(s, n, v) for s, n, v, _ in played],
                                                    has_claps)):
            hits += [TrackHit(track, bar * STEPS + played[i][0], played[i][3], played[i][2])
                     for i in chosen]
    bpm = 120.0 if tempo is None else mido.tempo2bpm(tempo)
    return DrumPart(step_ticks, bpm, tuple(hits), tuple(sorted(by_bar)))


def read_song(path: Path, name: str = "", style: str = "") -> Song | None:
    """The five tracks of every non-empty bar, or ``None`` for a file not in 4/4."""
    part = read_drum_part(path)
    if part is None:
        return None
    triplets = {}
    if in_triplets(part):
        triplets = {rate: _units(part, rate) for rate in GENERATION_UNIT
                    if rate != DEFAULT_STEP_RATE}
    return Song(name or path.stem, style, _units(part, DEFAULT_STEP_RATE), triplets)


def in_triplets(part: DrumPart) -> bool:
    """Whether the take's hits fit the eighth triplets better than the sixteenths."""
    beat_ticks = 4 * part.step_ticks
    beats = [tick / beat_ticks for tick in sorted({hit.tick for hit in part.hits})]

    def error(per_beat: int) -> float:
        return sum((b * per_beat - round(b * per_beat)) ** 2 for b in beats) / per_beat**2

    return error(3) < error(4)


def _units(part: DrumPart, rate: str) -> Units:
    """The take's units at ``rate``, every hit snapped to the nearest step there."""
    bar, unit = bar_steps(rate), GENERATION_UNIT[rate]
    step_ticks = part.step_ticks * STEPS / bar
    by_unit: dict[int, list[list[tuple[int, int]]]] = {}
    for index in part.bars:
        for k in range(bar // unit):
            by_unit[unit_position(rate, index * bar // unit + k)] = [[] for _ in TRACKS]
    for hit in part.hits:
        step = round(hit.tick / step_ticks)
        tracks = by_unit.setdefault(unit_position(rate, step // unit), [[] for _ in TRACKS])
        tracks[hit.track].append((step % unit, hit.velocity))
    return {index: tuple(_bar(track, unit) for track in tracks)
            for index, tracks in sorted(by_unit.items())}


def _bar(selected: Iterable[tuple[int, int]], steps: int) -> Bar:
    loudest = [0] * steps
    for step, velocity in selected:
        loudest[step] = max(loudest[step], velocity)
    return Bar(
        sum(1 << i for i, v in enumerate(loudest) if v),
        sum(1 << i for i, v in enumerate(loudest) if v >= ACCENT_VELOCITY),
    )


def _track_notes(hits: list[tuple[int, int, int]], has_claps: bool
                 ) -> tuple[list[int], ...]:
    """Which of one bar's ``(step, note, velocity)`` hits each of the five tracks plays
    (indices into ``hits``; the clap proxy shares its hits with the snare)."""

    def of(notes: frozenset[int]) -> list[int]:
        return [i for i, (_, note, _) in enumerate(hits) if note in notes]

    time_line = max(
        (of(voice) for voice in _TIME_LINE), key=lambda played: len({hits[i][0] for i in played})
    )
    if has_claps:
        clap = [i for i, (_, note, _) in enumerate(hits) if note == _HAND_CLAP]
    else:
        clap = [i for i in of(_CLAP_PROXY) if hits[i][2] >= CLAP_PROXY_VELOCITY]
    return (of(_KICK), of(_SNARE), time_line, of(_OPEN_HAT), clap)


@dataclasses.dataclass(frozen=True, slots=True)
class MidiFile:
    path: Path
    name: str
    style: str


def find_midi(folder: Path, split: str | None = None, beats_only: bool = True) -> list[MidiFile]:
    """The MIDI files to read from a folder, chosen through its ``info.csv`` when it has one.

    With GMD's ``info.csv`` only 4/4 *beat* files are taken (fills are one-bar
    gestures, not grooves: generation.md's figures are on beat bars) and,
    when ``split`` is given, only that split. Without it every ``*.mid`` /
    ``*.midi`` below the folder is read.
    """
    info = folder / "info.csv"
    if not info.exists():
        if split is not None:
            raise ValueError(f"{folder} has no info.csv to take split {split!r} from")
        found = sorted(p for p in folder.rglob("*") if p.suffix.lower() in (".mid", ".midi"))
        return [MidiFile(p, str(p.relative_to(folder)), "") for p in found]
    files = []
    with info.open(newline="") as f:
        for row in csv.DictReader(f):
            if beats_only and row.get("beat_type", "beat") != "beat":
                continue
            if row.get("time_signature", "4-4") != "4-4":
                continue
            if split is not None and row.get("split") != split:
                continue
            path = folder / row["midi_filename"]
            if path.exists():
                files.append(MidiFile(path, row["midi_filename"], row.get("style", "")))
    return files


def read_file(file: MidiFile) -> Song | None:
    """:func:`read_song` for a pool worker: an unreadable or non-4/4 file is logged, gives None."""
    try:
        song = read_song(file.path, file.name, file.style)
    except (OSError, ValueError, EOFError) as error:
        log.warning("skipping unreadable MIDI file %s: %s", file.path, error)
        return None
    if song is None:
        log.info("skipping %s: not in 4/4", file.path)
    return song
