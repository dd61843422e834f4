"""Microtonic patterns play as Microtonic plays them: a pattern loops after its
Length (the triggers it stores past it never play), StepRate is honoured, and a
chain plays its patterns in order and comes back to its first.

The presets are written here as text, following the grammar of presets.md, and
the expected sample of every onset is computed from what was written: the
shared pattern groups use none of these features."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from actors.kit import DEFAULT_CHANNEL_MAP, load_kit, pattern_text
from actors.kit.commands import register_commands
from actors.render import render_session
from actors.rules import STEP_RATES, TICKS_PER_BEAT, bar_steps
from actors.session import DEFAULT_KIT, Session
from tests.audio import click_onsets, click_synthdefs, click_voices, read_wav
from tests.live import needs_supercollider

RATE = 48000
LETTERS = "abcdefghijkl"


def channel_steps(pattern: int, channel: int) -> str:
    """Triggers that differ by pattern and channel, all 16 of them written even when
    the Length is shorter."""
    return "".join("#" if (step * (channel + 2) + pattern) % (channel + 3) == 0 else "-"
                   for step in range(16))


def preset_text(rate: str, swing: float, tempo: float,
                patterns: dict[str, tuple[int, bool]]) -> str:
    """A MicrotonicPresetV3 file: the default kit's drums, then ``patterns`` (letter ->
    Length, Chained; the rest 16 steps, unchained) in the grammar's own words."""
    drums = DEFAULT_KIT.read_text().replace("\r\n", "\n")
    head, _, _ = drums.partition("\tPatterns: {")
    head = (head.replace("StepRate: 1/16", f"StepRate: {rate}")
            .replace("Swing: 0.00000000%", f"Swing: {swing:.8f}%")
            .replace("Tempo: 120.00000000 bpm", f"Tempo: {tempo:.8f} bpm"))
    lines = [head.rstrip("\n"), "\tPatterns: {"]
    for index, letter in enumerate(LETTERS):
        length, chained = patterns.get(letter, (16, False))
        lines += [f"\t\t{letter}: {{", f"\t\t\tLength: {length}",
                  f"\t\t\tChained: {'true' if chained else 'false'}"]
        for channel in range(8):
            lines += [f"\t\t\t{channel + 1}: {{",
                      f"\t\t\t\tTriggers: {channel_steps(index, channel)}",
                      f"\t\t\t\tAccents:  {'-' * 16}",
                      f"\t\t\t\tFills:    {'-' * 16}",
                      "\t\t\t}"]
        lines.append("\t\t}")
    lines += ["\t}", "}", ""]
    return "\r\n".join(lines)


def expected(patterns: dict[str, tuple[int, bool]], played: str, rate: str, swing: float,
             tempo: float, steps: int) -> dict[int, list[int]]:
    """Onsets by Microtonic's rules: the chain's patterns in order, each for its Length,
    round and round; swing on every second step of a pattern."""
    step = 60.0 / tempo * STEP_RATES[rate] / TICKS_PER_BEAT
    loop = [(LETTERS.index(letter), j) for letter in played
            for j in range(patterns.get(letter, (16, False))[0])]
    found: dict[int, list[int]] = {}
    for track, channel in enumerate(DEFAULT_CHANNEL_MAP):
        found[track] = [
            round((k * step + (step * swing / 2 if j % 2 else 0.0)) * RATE)
            for k in range(steps)
            for pattern, j in [loop[k % len(loop)]]
            if channel_steps(pattern, channel)[j] == "#"
        ]
    return found


def render_kit(tmp_path, text: str, pattern: str, bars: int) -> tuple[Session, dict]:
    path = tmp_path / "kit.mtpreset"
    path.write_bytes(text.encode())
    session = Session().with_kit(load_kit(path), pattern=pattern)
    out = tmp_path / "out.wav"
    render_session(session, click_synthdefs(), bars, out, voices=click_voices())
    rate, audio = read_wav(out)
    assert rate == RATE
    return session, click_onsets(audio[:, 0])


@needs_supercollider
@pytest.mark.parametrize(("patterns", "selected", "played"), [
    ({"a": (5, True), "b": (12, True), "c": (8, False)}, "a", "abc"),  # a chain of three
    ({"a": (5, True), "b": (12, True), "c": (8, False)}, "b", "bca"),  # back to its first
    ({"c": (12, False)}, "c", "c"),  # a short pattern loops
    # a chain longer than a track's 32 steps: pages after the track's own
    ({"e": (16, True), "f": (12, True), "g": (16, True), "h": (8, False)}, "f", "fghe"),
    ({"a": (16, True), "b": (16, True), "c": (16, True), "d": (16, False)}, "a", "abcd"),
    ({"d": (1, False)}, "d", "d"),
])
def test_lengths_and_chains_play_where_microtonic_puts_them(tmp_path, patterns, selected,
                                                            played):
    text = preset_text("1/16", 0.0, 120.0, patterns)
    session, found = render_kit(tmp_path, text, selected, 5)
    assert session.step_rate == "1/16"
    assert found == expected(patterns, played, "1/16", 0.0, session.tempo, 80)
    assert sum(map(len, found.values())) > 10


@needs_supercollider
def test_a_1_8t_kit_with_swing_plays_in_triplet_eighths(tmp_path):
    patterns = {"e": (12, True), "f": (8, True), "g": (4, False)}
    text = preset_text("1/8T", 40.0, 120.0, patterns)
    session, found = render_kit(tmp_path, text, "f", 4)
    assert session.step_rate == "1/8T"
    assert [t.length for t in session.tracks] == [24] * 5
    assert found == expected(patterns, "fge", "1/8T", 0.4, session.tempo, 4 * bar_steps("1/8T"))


@needs_supercollider
def test_swing_counts_each_chained_patterns_own_steps(tmp_path):
    """Odd lengths in a chain: every pattern starts on an unswung step."""
    patterns = {"a": (5, True), "b": (12, True), "c": (7, True), "d": (3, False)}
    text = preset_text("1/16T", 50.0, 120.0, patterns)
    session, found = render_kit(tmp_path, text, "a", 3)
    # pages a, b+c (c joins after b's even 12 steps), d (c ends on an odd step)
    assert [t.length for t in session.tracks] == [5] * 5
    assert [[n for _, _, n in t.chain] for t in session.tracks] == [[19, 3]] * 5
    assert found == expected(patterns, "abcd", "1/16T", 0.5, session.tempo,
                             3 * bar_steps("1/16T"))


def test_an_authors_chain_of_four_plays_whole(tmp_path):
    path = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "mtpg" / (
        "AcouCongo.mtpg")
    if not path.exists():
        pytest.skip(f"shared data file {path} is absent")
    kit = load_kit(path)
    session = Session().with_kit(kit, pattern="c")  # a-d are chained: c d a b
    kick = session.track(0)
    pages = [(kick.pattern, kick.length), *((p, n) for p, _, n in kick.chain)]
    assert [n for _, n in pages] == [32, 32]
    played = "".join(p[:n] for p, n in pages)
    assert played == "".join(pattern_text(kit, name)[0] for name in "cdab")


def convert(source, to: str, out) -> None:
    parser = argparse.ArgumentParser(prog="supertonic")
    register_commands(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["convert", str(source), "--to", to, "--out", str(out)])
    assert args.func(args) == 0


def test_convert_to_microtonic_keeps_lengths_chains_and_rate(tmp_path):
    patterns = {"a": (5, True), "b": (12, True), "c": (8, False), "k": (1, False)}
    source = tmp_path / "kit.mtpreset"
    source.write_bytes(preset_text("1/16T", 25.0, 97.0, patterns).encode())
    convert(source, "microtonic", tmp_path / "again.mtpreset")
    convert(tmp_path / "again.mtpreset", "json", tmp_path / "kit.json")
    convert(tmp_path / "kit.json", "microtonic", tmp_path / "thrice.mtpreset")
    original = load_kit(source)
    assert [p.length for p in original.patterns][:3] == [5, 12, 8]
    assert original.step_rate == "1/16T"
    for copy in ("again.mtpreset", "kit.json", "thrice.mtpreset"):
        kit = load_kit(tmp_path / copy)
        assert kit == original, copy
        assert Session().with_kit(kit, pattern="b") == Session().with_kit(original, pattern="b")
