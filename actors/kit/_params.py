"""The 25 drum parameters as Microtonic writes them: key, unit, scale and range.

Reader, writers and the range clamp all walk this one table, so a unit or a range
is stated once and file order (which the writer reproduces) is the table's order.
"""

from __future__ import annotations

import dataclasses
import math

from actors.rules import FREQUENCY

from ._model import Drum, ModMode

INF = math.inf


@dataclasses.dataclass(frozen=True, slots=True)
class Number:
    key: str
    field: str
    unit: str
    """Text after the number in the file; empty when the author writes none."""
    divisor: float
    """Model value = file value / divisor (1000 turns ms into seconds)."""
    low: float
    high: float
    signed: bool = False
    """The author writes ``+`` before positive values."""


@dataclasses.dataclass(frozen=True, slots=True)
class Choice:
    key: str
    field: str
    options: dict[str, object]
    """File text to model value."""
    default: str | None = None
    """File text assumed when an older file leaves the key out; ``None`` if required."""


@dataclasses.dataclass(frozen=True, slots=True)
class ModRate:
    """Seconds after ``ms`` in Decay mode, Hz otherwise: the unit follows ModMode."""

    key: str = "ModRate"
    field: str = "mod_rate"


@dataclasses.dataclass(frozen=True, slots=True)
class Mix:
    """Written ``osc% / noise%``; the model keeps only the noise share."""

    key: str = "Mix"
    field: str = "mix"


ON_OFF: dict[str, object] = {"On": True, "Off": False}
TRUE_FALSE: dict[str, object] = {"true": True, "false": False}

PARAMETERS: tuple[Number | Choice | ModRate | Mix, ...] = (
    Choice("OscWave", "osc_wave", {"Sine": "Sine", "Triangle": "Triangle", "Saw": "Saw"}),
    Number("OscFreq", "osc_freq", "Hz", 1.0, FREQUENCY.low, FREQUENCY.high),
    Number("OscAtk", "osc_atk", "ms", 1000.0, 0.0, 10.0),
    Number("OscDcy", "osc_dcy", "ms", 1000.0, 0.01, 10.0),
    Choice("ModMode", "mod_mode", {"Decay": "Decay", "Sine": "Sine", "Noise": "Noise"}),
    ModRate(),
    Number("ModAmt", "mod_amt", "sm", 1.0, -96.0, 96.0, signed=True),
    Choice("NFilMod", "nfil_mod", {"LP": "LP", "BP": "BP", "HP": "HP"}),
    Number("NFilFrq", "nfil_frq", "Hz", 1.0, FREQUENCY.low, FREQUENCY.high),
    Number("NFilQ", "nfil_q", "", 1.0, 0.1, 10001.0),
    Choice("NStereo", "nstereo", ON_OFF),
    Choice("NEnvMod", "nenv_mod", {"Exp": "Exp", "Linear": "Linear", "Mod": "Mod"}),
    Number("NEnvAtk", "nenv_atk", "ms", 1000.0, 0.0, 10.0),
    Number("NEnvDcy", "nenv_dcy", "ms", 1000.0, 0.01, 10.0),
    Mix(),
    Number("DistAmt", "dist_amt", "", 1.0, 0.0, 100.0),
    Number("EQFreq", "eq_freq", "Hz", 1.0, FREQUENCY.low, FREQUENCY.high),
    Number("EQGain", "eq_gain", "dB", 1.0, -40.0, 40.0, signed=True),
    Number("Level", "level", "dB", 1.0, -INF, 10.0, signed=True),
    Number("Pan", "pan", "", 1.0, -100.0, 100.0, signed=True),
    Choice("Output", "output", {"A": "A", "B": "B"}, default="A"),
    Choice("Choke", "choke", ON_OFF, default="Off"),
    Number("OscVel", "osc_vel", "%", 1.0, 0.0, 200.0),
    Number("NVel", "n_vel", "%", 1.0, 0.0, 200.0),
    Number("ModVel", "mod_vel", "%", 1.0, 0.0, 200.0),
)

MOD_RATE_HZ = (0.0, FREQUENCY.high)
"""Undocumented (I): zero occurs in old patches, and the float artefacts above 20 kHz
in real files point at the same top as the oscillator's."""
MOD_RATE_SECONDS = (0.0, INF)
"""Undocumented (I): real files reach ``inf ms`` (a bend that never returns)."""


def mod_amt_limit(mode: ModMode) -> float:
    """Semitones of pitch modulation each mode allows (3P: +-96 in Decay, +-48 otherwise)."""
    return 96.0 if mode == "Decay" else 48.0


def clamp(value: float, bounds: tuple[float, float]) -> float:
    return min(max(value, bounds[0]), bounds[1])


def clamp_drum(drum: Drum) -> Drum:
    """The drum with every number inside its documented range.

    Microtonic stores 32-bit floats, so files carry values such as
    ``20000.00195312 Hz``; clamping after unit conversion removes them without
    rounding anything that is legitimately inside the range.
    """
    changes: dict[str, float] = {}
    for parameter in PARAMETERS:
        if isinstance(parameter, Number):
            bounds = (parameter.low, parameter.high)
            if parameter.field == "mod_amt":
                limit = mod_amt_limit(drum.mod_mode)
                bounds = (-limit, limit)
        elif isinstance(parameter, ModRate):
            bounds = MOD_RATE_SECONDS if drum.mod_mode == "Decay" else MOD_RATE_HZ
        elif isinstance(parameter, Mix):
            bounds = (0.0, 1.0)
        else:
            continue
        changes[parameter.field] = clamp(getattr(drum, parameter.field), bounds)
    # the fields named come from PARAMETERS, whose Number, ModRate and Mix are floats
    return dataclasses.replace(drum, **changes)  # type: ignore[arg-type]
