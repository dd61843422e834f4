"""Pattern text: ``-`` rest, ``x`` hit, ``X`` accent; 32 steps, shorter text repeats."""

from __future__ import annotations

from actors.messages import VELOCITY_ACCENT, VELOCITY_HIT

STEPS = 32
_VELOCITY = {"-": 0, "x": VELOCITY_HIT, "X": VELOCITY_ACCENT}
_TEXT = {v: k for k, v in _VELOCITY.items()}


class PatternError(ValueError):
    pass


def parse_pattern(text: str) -> tuple[int, ...]:
    """Velocities of the 32 steps (0 for a rest)."""
    if not 1 <= len(text) <= STEPS:
        raise PatternError(f"a pattern has 1-{STEPS} steps, got {len(text)}: {text!r}")
    for column, char in enumerate(text, 1):
        if char not in _VELOCITY:
            raise PatternError(
                f"step {column} of {text!r} is {char!r}; use '-' rest, 'x' hit, 'X' accent"
            )
    repeated = (text * (STEPS // len(text) + 1))[:STEPS]
    return tuple(_VELOCITY[c] for c in repeated)


def pattern_text(velocities: tuple[int, ...]) -> str:
    return "".join(_TEXT[v] for v in velocities)


def parse_fills(text: str) -> tuple[bool, ...]:
    """Fill flags of the 32 steps from ``f``/``-`` text (shorter text repeats)."""
    if not 1 <= len(text) <= STEPS or set(text) - {"f", "-"}:
        raise PatternError(f"fills are 1-{STEPS} characters of 'f' and '-', got {text!r}")
    return tuple(c == "f" for c in (text * (STEPS // len(text) + 1))[:STEPS])
