"""The control model: every key and encoder combination of the original, and the pages."""

import dataclasses
import math

import pytest

from actors import kit as kits
from actors.messages import (
    Generate,
    LinkState,
    LoadKit,
    SaveSession,
    SessionState,
    SetBasis,
    SetBasisOnly,
    SetChoke,
    SetFeel,
    SetFillRate,
    SetGeneration,
    SetHistoryWeight,
    SetLength,
    SetLowpass,
    SetMorph,
    SetMute,
    SetParam,
    SetQuantum,
    SetStep,
    SetSwing,
    SetTempo,
    Start,
    Stop,
)
from actors.session import default_session, session_to_json
from actors.ui._controls import (
    IN_FLIGHT_LIMIT,
    Controls,
    Dest,
    ListFiles,
    LoadSessionFile,
    Page,
    Send,
)
from actors.ui._state import View, observe
from tests.ui_helpers import Rig, view_of

BLANK = "-" * 32


def blank_session():
    return default_session().with_patterns(dict.fromkeys(range(5), BLANK))


def messages(actions):
    return [a.message for a in actions if isinstance(a, Send)]


# --- transport and the step under the cursor ---------------------------------------------


def test_k2_starts_when_stopped_and_stops_when_playing(tmp_path):
    controls = Controls(tmp_path)
    assert controls.key(2, 1, view_of(playing=False)) == [Send(Dest.CLOCK, Start())]
    assert controls.key(2, 0, view_of()) == []
    assert controls.key(2, 1, view_of(playing=True)) == [Send(Dest.CLOCK, Stop())]


def test_k3_cycles_rest_hit_accent_rest(tmp_path):
    rig = Rig(tmp_path, blank_session())
    rig.enc(3, 4)
    for expected_velocity, expected_text in ((64, "x"), (127, "X"), (0, "-")):
        assert messages(rig.tap(3)) == [SetStep(0, 4, expected_velocity)]
        assert rig.pattern(0)[4] == expected_text


def test_a_quick_double_press_builds_on_the_press_still_in_flight(tmp_path):
    controls = Controls(tmp_path)
    view = view_of(blank_session())  # the session has not answered between the presses
    assert messages(controls.key(3, 1, view)) == [SetStep(0, 0, 64)]
    controls.key(3, 0, view)
    assert messages(controls.key(3, 1, view)) == [SetStep(0, 0, 127)]
    assert controls.pattern(view, 0)[0] == "X"


def test_an_edit_the_session_never_shows_is_dropped_after_a_while(tmp_path):
    controls = Controls(tmp_path)
    view = view_of(blank_session())
    controls.key(3, 1, view)
    assert controls.pattern(view, 0)[0] == "x"
    stale = dataclasses.replace(view, serial=view.serial + IN_FLIGHT_LIMIT + 1)
    assert controls.pattern(stale, 0)[0] == "-"


def test_e2_selects_the_track_within_the_five(tmp_path):
    rig = Rig(tmp_path)
    assert rig.enc(2, 1) == [] and rig.controls.track == 1
    rig.enc(2, 10)
    assert rig.controls.track == 4
    rig.enc(2, -99)
    assert rig.controls.track == 0


def test_e3_moves_the_cursor_and_wraps_both_ways(tmp_path):
    rig = Rig(tmp_path)
    assert rig.enc(3, -1) == [] and rig.controls.cursor == 31
    rig.enc(3, 1)
    assert rig.controls.cursor == 0
    rig.enc(3, 35)
    assert rig.controls.cursor == 3


def test_k1_and_e3_erase_each_step_the_cursor_lands_on(tmp_path):
    rig = Rig(tmp_path, default_session().with_patterns({0: "xX-x" * 8}))
    rig.key(1, 1)
    assert messages(rig.enc(3, 1)) == [SetStep(0, 1, 0)]  # the accent at step 2
    assert messages(rig.enc(3, 1)) == []  # a rest stays a rest, nothing sent
    assert messages(rig.enc(3, 1)) == [SetStep(0, 3, 0)]
    assert rig.pattern(0)[:4] == "x---"
    rig.key(1, 0)
    assert messages(rig.enc(3, 1)) == []  # without K1 the cursor only moves


def test_k3_held_and_e3_lays_hits_keeping_accents(tmp_path):
    rig = Rig(tmp_path, default_session().with_patterns({0: "--X-" * 8}))
    assert messages(rig.key(3, 1)) == [SetStep(0, 0, 64)]  # the press itself
    assert messages(rig.enc(3, 1)) == [SetStep(0, 1, 64)]
    assert messages(rig.enc(3, 1)) == []  # the accent stays
    assert messages(rig.enc(3, 1)) == [SetStep(0, 3, 64)]
    assert rig.pattern(0)[:5] == "xxXx-"
    assert rig.key(3, 0) == []  # releasing does nothing
    assert messages(rig.enc(3, 1)) == []


def test_k3_held_and_e2_lays_hits_down_the_tracks(tmp_path):
    rig = Rig(tmp_path, blank_session())
    rig.enc(3, 2)
    rig.key(3, 1)
    assert messages(rig.enc(2, 1)) == [SetStep(1, 2, 64)]
    assert messages(rig.enc(2, 1)) == [SetStep(2, 2, 64)]
    assert [rig.pattern(t)[2] for t in range(5)] == ["x", "x", "x", "-", "-"]


def test_k1_wins_over_k3_when_both_are_held(tmp_path):
    rig = Rig(tmp_path, default_session().with_patterns({0: "x" * 32}))
    rig.key(3, 1)
    rig.key(1, 1)
    assert messages(rig.enc(3, 1)) == [SetStep(0, 1, 0)]


# --- introspection -------------------------------------------------------------------------------


def test_k1_and_k3_generate_the_selected_track_from_the_basis(tmp_path):
    rig = Rig(tmp_path)
    rig.enc(2, 2)
    rig.key(1, 1)
    assert messages(rig.key(3, 1)) == [Generate(2, False)]
    assert rig.controls.notice == "generating hihat from kick"
    assert rig.key(3, 0) == []


def test_k1_and_k2_generate_17_32_from_1_16_and_do_not_touch_the_transport(tmp_path):
    rig = Rig(tmp_path)
    rig.key(1, 1)
    actions = rig.key(2, 1)
    assert actions == [Send(Dest.SESSION, Generate(0, True))]


def test_k1_and_e2_choose_the_basis_within_the_five(tmp_path):
    rig = Rig(tmp_path)
    rig.key(1, 1)
    assert messages(rig.enc(2, 1)) == [SetBasis(1)]
    assert rig.core.session.basis == 1 and rig.controls.basis(rig.view) == 1
    assert rig.controls.track == 0  # the selected track stays
    assert messages(rig.enc(2, 10)) == [SetBasis(4)]
    assert rig.enc(2, 1) == []  # already the last track
    rig.key(1, 0)
    rig.enc(2, 1)
    assert rig.controls.track == 1 and rig.core.session.basis == 4


def test_generating_works_on_every_page(tmp_path):
    rig = Rig(tmp_path)
    rig.enc(1, 4)
    rig.key(1, 1)
    assert messages(rig.key(3, 1)) == [Generate(0, False)]
    assert messages(rig.key(2, 1)) == [Generate(0, True)]


def test_nothing_is_edited_before_the_first_session_state(tmp_path):
    controls = Controls(tmp_path)
    view = View()
    assert controls.key(3, 1, view) == []
    controls.key(1, 1, view)
    assert controls.enc(2, 1, view) == []
    assert controls.key(2, 1, View()) == [Send(Dest.SESSION, Generate(0, True))]
    controls.key(1, 0, view)
    assert controls.key(2, 1, view) == [Send(Dest.CLOCK, Start())]


def test_events_outside_the_three_keys_and_encoders_are_ignored(tmp_path):
    controls = Controls(tmp_path)
    view = view_of()
    for n, z in ((0, 1), (4, 1), (2, 2), (3, -1)):
        assert controls.key(n, z, view) == []
    for n, d in ((0, 1), (4, 1), (3, 0)):
        assert controls.enc(n, d, view) == []
    assert (controls.track, controls.cursor, controls.page) == (0, 0, Page.PATTERN)


# --- pages ---------------------------------------------------------------------------------------


def test_e1_turns_the_pages_within_range_and_lists_files_on_entering_files(tmp_path):
    rig = Rig(tmp_path)
    assert rig.enc(1, -1) == [] and rig.controls.page == Page.PATTERN
    assert rig.enc(1, 4) == []
    assert rig.enc(1, 1) == [ListFiles()]
    assert rig.controls.page == Page.FILES
    assert rig.enc(1, 1) == []  # already there


def test_track_page_morph_swing_mute_choke(tmp_path):
    rig = Rig(tmp_path)
    rig.enc(2, 3)  # openhat
    rig.enc(1, 1)
    assert messages(rig.enc(3, 5)) == [SetMorph(3, 0.05)]
    rig.key(1, 1)
    assert messages(rig.enc(3, 1)) == [SetMorph(3, 0.051)]  # fine with K1 held
    rig.key(1, 0)
    rig.enc(2, 1)
    assert messages(rig.enc(3, 20)) == [SetSwing(3, 0.2)]
    rig.enc(2, 1)
    assert messages(rig.tap(3)) == [SetMute(3, True)]
    assert messages(rig.enc(3, 1)) == [SetMute(3, False)]
    rig.enc(2, 1)
    assert messages(rig.tap(3)) == [SetChoke(3, True)]
    assert messages(rig.tap(3)) == [SetChoke(3, False)]
    rig.enc(2, 5)  # past the last item: stays on the length
    assert messages(rig.enc(3, -20)) == [SetLength(3, 12)]
    assert messages(rig.enc(3, -20)) == [SetLength(3, 1)]  # 1-32
    assert messages(rig.enc(3, -1)) == []
    track = rig.core.session.track(3)
    assert (track.morph, track.swing, track.mute, track.choke) == (0.051, 0.2, False, False)
    assert track.length == 1


def test_track_page_turns_add_up_while_in_flight(tmp_path):
    controls = Controls(tmp_path)
    view = view_of()
    controls.enc(1, 1, view)
    sent = [messages(controls.enc(3, 1, view)) for _ in range(3)]
    assert sent == [[SetMorph(0, 0.01)], [SetMorph(0, 0.02)], [SetMorph(0, 0.03)]]


def test_k1_and_e2_select_the_track_on_a_parameter_page(tmp_path):
    rig = Rig(tmp_path)
    rig.enc(1, 2)
    rig.key(1, 1)
    assert messages(rig.enc(2, 2)) == []
    assert rig.controls.track == 2 and rig.controls.items[Page.PATCH_1] == 0


@pytest.mark.parametrize("slot", [0, 1])
def test_every_drum_parameter_of_both_patches_can_be_changed(tmp_path, slot):
    rig = Rig(tmp_path)
    rig.enc(2, 1)  # snare
    rig.enc(1, Page.PATCH_1 + slot)
    items = rig.controls.page_items(rig.view)
    fields = [f.name for f in dataclasses.fields(kits.Drum) if f.name != "name"]
    assert [item.label for item in items] == [f.replace("_", " ") for f in fields]
    for index, field in enumerate(fields):
        rig.controls.items[rig.controls.page] = index
        before = getattr(rig.core.session.track(1).patches[slot], field)
        sent = messages(rig.enc(3, 1)) or messages(rig.enc(3, -1))  # at the top: go down
        assert len(sent) == 1, field
        assert (sent[0].track, sent[0].slot, sent[0].name) == (1, slot, field)
        after = getattr(rig.core.session.track(1).patches[slot], field)
        assert after != before, field
    other = rig.core.session.track(1).patches[1 - slot]
    assert other == default_session().track(1).patches[1 - slot]


def test_knob_laws_cover_the_range_and_level_reaches_silence(tmp_path):
    rig = Rig(tmp_path)
    rig.enc(1, 2)
    fields = [f.name for f in dataclasses.fields(kits.Drum) if f.name != "name"]
    rig.controls.items[Page.PATCH_1] = fields.index("osc_freq")
    rig.enc(3, 1000)
    assert rig.core.session.track(0).patches[0].osc_freq == pytest.approx(20000.0)
    rig.enc(3, -1000)
    assert rig.core.session.track(0).patches[0].osc_freq == pytest.approx(20.0)
    rig.controls.items[Page.PATCH_1] = fields.index("level")
    rig.enc(3, -1000)
    assert rig.core.session.track(0).patches[0].level == -math.inf
    assert rig.controls.page_items(rig.view)[fields.index("level")].text == "-inf dB"


def test_choices_cycle_and_switches_toggle_on_k3(tmp_path):
    rig = Rig(tmp_path)
    rig.enc(1, 2)
    rig.controls.items[Page.PATCH_1] = 0  # osc wave: Sine
    assert messages(rig.tap(3)) == [SetParam(0, 0, "osc_wave", "Triangle")]
    assert messages(rig.enc(3, 2)) == [SetParam(0, 0, "osc_wave", "Sine")]
    rig.controls.items[Page.PATCH_1] = 10  # nstereo
    assert messages(rig.tap(3)) == [SetParam(0, 0, "nstereo", True)]


def test_global_page(tmp_path):
    rig = Rig(tmp_path)
    rig.controls.clock_source = "MIDI"
    rig.enc(1, 4)
    labels = [item.label for item in rig.controls.page_items(rig.view)]
    assert labels == ["tempo", "clock", "lowpass", "resonance", "surprise", "complexity",
                      "fill rate", "quantum", "step rate", "history", "looks at"]
    assert messages(rig.enc(3, 3)) == [SetTempo(123.0)]
    rig.key(1, 1)
    assert messages(rig.enc(3, -1)) == [SetTempo(122.9)]
    rig.key(1, 0)
    assert messages(rig.enc(3, 1000)) == [SetTempo(300.0)]
    assert rig.enc(3, 1) == []  # at the end a turn sends nothing
    rig.enc(2, 1)
    assert rig.enc(3, 1) == [] and rig.controls.page_items(rig.view)[1].text == "MIDI"
    rig.enc(2, 1)
    (lowpass,) = messages(rig.enc(3, -10))
    assert isinstance(lowpass, SetLowpass) and lowpass.resonance == 0.0
    assert lowpass.frequency == pytest.approx(20000 / 1000 ** 0.1, rel=1e-3)
    rig.enc(2, 1)
    assert messages(rig.enc(3, 30)) == [SetLowpass(lowpass.frequency, 0.3)]
    rig.enc(2, 1)
    assert messages(rig.enc(3, -10)) == [SetGeneration(0.1, None)]  # complexity stays free
    rig.enc(2, 1)
    assert messages(rig.enc(3, 20)) == [SetGeneration(0.1, 0.7)]  # from the middle
    rig.enc(2, 1)
    assert messages(rig.enc(3, 5)) == [SetFillRate(2.5)]
    rig.enc(2, 1)
    assert messages(rig.enc(3, -1)) == [SetQuantum(3)]
    assert messages(rig.enc(3, -10)) == [SetQuantum(1)]  # Link's range: 1-32 beats
    assert rig.enc(3, -1) == []
    s = rig.core.session
    assert (s.tempo, s.lowpass[1], s.surprise, s.complexity, s.fill_rate, s.quantum) == (
        300.0, 0.3, 0.1, 0.7, 2.5, 1.0)


def test_the_clock_item_shows_the_link_peers(tmp_path):
    rig = Rig(tmp_path)
    rig.controls.clock_source = "link"
    rig.enc(1, 4)
    assert rig.controls.page_items(rig.view)[1].text == "link"
    rig.view = observe(rig.view, LinkState(peers=2, bpm=120.0, quantum=4.0, playing=True))
    assert rig.controls.page_items(rig.view)[1].text == "link, 2 peers"


def test_global_page_sets_how_much_the_history_counts_and_what_generation_looks_at(tmp_path):
    rig = Rig(tmp_path)
    rig.enc(1, 4)
    at = [item.label for item in rig.controls.page_items(rig.view)].index("history")
    rig.enc(2, at)
    history, looks_at = rig.controls.page_items(rig.view)[at:at + 2]
    assert (history.label, history.text, looks_at.text) == ("history", "x1.00", "all tracks")
    assert messages(rig.enc(3, -3)) == [SetHistoryWeight(0.7)]
    assert messages(rig.enc(3, -100)) == [SetHistoryWeight(0.0)]
    assert rig.controls.page_items(rig.view)[at].text == "off"
    assert messages(rig.enc(3, 100)) == [SetHistoryWeight(4.0)]  # at most 4 times as learned
    rig.enc(2, 1)
    assert messages(rig.tap(3)) == [SetBasisOnly(True)]
    assert rig.controls.page_items(rig.view)[at + 1].text == "basis only"
    assert (rig.core.session.history_weight, rig.core.session.basis_only) == (4.0, True)


def test_files_page_loads_kits_into_a_slot_and_saves_and_loads_sessions(tmp_path):
    rig = Rig(tmp_path)
    kit_a, kit_b = tmp_path / "a.mtpreset", tmp_path / "b.mtpreset"
    rig.enc(1, 5)
    rig.controls.set_files([kit_a, kit_b], [])
    rig.enc(3, 1)  # kit b
    rig.enc(2, 1)
    rig.enc(3, 1)  # into: both -> patch 1
    rig.enc(2, 1)
    rig.enc(3, 3)  # pattern c
    rig.enc(2, 1)
    assert messages(rig.tap(3)) == [LoadKit(str(kit_b), 0, "c")]
    rig.enc(2, 1)
    assert messages(rig.tap(3)) == [SaveSession(str(tmp_path / "sessions" / "session-01.json"))]
    assert messages(rig.tap(3)) == [SaveSession(str(tmp_path / "sessions" / "session-02.json"))]
    rig.enc(2, 1)
    rig.enc(3, -1)  # session-01
    rig.enc(2, 1)
    assert rig.tap(3) == [LoadSessionFile(tmp_path / "sessions" / "session-01.json")]


def test_files_page_with_nothing_to_load_says_so(tmp_path):
    rig = Rig(tmp_path)
    rig.enc(1, 5)
    rig.controls.items[Page.FILES] = 3
    assert rig.tap(3) == [] and "no kits" in rig.controls.notice
    rig.controls.items[Page.FILES] = 6
    assert rig.tap(3) == [] and "no saved sessions" in rig.controls.notice


def test_a_new_file_list_keeps_the_chosen_file(tmp_path):
    controls = Controls(tmp_path)
    a, b, c = (tmp_path / f"{n}.json" for n in "abc")
    controls.set_files([], [a, b])
    controls.enc(1, 5, view_of())
    controls.items[Page.FILES] = 5
    controls.enc(3, 1, view_of())
    controls.set_files([], [c, a, b])
    assert controls.page_items(view_of())[5].text == "b.json"


def test_observe_follows_steps_transport_generation_and_session():
    from actors.messages import GenerationState, Step, Transport

    view = observe(View(), SessionState(session_to_json(default_session())))
    assert view.session.tracks[0].pattern == default_session().track(0).pattern
    view = observe(view, Step(37, 1.0, 0.125))
    assert (view.playing, view.playhead, view.column(0)) == (True, 37, 5)
    view = observe(view, Transport(False, 40.5, 2.0))
    assert (view.playing, view.playhead, view.column(0)) == (False, 40, 8)
    view = observe(view, GenerationState(2, True, ()))
    assert view.pending == {2}
    view = observe(view, GenerationState(2, False, (0.5,) * 32))
    assert view.pending == set() and view.probabilities[2] == (0.5,) * 32
    with pytest.raises(ValueError):
        observe(view, SessionState("{}"))
    with pytest.raises(ValueError):
        observe(view, GenerationState(9, True, ()))


def test_files_page_grooves_from_a_chosen_take(tmp_path):
    rig = Rig(tmp_path)
    first, second = tmp_path / "kits" / "early.mid", tmp_path / "kits" / "late.mid"
    rig.enc(1, 5)
    rig.controls.items[Page.FILES] = 8
    assert rig.tap(3) == [] and "no takes" in rig.controls.notice
    rig.controls.set_files([], [], [first, second])
    rig.controls.items[Page.FILES] = 7
    rig.enc(3, 1)  # late.mid
    assert rig.controls.page_items(rig.view)[7].text == "late.mid"
    rig.controls.set_files([], [], [second, first])  # the list changes: the choice stays
    assert rig.controls.page_items(rig.view)[7].text == "late.mid"
    rig.enc(2, 1)
    assert messages(rig.tap(3)) == [SetFeel(str(second), 0)]
    assert "late.mid" in rig.controls.notice
