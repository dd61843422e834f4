"""A recording that outlives the server: segments stitched on one true time line.

scsynth streams each server life's output into its own raw segment file,
with a marker channel holding a step that starts on the exact sample of a
time-stamped marker. A segment's marker time is a whole number of samples
after the first one, so on finishing, every segment can be placed to the
sample, and what a dead server never played is written as silence. The
result is a float WAV whose sample 0 is the first step, plus a JSON sidecar
giving the Unix time of that sample.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import math
import os
import shutil
from pathlib import Path
from typing import BinaryIO

import numpy as np

from ._nodes import RECORD_CHANNELS
from ._wav import write_float_wav_header

log = logging.getLogger(__name__)

_CHUNK_FRAMES = 1 << 16


@dataclasses.dataclass(slots=True)
class Segment:
    path: Path
    frame: int
    """Where this segment's marker was meant to land in the finished file."""
    missed_by: float = 0.0
    """Samples by which the server placed the marker off its time line."""


class Recording:
    def __init__(self, out: Path, sample_rate: int) -> None:
        self.out = out
        self.sample_rate = sample_rate
        self.parts = out.with_name(out.name + ".parts")
        shutil.rmtree(self.parts, ignore_errors=True)
        self.parts.mkdir(parents=True)
        self.start_unix: float | None = None
        self.segments: list[Segment] = []
        self._opened = 0

    def next_segment_path(self) -> Path:
        self._opened += 1
        return self.parts / f"segment-{self._opened}.raw"

    def place_marker(self, path: Path, earliest_unix: float) -> float:
        """Fix the marker of the segment streaming into ``path``; return its Unix time."""
        if self.start_unix is None:
            self.start_unix = earliest_unix
            frame = 0
        else:
            frame = math.ceil((earliest_unix - self.start_unix) * self.sample_rate)
        self.segments.append(Segment(path, frame))
        return self.start_unix + frame / self.sample_rate

    def marker_landed(self, path: Path, missed_by: float) -> None:
        """The server reports where a marker really fell, relative to its time line."""
        for segment in self.segments:
            if segment.path == path:
                segment.missed_by = missed_by

    def finish(self, end_unix: float) -> dict[str, object]:
        """Write the WAV and its sidecar, remove the segments; return the sidecar.

        Sample 0 is the first marker's sample; where that sample sits on the
        server's time line (the marker may miss its time by a fraction of a
        sample, or by the server's start-up error) gives ``start_unix``, so
        every hit placed on that line is exactly where the sidecar says.
        """
        first_miss = self.segments[0].missed_by if self.segments else 0.0
        start = (self.start_unix + first_miss / self.sample_rate
                 if self.start_unix is not None else end_unix)
        total = max(0, round((end_unix - start) * self.sample_rate))
        placed = []
        tmp = self.out.with_name(self.out.name + ".tmp")
        with tmp.open("wb") as f:
            write_float_wav_header(f, self.sample_rate, 2, total)
            position = 0
            for segment in self.segments:
                written = _copy_segment(f, segment, position, total, first_miss)
                if written is not None:
                    first, frames = written
                    placed.append({"start_frame": first, "frames": frames})
                    position = first + frames
            f.write(bytes(8 * (total - position)))
            f.flush()
            os.fsync(f.fileno())
        tmp.replace(self.out)
        sidecar: dict[str, object] = {
            "sample_rate": self.sample_rate,
            "start_unix": start,
            "first_step_unix": self.start_unix,
            "frames": total,
            "segments": placed,
        }
        side = self.out.with_name(self.out.name + ".json")
        side.write_text(json.dumps(sidecar, indent=2) + "\n")
        shutil.rmtree(self.parts, ignore_errors=True)
        gaps = len(placed) - 1
        log.info("recorded %s: %.2f s%s", self.out, total / self.sample_rate,
                 f", {gaps} gap(s) of silence where scsynth was down" if gaps > 0 else "")
        return sidecar


def _copy_segment(f: BinaryIO, segment: Segment, position: int, total: int,
                  first_miss: float) -> tuple[int, int] | None:
    """Append one segment from its marker on; returns (first frame, frames) written."""
    size = segment.path.stat().st_size if segment.path.exists() else 0
    frames = size // (4 * RECORD_CHANNELS)
    if frames == 0:
        log.warning("recording segment %s is empty; its span stays silent", segment.path.name)
        return None
    data = np.memmap(segment.path, dtype="<f4", mode="r", shape=(frames, RECORD_CHANNELS))
    marks = np.flatnonzero(data[:, 2] > 0.5)
    if marks.size == 0:
        log.warning("recording segment %s has no marker; its span stays silent",
                    segment.path.name)
        return None
    source = int(marks[0])
    first = round(segment.frame + segment.missed_by - first_miss)
    if first < position:  # cannot happen for sequential servers; never write backwards
        source += position - first
        first = position
    f.write(bytes(8 * (first - position)))
    end = min(frames, source + total - first)
    for begin in range(source, end, _CHUNK_FRAMES):
        chunk = np.ascontiguousarray(data[begin:min(end, begin + _CHUNK_FRAMES), :2])
        f.write(chunk.astype("<f4").tobytes())
    return first, max(0, end - source)

