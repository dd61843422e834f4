"""crow: a gate on monome crow's CV outputs for every hit, sounding with the audio.

Wire :func:`crow_actor` to receive a copy of the sequencer's hits (as MIDI
notes out does) and :func:`register_options` / :func:`crow_config` into
``supertonic run``.
"""

from ._actor import crow_actor
from ._core import DEFAULT_OUTPUTS, LEAD, USB_LATENCY, CrowCore, CrowError, GateShape
from ._device import USB_ID, CrowPort, NotACrow, find_crow
from ._options import CrowConfig, crow_config, register_options

__all__ = [
    "DEFAULT_OUTPUTS",
    "LEAD",
    "USB_ID",
    "USB_LATENCY",
    "CrowConfig",
    "CrowCore",
    "CrowError",
    "CrowPort",
    "GateShape",
    "NotACrow",
    "crow_actor",
    "crow_config",
    "find_crow",
    "register_options",
]
