"""Reading Microtonic presets and drums: the shared real files and hand-made dialect variants."""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import pytest

from actors.kit import (
    PATTERN_NAMES,
    Drum,
    Kit,
    KitError,
    load_drum,
    load_kit,
    parse_drum,
    parse_kit,
)

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
PRESET_FILES = sorted((DATA / "presets").glob("*.mtpreset")) + sorted(
    (DATA / "mtpg").glob("*.mtpg")
)


def data_file(relative: str) -> Path:
    path = DATA / relative
    if not path.exists():
        pytest.skip(f"shared data file {path} is absent (it is not part of the repository)")
    return path


def read_crlf(relative: str) -> str:
    """The file's text with its CRLF line ends intact."""
    return data_file(relative).read_bytes().decode("utf-8")


@pytest.mark.skipif(not PRESET_FILES, reason=f"no shared presets under {DATA}")
@pytest.mark.parametrize("path", PRESET_FILES, ids=lambda p: p.name)
def test_every_shared_preset_parses_completely(path: Path) -> None:
    kit = load_kit(path)
    assert len(kit.drums) == 8
    assert len(kit.patterns) == len(PATTERN_NAMES) == 12
    for pattern in kit.patterns:
        assert 1 <= pattern.length <= 16
        assert len(pattern.channels) == 8
        for channel in pattern.channels:
            for steps in (channel.triggers, channel.accents, channel.fills):
                assert len(steps) == 16 and set(steps) <= {"#", "-"}
    for drum in kit.drums:
        assert 20.0 <= drum.osc_freq <= 20000.0
        assert 0.01 <= drum.osc_dcy <= 10.0
        assert 0.0 <= drum.mix <= 1.0
        assert drum.level <= 10.0


# (file, drum number as in the file, field, value in model units), read off the text by hand.
DRUM_EXPECTATIONS = [
    ("presets/default.mtpreset", 1, "name", "SC BD Toxyk"),
    ("presets/default.mtpreset", 1, "osc_freq", 48.06096133732516),
    ("presets/default.mtpreset", 1, "osc_dcy", 0.6265732892422952),
    ("presets/default.mtpreset", 1, "mix", 0.11846121788024902),
    ("presets/default.mtpreset", 1, "mod_rate", 0.24677166176395696),
    ("presets/default.mtpreset", 1, "nstereo", True),
    ("presets/default.mtpreset", 1, "nenv_atk", 0.0021977363693469236),
    ("presets/default.mtpreset", 2, "mod_mode", "Noise"),
    ("presets/default.mtpreset", 2, "mod_rate", 12662.482988631937),
    ("presets/default.mtpreset", 2, "eq_gain", -40.0),
    ("presets/default.mtpreset", 2, "nfil_mod", "HP"),
    ("presets/default.mtpreset", 3, "mix", 1.0),
    # Drum 7 comes before drum 4 in this file: the number, not the order, places it.
    ("presets/default.mtpreset", 7, "osc_dcy", 0.012798022281123771),
    ("presets/default.mtpreset", 8, "name", "VT-LM2 Cabasa"),
    ("presets/default.mtpreset", 8, "osc_freq", 10583.93858092824),
    ("presets/chonk.mtpreset", 1, "mod_rate", math.inf),
    ("presets/chonk.mtpreset", 1, "nenv_mod", "Mod"),
    ("presets/chonk.mtpreset", 1, "osc_atk", 0.004330303324999159),
    ("presets/blue.mtpreset", 1, "osc_freq", 50.922805746447),
    ("presets/blue.mtpreset", 8, "level", -6.471557561365106),
    ("presets/tough.mtpreset", 1, "name", "tough"),
    ("presets/tough.mtpreset", 1, "eq_gain", -39.20000076293945),
    ("presets/tough.mtpreset", 1, "nenv_dcy", 1.338425632886407),
    ("presets/po-32_drum_bot_l4.mtpreset", 1, "nenv_dcy", 1.1049776606760063),
    ("mtpg/AcouCongo.mtpg", 1, "name", "lightersnare"),
    ("mtpg/AcouCongo.mtpg", 1, "mod_amt", 3.60793389),
    ("mtpg/AcouCongo.mtpg", 1, "pan", 0.13131714),
    ("mtpg/AcouCongo.mtpg", 1, "mix", 0.4749999940),
    ("mtpg/AcouCongo.mtpg", 2, "pan", -38.02977371),
    ("mtpg/AcouCongo.mtpg", 2, "mod_mode", "Sine"),
    ("mtpg/AcouCongo.mtpg", 8, "osc_wave", "Saw"),
    ("mtpg/AcouCongo.mtpg", 8, "choke", True),
    ("mtpg/AcouCongo.mtpg", 8, "mix", 0.7500000596),
    ("mtpg/BouncyElec.mtpg", 8, "name", "another cymbal"),
    ("mtpg/BouncyElec.mtpg", 8, "mod_rate", 383.36406575),
    ("mtpg/Cabinet.mtpg", 8, "name", "init"),
    ("mtpg/Cabinet.mtpg", 8, "level", -8.68553181),
    ("mtpg/CtrlBreak.mtpg", 8, "osc_freq", 17929.24609375),
    ("mtpg/CtrlBreak.mtpg", 8, "level", 4.85557557),
    ("mtpg/DrainAge.mtpg", 8, "pan", 52.20874023),
    ("mtpg/DrainAge.mtpg", 8, "nfil_q", 1.54443491),
    ("mtpg/Dubloon.mtpg", 8, "name", "Blepati 8"),
    ("mtpg/Dubloon.mtpg", 8, "mod_rate", 182.17347048),
]


@pytest.mark.parametrize(("relative", "number", "field", "expected"), DRUM_EXPECTATIONS)
def test_drum_values_match_the_text(
    relative: str, number: int, field: str, expected: object
) -> None:
    value = getattr(load_kit(data_file(relative)).drums[number - 1], field)
    if isinstance(expected, float):
        assert value == pytest.approx(expected, rel=1e-12)
    else:
        assert value == expected


def test_user_dialect_globals() -> None:
    kit = load_kit(data_file("presets/default.mtpreset"))
    assert (kit.name, kit.tempo) == ("", None)  # user-saved presets carry neither
    assert (kit.selected_pattern, kit.step_rate) == ("a", "1/16")
    assert (kit.swing, kit.fill_rate, kit.master_volume) == (0.0, 2.0, 0.0)
    assert kit.mutes == (False,) * 8
    assert all(p.length == 16 and not p.chained for p in kit.patterns)


def test_author_dialect_globals_and_patterns() -> None:
    kit = load_kit(data_file("mtpg/AcouCongo.mtpg"))
    assert kit.name == "SC Acou Congo (120)"
    assert kit.tempo == 120.0
    assert kit.swing == pytest.approx(0.3191489220)
    assert kit.fill_rate == pytest.approx(2.18503976)
    a, c, d = kit.patterns[0], kit.patterns[2], kit.patterns[3]
    assert a.chained and c.chained and not d.chained
    assert a.channels[0].triggers == "#-#--#--#-#--##-"
    assert a.channels[0].accents == "#--#####---###--"
    assert a.channels[1].fills == "-------------#--"
    assert a.channels[4].fills == "####-######-----"
    assert a.channels[7].accents == "#" * 16
    assert c.channels[0].triggers == "#-#--#--#-#-#-#-"
    assert not kit.patterns[-1].chained  # ``l`` carries no Chained key at all


def test_author_dialect_mutes_lengths_and_selected_pattern() -> None:
    assert load_kit(data_file("mtpg/Dubloon.mtpg")).mutes == (
        False, True, True, True, False, True, False, False,
    )  # fmt: skip
    assert load_kit(data_file("mtpg/Dubloon.mtpg")).selected_pattern == "b"
    assert load_kit(data_file("mtpg/Cabinet.mtpg")).mutes[3] is True
    bouncy = load_kit(data_file("mtpg/BouncyElec.mtpg"))
    assert [p.length for p in bouncy.patterns] == [16, 16, 16, 16, 16, 8, 4, 2, 1, 1, 16, 16]
    assert bouncy.fill_rate == pytest.approx(7.18876839)


def test_float_artefacts_are_clamped_to_the_documented_range() -> None:
    # Cabinet writes ``NFilFrq: 20000.00195312 Hz`` (drums 1-4), BouncyElec
    # ``OscDcy: 10000.00097656 ms`` (drums 3 and 6).
    cabinet = load_kit(data_file("mtpg/Cabinet.mtpg"))
    assert [d.nfil_frq for d in cabinet.drums[:4]] == [20000.0] * 4
    bouncy = load_kit(data_file("mtpg/BouncyElec.mtpg"))
    assert (bouncy.drums[2].osc_dcy, bouncy.drums[5].osc_dcy) == (10.0, 10.0)


def test_crlf_lf_and_tab_space_variants_read_the_same() -> None:
    crlf = read_crlf("presets/default.mtpreset")
    assert "\r\n" in crlf
    lf = crlf.replace("\r\n", "\n")
    spaced = lf.replace("\t", "    ")
    mixed = "\n".join(
        ("  \t " if i % 2 else "\t") + line.strip() for i, line in enumerate(lf.split("\n"))
    )
    expected = parse_kit(crlf, "crlf.mtpreset")
    for text in (lf, spaced, mixed):
        assert parse_kit(text, "variant.mtpreset") == expected
    assert expected.drums[0].osc_freq == 48.06096133732516


def test_bom_and_comments_are_ignored() -> None:
    text = read_crlf("mtpg/Cabinet.mtpg")
    commented = "\ufeff// saved by hand\r\n/* a block\r\ncomment */" + text.replace(
        "\tStepRate: 1/16", "\tStepRate: 1/16 // sixteenths"
    ).replace("\tSwing:", "\t/* inline */ Swing:")
    assert parse_kit(commented, "c.mtpg") == parse_kit(text, "c.mtpg")


def test_bom_in_bytes_on_disk(tmp_path: Path) -> None:
    data = data_file("mtpg/Cabinet.mtpg").read_bytes()
    path = tmp_path / "bom.mtpg"
    path.write_bytes(b"\xef\xbb\xbf" + data)
    assert load_kit(path) == load_kit(data_file("mtpg/Cabinet.mtpg"))


def test_non_ascii_and_escaped_names(tmp_path: Path) -> None:
    text = read_crlf("presets/default.mtpreset")
    text = text.replace('Name: "SC BD Toxyk"', 'Name: "Große Trommel 鼓 \\"ß\\" C:\\\\x"', 1)
    path = tmp_path / "ü.mtpreset"
    path.write_bytes(text.encode("utf-8"))
    assert load_kit(path).drums[0].name == 'Große Trommel 鼓 "ß" C:\\x'


def test_windows_path_with_escaped_backslashes_is_accepted() -> None:
    assert "C:\\\\Users" in read_crlf("presets/tough.mtpreset")
    assert load_kit(data_file("presets/tough.mtpreset")).drums[0].name == "tough"


def test_integers_exponents_and_infinities() -> None:
    text = read_crlf("presets/default.mtpreset")
    text = (
        text.replace('"48.06096133732516 Hz"', '"48 Hz"')
        .replace('"626.5732892422952 ms"', '"6.265732892422952e2 ms"')
        .replace('"-5.120152232228721 dB"', '"-inf dB"')
        .replace('"246.77166176395696 ms"', '"inf ms"')
        .replace('"12662.482988631937 Hz"', '"0 Hz"')
    )
    kit = parse_kit(text, "n.mtpreset")
    drum = kit.drums[0]
    assert drum.osc_freq == 48.0
    assert drum.osc_dcy == pytest.approx(0.6265732892422952)
    assert drum.level == -math.inf
    assert drum.mod_rate == math.inf
    assert kit.drums[1].mod_rate == 0.0


def test_out_of_range_values_clamp() -> None:
    text = read_crlf("presets/default.mtpreset")
    text = (
        text.replace('"48.06096133732516 Hz"', '"inf Hz"')
        .replace('"626.5732892422952 ms"', '"1 ms"')
        .replace('"33.019509360457505 sm"', '"-200 sm"')
        .replace('"23.346161411535604 sm"', '"60 sm"')  # drum 2 is in Noise mode: +-48
        .replace('"38.95164430141449%"', '"250%"')
        .replace('"0.0%"', '"140%"', 1)
    )
    kit = parse_kit(text, "clamp.mtpreset")
    drum = kit.drums[0]
    assert (drum.osc_freq, drum.osc_dcy, drum.mod_amt, drum.osc_vel) == (
        20000.0,
        0.01,
        -96.0,
        200.0,
    )
    assert kit.drums[1].mod_amt == 48.0
    assert kit.swing == 1.0


def test_missing_output_and_choke_default_to_a_and_off() -> None:
    text = read_crlf("mtpg/AcouCongo.mtpg")
    lines = text.split("\r\n")
    lines = [line for line in lines if line.strip() not in ("Output: A", "Choke: On", "Choke: Off")]
    kit = parse_kit("\r\n".join(lines), "old.mtpg")
    assert all(d.output == "A" and d.choke is False for d in kit.drums)


MTDP = """MicroTonicDrumPatchV1={
\tName="NE RND Zeroto9"
\tOscWave=Triangle
\tOscFreq=742.02076800Hz
\tOscDcy=58.21029589ms
\tModMode=Noise
\tModRate=0 Hz
\tModAmt=+22.19031754sm
\tNFilMod=BP
\tNFilFrq=149.74901463Hz
\tNFilQ=1008.40029486
\tNStereo=Off
\tNEnvMod=Exp
\tNEnvAtk=0.00000000ms
\tNEnvDcy=216.86110703ms
\tMix=66.51028097/33.48971903
\tDistAmt=17.84428060
\tEQFreq=5377.53820357Hz
\tEQGain=+28.41660023dB
\tLevel=+10.00000000dB
\tPan=0.00000000
\tOutput=A
\tOscVel=100.00000000%
\tNVel=100.00000000%
\tModVel=100.00000000%
}
"""


def test_old_mtdp_drum() -> None:
    drum = parse_drum(MTDP, "Zeroto9.mtdp")
    assert_drum(
        drum,
        {
            "name": "NE RND Zeroto9",
            "osc_wave": "Triangle",
            "osc_freq": 742.020768,
            "osc_atk": 0.0,  # absent from old patches
            "osc_dcy": 0.05821029589,
            "mod_mode": "Noise",
            "mod_rate": 0.0,
            "mod_amt": 22.19031754,
            "nfil_mod": "BP",
            "nfil_frq": 149.74901463,
            "nfil_q": 1008.40029486,
            "nstereo": False,
            "nenv_mod": "Exp",
            "nenv_atk": 0.0,
            "nenv_dcy": 0.21686110703,
            "mix": 0.3348971903,
            "dist_amt": 17.8442806,
            "eq_freq": 5377.53820357,
            "eq_gain": 28.41660023,
            "level": 10.0,
            "pan": 0.0,
            "output": "A",
            "choke": False,  # absent from old patches
            "osc_vel": 100.0,
            "n_vel": 100.0,
            "mod_vel": 100.0,
        },
    )
    crlf_with_comment = "// old patch\r\n" + MTDP.replace("\n", "\r\n")
    assert parse_drum(crlf_with_comment, "Zeroto9.mtdp") == drum


def test_mtdrum_from_a_preset_drum_and_nameless_file(tmp_path: Path) -> None:
    text = read_crlf("mtpg/AcouCongo.mtpg").replace("\r\n", "\n").split("\n")
    start = text.index("\t\t1: {")
    end = text.index("\t\t}", start)
    body = [line for line in text[start + 1 : end] if "Name:" not in line]
    path = tmp_path / "Light Snare.mtdrum"
    path.write_text("MicrotonicDrumPatchV3: {\n" + "\n".join(body) + "\n}\n", encoding="utf-8")
    drum = load_drum(path)
    kit_drum = load_kit(data_file("mtpg/AcouCongo.mtpg")).drums[0]
    assert drum.name == "Light Snare"
    assert drum == dataclasses.replace(kit_drum, name="Light Snare")


def assert_drum(drum: Drum, expected: dict[str, object]) -> None:
    assert [f.name for f in dataclasses.fields(drum)] == list(expected)
    for name, value in expected.items():
        if isinstance(value, float):
            assert getattr(drum, name) == pytest.approx(value, rel=1e-12), name
        else:
            assert getattr(drum, name) == value, name


def test_a_drum_file_is_not_a_kit_and_vice_versa() -> None:
    with pytest.raises(KitError, match=r"x\.mtdp:1:1: expected MicrotonicPresetV3, found "):
        parse_kit(MTDP, "x.mtdp")
    with pytest.raises(KitError, match="a whole kit"):
        parse_drum(read_crlf("mtpg/Cabinet.mtpg"), "Cabinet.mtpg")


def test_kit_type_is_the_model() -> None:
    assert isinstance(load_kit(data_file("mtpg/Cabinet.mtpg")), Kit)
