"""32-bit float WAV files: what recordings and renders are written as."""

from __future__ import annotations

import struct
from pathlib import Path
from typing import BinaryIO

import numpy as np


def write_float_wav_header(f: BinaryIO, sample_rate: int, channels: int, frames: int) -> None:
    data_bytes = frames * channels * 4
    fmt = struct.pack("<HHIIHHH", 3, channels, sample_rate, sample_rate * channels * 4,
                      channels * 4, 32, 0)
    fact = struct.pack("<I", frames)
    riff_size = 4 + (8 + len(fmt)) + (8 + len(fact)) + (8 + data_bytes)
    f.write(b"RIFF" + struct.pack("<I", riff_size) + b"WAVE")
    f.write(b"fmt " + struct.pack("<I", len(fmt)) + fmt)
    f.write(b"fact" + struct.pack("<I", len(fact)) + fact)
    f.write(b"data" + struct.pack("<I", data_bytes))


def write_float_wav(path: Path, samples: np.ndarray, sample_rate: int) -> None:
    """``samples`` is (frames, channels)."""
    frames, channels = samples.shape
    with path.open("wb") as f:
        write_float_wav_header(f, sample_rate, channels, frames)
        f.write(np.ascontiguousarray(samples, dtype="<f4").tobytes())
