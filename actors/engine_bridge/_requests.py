"""scsynth commands as small immutable values, each with a pure ``to_osc()``.

A request knows only its own OSC address and arguments. Whether it is sent
over UDP to a live server or written into a non-real-time score is the sink's
business, so the live bridge and the offline renderer share one vocabulary
and cannot drift apart.
"""

from __future__ import annotations

import dataclasses
import math
import struct
from collections.abc import Sequence
from typing import ClassVar

OscArg = int | float | str | bytes
OscMessageTuple = tuple[str, tuple[OscArg, ...]]

ADD_TO_HEAD = 0
ADD_TO_TAIL = 1
ADD_AFTER = 3

NTP_UNIX_OFFSET = 2_208_988_800
"""Seconds from 1900 (NTP's epoch) to 1970 (Unix's)."""


class Request:
    """One scsynth command."""

    address: ClassVar[str]

    def to_osc(self) -> OscMessageTuple:
        return self.address, self._args()

    def _args(self) -> tuple[OscArg, ...]:
        return tuple(getattr(self, f.name) for f in dataclasses.fields(self))  # type: ignore[arg-type]


@dataclasses.dataclass(frozen=True, slots=True)
class Notify(Request):
    address: ClassVar[str] = "/notify"
    on: int = 1


@dataclasses.dataclass(frozen=True, slots=True)
class Status(Request):
    address: ClassVar[str] = "/status"


@dataclasses.dataclass(frozen=True, slots=True)
class Sync(Request):
    address: ClassVar[str] = "/sync"
    sync_id: int


@dataclasses.dataclass(frozen=True, slots=True)
class LoadDefDir(Request):
    address: ClassVar[str] = "/d_loadDir"
    path: str


@dataclasses.dataclass(frozen=True, slots=True)
class ReceiveDef(Request):
    """Carries compiled SynthDef bytes; scores use it so a render needs no files."""

    address: ClassVar[str] = "/d_recv"
    data: bytes


@dataclasses.dataclass(frozen=True, slots=True)
class GroupNew(Request):
    address: ClassVar[str] = "/g_new"
    node_id: int
    add_action: int
    target: int


@dataclasses.dataclass(frozen=True, slots=True)
class SynthNew(Request):
    address: ClassVar[str] = "/s_new"
    synthdef: str
    node_id: int
    add_action: int
    target: int
    controls: tuple[str | float, ...] = ()

    def _args(self) -> tuple[OscArg, ...]:
        return (self.synthdef, self.node_id, self.add_action, self.target, *self.controls)


@dataclasses.dataclass(frozen=True, slots=True)
class NodeSet(Request):
    address: ClassVar[str] = "/n_set"
    node_id: int
    controls: tuple[str | float, ...]

    def _args(self) -> tuple[OscArg, ...]:
        return (self.node_id, *self.controls)


@dataclasses.dataclass(frozen=True, slots=True)
class NodeFree(Request):
    address: ClassVar[str] = "/n_free"
    node_id: int


@dataclasses.dataclass(frozen=True, slots=True)
class BufferAlloc(Request):
    address: ClassVar[str] = "/b_alloc"
    bufnum: int
    frames: int
    channels: int


@dataclasses.dataclass(frozen=True, slots=True)
class BufferWrite(Request):
    """Open ``path`` for streaming (``leave_open``) so a DiskOut can fill it."""

    address: ClassVar[str] = "/b_write"
    bufnum: int
    path: str
    header: str
    sample_format: str
    frames: int = 0
    start: int = 0
    leave_open: int = 1


@dataclasses.dataclass(frozen=True, slots=True)
class BufferClose(Request):
    address: ClassVar[str] = "/b_close"
    bufnum: int


@dataclasses.dataclass(frozen=True, slots=True)
class BufferFree(Request):
    address: ClassVar[str] = "/b_free"
    bufnum: int


@dataclasses.dataclass(frozen=True, slots=True)
class ControlSet(Request):
    """Sets a control bus; scores end with one as the required last bundle."""

    address: ClassVar[str] = "/c_set"
    bus: int
    value: float


@dataclasses.dataclass(frozen=True, slots=True)
class Quit(Request):
    address: ClassVar[str] = "/quit"


@dataclasses.dataclass(frozen=True, slots=True)
class Bundle:
    """Requests to run together at ``time`` (seconds on the sink's time line)."""

    time: float
    requests: tuple[Request, ...]


def encode_message(request: Request) -> bytes:
    """OSC-encode one request. Written out rather than built with python-osc's
    builder, which cost a third of the bridge's time at 100 hits a second."""
    address, args = request.to_osc()
    tags = [","]
    data = []
    for arg in args:
        if isinstance(arg, bool | int):
            tags.append("i")
            data.append(struct.pack(">i", arg))
        elif isinstance(arg, float):
            tags.append("f")
            data.append(struct.pack(">f", arg))
        elif isinstance(arg, bytes):
            tags.append("b")
            data.append(struct.pack(">i", len(arg)) + arg + b"\0" * (-len(arg) % 4))
        else:
            tags.append("s")
            data.append(_pad(arg.encode()))
    return _pad(address.encode()) + _pad("".join(tags).encode()) + b"".join(data)


def _pad(raw: bytes) -> bytes:
    """An OSC string: NUL-terminated, filled to a multiple of 4 bytes."""
    return raw + b"\0" * (4 - len(raw) % 4)


def time_tag(seconds: float) -> bytes:
    """OSC 64-bit fixed-point time tag for ``seconds`` on the receiver's epoch.

    The epoch is the caller's: a live server wants NTP seconds (Unix + 1900
    offset), a non-real-time score wants seconds from 0. Rounding the
    fraction (not truncating) keeps the tag within 2^-33 s of the float.
    """
    whole = math.floor(seconds)
    fraction = round((seconds - whole) * 2**32)
    if fraction == 2**32:
        whole, fraction = whole + 1, 0
    return struct.pack(">II", whole, fraction)


def encode_bundle(requests: Sequence[Request], tag: bytes) -> bytes:
    return pack_bundle([encode_message(r) for r in requests], tag)


def pack_bundle(messages: Sequence[bytes], tag: bytes) -> bytes:
    """A bundle of already encoded messages (the live link sizes them first)."""
    parts = [b"#bundle\0", tag]
    for data in messages:
        parts.append(struct.pack(">i", len(data)))
        parts.append(data)
    return b"".join(parts)
