"""Computer keys as norns keys and encoders.

A terminal reports key presses but not releases, so the two keys the original
*holds* (K1 and K3) latch: ``1`` holds K1 until ``1`` again, ``4`` holds K3 until
``4`` again (``3`` is a plain K3 press and release). Everything else maps to a
press-release or one encoder detent:

====================  =================================
``1``                 hold / release K1
``2`` or space        K2
``3``                 K3 (releases a held K3 first)
``4``                 hold / release K3
up / down, k / j      E2 -1 / +1
left / right, h / l   E3 -1 / +1
``[`` / ``]``, tab    E1 -1 / +1 (shift-tab: -1)
``q`` then ``y``      quit (stops the machine)
====================  =================================
"""

from __future__ import annotations

import curses
import dataclasses


@dataclasses.dataclass(frozen=True)
class Key:
    n: int
    z: int


@dataclasses.dataclass(frozen=True)
class Enc:
    n: int
    d: int


@dataclasses.dataclass(frozen=True)
class Quit:
    """``q``: the shell asks, and quits on a ``y`` next (any other key cancels)."""


Event = Key | Enc | Quit

_ENCODERS: dict[str | int, Enc] = {
    curses.KEY_UP: Enc(2, -1), "k": Enc(2, -1),
    curses.KEY_DOWN: Enc(2, 1), "j": Enc(2, 1),
    curses.KEY_LEFT: Enc(3, -1), "h": Enc(3, -1),
    curses.KEY_RIGHT: Enc(3, 1), "l": Enc(3, 1),
    "[": Enc(1, -1), curses.KEY_BTAB: Enc(1, -1),
    "]": Enc(1, 1), "\t": Enc(1, 1),
}  # fmt: skip


def events(key: str | int, *, k1: bool, k3: bool) -> list[Event]:
    """What a key means, given which norns keys are held."""
    match key:
        case "q":
            return [Quit()]
        case "1":
            return [Key(1, 0 if k1 else 1)]
        case "2" | " ":
            return [Key(2, 1), Key(2, 0)]
        case "3":
            return [*([Key(3, 0)] if k3 else []), Key(3, 1), Key(3, 0)]
        case "4":
            return [Key(3, 0 if k3 else 1)]
    encoder = _ENCODERS.get(key)
    return [encoder] if encoder is not None else []
