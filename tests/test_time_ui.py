"""Lengths and the step rate on the surfaces: the control model, the terminal and norns
screens, the OSC address space."""

from __future__ import annotations

import dataclasses

import pytest

from actors.messages import SetLength, SetStepRate, Step
from actors.session import Session
from actors.ui._controls import Dest, Page, Send
from actors.ui._layout import Ink, terminal_rows
from actors.ui._osc import Refused, build, request, state_messages
from actors.ui._screen import GRID_Y, ROW_HEIGHT, STEP_WIDTH, WIDTH, render_frame
from actors.ui._state import observe
from actors.ui._surface import Surface
from tests.test_ui_osc import PLACES
from tests.ui_helpers import Rig, view_of


def polymeter() -> Session:
    return (Session().with_patterns({0: "x", 1: "X", 2: "x-"})
            .with_track(1, length=12).with_track(2, length=5))


def messages(actions):
    return [a.message for a in actions if isinstance(a, Send)]


def test_the_cursor_wraps_at_the_selected_tracks_length(tmp_path):
    rig = Rig(tmp_path, polymeter())
    rig.enc(2, 1)  # the snare: 12 steps
    rig.enc(3, 11)
    assert rig.controls.cursor == 11
    rig.enc(3, 1)
    assert rig.controls.cursor == 0
    rig.enc(3, -1)
    assert rig.controls.cursor == 11
    rig.enc(2, 1)  # the hihat: 5 steps; the cursor stays inside it
    assert rig.controls.cursor == 11 % 5
    rig.enc(3, 4)
    assert rig.controls.cursor == (1 + 4) % 5


def test_the_global_page_steps_through_the_rates(tmp_path):
    rig = Rig(tmp_path)
    rig.enc(1, 4)
    labels = [item.label for item in rig.controls.page_items(rig.view)]
    rate = labels.index("step rate")
    rig.controls.items[Page.GLOBAL] = rate
    assert rig.controls.page_items(rig.view)[rate].text == "1/16"
    assert messages(rig.enc(3, 1)) == [SetStepRate("1/16T")]
    assert messages(rig.enc(3, 5)) == [SetStepRate("1/32")]
    assert messages(rig.enc(3, 1)) == []  # the fastest
    assert messages(rig.enc(3, -9)) == [SetStepRate("1/8")]
    assert rig.core.session.step_rate == "1/8"


def test_each_track_shows_its_own_step_and_dims_the_steps_past_its_length(tmp_path):
    rig = Rig(tmp_path, polymeter())
    view = observe(rig.view, Step(13, 0.0, 0.1))
    assert [view.column(t) for t in range(3)] == [13, 1, 3]
    rows = terminal_rows(rig.controls, view, unicode=False)
    snare = rows[4]
    steps = [(text, ink) for text, ink in snare[2:] if text in ("X", ".")][:32]
    assert all(ink & Ink.DIM and not ink & Ink.ACCENT for _, ink in steps[12:])
    assert all(ink & Ink.ACCENT for _, ink in steps[:12])
    assert steps[1][1] & Ink.PLAYHEAD and not steps[13][1] & Ink.PLAYHEAD
    assert " 12 " in "".join(text for text, _ in snare)
    assert "1/16" in "".join(text for text, _ in rows[0])


def test_the_norns_screen_dims_the_steps_past_a_tracks_length(tmp_path):
    rig = Rig(tmp_path, polymeter())
    frame = render_frame(rig.controls, rig.view)

    def brightest(track: int, step: int) -> int:
        y = GRID_Y + track * ROW_HEIGHT
        return max(frame[row * WIDTH + step * STEP_WIDTH + x]
                   for row in range(y, y + ROW_HEIGHT) for x in range(STEP_WIDTH))

    assert brightest(1, 11) > 1 and brightest(1, 12) == 1  # the snare's accents
    assert brightest(0, 31) > 1  # the kick is 32 long


@pytest.mark.parametrize(("address", "args", "expected"), [
    ("/supertonic/track/snare/length", [12.0], SetLength(1, 12)),
    ("/supertonic/track/5/length", [1], SetLength(4, 1)),
    ("/supertonic/steprate", ["1/8T"], SetStepRate("1/8T")),
])
def test_osc_sets_lengths_and_the_rate(address, args, expected):
    assert request(address, args, PLACES) == Send(Dest.SESSION, expected)


@pytest.mark.parametrize(("address", "args", "says"), [
    ("/supertonic/track/snare/length", [33], "1-32"),
    ("/supertonic/track/snare/length", [0], "1-32"),
    ("/supertonic/track/snare/length", [2.5], "whole number"),
    ("/supertonic/track/snare/length", [], "argument"),
    ("/supertonic/steprate", ["1/12"], "'1/8T'"),
    ("/supertonic/steprate", [16], "string"),
])
def test_osc_refuses_a_bad_length_or_rate_by_its_argument(address, args, says):
    with pytest.raises(Refused, match=says):
        request(address, args, PLACES)


def test_the_osc_playhead_is_the_selected_tracks_step(tmp_path):
    rig = Rig(tmp_path, polymeter())
    surface = Surface(None, None, PLACES)  # type: ignore[arg-type]
    view = observe(rig.view, Step(13, 0.0, 0.1))
    for track, step in ((0, 14), (1, 2), (2, 4)):  # 32, 12 and 5 steps long
        surface.controls.track = track
        assert state_messages(surface, view)["playhead"] == build(
            "/supertonic/state/playhead", step)


def test_the_png_draws_lengths_and_the_beats_of_the_rate():
    from actors.session import session_to_json
    from actors.ui import pattern_png
    from actors.ui._png import CELL, LEFT, PITCH, TOP
    from tests.test_ui_screen import read_png

    session = dataclasses.replace(polymeter(), step_rate="1/8T")
    image = read_png(pattern_png(session_to_json(session)))

    def at(track: int, step: int, inset: int) -> tuple[int, ...]:
        return tuple(image[TOP + track * PITCH + inset, LEFT + step * PITCH + inset])

    accent, faint = at(1, 11, CELL // 2), at(1, 12, CELL // 2)
    assert accent == (255, 70, 50) and faint not in (accent, (235, 150, 40))
    assert at(2, 4, CELL // 2) == (235, 150, 40) and at(2, 6, CELL // 2) != (235, 150, 40)
    # a beat of 1/8T is three steps: its first cell is lighter
    corner = [at(0, step, 0) for step in range(7)]
    assert corner[0] == corner[3] == corner[6] != corner[1] == corner[2] == corner[4]
    with pytest.raises(ValueError):
        pattern_png(["x"] * 5, lengths=[32, 32, 33, 32, 32])


def test_a_track_playing_its_chain_shows_no_playhead_step(tmp_path):
    session = polymeter().with_track(1, chain=(("x" * 32, "-" * 32, 4),))  # 12 + 4
    view = observe(view_of(session), Step(13, 0.0, 0.1))
    assert [view.column(t) for t in range(3)] == [13, None, 3]
    assert observe(view, Step(17, 0.0, 0.1)).column(1) == 1
