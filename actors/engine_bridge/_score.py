"""The non-real-time sink: the same request bundles, written as an ``scsynth -N`` score.

Rendering offline through the very bundles the live bridge would send is
what lets a render and a live recording agree to the sample.
"""

from __future__ import annotations

import struct
import subprocess
import tempfile
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from ._requests import Bundle, ControlSet, encode_bundle, time_tag
from ._server import find_scsynth


class RenderError(RuntimeError):
    """scsynth -N failed; the message carries its output."""


def score_bytes(bundles: Iterable[Bundle], end_time: float) -> bytes:
    """Encode bundles (times in seconds from 0) as a score ending at ``end_time``.

    scsynth stops rendering at the last bundle, so a dummy ``/c_set`` at
    ``end_time`` fixes the file's length.
    """
    ordered = sorted(bundles, key=lambda b: b.time)
    ordered.append(Bundle(end_time, (ControlSet(0, 0.0),)))
    out = bytearray()
    for bundle in ordered:
        data = encode_bundle(bundle.requests, time_tag(bundle.time))
        out += struct.pack(">i", len(data))
        out += data
    return bytes(out)


def render_score(
    bundles: Iterable[Bundle],
    end_time: float,
    out_wav: Path,
    *,
    sample_rate: int = 48000,
    channels: int = 2,
    sample_format: str = "float",
) -> None:
    """Render ``bundles`` to ``out_wav`` with ``scsynth -N``; raise :class:`RenderError`."""
    score = out_wav.with_name(out_wav.name + ".osc")
    score.write_bytes(score_bytes(bundles, end_time))
    try:
        cmd = [
            find_scsynth(), "-N", str(score), "_", str(out_wav), str(sample_rate), "WAV",
            sample_format, "-o", str(channels), "-i", "0",
        ]
        result = subprocess.run(cmd, capture_output=True, text=True, timeout=600, check=False)
    finally:
        score.unlink(missing_ok=True)
    if result.returncode != 0 or not out_wav.exists():
        raise RenderError(f"scsynth -N exited {result.returncode}:\n{result.stdout}{result.stderr}")


def render_samples(bundles: Iterable[Bundle], end_time: float, *, sample_rate: int,
                   channels: int = 2) -> np.ndarray:
    """Render ``bundles`` and return the (frames, channels) float32 samples, whole
    blocks of them (scsynth -N renders no part of a block), for the caller to cut."""
    with tempfile.TemporaryDirectory(prefix="supertonic-render-") as scratch:
        raw = Path(scratch) / "out.raw"
        score = Path(scratch) / "score.osc"
        score.write_bytes(score_bytes(bundles, end_time))
        cmd = [find_scsynth(), "-N", str(score), "_", str(raw), str(sample_rate), "raw",
               "float", "-o", str(channels), "-i", "0"]
        result = subprocess.run(cmd, capture_output=True, text=True, timeout=600, check=False)
        if result.returncode != 0 or not raw.exists():
            raise RenderError(
                f"scsynth -N exited {result.returncode}:\n{result.stdout}{result.stderr}")
        return np.fromfile(raw, dtype="<f4").reshape(-1, channels)
