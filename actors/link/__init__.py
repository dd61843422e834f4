"""Ableton Link: tempo, beat, phase and start/stop shared with the peers on the network.

Wire :func:`link_actor` in front of the clock (it receives every command meant
for the clock and sends the clock what to do) and :func:`register_options` /
:func:`link_config` into ``supertonic run``.
"""

from ._actor import link_actor
from ._core import (
    DEFAULT_QUANTUM,
    MAX_QUANTUM,
    MIN_QUANTUM,
    LinkCore,
    LinkView,
    ProposePlaying,
    ProposeTempo,
    QuantumError,
    check_quantum,
)
from ._options import LinkConfig, link_config, register_options
from ._session import AbletonLink, LinkSession, LinkUnavailable

__all__ = [
    "DEFAULT_QUANTUM",
    "MAX_QUANTUM",
    "MIN_QUANTUM",
    "AbletonLink",
    "LinkConfig",
    "LinkCore",
    "LinkSession",
    "LinkUnavailable",
    "LinkView",
    "ProposePlaying",
    "ProposeTempo",
    "QuantumError",
    "check_quantum",
    "link_actor",
    "link_config",
    "register_options",
]
