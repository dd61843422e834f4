"""Input actors: how a player (or a script) steers the machine."""

from ._headless import headless_ui

__all__ = ["headless_ui"]
