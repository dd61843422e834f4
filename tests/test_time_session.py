"""Lengths and the step rate in the session: commands, the file, old files, bad input."""

from __future__ import annotations

import argparse
import json

import pytest

from actors.commands import build_session, register_commands
from actors.messages import SetChain, SetLength, SetStepRate
from actors.session import (
    Session,
    SessionCore,
    SessionError,
    To,
    full_state,
    load_session,
    save_session,
)

OLD_FILE = """{
 "format": "supertonic-session",
 "version": 1,
 "tempo": 97.0,
 "tracks": {"kick": {"pattern": "x---x---", "swing": 20}}
}
"""


def test_a_file_from_before_lengths_and_rates_loads_as_it_always_played(tmp_path):
    path = tmp_path / "old.json"
    path.write_text(OLD_FILE)
    session = load_session(path)
    assert session.step_rate == "1/16"
    assert [t.length for t in session.tracks] == [32] * 5
    assert session.track(0).pattern == "x---" * 8 and session.tempo == 97.0


def test_lengths_and_rate_are_saved_and_loaded(tmp_path):
    session = Session(step_rate="1/8T").with_track(1, length=12).with_track(2, length=5)
    path = tmp_path / "s.json"
    save_session(session, path)
    document = json.loads(path.read_text())
    assert document["step_rate"] == "1/8T"
    assert document["tracks"]["hihat"]["length"] == 5
    loaded = load_session(path)
    assert loaded.step_rate == "1/8T"
    assert [t.length for t in loaded.tracks] == [32, 12, 5, 32, 32]


@pytest.mark.parametrize(("field", "value", "line", "column", "says"), [
    ("length", 33, 5, 33, "1-32"),
    ("length", 0, 5, 33, "1-32"),
    ("length", 7.5, 5, 33, "1-32"),
    ("step_rate", "1/12", 4, 15, "1/8, 1/8T, 1/16, 1/16T, 1/32"),
    ("step_rate", [16], 4, 15, "1/8, 1/8T, 1/16, 1/16T, 1/32"),
])
def test_a_bad_length_or_rate_names_file_line_and_column(tmp_path, field, value, line,
                                                          column, says):
    length = value if field == "length" else 8
    rate = value if field == "step_rate" else "1/16"
    text = ('{\n "format": "supertonic-session",\n "version": 1,\n'
            f' "step_rate": {json.dumps(rate)},\n'
            f' "tracks": {{"snare": {{"length": {json.dumps(length)}}}}}\n}}\n')
    path = tmp_path / "bad.json"
    path.write_text(text)
    with pytest.raises(SessionError) as raised:
        load_session(path)
    message = str(raised.value)
    assert message.startswith(f"{path}:{line}:{column}: ") and says in message
    assert text.splitlines()[line - 1][column - 1:].startswith(json.dumps(value))


def test_commands_change_lengths_and_rate_and_route_them():
    core = SessionCore(Session())
    assert core.apply(SetLength(3, 7)) == [(To.SEQUENCER, SetLength(3, 7))]
    assert core.apply(SetStepRate("1/32")) == [(To.CLOCK, SetStepRate("1/32"))]
    assert core.session.track(3).length == 7 and core.session.step_rate == "1/32"
    for bad in (SetLength(3, 33), SetLength(9, 4), SetStepRate("1/64")):
        with pytest.raises(ValueError):
            core.apply(bad)
    assert core.session.track(3).length == 7 and core.session.step_rate == "1/32"
    state = full_state(core.session)
    assert (To.CLOCK, SetStepRate("1/32")) in state
    assert (To.SEQUENCER, SetLength(3, 7)) in state


def render_args(*argv: str):
    parser = argparse.ArgumentParser(prog="supertonic")
    register_commands(parser.add_subparsers(dest="command", required=True))
    return parser.parse_args(["render", "--png", "x.png", *argv])


def test_the_command_line_sets_lengths_and_the_rate(capsys):
    session = build_session(render_args("--length", "snare=12", "--length", "clap=5",
                                        "--step-rate", "1/16T"))
    assert session.step_rate == "1/16T"
    assert [t.length for t in session.tracks] == [32, 12, 32, 32, 5]
    for bad in (["--length", "snare=33"], ["--length", "cowbell=3"], ["--step-rate", "1/12"]):
        with pytest.raises(SystemExit):
            render_args(*bad)
    assert "1-32" in capsys.readouterr().err


def test_a_chain_is_saved_loaded_and_sent_to_the_sequencer(tmp_path):
    chain = (("X" * 32, "-" * 32, 12), ("x-" * 16, "f-" * 16, 3))
    session = Session().with_track(2, length=16, chain=chain)
    path = tmp_path / "chain.json"
    save_session(session, path)
    loaded = load_session(path)
    assert loaded.track(2).chain == chain and loaded.track(2).length == 16
    assert (To.SEQUENCER, SetChain(2, chain)) in full_state(loaded)
    assert (To.SEQUENCER, SetChain(0, ())) in full_state(loaded)


def test_a_bad_chain_page_length_names_its_place(tmp_path):
    text = ('{"format": "supertonic-session", "version": 1,\n'
            ' "tracks": {"kick": {"chain": [{"pattern": "x"},\n'
            '                               {"pattern": "x", "length": 40}]}}}\n')
    path = tmp_path / "bad.json"
    path.write_text(text)
    with pytest.raises(SessionError, match=rf"^{path}:3:59: tracks\.kick\.chain\[1\]\.length"):
        load_session(path)
    assert text.splitlines()[2][58:].startswith("40")


def test_the_sequencer_plays_a_tracks_pages_in_turn_swinging_each_from_its_start():
    from actors.messages import SetPattern, SetSwing, Step
    from actors.sequencer import SequencerCore

    core = SequencerCore()
    core.apply(SetPattern(0, "x" * 32))
    core.apply(SetLength(0, 3))
    core.apply(SetChain(0, (("X" * 32, "-" * 32, 2), ("x" * 32, "-" * 32, 1))))
    core.apply(SetSwing(0, 0.5))
    hits = [core.hits(Step(i, float(i), 1.0))[0] for i in range(12)]
    assert [h.velocity for h in hits] == [64, 64, 64, 127, 127, 64] * 2
    assert [h.time - i for i, h in enumerate(hits)] == [0, 0.25, 0, 0, 0.25, 0] * 2
    with pytest.raises(ValueError):
        core.apply(SetChain(0, (("x", "-", 33),)))
    assert len(core.tracks[0].chain) == 2
