"""A kit as a ready-to-run SuperCollider file for the standalone drum set.

The file only defines the kit as a literal and hands it to ``scd/drumset_player.scd``,
loaded from this checkout by absolute path, so the player exists once (``drumset.scd``
uses it too). Each drum's SynthDef and controls come from :func:`voice_for`, so
SuperCollider plays exactly the hits supertonic's own engine would send; that is why the
writer lives with the voice rather than with the kit, which the voice reads.
"""

from __future__ import annotations

import math
from pathlib import Path

from actors.kit import PATTERN_NAMES, Channel, Kit
from actors.rules import ACCENT, DEFAULT_TEMPO, FILL, HIT, REST

from ._mapping import voice_for

PLAYER = Path(__file__).resolve().parents[2] / "scd" / "drumset_player.scd"


def scd_text(kit: Kit) -> str:
    """The kit's selected pattern, drums, tempo, swing and fill rate as a ``.scd`` file."""
    pattern = kit.patterns[PATTERN_NAMES.index(kit.selected_pattern)]
    tempo = DEFAULT_TEMPO if kit.tempo is None else kit.tempo
    lines = [
        f"// {_one_line(kit.name) or 'A kit'}: written by `supertonic convert --to scd`.",
        f"// Plays pattern {kit.selected_pattern} through the drum set player of the supertonic"
        " checkout named at the end:",
        "//   sclang this-file.scd      (SUPERTONIC_DRUMSET_DRY=1: print the kit and exit)",
        "(",
        "var kit = (",
        f"\tname: {_string(kit.name)},",
        f"\tpattern: {_string(kit.selected_pattern)},",
        f"\ttempo: {_number(tempo)},",
        f"\tswing: {_number(kit.swing)},",
        f"\tfillRate: {_number(kit.fill_rate)},",
        f"\tlength: {pattern.length},",
        "\tdrums: [",
    ]
    for number, (drum, channel) in enumerate(zip(kit.drums, pattern.channels, strict=True), 1):
        name, controls = voice_for(drum)
        pairs = ", ".join(
            f"\\{item}" if isinstance(item, str) else _number(item) for item in controls
        )
        lines += [
            f"\t\t// {number}: {_one_line(drum.name)}",
            f"\t\t(def: '{name}', choke: {str(drum.choke).lower()},",
            f"\t\t\tsteps: {_string(_steps(channel, pattern.length))},",
            f"\t\t\tfills: {_string(_fills(channel, pattern.length))},",
            f"\t\t\tcontrols: [{pairs}]),",
        ]
    lines += [
        "\t]",
        ");",
        f"{_string(str(PLAYER))}.load.value(kit);",
        ")",
    ]
    return "\n".join(lines) + "\n"


def _steps(channel: Channel, length: int) -> str:
    """``-`` rest, ``x`` hit, ``X`` accent: an accent without a trigger is silent."""
    return "".join(
        REST if channel.triggers[i] != "#" else ACCENT if channel.accents[i] == "#" else HIT
        for i in range(length)
    )


def _fills(channel: Channel, length: int) -> str:
    """``f`` where a triggered step rolls; a fill flag alone plays nothing."""
    return "".join(
        FILL if channel.triggers[i] == "#" and channel.fills[i] == "#" else REST
        for i in range(length)
    )


def _number(value: float) -> str:
    """A float literal sclang reads back exactly: ``repr`` is the shortest round trip,
    and sclang parses its ``1e-05``, ``inf`` and ``-inf`` alike."""
    if math.isnan(value):
        raise ValueError("a kit value is NaN, which SuperCollider cannot write as a literal")
    return repr(float(value))


def _string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _one_line(text: str) -> str:
    """Text for a ``//`` comment, which a line break would end."""
    return " ".join(text.splitlines())
