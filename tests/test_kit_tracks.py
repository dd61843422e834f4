"""An eight-channel kit as supertonic's five 32-step tracks."""

from __future__ import annotations

from pathlib import Path

import pytest

from actors.kit import (
    DEFAULT_CHANNEL_MAP,
    PATTERN_NAMES,
    Channel,
    Drum,
    Kit,
    Pattern,
    fill_text,
    kit_tracks,
    load_kit,
    pattern_text,
)

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
REST = Channel()


def kit_with(patterns: dict[str, Pattern]) -> Kit:
    return Kit(
        drums=tuple(Drum(name=f"drum {n}") for n in range(1, 9)),
        patterns=tuple(patterns.get(letter, Pattern()) for letter in PATTERN_NAMES),
    )


def pattern(*channels: Channel, length: int = 16, chained: bool = False) -> Pattern:
    return Pattern(
        length=length, chained=chained, channels=channels + (REST,) * (8 - len(channels))
    )


KICK = Channel(triggers="#---#---#---#---", accents="#-------#-------", fills="----#----------#")
SNARE = Channel(triggers="----#-------#--#", accents="------------#---", fills="---------------#")
CLAP_ON_8 = Channel(triggers="#-#-#-#-#-#-#-#-")


def test_default_map_is_the_first_five_drums() -> None:
    kit = kit_with({})
    assert DEFAULT_CHANNEL_MAP == (0, 1, 2, 3, 4)
    assert [d.name for d in kit_tracks(kit)] == ["drum 1", "drum 2", "drum 3", "drum 4", "drum 5"]
    assert [d.name for d in kit_tracks(kit, (0, 1, 2, 3, 7))][-1] == "drum 8"


@pytest.mark.parametrize(
    "bad", [(0, 1, 2, 3), (0, 1, 2, 3, 8), (0, 1, 2, 3, -1), (0, 1, 2, 3, 4, 5)]
)
def test_bad_channel_maps_are_refused(bad: tuple[int, ...]) -> None:
    with pytest.raises(ValueError, match="channel map"):
        kit_tracks(kit_with({}), bad)
    with pytest.raises(ValueError, match="channel map"):
        pattern_text(kit_with({}), channel_map=bad)


def test_pattern_text_marks_hits_and_accents_and_repeats_the_bar() -> None:
    kit = kit_with({"a": pattern(KICK, SNARE)})
    kick, snare, hihat, openhat, clap = pattern_text(kit)
    assert kick == "X---x---X---x---" * 2
    assert snare == "----x-------X--x" * 2
    assert hihat == openhat == clap == "-" * 32


def test_accent_without_trigger_is_a_rest() -> None:
    kit = kit_with({"a": pattern(Channel(triggers="#" + "-" * 15, accents="##" + "-" * 14))})
    assert pattern_text(kit)[0] == ("X" + "-" * 15) * 2


def test_chained_pattern_supplies_steps_17_to_32_only_when_asked() -> None:
    kit = kit_with({"a": pattern(KICK, chained=True), "b": pattern(CLAP_ON_8)})
    assert pattern_text(kit, "a")[0] == "X---x---X---x---" * 2
    assert pattern_text(kit, "a", chain_next=True)[0] == "X---x---X---x---" + "x-x-x-x-x-x-x-x-"


def test_chain_next_without_a_chain_repeats() -> None:
    kit = kit_with({"a": pattern(KICK), "b": pattern(CLAP_ON_8)})
    assert pattern_text(kit, "a", chain_next=True)[0] == "X---x---X---x---" * 2


def test_last_pattern_has_nothing_to_chain_to() -> None:
    kit = kit_with({"l": pattern(KICK, chained=True), "a": pattern(CLAP_ON_8)})
    assert pattern_text(kit, "l", chain_next=True)[0] == "X---x---X---x---" * 2


def test_short_patterns_pad_with_rests() -> None:
    busy = Channel(triggers="#" * 16, accents="#" + "-" * 15, fills="#" * 16)
    kit = kit_with({"c": pattern(busy, length=4, chained=True), "d": pattern(busy, length=1)})
    assert pattern_text(kit, "c")[0] == "Xxxx" + "-" * 12 + "Xxxx" + "-" * 12
    assert pattern_text(kit, "c", chain_next=True)[0] == "Xxxx" + "-" * 12 + "X" + "-" * 15
    assert fill_text(kit, "c", chain_next=True)[0] == "ffff" + "-" * 12 + "f" + "-" * 15


def test_fill_mask_needs_a_trigger_on_the_step() -> None:
    kit = kit_with({"a": pattern(KICK, SNARE)})
    kick, snare, *rest = fill_text(kit)
    assert kick == "----f-----------" * 2  # the fill on step 16 has no trigger
    assert snare == "---------------f" * 2
    assert rest == ["-" * 32] * 3


def test_channel_map_picks_the_rows() -> None:
    kit = kit_with({"a": pattern(KICK, SNARE, REST, REST, REST, REST, REST, CLAP_ON_8)})
    assert pattern_text(kit, channel_map=(7, 0, 0, 1, 7)) == (
        "x-x-x-x-x-x-x-x-" * 2,
        "X---x---X---x---" * 2,
        "X---x---X---x---" * 2,
        "----x-------X--x" * 2,
        "x-x-x-x-x-x-x-x-" * 2,
    )


@pytest.mark.parametrize("name", ["m", "ab", "", "A"])
def test_unknown_pattern_names(name: str) -> None:
    with pytest.raises(ValueError, match="pattern must be one of"):
        pattern_text(kit_with({}), name)


def test_real_author_kit() -> None:
    path = DATA / "mtpg" / "AcouCongo.mtpg"
    if not path.exists():
        pytest.skip(f"shared data file {path} is absent")
    kit = load_kit(path)
    # Channel 1 of a: triggers #-#--#--#-#--##-, accents #--#####---###--;
    # b: triggers #-#--#--#-#--#--, same accents; a is chained to b.
    assert pattern_text(kit, "a")[0] == "X-x--X--x-x--Xx-" * 2
    assert pattern_text(kit, "a", chain_next=True)[0] == "X-x--X--x-x--Xx-" + "X-x--X--x-x--X--"
    # Channel 5 of a: triggers ----#------#----, fills ####-######-----: no fill has a hit.
    assert fill_text(kit, "a")[4] == "-" * 32
    # Channel 2 of a: triggers ------##------##, fills -------------#--: step 14 has no hit.
    assert fill_text(kit, "a")[1] == "-" * 32
    # Channel 3 of b: triggers ---#-----##-----, accents ########-#----#-,
    # fills ----------#---##: only the fill on step 11 lands on a hit.
    assert pattern_text(kit, "b")[2] == "---X-----Xx-----" * 2
    assert fill_text(kit, "b")[2] == "----------f-----" * 2
