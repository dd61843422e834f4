"""Microtonic files into the kit model: units converted, ranges clamped, errors placed.

Presets (``.mtpreset``, ``.mtpg``) become a :class:`Kit`; single drums (``.mtdrum``,
the old ``.mtdp``) become a :class:`Drum`. The format header inside the file decides
how it is read, not the file name, so a renamed file still loads, and loading a drum
where a kit is expected says so instead of reporting a pile of missing keys.
"""

from __future__ import annotations

import difflib
import math
import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from actors.rules import FILL_RATE, STEP_RATES, SWING

from ._json import kit_from_json
from ._model import CHANNELS, PATTERN_NAMES, Channel, Drum, Kit, Pattern
from ._params import (
    ON_OFF,
    PARAMETERS,
    TRUE_FALSE,
    Choice,
    Mix,
    ModRate,
    clamp,
    clamp_drum,
)
from ._syntax import Entry, Items, Scalar, Source, Struct, parse_tree

_NUMBER = re.compile(r"[+-]?(?:inf|nan|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)", re.IGNORECASE)
_MIX = re.compile(rf"{_NUMBER.pattern}[ \t]*/[ \t]*({_NUMBER.pattern})", re.IGNORECASE)
_PRESET = "MicrotonicPresetV3"
_DRUM = "MicrotonicDrumPatchV3"
_OLD_DRUM = "MicroTonicDrumPatchV1"
_STEP_RATES: dict[str, object] = {r: r for r in STEP_RATES}
_STEPS = 16
_CHANNEL_KEYS = tuple(str(n) for n in range(1, CHANNELS + 1))
_STEP_KEYS = ("Triggers", "Accents", "Fills")
_PRESET_KEYS = (
    "Name", "Modified", "Path", "Tempo", "Pattern", "StepRate", "Swing", "FillRate",
    "MastVol", "Mutes", "DrumPatches", "Patterns",
)  # fmt: skip
_DRUM_KEYS = ("Name", "Modified", "Path", *(p.key for p in PARAMETERS))
"""Modified and Path are accepted and dropped: the model has no use for them."""


def load_kit(path: str | os.PathLike[str]) -> Kit:
    """Read a preset file, or a kit saved by :func:`dumps_json` when it ends in ``.json``."""
    path = Path(path)
    if path.suffix.lower() == ".json":
        return kit_from_json(path.read_text(encoding="utf-8-sig"), str(path))
    return _kit(Source.from_bytes(path.read_bytes(), str(path)))


def load_drum(path: str | os.PathLike[str]) -> Drum:
    """Read a ``.mtdrum`` or ``.mtdp`` file; a nameless patch is named after the file."""
    path = Path(path)
    return _single_drum(Source.from_bytes(path.read_bytes(), str(path)), path.stem)


def parse_kit(text: str, filename: str = "<kit>") -> Kit:
    """Read preset text already in memory; ``filename`` only labels error messages."""
    return _kit(Source(text, filename))


def parse_drum(text: str, filename: str = "<drum>") -> Drum:
    """Read drum text already in memory; ``filename`` labels errors and names a nameless patch."""
    return _single_drum(Source(text, filename), Path(filename).stem)


def _header(source: Source, wanted: tuple[str, ...]) -> tuple[str, Struct]:
    top = parse_tree(source)
    if not top.entries:
        raise source.error(len(source.text), f"expected {' or '.join(wanted)}, found nothing")
    first, *rest = top.entries
    if first.key not in wanted:
        hint = ""
        if first.key == _PRESET:
            hint = " (a whole kit: load it as a kit)"
        elif first.key in (_DRUM, _OLD_DRUM):
            hint = " (a single drum: load it as a drum)"
        raise source.error(
            first.offset, f"expected {' or '.join(wanted)}, found {first.key!r}{hint}"
        )
    if rest:
        raise source.error(rest[0].offset, f"expected the end of the file after {first.key}")
    if not isinstance(first.value, Struct):
        raise source.error(first.value.offset, f"expected '{{' after {first.key}")
    return first.key, first.value


def _kit(source: Source) -> Kit:
    _, body = _header(source, (_PRESET,))
    fields = _Fields(source, body, _PRESET, _PRESET_KEYS)
    drum_fields = _Fields(source, fields.struct("DrumPatches"), "DrumPatches", _CHANNEL_KEYS)
    pattern_fields = _Fields(source, fields.struct("Patterns"), "Patterns", tuple(PATTERN_NAMES))
    tempo = fields.optional("Tempo")
    return Kit(
        drums=tuple(
            _drum(source, drum_fields.struct(n), f"drum {n}", "init", old=False)
            for n in _CHANNEL_KEYS
        ),
        patterns=tuple(_pattern(source, pattern_fields.struct(p), p) for p in PATTERN_NAMES),
        name=fields.text("Name", default=""),
        tempo=None if tempo is None else _tempo(source, fields.scalar(tempo)),
        selected_pattern=fields.choice("Pattern", {p: p for p in PATTERN_NAMES}),
        step_rate=fields.choice("StepRate", _STEP_RATES),
        swing=clamp(fields.number("Swing", "%") / 100.0, SWING),
        fill_rate=clamp(fields.number("FillRate", "x"), FILL_RATE),
        master_volume=fields.number("MastVol", "dB"),
        mutes=_mutes(source, fields.need("Mutes")),
    )


def _single_drum(source: Source, default_name: str) -> Drum:
    key, body = _header(source, (_DRUM, _OLD_DRUM))
    return _drum(source, body, key, default_name, old=key == _OLD_DRUM)


def _drum(source: Source, body: Struct, what: str, default_name: str, *, old: bool) -> Drum:
    """One drum from its block; ``old`` patches have no OscAtk (taken as 0 ms)."""
    fields = _Fields(source, body, what, _DRUM_KEYS)
    values: dict[str, Any] = {"name": fields.text("Name", default=default_name)}
    for parameter in PARAMETERS:
        if isinstance(parameter, Choice):
            value = fields.choice(parameter.key, parameter.options, parameter.default)
        elif isinstance(parameter, ModRate):
            if values["mod_mode"] == "Decay":
                value = fields.number(parameter.key, "ms") / 1000.0
            else:
                value = fields.number(parameter.key, "Hz")
        elif isinstance(parameter, Mix):
            value = _mix(source, fields.scalar(fields.need(parameter.key)))
        elif old and parameter.key == "OscAtk" and fields.optional("OscAtk") is None:
            value = 0.0
        else:
            value = fields.number(parameter.key, parameter.unit) / parameter.divisor
        values[parameter.field] = value
    return clamp_drum(Drum(**values))


def _pattern(source: Source, body: Struct, letter: str) -> Pattern:
    what = f"pattern {letter}"
    fields = _Fields(source, body, what, ("Length", "Chained", *_CHANNEL_KEYS))
    length = fields.scalar(fields.need("Length"))
    if not re.fullmatch(r"\d+", length.text) or not 1 <= int(length.text) <= _STEPS:
        raise source.error(length.offset, f"expected a whole number 1-{_STEPS} for Length")
    channels = []
    for n in _CHANNEL_KEYS:
        block = fields.struct(n)
        steps = _Fields(source, block, f"channel {n} of {what}", _STEP_KEYS)
        channels.append(Channel(*(steps.steps(key) for key in _STEP_KEYS)))
    return Pattern(
        length=int(length.text),
        chained=fields.choice("Chained", TRUE_FALSE, default="false"),
        channels=tuple(channels),
    )


def _mix(source: Source, scalar: Scalar) -> float:
    """The noise share from ``osc% / noise%``; the noise side alone is authoritative."""
    match = _MIX.fullmatch(scalar.text)
    if not match:
        raise source.error(scalar.offset, "expected two percentages 'oscillator / noise' for Mix")
    noise = float(match[1])
    if math.isnan(noise):
        raise source.error(scalar.offset + match.start(1), "expected a number for Mix, got nan")
    return noise / 100.0


def _tempo(source: Source, scalar: Scalar) -> float:
    tempo = _number(source, scalar, "Tempo", "bpm")
    if not 0.0 < tempo < math.inf:
        raise source.error(scalar.offset, f"expected a positive tempo, got {scalar.text!r}")
    return tempo


def _mutes(source: Source, entry: Entry) -> tuple[bool, ...]:
    if not isinstance(entry.value, Items):
        raise source.error(entry.value.offset, "expected a list '{ Off, On, ... }' for Mutes")
    mutes = tuple(bool(_choice(source, item, "Mutes", ON_OFF)) for item in entry.value.items)
    if len(mutes) != CHANNELS:
        raise source.error(
            entry.value.end, f"expected {CHANNELS} entries in Mutes, found {len(mutes)}"
        )
    return mutes


def _number(source: Source, scalar: Scalar, key: str, unit: str) -> float:
    """The number at the start of ``scalar`` followed by exactly ``unit``.

    Blanks between number and unit are optional because the old ``.mtdp`` glues
    every unit to the number while V3 separates some of them.
    """
    text = scalar.text
    match = _NUMBER.match(text)
    if not match:
        raise source.error(scalar.offset, f"expected a number for {key}")
    if match[0].lower().endswith("nan"):
        raise source.error(scalar.offset, f"expected a number for {key}, got nan")
    rest_at = match.end()
    while rest_at < len(text) and text[rest_at] in " \t":
        rest_at += 1
    if text[rest_at:] != unit:
        expected = f"a unit '{unit}'" if unit else "nothing"
        raise source.error(
            scalar.offset + rest_at, f"expected {expected} after the number for {key}"
        )
    return float(match[0])


def _choice(source: Source, scalar: Scalar, key: str, options: Mapping[str, object]) -> object:
    if scalar.text not in options:
        shown = ", ".join(options)
        raise source.error(
            scalar.offset, f"expected one of {shown} for {key}, found {scalar.text!r}"
        )
    return options[scalar.text]


class _Fields:
    """The entries of one block, handed out by key.

    Keys are checked against ``allowed`` up front, so a misspelt key is reported as
    itself rather than as the required key it was meant to be.
    """

    def __init__(self, source: Source, body: Struct, what: str, allowed: Sequence[str]) -> None:
        self._source = source
        self._body = body
        self._what = what
        self._entries: dict[str, Entry] = {}
        for entry in body.entries:
            if entry.key in self._entries:
                raise source.error(entry.offset, f"duplicate key {entry.key!r} in {what}")
            if entry.key not in allowed:
                close = difflib.get_close_matches(entry.key, allowed, n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                raise source.error(entry.offset, f"unexpected key {entry.key!r} in {what}{hint}")
            self._entries[entry.key] = entry

    def optional(self, key: str) -> Entry | None:
        return self._entries.get(key)

    def need(self, key: str) -> Entry:
        entry = self._entries.get(key)
        if entry is None:
            raise self._source.error(
                self._body.end, f"expected key {key!r} in {self._what} before '}}'"
            )
        return entry

    def scalar(self, entry: Entry) -> Scalar:
        if not isinstance(entry.value, Scalar):
            raise self._source.error(
                entry.value.offset, f"expected a single value for {entry.key}, found '{{'"
            )
        return entry.value

    def text(self, key: str, default: str) -> str:
        entry = self._entries.get(key)
        return default if entry is None else self.scalar(entry).text

    def struct(self, key: str) -> Struct:
        entry = self.need(key)
        if not isinstance(entry.value, Struct):
            raise self._source.error(
                entry.value.offset, f"expected a '{{ key: value }}' block for {key} in {self._what}"
            )
        return entry.value

    def number(self, key: str, unit: str) -> float:
        return _number(self._source, self.scalar(self.need(key)), key, unit)

    def choice(self, key: str, options: Mapping[str, object], default: str | None = None) -> Any:
        if default is None:
            return _choice(self._source, self.scalar(self.need(key)), key, options)
        entry = self.optional(key)
        if entry is None:
            return options[default]
        return _choice(self._source, self.scalar(entry), key, options)

    def steps(self, key: str) -> str:
        scalar = self.scalar(self.need(key))
        text = scalar.text
        bad = next((i for i, char in enumerate(text[:_STEPS]) if char not in "#-"), None)
        if bad is None and len(text) == _STEPS:
            return text
        at = min(len(text), _STEPS) if bad is None else bad
        raise self._source.error(
            scalar.offset + at, f"expected {_STEPS} steps of '#' or '-' for {key}"
        )
