"""Kits as versioned JSON: supertonic's own save format.

JSON keeps every float exactly (Microtonic text keeps eight decimals) and is easy
for other tools to read. Infinite values (``inf ms`` ModRate, ``-inf dB`` Level)
have no JSON number, so they are written as the strings ``"inf"``/``"-inf"``.
Reading is strict about shape and types - a saved kit is a contract - but clamps
ranges exactly like the Microtonic reader, so every kit this package hands out
obeys the same limits whatever file it came from.
"""

from __future__ import annotations

import dataclasses
import json
import math
import typing
from typing import Any

from actors.rules import FILL_RATE, STEP_RATES, SWING

from ._errors import KitError
from ._model import CHANNELS, PATTERN_NAMES, Channel, Drum, Kit, Pattern
from ._params import clamp, clamp_drum

FORMAT = "supertonic-kit"
VERSION = 1
_STEP_RATES = tuple(STEP_RATES)
_STEP_KEYS = ("triggers", "accents", "fills")
_KIT_KEYS = (
    "format", "version", "name", "tempo", "selected_pattern", "step_rate", "swing",
    "fill_rate", "master_volume", "mutes", "drums", "patterns",
)  # fmt: skip
_DRUM_TYPES = typing.get_type_hints(Drum)


def dumps_json(kit: Kit) -> str:
    document = {
        "format": FORMAT,
        "version": VERSION,
        "name": kit.name,
        "tempo": kit.tempo,
        "selected_pattern": kit.selected_pattern,
        "step_rate": kit.step_rate,
        "swing": kit.swing,
        "fill_rate": kit.fill_rate,
        "master_volume": _encode(kit.master_volume),
        "mutes": list(kit.mutes),
        "drums": [drum_to_json(drum) for drum in kit.drums],
        "patterns": {
            letter: {
                "length": pattern.length,
                "chained": pattern.chained,
                "channels": [
                    {key: getattr(channel, key) for key in _STEP_KEYS}
                    for channel in pattern.channels
                ],
            }
            for letter, pattern in zip(PATTERN_NAMES, kit.patterns, strict=True)
        },
    }
    return json.dumps(document, ensure_ascii=False, indent=2, allow_nan=False) + "\n"


def drum_to_json(drum: Drum) -> dict[str, object]:
    """One drum as a JSON-ready object, the shape a kit file uses (sessions embed it)."""
    return {f.name: _encode(getattr(drum, f.name)) for f in dataclasses.fields(Drum)}


def drum_from_json(value: Any, filename: str, path: str = "$") -> Drum:
    """Inverse of :func:`drum_to_json`, as strict as a kit file; ``path`` names the
    place in the document for error messages."""
    return _Reader(filename).drum(value, path)


def kit_from_json(text: str, filename: str = "<json>") -> Kit:
    try:
        # Non-standard NaN/Infinity come back as strings and fail the number check.
        document = json.loads(text, parse_constant=str)
    except json.JSONDecodeError as exc:
        raise KitError(filename, exc.lineno, exc.colno, f"expected JSON: {exc.msg}") from None
    return _Reader(filename).kit(document)


def _encode(value: object) -> object:
    if isinstance(value, float) and math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return value


class _Reader:
    def __init__(self, filename: str) -> None:
        self.filename = filename

    def error(self, path: str, reason: str) -> KitError:
        return KitError(self.filename, None, None, f"{path}: {reason}")

    def kit(self, document: Any) -> Kit:
        # Format and version first: a newer file should say so, not list missing keys.
        if not isinstance(document, dict):
            raise self.error("$", f"expected an object, found {_kind(document)}")
        if document.get("format") != FORMAT:
            raise self.error("$.format", f"expected {FORMAT!r}, found {document.get('format')!r}")
        version = document.get("version")
        if type(version) is not int or version != VERSION:
            raise self.error("$.version", f"expected version {VERSION}, found {version!r}")
        fields = self.object(document, "$", _KIT_KEYS)
        tempo = fields["tempo"]
        if tempo is not None:
            tempo = self.number(tempo, "$.tempo")
            if not 0.0 < tempo < math.inf:
                raise self.error("$.tempo", f"expected a positive tempo, found {tempo!r}")
        mutes = self.array(fields["mutes"], "$.mutes", CHANNELS)
        drums = self.array(fields["drums"], "$.drums", CHANNELS)
        patterns = self.object(fields["patterns"], "$.patterns", tuple(PATTERN_NAMES))
        return Kit(
            drums=tuple(self.drum(d, f"$.drums[{i}]") for i, d in enumerate(drums)),
            patterns=tuple(self.pattern(patterns[p], f"$.patterns.{p}") for p in PATTERN_NAMES),
            name=self.string(fields["name"], "$.name"),
            tempo=tempo,
            selected_pattern=self.choice(
                fields["selected_pattern"], "$.selected_pattern", tuple(PATTERN_NAMES)
            ),
            step_rate=self.choice(fields["step_rate"], "$.step_rate", _STEP_RATES),
            swing=clamp(self.number(fields["swing"], "$.swing"), SWING),
            fill_rate=clamp(self.number(fields["fill_rate"], "$.fill_rate"), FILL_RATE),
            master_volume=self.number(fields["master_volume"], "$.master_volume"),
            mutes=tuple(self.boolean(m, f"$.mutes[{i}]") for i, m in enumerate(mutes)),
        )

    def drum(self, value: Any, path: str) -> Drum:
        fields = self.object(value, path, tuple(_DRUM_TYPES))
        values: dict[str, Any] = {}
        for name, kind in _DRUM_TYPES.items():
            where = f"{path}.{name}"
            if kind is str:
                values[name] = self.string(fields[name], where)
            elif kind is float:
                values[name] = self.number(fields[name], where)
            elif kind is bool:
                values[name] = self.boolean(fields[name], where)
            else:
                values[name] = self.choice(fields[name], where, typing.get_args(kind))
        return clamp_drum(Drum(**values))

    def pattern(self, value: Any, path: str) -> Pattern:
        fields = self.object(value, path, ("length", "chained", "channels"))
        length = fields["length"]
        if type(length) is not int or not 1 <= length <= 16:
            raise self.error(f"{path}.length", f"expected a whole number 1-16, found {length!r}")
        channels = []
        for index, channel in enumerate(self.array(fields["channels"], path, CHANNELS)):
            where = f"{path}.channels[{index}]"
            steps = self.object(channel, where, _STEP_KEYS)
            channels.append(Channel(*(self.steps(steps[k], f"{where}.{k}") for k in _STEP_KEYS)))
        chained = self.boolean(fields["chained"], f"{path}.chained")
        return Pattern(length=length, chained=chained, channels=tuple(channels))

    def object(self, value: Any, path: str, keys: tuple[str, ...]) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.error(path, f"expected an object, found {_kind(value)}")
        for key in keys:
            if key not in value:
                raise self.error(path, f"expected the key {key!r}")
        for key in value:
            if key not in keys:
                raise self.error(path, f"unexpected key {key!r}")
        return value

    def array(self, value: Any, path: str, length: int) -> list[Any]:
        if not isinstance(value, list) or len(value) != length:
            raise self.error(path, f"expected a list of {length}, found {_kind(value)}")
        return value

    def number(self, value: Any, path: str) -> float:
        if value in ("inf", "-inf"):
            return float(value)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.error(path, f"expected a number or 'inf'/'-inf', found {value!r}")
        return float(value)

    def string(self, value: Any, path: str) -> str:
        if not isinstance(value, str):
            raise self.error(path, f"expected a string, found {_kind(value)}")
        return value

    def boolean(self, value: Any, path: str) -> bool:
        if not isinstance(value, bool):
            raise self.error(path, f"expected true or false, found {value!r}")
        return value

    def choice(self, value: Any, path: str, options: tuple[Any, ...]) -> Any:
        if not isinstance(value, str) or value not in options:
            raise self.error(
                path, f"expected one of {', '.join(map(str, options))}, found {value!r}"
            )
        return value

    def steps(self, value: Any, path: str) -> str:
        if not isinstance(value, str) or len(value) != 16 or value.strip("#-"):
            raise self.error(path, f"expected 16 steps of '#' or '-', found {value!r}")
        return value


def _kind(value: Any) -> str:
    if isinstance(value, list):
        return f"a list of {len(value)}"
    return type(value).__name__ if value is not None else "null"
