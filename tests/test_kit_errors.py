"""Broken kit and drum files: one exception type, and a message that points at the fault."""

from __future__ import annotations

from pathlib import Path

import pytest

from actors.kit import (
    Kit,
    KitError,
    dumps_microtonic,
    kit_from_json,
    load_kit,
    parse_drum,
    parse_kit,
)

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"

# Line numbers are on the right; a tab is one column, so keys start in column 2.
DRUM = """\
MicrotonicDrumPatchV3: {
\tName: "Test Kick"
\tOscWave: Sine
\tOscFreq: 48.06096134 Hz
\tOscAtk: 0.00000000 ms
\tOscDcy: 626.57328924 ms
\tModMode: Decay
\tModRate: 246.77166176 ms
\tModAmt: +33.01950936 sm
\tNFilMod: LP
\tNFilFrq: 392.00617432 Hz
\tNFilQ: 1.46342134
\tNStereo: On
\tNEnvMod: Exp
\tNEnvAtk: 2.19773637 ms
\tNEnvDcy: 204.97766068 ms
\tMix: 88.15387726 / 11.84612274
\tDistAmt: 34.06406343
\tEQFreq: 80.66190967 Hz
\tEQGain: +30.24681568 dB
\tLevel: -5.12015223 dB
\tPan: 0.00000000
\tOutput: A
\tChoke: Off
\tOscVel: 38.95164430%
\tNVel: 40.75165093%
\tModVel: 35.55825353%
}
"""


def edit(text: str, line: int, old: str, new: str) -> str:
    """``text`` with the first ``old`` on the 1-based ``line`` (which must hold it) replaced."""
    lines = text.split("\n")
    assert old in lines[line - 1], (line, lines[line - 1])
    lines[line - 1] = lines[line - 1].replace(old, new, 1)
    return "\n".join(lines)


def message(text: str, filename: str = "kick.mtdrum") -> str:
    with pytest.raises(KitError) as caught:
        parse_drum(text, filename)
    return str(caught.value)


def test_the_reference_drum_is_valid() -> None:
    assert parse_drum(DRUM, "kick.mtdrum").osc_freq == 48.06096134


@pytest.mark.parametrize(
    ("line", "old", "new", "expected"),
    [
        # wrong units
        (4, "Hz", "kHz", "4:23: expected a unit 'Hz' after the number for OscFreq"),
        (6, " ms", "", "6:22: expected a unit 'ms' after the number for OscDcy"),
        (8, "ms", "Hz", "8:24: expected a unit 'ms' after the number for ModRate"),
        (12, "1.46342134", "1.46342134 Hz", "12:20: expected nothing after the number for NFilQ"),
        (25, "%", " dB", "25:22: expected a unit '%' after the number for OscVel"),
        # not numbers
        (4, "48.06096134", "fast", "4:11: expected a number for OscFreq"),
        (4, "48.06096134", "nan", "4:11: expected a number for OscFreq, got nan"),
        (17, " / ", " ", "17:7: expected two percentages 'oscillator / noise' for Mix"),
        # unknown enum values
        (
            3,
            "Sine",
            "Square",
            "3:11: expected one of Sine, Triangle, Saw for OscWave, found 'Square'",
        ),
        (13, "On", "Yes", "13:11: expected one of On, Off for NStereo, found 'Yes'"),
        (10, "LP", "lp", "10:11: expected one of LP, BP, HP for NFilMod, found 'lp'"),
        # keys
        (12, "NFilQ", "NFilterQ", "12:2: unexpected key 'NFilterQ' in MicrotonicDrumPatchV3"),
        (12, "NFilQ:", "NFilQ", "12:8: expected ':' after the key 'NFilQ', found '1'"),
        (5, "OscAtk", "OscFreq", "5:2: duplicate key 'OscFreq' in MicrotonicDrumPatchV3"),
        # strings and blocks
        (2, 'Kick"', "Kick", "2:18: expected '\"' to close the string before the end of the line"),
        (2, "Test", "Te\\qst", "2:11: expected an escape"),
        (7, "Decay", "{ Decay }", "7:11: expected a single value for ModMode, found '{'"),
        (8, "246.77166176 ms", "{ a: 1 }", "8:11: expected a single value for ModRate, found '{'"),
    ],
)
def test_broken_drum_lines(line: int, old: str, new: str, expected: str) -> None:
    assert message(edit(DRUM, line, old, new)).startswith(f"kick.mtdrum:{expected}")


def test_the_example_message_in_full() -> None:
    quoted = edit(DRUM, 4, "48.06096134 Hz", '"48.06096134 ms"')
    assert message(quoted, "kit.mtpreset") == (
        "kit.mtpreset:4:24: expected a unit 'Hz' after the number for OscFreq"
    )


def test_missing_key_points_at_the_closing_brace() -> None:
    without_q = DRUM.replace("\tNFilQ: 1.46342134\n", "")
    assert message(without_q) == (
        "kick.mtdrum:27:1: expected key 'NFilQ' in MicrotonicDrumPatchV3 before '}'"
    )


def test_missing_value() -> None:
    assert message(edit(DRUM, 4, " 48.06096134 Hz", "")) == (
        "kick.mtdrum:4:10: expected a value for OscFreq"
    )


@pytest.mark.parametrize(
    ("cut_after_line", "expected"),
    [
        (1, "kick.mtdrum:2:1: expected '}' to close the '{' of line 1, found the end"),
        (20, "kick.mtdrum:21:1: expected '}' to close the '{' of line 1, found the end"),
        (27, "kick.mtdrum:28:1: expected '}' to close the '{' of line 1, found the end"),
    ],
)
def test_truncated_at_a_line_end(cut_after_line: int, expected: str) -> None:
    text = "\n".join(DRUM.split("\n")[:cut_after_line]) + "\n"
    assert message(text) == expected


def test_truncated_inside_a_value() -> None:
    text = DRUM[: DRUM.index("48.06") + 5]
    # The structure is checked before any value, so the open block is what is reported.
    assert (
        message(text) == "kick.mtdrum:4:16: expected '}' to close the '{' of line 1, found the end"
    )


def test_empty_and_comment_only_files() -> None:
    assert message("") == (
        "kick.mtdrum:1:1: expected MicrotonicDrumPatchV3 or MicroTonicDrumPatchV1, found nothing"
    )
    assert message("// nothing\n/* here") == "kick.mtdrum:2:1: expected '*/' to close this comment"


def test_garbage_characters_in_text() -> None:
    assert message(edit(DRUM, 9, "+33", "+3\x003")) == (
        "kick.mtdrum:9:12: unexpected control character U+0000"
    )
    assert message(edit(DRUM, 10, "LP", "L@P")) == (
        "kick.mtdrum:10:11: expected one of LP, BP, HP for NFilMod, found 'L@P'"
    )
    assert message("\x7fELF\x02\x01") == "kick.mtdrum:1:1: unexpected control character U+007F"


def test_garbage_bytes_on_disk(tmp_path: Path) -> None:
    path = tmp_path / "broken.mtpreset"
    text = dumps_microtonic(Kit())
    head, tail = text.split("\tStepRate", 1)
    path.write_bytes(head.encode() + "\tSté".encode() + b"\xff\xfe" + tail.encode())
    with pytest.raises(KitError) as caught:
        load_kit(path)
    assert str(caught.value) == f"{path}:4:5: expected UTF-8 text, found byte 0xff"
    assert (caught.value.line, caught.value.column) == (4, 5)


def test_kit_level_errors() -> None:
    text = dumps_microtonic(Kit())
    lines = text.split("\r\n")
    # Layout without a tempo: 1 header, 2 Name, 3 Pattern, 4 StepRate, 5 Swing,
    # 6 FillRate, 7 MastVol, 8 Mutes, 9 DrumPatches, 10 "1: {", 11 drum Name.
    assert lines[2] == "\tPattern: a" and lines[7].startswith("\tMutes: {")

    def kit_message(line: int, old: str, new: str) -> str:
        broken = edit(text.replace("\r\n", "\n"), line, old, new)
        with pytest.raises(KitError) as caught:
            parse_kit(broken, "k.mtpreset")
        return str(caught.value)

    assert kit_message(3, ": a", ": m") == (
        "k.mtpreset:3:11: expected one of a, b, c, d, e, f, g, h, i, j, k, l for Pattern, found 'm'"
    )
    assert kit_message(4, "1/16", "1/64").startswith("k.mtpreset:4:12: expected one of 1/8,")
    assert kit_message(5, "%", " percent") == (
        "k.mtpreset:5:20: expected a unit '%' after the number for Swing"
    )
    assert kit_message(8, "Off, Off }", "Off }") == (
        "k.mtpreset:8:45: expected 8 entries in Mutes, found 7"
    )
    assert kit_message(8, "Off, Off }", "Off, Maybe }") == (
        "k.mtpreset:8:46: expected one of On, Off for Mutes, found 'Maybe'"
    )
    assert kit_message(8, "{ Off,", "{ Off Off,") == (
        "k.mtpreset:8:11: expected one of On, Off for Mutes, found 'Off Off'"
    )
    assert kit_message(10, "1:", "9:") == "k.mtpreset:10:3: unexpected key '9' in DrumPatches"
    assert kit_message(2, "Name", "Nmae") == (
        "k.mtpreset:2:2: unexpected key 'Nmae' in MicrotonicPresetV3 (did you mean 'Name'?)"
    )


def test_pattern_errors() -> None:
    text = dumps_microtonic(Kit()).replace("\r\n", "\n")
    lines = text.split("\n")
    start = lines.index("\t\ta: {") + 1  # 1-based line of "a: {"
    assert (
        lines[start] == "\t\t\tLength: 16" and lines[start + 3] == "\t\t\t\tTriggers: " + "-" * 16
    )

    def pattern_message(offset: int, old: str, new: str) -> str:
        with pytest.raises(KitError) as caught:
            parse_kit(edit(text, start + offset, old, new), "p.mtpg")
        return str(caught.value)

    length_line, triggers_line = start + 1, start + 4
    assert pattern_message(1, "16", "17") == (
        f"p.mtpg:{length_line}:12: expected a whole number 1-16 for Length"
    )
    assert pattern_message(1, "16", "0") == (
        f"p.mtpg:{length_line}:12: expected a whole number 1-16 for Length"
    )
    assert pattern_message(4, "-----", "--x--") == (
        f"p.mtpg:{triggers_line}:17: expected 16 steps of '#' or '-' for Triggers"
    )
    assert pattern_message(4, "-----", "----") == (
        f"p.mtpg:{triggers_line}:30: expected 16 steps of '#' or '-' for Triggers"
    )
    assert pattern_message(4, "-----", "------") == (
        f"p.mtpg:{triggers_line}:31: expected 16 steps of '#' or '-' for Triggers"
    )
    assert pattern_message(2, "false", "maybe") == (
        f"p.mtpg:{start + 2}:13: expected one of true, false for Chained, found 'maybe'"
    )


def test_every_truncation_of_a_real_preset_fails_cleanly() -> None:
    path = DATA / "presets" / "default.mtpreset"
    if not path.exists():
        pytest.skip(f"shared data file {path} is absent")
    text = path.read_bytes().decode("utf-8")
    last_brace = text.rindex("}")
    for end in range(0, last_brace, 53):
        with pytest.raises(KitError) as caught:
            parse_kit(text[:end], "cut.mtpreset")
        assert caught.value.line is not None and caught.value.column is not None


def test_json_errors_are_kit_errors() -> None:
    with pytest.raises(KitError, match=r"^k\.json:1:2: expected JSON"):
        kit_from_json("{,", "k.json")
    with pytest.raises(KitError, match=r"^k\.json: \$\.format: expected 'supertonic-kit'"):
        kit_from_json("{}", "k.json")
    with pytest.raises(KitError, match=r"^k\.json: \$\.version: expected version 1, found 2"):
        kit_from_json('{"format": "supertonic-kit", "version": 2}', "k.json")
