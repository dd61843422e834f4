"""Pattern text: ``-`` rest, ``x`` hit, ``X`` accent; 32 steps, shorter text repeats."""

from __future__ import annotations

from actors.rules import FILL, REST, STEP_CHARACTER, STEP_VELOCITY, STEPS


class PatternError(ValueError):
    pass


def parse_pattern(text: str) -> tuple[int, ...]:
    """Velocities of the 32 steps (0 for a rest)."""
    if not 1 <= len(text) <= STEPS:
        raise PatternError(f"a pattern has 1-{STEPS} steps, got {len(text)}: {text!r}")
    for column, char in enumerate(text, 1):
        if char not in STEP_VELOCITY:
            raise PatternError(
                f"step {column} of {text!r} is {char!r}; use '-' rest, 'x' hit, 'X' accent"
            )
    repeated = (text * (STEPS // len(text) + 1))[:STEPS]
    return tuple(STEP_VELOCITY[c] for c in repeated)


def pattern_text(velocities: tuple[int, ...]) -> str:
    return "".join(STEP_CHARACTER[v] for v in velocities)


def parse_fills(text: str) -> tuple[bool, ...]:
    """Fill flags of the 32 steps from ``f``/``-`` text (shorter text repeats)."""
    if not 1 <= len(text) <= STEPS or set(text) - {FILL, REST}:
        raise PatternError(f"fills are 1-{STEPS} characters of 'f' and '-', got {text!r}")
    return tuple(c == FILL for c in (text * (STEPS // len(text) + 1))[:STEPS])
