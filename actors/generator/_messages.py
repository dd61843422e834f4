"""The generator's request and result on the worker's pipe.

They are messages of the machine (``actors.messages``); on the pipe each
travels as ``[field, ...]`` in dataclass order, without the mesh's tag, since
only these two ever cross it.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import msgpack

from actors.messages import GenerateRequest, GenerateResult


def pack(message: GenerateRequest | GenerateResult) -> bytes:
    return msgpack.packb(
        [getattr(message, f.name) for f in dataclasses.fields(message)], use_bin_type=True
    )


def request_from(values: list[Any]) -> GenerateRequest:
    """A request from its unpacked field list (msgpack arrays arrive as lists)."""
    request = GenerateRequest(*values)
    bases = tuple((int(track), str(text)) for track, text in request.bases)
    return dataclasses.replace(request, bases=bases)


def result_from(values: list[Any]) -> GenerateResult:
    result = GenerateResult(*values)
    return dataclasses.replace(result, patterns=tuple(result.patterns), probs=tuple(result.probs))
