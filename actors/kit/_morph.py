"""Morphing between two drum patches, and the knob laws that make it sound even.

Interpolating real units would spend most of a morph near the top of a log-scaled
parameter (half-way from 50 Hz to 5 kHz is 2.5 kHz, far above the perceptual middle),
so the morph moves *knob positions*: each value is mapped to 0-1 with the law
Microtonic's own knob uses (``voice.md``), interpolated linearly, and mapped back.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable

from actors.rules import FREQUENCY, UNIT, frequency_knob, knob_frequency

from ._model import Drum, ModMode
from ._params import PARAMETERS, Number, clamp, mod_amt_limit

_SILENT = 0.0001
"""Level knob positions below this are silent (A)."""
_MOD_RATE_HZ_TOP = FREQUENCY.high


def _attack(v: float) -> float:
    return v * math.pow(10.0, (12.0 * v - 7.0) / 5.0)


def _attack_inverse(t: float) -> float:
    """Bisection: the attack law has no closed-form inverse, but it is increasing."""
    t = clamp(t, (0.0, 10.0))
    low, high = 0.0, 1.0
    for _ in range(60):
        middle = (low + high) / 2.0
        if _attack(middle) < t:
            low = middle
        else:
            high = middle
    return high if _attack(high) - t <= t - _attack(low) else low


def _decay(v: float) -> float:
    return math.pow(10.0, 3.0 * v - 2.0)


def _decay_inverse(t: float) -> float:
    return (math.log10(clamp(t, (0.01, 10.0))) + 2.0) / 3.0


def _resonance(v: float) -> float:
    return 0.1 * math.pow(100010.0, v)


def _resonance_inverse(q: float) -> float:
    return math.log(clamp(q, (0.1, 10001.0)) / 0.1) / math.log(100010.0)


def _level(v: float) -> float:
    return -math.inf if v < _SILENT else 60.0 * v - 49.0 - 1.0 / v


def _level_inverse(db: float) -> float:
    """The positive root of 60v^2 - (49 + dB)v - 1 = 0."""
    if db == -math.inf:
        return 0.0
    b = 49.0 + min(db, 10.0)
    return (b + math.sqrt(b * b + 240.0)) / 120.0


def _bend_time(v: float) -> float:
    return math.inf if v >= 1.0 else _decay(v)


def _bend_time_inverse(t: float) -> float:
    return 1.0 if t == math.inf else _decay_inverse(t)


def _rate(v: float) -> float:
    return math.expm1(v * math.log1p(_MOD_RATE_HZ_TOP))


def _rate_inverse(f: float) -> float:
    return math.log1p(clamp(f, (0.0, _MOD_RATE_HZ_TOP))) / math.log1p(_MOD_RATE_HZ_TOP)


_Law = tuple[Callable[[float], float], Callable[[float], float]]
"""(knob position -> value, value -> knob position)."""

_LAWS: dict[str, _Law] = {
    "osc_freq": (knob_frequency, frequency_knob),
    "nfil_frq": (knob_frequency, frequency_knob),
    "eq_freq": (knob_frequency, frequency_knob),
    "osc_atk": (_attack, _attack_inverse),
    "nenv_atk": (_attack, _attack_inverse),
    "osc_dcy": (_decay, _decay_inverse),
    "nenv_dcy": (_decay, _decay_inverse),
    "nfil_q": (_resonance, _resonance_inverse),
    "level": (_level, _level_inverse),
}


def _linear(low: float, high: float) -> _Law:
    return (
        lambda v: low + v * (high - low),
        lambda value: (clamp(value, (low, high)) - low) / (high - low),
    )


_LAWS.update(
    {
        p.field: _linear(p.low, p.high)
        for p in PARAMETERS
        if isinstance(p, Number) and p.field not in _LAWS and p.field != "mod_amt"
    }
)
_LAWS["mix"] = _linear(0.0, 1.0)

CONTINUOUS: tuple[str, ...] = tuple(
    p.field for p in PARAMETERS if isinstance(p, Number) or p.field in ("mod_rate", "mix")
)
"""Drum fields that morph continuously; every other field switches at the half-way point."""


def _law(name: str, mod_mode: ModMode | None) -> _Law:
    if name in ("mod_rate", "mod_amt"):
        if mod_mode is None:
            raise ValueError(f"{name} follows ModMode: pass mod_mode")
        if name == "mod_amt":
            limit = mod_amt_limit(mod_mode)
            return _linear(-limit, limit)
        # Undocumented (I): a bend time uses the decay law, with the top of the knob
        # meaning a bend that never returns (real files hold ``inf ms``); a Sine/Noise
        # rate uses f = 20001^v - 1, log-like above a few Hz yet reaching 0 Hz, which
        # old patches use.
        return (_bend_time, _bend_time_inverse) if mod_mode == "Decay" else (_rate, _rate_inverse)
    if name not in _LAWS:
        raise ValueError(f"{name!r} is not a continuous drum parameter; see CONTINUOUS")
    return _LAWS[name]


def to_normalised(name: str, value: float, *, mod_mode: ModMode | None = None) -> float:
    """The knob position 0-1 of ``value`` for the drum field ``name`` (out-of-range clamps).

    ``mod_mode`` is required for ``mod_rate`` and ``mod_amt``, whose laws follow it.
    """
    return UNIT.clamp(_law(name, mod_mode)[1](value))


def from_normalised(name: str, v: float, *, mod_mode: ModMode | None = None) -> float:
    """The value of the drum field ``name`` at knob position ``v`` (0-1)."""
    return _law(name, mod_mode)[0](UNIT.clamp(v))


def morph(a: Drum, b: Drum, x: float) -> Drum:
    """The drum ``x`` of the way from ``a`` to ``b`` (0-1).

    Continuous fields move linearly in knob position; the discrete ones (waves,
    modes, NStereo, Output, Choke, the name) are ``b``'s from ``x >= 0.5``. ModRate
    and ModAmt are read with each end's own ModMode and written with the result's,
    as turning a knob keeps its position when the mode switches. The end points
    return ``a`` and ``b`` themselves, so a parked knob plays the stored patch exactly.
    """
    if not UNIT.holds(x):
        raise ValueError(f"morph position must be within {UNIT}, got {x!r}")
    if x == 0.0:
        return a
    if x == 1.0:
        return b
    base = b if x >= 0.5 else a
    changes: dict[str, float] = {}
    for name in CONTINUOUS:
        start = to_normalised(name, getattr(a, name), mod_mode=a.mod_mode)
        end = to_normalised(name, getattr(b, name), mod_mode=b.mod_mode)
        changes[name] = from_normalised(name, start + (end - start) * x, mod_mode=base.mod_mode)
    # CONTINUOUS names only float fields (the Numbers, ModRate and Mix of PARAMETERS)
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]
