"""The engine bridge: turns hits into time-stamped scsynth bundles, live or offline."""

from ._actor import DEFAULT_LOOKAHEAD, Bridge, BridgeConfig, wall_clock_offset
from ._core import Voice, hit_requests
from ._recording import Recording
from ._requests import (
    ADD_AFTER,
    ADD_TO_HEAD,
    ADD_TO_TAIL,
    BufferAlloc,
    BufferClose,
    BufferFree,
    BufferWrite,
    Bundle,
    ControlSet,
    GroupNew,
    LoadDefDir,
    NodeFree,
    NodeSet,
    Notify,
    Quit,
    ReceiveDef,
    Request,
    Status,
    Sync,
    SynthNew,
)
from ._score import RenderError, render_score, score_bytes
from ._server import ServerError, find_scsynth
from ._synthdefs import SCD_DIR, SynthDefBuildError, build_synthdefs, ensure_synthdefs

__all__ = [
    "ADD_AFTER",
    "ADD_TO_HEAD",
    "ADD_TO_TAIL",
    "DEFAULT_LOOKAHEAD",
    "SCD_DIR",
    "Bridge",
    "BridgeConfig",
    "BufferAlloc",
    "BufferClose",
    "BufferFree",
    "BufferWrite",
    "Bundle",
    "ControlSet",
    "GroupNew",
    "LoadDefDir",
    "NodeFree",
    "NodeSet",
    "Notify",
    "Quit",
    "ReceiveDef",
    "Recording",
    "RenderError",
    "Request",
    "ServerError",
    "Status",
    "Sync",
    "SynthDefBuildError",
    "SynthNew",
    "Voice",
    "build_synthdefs",
    "ensure_synthdefs",
    "find_scsynth",
    "hit_requests",
    "render_score",
    "score_bytes",
    "wall_clock_offset",
]
