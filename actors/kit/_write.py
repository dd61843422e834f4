"""A kit as Microtonic text, in the author's own unquoted dialect.

The author's files (the ``.mtpg`` pattern groups) are the ones Microtonic ships, so
copying their layout - tabs, CRLF, eight decimals, ``+`` on signed gains and
offsets, space-padded step keys - is the safest bet for a file Microtonic accepts.
The kit model keeps no ``Modified`` or ``Path`` flags, so none are written.
"""

from __future__ import annotations

import math
import re

from ._model import PATTERN_NAMES, Drum, Kit, Pattern
from ._params import PARAMETERS, Choice, Mix, ModRate, Number

_NEWLINE = "\r\n"
_UNWRITABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
"""Control characters Microtonic's string syntax has no escape for."""
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def dumps_microtonic(kit: Kit) -> str:
    """The kit as a ``MicrotonicPresetV3`` file (author's dialect, CRLF line ends)."""
    lines = ["MicrotonicPresetV3: {", f"\tName: {_string(kit.name)}"]
    if kit.tempo is not None:
        lines.append(f"\tTempo: {_number(kit.tempo)} bpm")
    lines += [
        f"\tPattern: {kit.selected_pattern}",
        f"\tStepRate: {kit.step_rate}",
        f"\tSwing: {_number(kit.swing * 100.0)}%",
        f"\tFillRate: {_number(kit.fill_rate)}x",
        f"\tMastVol: {_number(kit.master_volume, signed=True)} dB",
        f"\tMutes: {{ {', '.join(_on_off(m) for m in kit.mutes)} }}",
        "\tDrumPatches: {",
    ]
    for number, drum in enumerate(kit.drums, 1):
        lines.append(f"\t\t{number}: {{")
        lines += _drum_lines(drum, indent="\t\t\t")
        lines.append("\t\t}")
    lines += ["\t}", "\tPatterns: {"]
    for letter, pattern in zip(PATTERN_NAMES, kit.patterns, strict=True):
        lines += _pattern_lines(letter, pattern)
    lines += ["\t}", "}", ""]
    return _NEWLINE.join(lines)


def _drum_lines(drum: Drum, indent: str) -> list[str]:
    lines = [f"{indent}Name: {_string(drum.name)}"]
    for parameter in PARAMETERS:
        value = getattr(drum, parameter.field)
        if isinstance(parameter, Choice):
            text = next(k for k, v in parameter.options.items() if v == value)
        elif isinstance(parameter, Number):
            text = _number(value * parameter.divisor, signed=parameter.signed)
            if parameter.unit:
                text += parameter.unit if parameter.unit == "%" else f" {parameter.unit}"
        elif isinstance(parameter, ModRate):
            decay = drum.mod_mode == "Decay"
            text = f"{_number(value * 1000.0)} ms" if decay else f"{_number(value)} Hz"
        else:
            assert isinstance(parameter, Mix)
            text = f"{_number((1.0 - value) * 100.0)} / {_number(value * 100.0)}"
        lines.append(f"{indent}{parameter.key}: {text}")
    return lines


def _pattern_lines(letter: str, pattern: Pattern) -> list[str]:
    lines = [f"\t\t{letter}: {{", f"\t\t\tLength: {pattern.length}"]
    # The author leaves Chained out on the last pattern, which has nothing to chain
    # to; it is written there only when set, so that no model value is lost.
    if letter != PATTERN_NAMES[-1] or pattern.chained:
        lines.append(f"\t\t\tChained: {'true' if pattern.chained else 'false'}")
    for number, channel in enumerate(pattern.channels, 1):
        lines += [
            f"\t\t\t{number}: {{",
            f"\t\t\t\tTriggers: {channel.triggers}",
            f"\t\t\t\tAccents:  {channel.accents}",
            f"\t\t\t\tFills:    {channel.fills}",
            "\t\t\t}",
        ]
    lines.append("\t\t}")
    return lines


def _number(value: float, *, signed: bool = False) -> str:
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    text = f"{value:.8f}"
    if float(text) == 0.0:
        return f"{0.0:.8f}"
    return f"+{text}" if signed and value > 0 else text


def _string(text: str) -> str:
    if bad := _UNWRITABLE.search(text):
        raise ValueError(f"cannot write control character U+{ord(bad[0]):04X} in {text!r}")
    return '"' + "".join(_ESCAPES.get(char, char) for char in text) + '"'


def _on_off(flag: bool) -> str:
    return "On" if flag else "Off"
