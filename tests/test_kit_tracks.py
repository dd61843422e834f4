"""An eight-channel kit as supertonic's five tracks: steps, lengths and chains."""

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
    chain,
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


def test_pattern_text_marks_hits_and_accents() -> None:
    kit = kit_with({"a": pattern(KICK, SNARE)})
    kick, snare, hihat, openhat, clap = pattern_text(kit)
    assert kick == "X---x---X---x---"
    assert snare == "----x-------X--x"
    assert hihat == openhat == clap == "-" * 16


def test_accent_without_trigger_is_a_rest() -> None:
    kit = kit_with({"a": pattern(Channel(triggers="#" + "-" * 15, accents="##" + "-" * 14))})
    assert pattern_text(kit)[0] == "X" + "-" * 15


def test_a_chain_plays_its_patterns_in_order_from_the_one_asked_for() -> None:
    kit = kit_with({"a": pattern(KICK, chained=True), "b": pattern(CLAP_ON_8, chained=True),
                    "c": pattern(SNARE), "d": pattern(KICK)})
    assert chain(kit, "a") == "abc"
    assert chain(kit, "b") == "bca"  # and then back to the chain's first
    assert chain(kit, "c") == "cab"
    assert chain(kit, "d") == "d"
    assert pattern_text(kit, "ab")[0] == "X---x---X---x---" + "x-x-x-x-x-x-x-x-"


def test_last_pattern_has_nothing_to_chain_to() -> None:
    kit = kit_with({"l": pattern(KICK, chained=True), "a": pattern(CLAP_ON_8)})
    assert chain(kit, "l") == "l"
    kit = kit_with({"k": pattern(KICK, chained=True), "l": pattern(CLAP_ON_8, chained=True)})
    assert chain(kit, "l") == "lk"


def test_short_patterns_play_their_length_and_no_further() -> None:
    busy = Channel(triggers="#" * 16, accents="#" + "-" * 15, fills="#" * 16)
    kit = kit_with({"c": pattern(busy, length=4, chained=True), "d": pattern(busy, length=1)})
    assert pattern_text(kit, "c")[0] == "Xxxx"
    assert chain(kit, "c") == "cd"
    assert pattern_text(kit, "cd")[0] == "XxxxX"
    assert fill_text(kit, "cd")[0] == "fffff"


def test_fill_mask_needs_a_trigger_on_the_step() -> None:
    kit = kit_with({"a": pattern(KICK, SNARE)})
    kick, snare, *rest = fill_text(kit)
    assert kick == "----f-----------"  # the fill on step 16 has no trigger
    assert snare == "---------------f"
    assert rest == ["-" * 16] * 3


def test_channel_map_picks_the_rows() -> None:
    kit = kit_with({"a": pattern(KICK, SNARE, REST, REST, REST, REST, REST, CLAP_ON_8)})
    assert pattern_text(kit, channel_map=(7, 0, 0, 1, 7)) == (
        "x-x-x-x-x-x-x-x-",
        "X---x---X---x---",
        "X---x---X---x---",
        "----x-------X--x",
        "x-x-x-x-x-x-x-x-",
    )


@pytest.mark.parametrize("name", ["m", "am", "", "A"])
def test_unknown_pattern_names(name: str) -> None:
    with pytest.raises(ValueError, match="pattern must be one of"):
        pattern_text(kit_with({}), name)


def test_real_author_kit() -> None:
    path = DATA / "mtpg" / "AcouCongo.mtpg"
    if not path.exists():
        pytest.skip(f"shared data file {path} is absent")
    kit = load_kit(path)
    # Channel 1 of a: triggers #-#--#--#-#--##-, accents #--#####---###--;
    # b: triggers #-#--#--#-#--#--, same accents; a-d are chained.
    assert pattern_text(kit, "a")[0] == "X-x--X--x-x--Xx-"
    assert chain(kit, "a") == "abcd" and chain(kit, "c") == "cdab"
    assert pattern_text(kit, "ab")[0] == "X-x--X--x-x--Xx-" + "X-x--X--x-x--X--"
    # Channel 5 of a: triggers ----#------#----, fills ####-######-----: no fill has a hit.
    assert fill_text(kit, "a")[4] == "-" * 16
    # Channel 2 of a: triggers ------##------##, fills -------------#--: step 14 has no hit.
    assert fill_text(kit, "a")[1] == "-" * 16
    # Channel 3 of b: triggers ---#-----##-----, accents ########-#----#-,
    # fills ----------#---##: only the fill on step 11 lands on a hit.
    assert pattern_text(kit, "b")[2] == "---X-----Xx-----"
    assert fill_text(kit, "b")[2] == "----------f-----"
