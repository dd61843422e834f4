"""The generator's request and result on the worker's pipe.

They are messages of the machine (``actors.messages``); on the pipe each
travels as ``[field, ...]`` in dataclass order, without the mesh's tag. The
session's history crosses it too, as ``{"history": bars, "weight": w}``: a map,
so the worker tells it from a request, and unanswered, so the client's one
request in flight stays the one the next answer belongs to.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import msgpack

from actors.messages import GenerateRequest, GenerateResult, SetHistory


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


def pack_history(message: SetHistory) -> bytes:
    return msgpack.packb({"history": message.bars, "weight": message.weight}, use_bin_type=True)


def history_from(values: dict[str, Any]) -> SetHistory:
    bars = tuple(tuple(str(text) for text in bar) for bar in values["history"])
    return SetHistory(bars, float(values["weight"]))
