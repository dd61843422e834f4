"""Reading what the machine wrote, and finding its onsets, for the tests."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import numpy as np

from actors.engine_bridge import SCD_DIR, Voice, ensure_synthdefs

TESTS_SCD = Path(__file__).parent / "scd"
CLICK_CODES = (0.5, 0.25, 0.125, 0.0625, 0.03125)
"""Each track's click amplitude: powers of two, so sums of simultaneous clicks decode."""


def click_synthdefs() -> Path:
    """Compiled engine defs plus the test click voice, in one directory."""
    return ensure_synthdefs((SCD_DIR / "defs", TESTS_SCD))


def click_voices() -> tuple[Voice, ...]:
    return tuple(Voice("supertonic_test_click", ("code", c), 0.01) for c in CLICK_CODES)


def read_wav(path: Path) -> tuple[int, np.ndarray]:
    """Sample rate and (frames, channels) float array of a PCM16 or float32 WAV."""
    data = path.read_bytes()
    assert data[:4] == b"RIFF" and data[8:12] == b"WAVE", f"{path} is not a WAV file"
    pos, fmt, samples = 12, None, None
    while pos + 8 <= len(data):
        chunk, size = data[pos : pos + 4], struct.unpack("<I", data[pos + 4 : pos + 8])[0]
        body = data[pos + 8 : pos + 8 + size]
        if chunk == b"fmt ":
            fmt = struct.unpack("<HHIIHH", body[:16])
        elif chunk == b"data":
            samples = body
        pos += 8 + size + (size & 1)
    assert fmt is not None and samples is not None, f"{path} lacks fmt or data"
    code, channels, rate, _, _, bits = fmt
    if code == 3 and bits == 32:
        array = np.frombuffer(samples, dtype="<f4")
    elif code == 1 and bits == 16:
        array = np.frombuffer(samples, dtype="<i2").astype(np.float32) / 32768
    else:
        raise AssertionError(f"unsupported WAV format {code}/{bits} bits")
    return rate, array.reshape(-1, channels)


def read_sidecar(wav: Path) -> dict:
    return json.loads(wav.with_name(wav.name + ".json").read_text())


def click_onsets(left: np.ndarray) -> dict[int, list[int]]:
    """Sample positions of each track's clicks, decoded from the summed codes."""
    found: dict[int, list[int]] = {i: [] for i in range(len(CLICK_CODES))}
    for position in np.flatnonzero(np.abs(left) > 1e-6):
        value = float(left[position])
        for track, code in enumerate(CLICK_CODES):
            if value >= code - 1e-6:
                found[track].append(int(position))
                value -= code
        assert abs(value) < 1e-6, f"undecodable sample {left[position]} at {position}"
    return found
