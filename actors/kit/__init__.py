"""Drums and kits: the model every preset reader and writer shares."""

from ._model import CHANNELS, PATTERN_NAMES, Channel, Drum, Kit, Pattern

__all__ = ["CHANNELS", "PATTERN_NAMES", "Channel", "Drum", "Kit", "Pattern"]
