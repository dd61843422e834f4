"""The kit model: one drum's parameters in real units, and a whole Microtonic kit.

Every reader (the preset dialects) produces these types and every writer
consumes them, so units are fixed here once: frequencies in Hz, times in
seconds, pitch in semitones, gains in dB, sensitivities in percent (0-200).
"""

from __future__ import annotations

import dataclasses
from typing import Literal

OscWave = Literal["Sine", "Triangle", "Saw"]
ModMode = Literal["Decay", "Sine", "Noise"]
FilterMode = Literal["LP", "BP", "HP"]
EnvMode = Literal["Exp", "Linear", "Mod"]
StepRate = Literal["1/8", "1/8T", "1/16", "1/16T", "1/32"]

PATTERN_NAMES = "abcdefghijkl"
CHANNELS = 8


@dataclasses.dataclass(frozen=True, slots=True)
class Drum:
    """One Microtonic drum patch (the 25 parameters of ``voice.md``, in file order)."""

    name: str = "init"
    osc_wave: OscWave = "Sine"
    osc_freq: float = 100.0
    """Hz, 20 - 20 000."""
    osc_atk: float = 0.0
    """Seconds, 0 - 10."""
    osc_dcy: float = 0.3
    """Seconds to -60 dB, 0.01 - 10."""
    mod_mode: ModMode = "Decay"
    mod_rate: float = 0.1
    """Seconds (may be ``inf``) when ``mod_mode`` is Decay, else Hz."""
    mod_amt: float = 0.0
    """Signed semitones."""
    nfil_mod: FilterMode = "LP"
    nfil_frq: float = 20000.0
    """Hz."""
    nfil_q: float = 0.70710677
    nstereo: bool = False
    nenv_mod: EnvMode = "Exp"
    nenv_atk: float = 0.0
    """Seconds."""
    nenv_dcy: float = 0.3
    """Seconds."""
    mix: float = 0.5
    """Noise share, 0 (all oscillator) - 1 (all noise); the file writes ``osc% / noise%``."""
    dist_amt: float = 0.0
    """0 - 100."""
    eq_freq: float = 1000.0
    """Hz."""
    eq_gain: float = 0.0
    """dB, +-40."""
    level: float = 0.0
    """dB, up to +10; ``-inf`` is silent."""
    pan: float = 0.0
    """-100 (left) - +100 (right)."""
    output: Literal["A", "B"] = "A"
    choke: bool = False
    osc_vel: float = 0.0
    """Percent, 0 - 200."""
    n_vel: float = 0.0
    mod_vel: float = 0.0


@dataclasses.dataclass(frozen=True, slots=True)
class Channel:
    """One channel's 16 steps in one pattern; each string is 16 of ``#``/``-``."""

    triggers: str = "-" * 16
    accents: str = "-" * 16
    fills: str = "-" * 16


@dataclasses.dataclass(frozen=True, slots=True)
class Pattern:
    length: int = 16
    chained: bool = False
    channels: tuple[Channel, ...] = tuple(Channel() for _ in range(CHANNELS))


@dataclasses.dataclass(frozen=True, slots=True)
class Kit:
    """A whole Microtonic preset: 8 drums, 12 patterns a-l and the global settings."""

    drums: tuple[Drum, ...] = tuple(Drum() for _ in range(CHANNELS))
    patterns: tuple[Pattern, ...] = tuple(Pattern() for _ in PATTERN_NAMES)
    name: str = ""
    tempo: float | None = None
    """BPM; user-saved presets carry none."""
    selected_pattern: str = "a"
    step_rate: StepRate = "1/16"
    swing: float = 0.0
    """0.0 - 1.0 (the file writes percent)."""
    fill_rate: float = 2.0
    master_volume: float = 0.0
    """dB."""
    mutes: tuple[bool, ...] = (False,) * CHANNELS
