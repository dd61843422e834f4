"""What surfaces draw: the norns frame, the terminal layout, the pattern pictures."""

import dataclasses
import io
import logging
import struct
import zlib

import numpy as np
import pytest

from actors.mesh import mailbox
from actors.messages import GenerationState, Step
from actors.session import default_session, session_to_json
from actors.ui import FRAME_BYTES, Controls, Page, Places, pattern_png, render_frame
from actors.ui._layout import HEIGHT, WIDTH, Ink, step_column, terminal_rows
from actors.ui._png import CELL, LEFT, PITCH, TOP
from actors.ui._screen import GRID_Y, ROW_HEIGHT, STEP_WIDTH
from actors.ui._state import observe
from actors.ui._surface import Surface
from actors.ui._terminal import _held_logs
from tests.ui_helpers import view_of

PATTERNS = ("X-------x-------" * 2, "----x-------X---" * 2, "x-x-" * 8, "-" * 32, "-" * 32)


def session():
    return default_session().with_patterns(dict(enumerate(PATTERNS)))


def pixels(controls, view):
    frame = render_frame(controls, view)
    assert len(frame) == FRAME_BYTES and max(frame) <= 15
    return np.frombuffer(frame, np.uint8).reshape(64, 128)


def cell(image, track, step):
    y, x = GRID_Y + track * ROW_HEIGHT, step * STEP_WIDTH
    return image[y:y + ROW_HEIGHT, x:x + STEP_WIDTH]


def test_frame_rows_accents_selection_cursor_playhead(tmp_path):
    controls = Controls(tmp_path)
    controls.cursor = 4
    view = observe(view_of(session()), Step(2, 0.0, 0.1))
    image = pixels(controls, view)
    accent, hit, rest = cell(image, 0, 0), cell(image, 0, 8), cell(image, 0, 1)
    assert (accent > 0).sum() > (hit > 0).sum() > (rest > 0).sum() > 0
    assert accent.max() == 15  # the selected row is bright
    assert cell(image, 2, 0).max() < 15  # the others are not
    assert (cell(image, 3, 2) == 2).sum() > 20  # the playhead column on an empty row
    assert (cell(image, 3, 3) == 0).sum() > 20
    assert cell(image, 0, 4)[:, :3].min() >= 4  # the cursor lights its cell (step 5 is a rest)
    assert cell(image, 1, 4).max() > 2 and cell(image, 1, 4).min() == 0  # a hit, no cursor


def test_frame_highlights_the_basis_only_while_k1_is_held(tmp_path):
    controls = Controls(tmp_path)
    view = view_of(dataclasses.replace(session(), basis=2))
    assert cell(pixels(controls, view), 2, 1).min() == 0
    controls.k1 = True
    held = pixels(controls, view)
    assert cell(held, 2, 1).min() >= 1 and (cell(held, 2, 1) == 4).sum() > 20
    assert cell(held, 3, 1).min() == 0


def test_frame_shows_the_models_probabilities_and_parameter_pages(tmp_path):
    controls = Controls(tmp_path)
    view = observe(view_of(session()), GenerationState(0, False, tuple(i / 31 for i in range(32))))
    image = pixels(controls, view)
    bars = image[15:23]
    assert (bars[:, 0:3] > 0).sum() == 0 and (bars[:, 124:127] > 0).sum() == 3 * 7
    controls.page = Page.PATCH_2
    controls.items[Page.PATCH_2] = 20
    menu = pixels(controls, view)
    assert not np.array_equal(menu, image)
    assert (menu[9:64] == 4).any()  # the chosen item's bar


def test_terminal_layout_fits_80_by_24_and_shows_everything(tmp_path):
    controls = Controls(tmp_path)
    controls.track, controls.cursor, controls.k1 = 1, 4, True
    view = observe(observe(view_of(session(), playing=True), Step(3, 0.0, 0.1)),
                   GenerationState(2, True, ()))
    rows = terminal_rows(controls, view, unicode=False)
    assert len(rows) == HEIGHT
    for page in Page:
        controls.page = page
        for row in terminal_rows(controls, view, unicode=True):
            assert sum(len(text) for text, _ in row) <= WIDTH
    controls.page = Page.PATTERN
    lines = ["".join(text for text, _ in row) for row in rows]
    assert "PLAYING" in lines[0] and "120.0 bpm" in lines[0]
    assert "generating hihat" in lines[1]
    kick, snare = lines[3], lines[4]
    assert kick[step_column(0)] == "X" and kick[step_column(8)] == "x"
    assert kick[step_column(1)] == "."
    assert snare.startswith(">snare")
    assert lines[2 + 3][step_column(0)] == "x" and "gen..." in lines[5]
    assert lines[8][step_column(3)] == "^"
    inks = {}
    for t in range(5):
        column = 0
        for text, ink in rows[3 + t]:
            for offset in range(len(text)):
                inks[t, column + offset] = ink
            column += len(text)
    assert inks[1, step_column(4)] & Ink.CURSOR
    assert inks[0, step_column(3)] & Ink.PLAYHEAD
    assert inks[0, 1] & Ink.BASIS  # the basis (kick) while K1 is held
    assert not inks[2, 1] & Ink.BASIS


def read_png(data):
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    offset, chunks = 8, {}
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset:offset + 4])
        kind = data[offset + 4:offset + 8]
        body = data[offset + 8:offset + 8 + length]
        (crc,) = struct.unpack(">I", data[offset + 8 + length:offset + 12 + length])
        assert crc == zlib.crc32(kind + body) & 0xFFFFFFFF
        chunks[kind] = body
        offset += 12 + length
    width, height, depth, colour = struct.unpack(">IIBB", chunks[b"IHDR"][:10])
    assert (depth, colour) == (8, 2)
    raw = np.frombuffer(zlib.decompress(chunks[b"IDAT"]), np.uint8).reshape(height, -1)
    assert (raw[:, 0] == 0).all()
    return raw[:, 1:].reshape(height, width, 3)


def centre(image, track, step):
    return tuple(image[TOP + track * PITCH + CELL // 2, LEFT + step * PITCH + CELL // 2])


def test_pattern_png_draws_hits_accents_and_probabilities():
    image = read_png(pattern_png(session_to_json(session()),
                                 {3: [1.0 if s == 5 else 0.0 for s in range(32)]}))
    assert centre(image, 0, 0) == (255, 70, 50)  # accent
    assert centre(image, 0, 8) == (235, 150, 40)  # hit
    rest, likely = centre(image, 3, 4), centre(image, 3, 5)
    assert likely == (70, 130, 255) and rest != likely
    # an accent is bigger than a hit: 2 pixels in from the cell's corner, only it shows
    assert tuple(image[TOP + 2, LEFT + 2]) == (255, 70, 50)
    assert tuple(image[TOP + 2, LEFT + 8 * PITCH + 2]) != (235, 150, 40)


def test_pattern_png_takes_pattern_texts_and_checks_them():
    image = read_png(pattern_png(["x-", "X", "-", "-", "-"]))
    assert centre(image, 0, 30) == (235, 150, 40) and centre(image, 1, 31) == (255, 70, 50)
    with pytest.raises(ValueError):
        pattern_png(["x"] * 4)
    with pytest.raises(ValueError):
        pattern_png(["x"] * 5, {0: [0.5] * 16})


def test_log_lines_are_held_while_the_terminal_screen_is_up(tmp_path):
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    terminal, elsewhere = Terminal(), io.StringIO()
    on_terminal, to_file = logging.StreamHandler(terminal), logging.StreamHandler(elsewhere)
    root = logging.getLogger()
    root.addHandler(on_terminal)
    root.addHandler(to_file)
    surface = Surface(mailbox()[0], mailbox()[0], Places(tmp_path, tmp_path))
    try:
        with _held_logs(surface):
            logging.getLogger("some.actor").warning("the server is late")
            assert terminal.getvalue() == ""
            assert surface.controls.notice == "the server is late"
        assert "the server is late" in terminal.getvalue()
        assert elsewhere.getvalue().count("the server is late") == 1
    finally:
        root.removeHandler(on_terminal)
        root.removeHandler(to_file)
