"""Rendering voice hits offline and measuring them, shared by the voice tests.

Each ``scsynth -N`` start costs about 0.3 s, so tests batch many hits into one
render, spaced far enough apart that they never overlap, and slice the result.
"""

from __future__ import annotations

import dataclasses
import math
import struct
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from actors.engine_bridge import (
    ADD_TO_TAIL,
    CLOCK_DEF,
    Bundle,
    GroupNew,
    ReceiveDef,
    Request,
    choke_request,
    clock_request,
    ensure_synthdefs,
    render_score,
    sample_count,
    voice_request,
)
from actors.kit import Drum
from actors.voice import voice_for
from tests.audio import read_wav

RATE = 48000
SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@dataclasses.dataclass(frozen=True)
class Hit:
    time: float
    synthdef: str
    controls: tuple[str | float, ...]
    velocity: float = 127.0
    group: int = 0


def drum_hit(time: float, drum: Drum, velocity: float = 127.0, group: int = 0) -> Hit:
    name, controls = voice_for(drum)
    return Hit(time, name, controls, velocity, group)


def render(
    hits: Sequence[Hit],
    end: float,
    extra: Sequence[Bundle] = (),
    groups: Sequence[int] = (),
) -> np.ndarray:
    """Render the hits (plus extra bundles) and return (frames, 2) float samples."""
    defs = ensure_synthdefs()
    names = sorted({h.synthdef for h in hits} | {CLOCK_DEF})
    setup: list[Request] = [ReceiveDef((defs / f"{n}.scsyndef").read_bytes()) for n in names]
    setup += [clock_request(), *(GroupNew(g, ADD_TO_TAIL, 0) for g in groups)]
    bundles = [Bundle(0.0, tuple(setup))]
    bundles += [Bundle(h.time, (hit_request(h),)) for h in hits]
    return render_bundles([*bundles, *extra], end)


def render_bundles(bundles: Sequence[Bundle], end: float) -> np.ndarray:
    """Render a score and return its (frames, 2) float samples."""
    with tempfile.TemporaryDirectory(prefix="supertonic-voice-") as tmp:
        wav = Path(tmp) / "out.wav"
        render_score(bundles, end, wav)
        return read_wav(wav)[1]


def hit_request(hit: Hit) -> Request:
    """The voice of ``hit`` placed on its time's sample, as the bridge and render place it."""
    return voice_request(hit.synthdef, hit.controls, float(hit.velocity),
                         sample_count(hit.time * RATE), hit.group)


def choke(time: float, group: int) -> Bundle:
    return Bundle(time, (choke_request(group, sample_count(time * RATE)),))


def segment(audio: np.ndarray, start: float, length: float) -> np.ndarray:
    a = round(start * RATE)
    return audio[a : a + round(length * RATE)]


def db(x: float) -> float:
    return 20.0 * math.log10(max(x, 1e-30))


def rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(x, dtype=np.float64))))


def band_level(x: np.ndarray, low: float, high: float) -> float:
    """Power in [low, high] Hz of a Hann-windowed spectrum, in dB."""
    spectrum = np.abs(np.fft.rfft(x * np.hanning(len(x)))) ** 2
    freqs = np.fft.rfftfreq(len(x), 1.0 / RATE)
    return 10.0 * math.log10(float(spectrum[(freqs >= low) & (freqs <= high)].sum()) + 1e-30)


def peak_frequency(x: np.ndarray) -> float:
    """Frequency of the strongest spectral line, refined by parabolic interpolation."""
    padded = len(x) * 4
    spectrum = np.abs(np.fft.rfft(x * np.hanning(len(x)), padded))
    k = int(np.argmax(spectrum[1:-1])) + 1
    a, b, c = np.log(spectrum[k - 1 : k + 2] + 1e-30)
    offset = 0.5 * (a - c) / (a - 2 * b + c)
    return (k + offset) * RATE / padded


def mix_gains(mix: float) -> tuple[float, float]:
    """The author's mix law (voice.md), the oracle for the synth: (osc, noise)."""
    c = 2.0 * mix - 1.0
    side = (1.0 - abs(c)) * 10.0 ** (-25.0 * abs(c) / 20.0)
    return (side, 1.0) if c > 0 else (1.0, side)


def velocity_gain(velocity: float, percent: float) -> float:
    """The author's velocity law (voice.md)."""
    x = max(1.0 - (127.0 - velocity) / 63.0 * (percent / 200.0), 0.0)
    return x * 10.0 ** (37.0 * (x - 1.0) / 20.0)


def pan_gains(pan: float) -> tuple[float, float]:
    """Sine/cosine pan law (voice.md): (left, right)."""
    theta = (pan + 100.0) / 200.0 * math.pi / 2.0
    return math.cos(theta), math.sin(theta)


@dataclasses.dataclass(frozen=True)
class SynthDefInfo:
    name: str
    controls: tuple[str, ...]
    ugens: tuple[tuple[str, int, int], ...]
    """(class name, rate, special index) per UGen; rate 0 scalar, 1 control, 2 audio.

    The special index names the operator of a Unary/BinaryOpUGen (42 is clip2)."""


def read_synthdef(path: Path) -> SynthDefInfo:
    """The parts of an SCgf version 2 file the tests need: control names and UGens."""
    data = path.read_bytes()
    assert data[:4] == b"SCgf" and struct.unpack(">i", data[4:8])[0] == 2
    pos = 10  # magic, version, number of defs (one per file here)

    def take(fmt: str) -> tuple:
        nonlocal pos
        values = struct.unpack_from(">" + fmt, data, pos)
        pos += struct.calcsize(">" + fmt)
        return values

    def pstring() -> str:
        nonlocal pos
        size = data[pos]
        pos += 1 + size
        return data[pos - size : pos].decode()

    name = pstring()
    (constants,) = take("i")
    pos += 4 * constants
    (params,) = take("i")
    pos += 4 * params
    (names,) = take("i")
    controls = []
    for _ in range(names):
        controls.append(pstring())
        take("i")
    (count,) = take("i")
    ugens = []
    for _ in range(count):
        cls = pstring()
        rate, inputs, outputs, special = take("biih")
        pos += 8 * inputs + outputs
        ugens.append((cls, rate, special))
    return SynthDefInfo(name, tuple(controls), tuple(ugens))
