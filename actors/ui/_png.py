"""Pictures of patterns: the five tracks' 32 steps as a PNG, for docs and for
looking at what the model generated.

Hits are squares, accents bigger and brighter ones; the first step of each beat
(at the step rate: every 3rd at 1/8T, every 4th at 1/16) has a lighter cell, and
the steps past a track's length, which never play, are drawn faint; a track's generated hit
probabilities, when given, shade its cells' backgrounds from dark (0) to blue
(1), so a picture shows both what was drawn and what the model expected. The
PNG is written with ``zlib`` and ``struct`` (RGB, 8 bits, no filtering).
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable, Mapping, Sequence

import numpy as np

from actors.messages import TRACKS
from actors.rules import (
    ACCENT,
    DEFAULT_STEP_RATE,
    HIT,
    STEP_RATES,
    STEPS,
    TICKS_PER_BEAT,
    check_length,
    check_step_rate,
)
from actors.sequencer import parse_pattern, pattern_text

from ._font import draw_text
from ._state import parse_session

CELL = 16
PITCH = 18
LEFT = 80
TOP = 16
MARGIN = 8

_BACKGROUND = (24, 24, 28)
_CELL = (46, 46, 54)
_CELL_ON_BEAT = (58, 58, 68)
_CELL_PAST = (32, 32, 37)
_HIT_PAST = (100, 75, 45)
_LIKELY = (70, 130, 255)
_HIT = (235, 150, 40)
_ACCENT = (255, 70, 50)
_TEXT = (220, 220, 220)
_RULER = (120, 120, 130)


def pattern_png(session: str | Sequence[str],
                probabilities: Mapping[int, Sequence[float]] | None = None,
                lengths: Sequence[int] = (STEPS,) * len(TRACKS),
                step_rate: str = DEFAULT_STEP_RATE) -> bytes:
    """The pattern grid of ``session`` (its JSON file text, or the five tracks'
    pattern texts with their ``lengths`` and ``step_rate``) as PNG bytes;
    ``probabilities`` maps a track index to its 32 generated hit probabilities (0-1)."""
    if isinstance(session, str):
        view = parse_session(session)
        patterns = [t.pattern for t in view.tracks]
        lengths = [t.length for t in view.tracks]
        step_rate = view.step_rate
    else:
        if len(session) != len(TRACKS) or len(lengths) != len(TRACKS):
            raise ValueError(f"expected {len(TRACKS)} patterns and lengths, got "
                             f"{len(session)} and {len(lengths)}")
        patterns = [pattern_text(parse_pattern(text)) for text in session]
    lengths = [check_length(length) for length in lengths]
    beat = TICKS_PER_BEAT // STEP_RATES[check_step_rate(step_rate)]
    width = LEFT + STEPS * PITCH + MARGIN
    height = TOP + len(TRACKS) * PITCH + MARGIN
    image = np.empty((height, width, 3), np.uint8)
    image[:] = _BACKGROUND

    def plot(colour: tuple[int, int, int]) -> Callable[[int, int], None]:
        def at(x: int, y: int) -> None:
            image[y, x] = colour
        return at

    for step in range(0, STEPS, beat):
        draw_text(plot(_RULER), LEFT + step * PITCH + 2, 4, str(step + 1))
    for track, pattern in enumerate(patterns):
        y = TOP + track * PITCH
        draw_text(plot(_TEXT), MARGIN, y + 3, TRACKS[track], scale=2)
        shades = (probabilities or {}).get(track)
        if shades is not None and len(shades) != STEPS:
            raise ValueError(f"track {track}: expected {STEPS} probabilities, got {len(shades)}")
        for step, char in enumerate(pattern):
            x = LEFT + step * PITCH
            past = step >= lengths[track]
            base: tuple[int, ...] = (_CELL_PAST if past else
                                     _CELL_ON_BEAT if step % beat == 0 else _CELL)
            if shades is not None:
                p = min(max(float(shades[step]), 0.0), 1.0)
                base = tuple(round(b + (c - b) * p) for b, c in zip(base, _LIKELY, strict=True))
            image[y:y + CELL, x:x + CELL] = base
            if char == ACCENT:
                image[y + 2:y + CELL - 2, x + 2:x + CELL - 2] = _HIT_PAST if past else _ACCENT
            elif char == HIT:
                image[y + 4:y + CELL - 4, x + 4:x + CELL - 4] = _HIT_PAST if past else _HIT
    return encode_png(image)


def encode_png(image: np.ndarray) -> bytes:
    """An RGB ``uint8`` array of shape (height, width, 3) as PNG bytes."""
    height, width, _ = image.shape
    rows = np.concatenate([np.zeros((height, 1), np.uint8), image.reshape(height, -1)], axis=1)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(rows.tobytes(), 9)) + chunk(b"IEND", b""))
