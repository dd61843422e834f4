"""Drum takes as the groove model sees them: each bar's pattern and how it was played.

A take is one MIDI file, read with the generator's note-to-track mapping
(:func:`actors.generator.read_drum_part`). Per bar, track and 16th step it keeps
the loudest hit (as GrooVAE does): its offset from the step in ms (positive =
late) and its velocity, and the pattern a drum machine would hold for that bar
(hit, or accent at velocity >= 100 -- the generator's rule).
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import logging
import os
from pathlib import Path

import numpy as np

from actors.generator import MidiFile, find_midi, progress, read_drum_part
from actors.messages import TRACKS
from actors.rules import BAR_STEPS

log = logging.getLogger(__name__)

ACCENT_VELOCITY = 100
REST, HIT, ACCENT = 0, 1, 2
"""A step of a :attr:`Take.pattern`."""


@dataclasses.dataclass(frozen=True)
class Take:
    """One performance, bar by bar (arrays of shape bars x tracks x 16)."""

    name: str
    style: str
    """GMD's style before any ``/`` (``funk/purdieshuffle`` is funk), or ''."""
    bpm: float
    bar_numbers: np.ndarray
    """Each bar's number in the file: a gap means bars without drums between."""
    pattern: np.ndarray
    """REST, HIT or ACCENT (int8)."""
    offset: np.ndarray
    """ms from the step, positive late; NaN at a rest."""
    velocity: np.ndarray
    """1-127; 0 at a rest."""

    @property
    def step_ms(self) -> float:
        return 60000.0 / self.bpm / 4


def read_take(path: Path, name: str = "", style: str = "") -> Take | None:
    """The take in ``path``, or ``None`` when it is not 4/4 or has no track hits."""
    part = read_drum_part(path)
    if part is None or not part.hits:
        return None
    bars = sorted({hit.step // BAR_STEPS for hit in part.hits})
    row = {bar: i for i, bar in enumerate(bars)}
    shape = (len(bars), len(TRACKS), BAR_STEPS)
    offset = np.full(shape, np.nan, np.float32)
    velocity = np.zeros(shape, np.int16)
    step_ms = 60000.0 / part.bpm / 4
    for hit in part.hits:
        where = (row[hit.step // BAR_STEPS], hit.track, hit.step % BAR_STEPS)
        if hit.velocity > velocity[where]:
            velocity[where] = hit.velocity
            offset[where] = (hit.tick / part.step_ticks - hit.step) * step_ms
    pattern = np.where(velocity >= ACCENT_VELOCITY, ACCENT, np.where(velocity > 0, HIT, REST))
    return Take(name or path.stem, style.split("/")[0], part.bpm, np.array(bars),
                pattern.astype(np.int8), offset, velocity)


def _read(file: MidiFile) -> Take | None:
    try:
        return read_take(file.path, file.name, file.style)
    except (OSError, ValueError, EOFError) as error:
        log.warning("skipping unreadable MIDI file %s: %s", file.path, error)
        return None


def read_takes(folder: Path, split: str | None = None) -> list[Take]:
    """Every readable 4/4 beat file below ``folder`` (GMD's ``info.csv`` chooses the
    files and split when present), read by a pool of processes under a progress bar."""
    files = find_midi(folder, split)
    if not files:
        raise ValueError(f"no MIDI files found in {folder}")
    workers = min(os.cpu_count() or 1, 4)
    with concurrent.futures.ProcessPoolExecutor(workers) as pool:
        takes = list(progress(pool.map(_read, files, chunksize=8), len(files), "reading MIDI"))
    return [take for take in takes if take is not None]
