"""From a drum's parameters to the SynthDef and controls of one hit.

The voice's laws (envelopes, mix, velocity, filter, distortion, EQ, level, pan)
are computed inside the SynthDefs, in scalar-rate math that scsynth evaluates
once per hit (``scd/defs/voice.scd``). So this mapping only chooses the def for
the hit's discrete modes and passes parameters in the model's real units: the
bridge, the norns engine and ``scd/drumset.scd`` then share one implementation
of every law instead of three that could drift apart.
"""

from __future__ import annotations

from ..kit import Drum

DECAY_TAIL = 4.0 / 3.0
"""An exponential decay reaches -60 dB at its stated time and ends at 4/3 of it."""

_FILTER_MODES = {"LP": 0.0, "BP": 1.0, "HP": 2.0}


def _has_tone(drum: Drum) -> bool:
    """Whether the oscillator is heard: the mix law silences it exactly at 100 % noise."""
    return drum.mix < 1.0


def _has_noise(drum: Drum) -> bool:
    """Whether the noise is heard: the mix law silences it exactly at 0 % noise."""
    return drum.mix > 0.0


def synthdef_name(drum: Drum) -> str:
    """The def computing exactly this drum's branches; the rule of ``voice.scd``.

    ``supertonic_<wave>-<modmode>_<envmode>-<mono|stereo>[_dist]``, lower case,
    with ``none`` for a part the mix silences, and ``_dist`` only when DistAmt > 0
    (at 0 the chain stays perfectly linear).
    """
    tone = f"{drum.osc_wave}-{drum.mod_mode}".lower() if _has_tone(drum) else "none"
    stereo = "stereo" if drum.nstereo else "mono"
    noise = f"{drum.nenv_mod.lower()}-{stereo}" if _has_noise(drum) else "none"
    dist = "_dist" if drum.dist_amt > 0.0 else ""
    return f"supertonic_{tone}_{noise}{dist}"


def voice_for(drum: Drum) -> tuple[str, tuple[str | float, ...]]:
    """(SynthDef name, flat control list) for a hit; the bridge appends ``vel``.

    Only the controls the chosen def has are sent. Times are seconds, ModRate is
    seconds in Decay mode (``inf`` allowed) and Hz otherwise, Level may be ``-inf``.
    """
    controls: list[str | float] = ["mix", drum.mix]
    if _has_tone(drum):
        controls += [
            "osc_freq", drum.osc_freq, "osc_atk", drum.osc_atk, "osc_dcy", drum.osc_dcy,
            "mod_rate", drum.mod_rate, "mod_amt", drum.mod_amt,
            "osc_vel", drum.osc_vel, "mod_vel", drum.mod_vel,
        ]  # fmt: skip
    if _has_noise(drum):
        controls += [
            "nfil_mod", _FILTER_MODES[drum.nfil_mod], "nfil_frq", drum.nfil_frq,
            "nfil_q", drum.nfil_q, "nenv_atk", drum.nenv_atk, "nenv_dcy", drum.nenv_dcy,
            "noise_vel", drum.n_vel,
        ]  # fmt: skip
    if drum.dist_amt > 0.0:
        controls += ["dist_amt", drum.dist_amt]
    controls += ["eq_freq", drum.eq_freq, "eq_gain", drum.eq_gain]
    controls += ["level", drum.level, "pan", drum.pan]
    return synthdef_name(drum), tuple(c if isinstance(c, str) else float(c) for c in controls)


def voice_length(drum: Drum) -> float:
    """Seconds until the hit frees itself: its longest envelope's end, as the def computes it."""
    lengths = []
    if _has_tone(drum):
        decay = _clamp(drum.osc_dcy, 0.001, 10.0)
        lengths.append(_clamp(drum.osc_atk, 0.0, 10.0) + decay * DECAY_TAIL)
    if _has_noise(drum):
        decay = _clamp(drum.nenv_dcy, 0.001, 10.0)
        tail = 1.0 if drum.nenv_mod == "Linear" else DECAY_TAIL
        lengths.append(_clamp(drum.nenv_atk, 0.0, 10.0) + decay * tail)
    return max(lengths)


def _clamp(value: float, low: float, high: float) -> float:
    return min(max(value, low), high)
