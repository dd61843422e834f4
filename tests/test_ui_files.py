"""Loading a session file by edit commands, and the folders the files page lists."""

import dataclasses
import math

from actors import kit as kits
from actors.messages import SetParam
from actors.session import (
    DEFAULT_KIT,
    SessionCore,
    default_session,
    save_session,
    session_to_json,
)
from actors.ui._files import Places, list_files, read_session_file, session_commands
from actors.ui._state import parse_session


def test_the_commands_turn_one_session_into_another_exactly(tmp_path):
    start = default_session()
    core = SessionCore(start)
    drum = dataclasses.replace(kits.Drum(), name="other", mod_mode="Sine", mod_amt=-40.0,
                               level=-math.inf, osc_wave="Saw", nstereo=True)
    target = dataclasses.replace(
        start.with_patterns({0: "x---" * 8, 4: "X"}).with_tempo(97.5).with_track(
            2, mute=True, choke=True, swing=0.3, morph=0.7, fills="f-" * 16,
            patches=(drum, start.track(2).patches[1])),
        basis=3, lowpass=(800.0, 0.4), surprise=0.1, complexity=0.9, fill_rate=3.5)
    path = tmp_path / "set.json"
    save_session(target, path)
    commands = session_commands(parse_session(session_to_json(start)), read_session_file(path))
    for command in commands:
        core.apply(command)
    assert core.session == target
    # only what differs is sent: one drum's changed fields, nothing for the other tracks
    params = [c for c in commands if isinstance(c, SetParam)]
    assert {c.track for c in params} == {2}
    assert session_commands(parse_session(session_to_json(target)),
                            parse_session(session_to_json(target))) == []


def test_the_mode_goes_before_the_modulation_it_limits(tmp_path):
    start = default_session()
    sine = dataclasses.replace(kits.Drum(), mod_mode="Sine", mod_amt=40.0)
    decay = dataclasses.replace(kits.Drum(), mod_mode="Decay", mod_amt=90.0)
    first = start.with_track(0, patches=(sine, sine))
    core = SessionCore(first)
    target = first.with_track(0, patches=(decay, decay))
    for command in session_commands(parse_session(session_to_json(first)),
                                    parse_session(session_to_json(target))):
        core.apply(command)
    assert core.session.track(0).patches[0].mod_amt == 90.0


def test_listing_puts_the_default_kit_first_and_tolerates_missing_folders(tmp_path):
    places = Places(kits=tmp_path / "kits", sessions=tmp_path / "sessions")
    assert list_files(places) == ((DEFAULT_KIT,), ())
    places.kits.mkdir()
    places.sessions.mkdir()
    for name in ("b.mtpreset", "a.MTPG", "notes.txt"):
        (places.kits / name).write_text("")
    for name in ("session-02.json", "session-01.json", "x.tmp"):
        (places.sessions / name).write_text("")
    kits_found, sessions = list_files(places)
    assert [p.name for p in kits_found] == ["default.mtpreset", "a.MTPG", "b.mtpreset"]
    assert [p.name for p in sessions] == ["session-01.json", "session-02.json"]
