"""Pattern text, complexity measures and the shipped starter corpus."""

import numpy as np
import pytest

from actors.generator._patterns import (
    Bar,
    complexity_table,
    lhl,
    parse,
    render,
    toussaint,
    track_index,
)
from actors.generator._starter import load_starter, parse_corpus


def test_parse_and_render_round_trip():
    text = "X---x---x-X-----" + "----X-------X--x"
    bars = parse(text)
    assert bars == [Bar(0b10100010001, 0b10000000001), Bar(0b1001000000010000, 0b1000000010000)]
    assert render(bars) == text


@pytest.mark.parametrize("bad", ["x---", "x" * 17, "o" * 16, ""])
def test_parse_rejects_bad_text(bad):
    with pytest.raises(ValueError):
        parse(bad)


def test_track_names_and_numbers():
    assert track_index("snare") == 1
    assert track_index("4") == 4
    with pytest.raises(ValueError, match="unknown track"):
        track_index("cowbell")


def test_son_clave_scores_four_on_both_measures():
    (clave,) = parse("x--x--x---x-x---")
    assert toussaint(clave.hits) == 4
    assert lhl(clave.hits) == 4


def test_measures_on_plain_and_offbeat_patterns():
    (four,) = parse("x---x---x---x---")
    (offbeat,) = parse("-x-x-x-x-x-x-x-x")
    assert toussaint(four.hits) == 0 and lhl(four.hits) == 0
    # Every odd-16th onset is followed by a stronger rest; the last wraps to beat 1.
    assert lhl(offbeat.hits) == 1 + 2 + 1 + 3 + 1 + 2 + 1 + 4
    assert toussaint(0) == 0


def test_complexity_table_matches_the_scalar_measures():
    table = complexity_table()
    assert table.shape == (65536,)
    rng = np.random.default_rng(1)
    for hits in rng.integers(0, 65536, 50):
        assert table[hits] == toussaint(int(hits)) + lhl(int(hits))


def test_starter_corpus_covers_many_styles_with_a_few_hundred_bars():
    grooves = load_starter()
    styles = {g.style for g in grooves}
    bars = sum(len(g.bars) for g in grooves)
    assert {"rock", "funk", "hiphop", "house", "techno", "dnb", "reggae", "latin"} <= styles
    assert 300 <= bars <= 2000
    assert any(len(g.bars) == 2 for g in grooves)  # 32-step grooves teach steps 17-32
    for groove in grooves:
        assert any(bar.hits for tracks in groove.bars for bar in tracks)


def test_corpus_groups_expand_to_every_combination():
    text = """
    [test]
    kick   x---x---x---x---  x-------x-------
    snare  ----x-------x---
    hihat  x-x-x-x-x-x-x-x-  xxxxxxxxxxxxxxxx  --x---x---x---x-
    """
    grooves = parse_corpus(text)
    assert len(grooves) == 2 * 1 * 3
    assert all(g.style == "test" and g.bars[0][4] == Bar(0) for g in grooves)


def test_corpus_errors_name_the_line():
    with pytest.raises(ValueError, match="line 3"):
        parse_corpus("[x]\nkick x---x---x---x---\nsnare x--\n")
