"""The norns screen, drawn here: 128 x 64 pixels, one byte (0-15) per pixel.

The norns script only pokes these 8192 bytes onto its screen, so what a norns
shows is decided in one place, next to the model it shows. The pattern page
keeps the original's picture: five pattern rows of 4-pixel steps at the bottom,
the selected row bright, the cursor, a playhead column, the basis row
highlighted while K1 is held; above them the track, transport and tempo, and
the model's hit probabilities of the selected track's last generation as bars.
The parameter pages list their items, the chosen one highlighted.
"""

from __future__ import annotations

from actors.messages import TRACKS
from actors.rules import ACCENT, HIT, REST, STEPS

from ._controls import PAGE_TITLES, Controls, Page
from ._font import ADVANCE, draw_text
from ._state import View

WIDTH = 128
HEIGHT = 64
FRAME_BYTES = WIDTH * HEIGHT
GRID_Y = 24
ROW_HEIGHT = 8
STEP_WIDTH = WIDTH // STEPS
ITEM_Y = 9
ITEM_HEIGHT = 6
ITEM_ROWS = (HEIGHT - ITEM_Y) // ITEM_HEIGHT

# grey levels
PLAYHEAD = 2
CURSOR = 6
BASIS = 4
CHOSEN = 4
BRIGHT = 15
TEXT = 8
DIM = 3


class Frame:
    """A pixel buffer with the few drawing operations the screens need."""

    def __init__(self) -> None:
        self.pixels = bytearray(FRAME_BYTES)

    def rect(self, x: int, y: int, w: int, h: int, level: int) -> None:
        for row in range(max(y, 0), min(y + h, HEIGHT)):
            start, end = row * WIDTH + max(x, 0), row * WIDTH + min(x + w, WIDTH)
            if end > start:
                self.pixels[start:end] = bytes([level]) * (end - start)

    def text(self, x: int, y: int, text: str, level: int) -> None:
        def plot(px: int, py: int) -> None:
            if 0 <= px < WIDTH and 0 <= py < HEIGHT:
                self.pixels[py * WIDTH + px] = level
        draw_text(plot, x, y, text)

    def text_right(self, right: int, y: int, text: str, level: int) -> None:
        self.text(right - len(text) * ADVANCE + 1, y, text, level)


def render_frame(controls: Controls, view: View) -> bytes:
    """The norns screen for this model and view: ``FRAME_BYTES`` bytes, row by row."""
    frame = Frame()
    if controls.page == Page.PATTERN:
        _pattern_page(frame, controls, view)
    else:
        _items_page(frame, controls, view)
    return bytes(frame.pixels)


def _pattern_page(frame: Frame, controls: Controls, view: View) -> None:
    frame.text(0, 1, TRACKS[controls.track], BRIGHT)
    if view.session is not None:
        state = "play" if view.playing else "stop"
        frame.text_right(WIDTH - 1, 1, f"{state} {view.session.tempo:.0f} bpm "
                         f"{view.session.step_rate}", TEXT)
    basis = controls.basis(view)
    if controls.k1:
        line, level = f"basis {TRACKS[basis]}", BRIGHT
    elif view.pending:
        line, level = "generating " + " ".join(TRACKS[t] for t in sorted(view.pending)), BRIGHT
    else:
        line, level = controls.notice or f"step {controls.cursor + 1}", DIM
    frame.text(0, 8, line[:WIDTH // ADVANCE], level)
    probabilities = view.probabilities[controls.track]
    if probabilities is not None:
        for step, p in enumerate(probabilities):
            height = round(min(max(p, 0.0), 1.0) * 7)
            frame.rect(step * STEP_WIDTH, 22 - height, STEP_WIDTH - 1, height, DIM + 2)
    for t in range(len(TRACKS)):
        column = view.column(t)
        if column is not None:
            frame.rect(column * STEP_WIDTH, GRID_Y + t * ROW_HEIGHT, STEP_WIDTH, ROW_HEIGHT,
                       PLAYHEAD)
    if controls.k1:
        frame.rect(0, GRID_Y + basis * ROW_HEIGHT, WIDTH, ROW_HEIGHT, BASIS)
    frame.rect(controls.cursor * STEP_WIDTH, GRID_Y + controls.track * ROW_HEIGHT,
               STEP_WIDTH - 1, ROW_HEIGHT, CURSOR)
    for t in range(len(TRACKS)):
        muted = view.session is not None and view.session.tracks[t].mute
        length = view.session.tracks[t].length if view.session is not None else STEPS
        _pattern_row(frame, controls.pattern(view, t), GRID_Y + t * ROW_HEIGHT,
                     selected=t == controls.track, basis=controls.k1 and t == basis, muted=muted,
                     length=length)


def _pattern_row(frame: Frame, pattern: str, y: int, *, selected: bool, basis: bool,
                 muted: bool, length: int) -> None:
    """Accent: a tall 3-pixel block; hit: a 2-pixel block; rest: a dash; the steps past
    the track's length at the dimmest level."""
    if basis:
        levels = {ACCENT: 0, HIT: 0, REST: 1}
    elif selected:
        levels = {ACCENT: 15, HIT: 11, REST: 4}
    else:
        levels = {ACCENT: 7, HIT: 5, REST: 1}
    if muted:
        levels = {k: v // 2 for k, v in levels.items()}
    for step, char in enumerate(pattern):
        x = step * STEP_WIDTH
        past = step >= length
        if char == ACCENT:
            frame.rect(x, y + 1, 3, 6, 1 if past else levels[ACCENT])
        elif char == HIT:
            frame.rect(x, y + 2, 2, 4, 1 if past else levels[HIT])
        elif not past:
            frame.rect(x, y + 4, 2, 1, levels[REST])


def _items_page(frame: Frame, controls: Controls, view: View) -> None:
    title = PAGE_TITLES[controls.page]
    if controls.page in (Page.TRACK, Page.PATCH_1, Page.PATCH_2):
        title += f" {TRACKS[controls.track]}"
    frame.text(0, 1, title, BRIGHT)
    corner = "gen" if view.pending else f"{controls.page + 1}/{len(Page)}"
    frame.text_right(WIDTH - 1, 1, corner, TEXT)
    frame.rect(0, 7, WIDTH, 1, DIM)
    items = controls.page_items(view)
    if not items:
        frame.text(0, ITEM_Y, "waiting for the session", DIM)
        return
    chosen = min(controls.items[controls.page], len(items) - 1)
    first = min(max(chosen - ITEM_ROWS // 2, 0), max(len(items) - ITEM_ROWS, 0))
    for row, index in enumerate(range(first, min(first + ITEM_ROWS, len(items)))):
        item = items[index]
        y = ITEM_Y + row * ITEM_HEIGHT
        if index == chosen:
            frame.rect(0, y - 1, WIDTH, ITEM_HEIGHT + 1, CHOSEN)
        frame.text(1, y, item.label[:14], BRIGHT if index == chosen else TEXT)
        frame.text_right(WIDTH - 1, y, item.text[:17], BRIGHT)
