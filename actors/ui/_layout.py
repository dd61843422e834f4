"""The terminal screen as text, pure: rows of (text, ink) runs for the curses shell.

Keeping the layout apart from curses lets tests read exactly what the player sees,
and leaves the shell only painting. The screen fits 80 x 24:

- row 0: transport, tempo, clock source, the page
- row 1: what just happened, or the generation under way
- rows 2-9: step ruler, the five tracks, the playhead, the model's probabilities
- row 10: the pages; rows 11-19: the page; rows 20-23: the keys
"""

from __future__ import annotations

import enum

from actors.messages import TRACKS
from actors.rules import ACCENT, HIT, REST, STEPS

from ._controls import PAGE_TITLES, Controls, Page, clock_text
from ._state import View

WIDTH = 80
HEIGHT = 24
GRID_X = 10
"""Column of step 1; a space follows every fourth step."""
PAGE_ROWS = 9


class Ink(enum.Flag):
    PLAIN = 0
    DIM = enum.auto()
    BOLD = enum.auto()
    HIT = enum.auto()
    ACCENT = enum.auto()
    CURSOR = enum.auto()
    PLAYHEAD = enum.auto()
    BASIS = enum.auto()
    PENDING = enum.auto()
    CHOSEN = enum.auto()
    KEY = enum.auto()


Run = tuple[str, Ink]
Row = list[Run]

_SHADES_UNICODE = " ░▒▓█"
_SHADES_ASCII = " .:*#"


def step_column(step: int) -> int:
    return GRID_X + step + step // 4


def terminal_rows(controls: Controls, view: View, *, unicode: bool = True,
                  width: int = WIDTH) -> list[Row]:
    """The whole screen, ``HEIGHT`` rows (runs may run past ``width``; the painter clips)."""
    rows: list[Row] = [_status(controls, view, width), _notice(controls, view), _ruler()]
    rows += [_track_row(controls, view, t, unicode) for t in range(len(TRACKS))]
    rows.append(_playhead_row(controls, view))
    rows.append(_model_row(controls, view, unicode))
    rows.append(_tabs(controls))
    page = _pattern_help() if controls.page == Page.PATTERN else _items(controls, view)
    rows += (page + [[] for _ in range(PAGE_ROWS)])[:PAGE_ROWS]
    rows += _legend(controls)
    return rows


def _status(controls: Controls, view: View, width: int) -> Row:
    tempo = (f"{view.session.tempo:.1f} bpm {view.session.step_rate}" if view.session
             else "waiting for the session")
    left: Row = [(" supertonic  ", Ink.BOLD),
                 ("PLAYING" if view.playing else "stopped", Ink.HIT if view.playing else Ink.DIM),
                 (f"  {tempo}  clock {clock_text(controls.clock_source, view)}", Ink.PLAIN)]
    page = f"page {controls.page + 1}/{len(Page)} {PAGE_TITLES[controls.page]} "
    used = sum(len(text) for text, _ in left)
    return [*left, (" " * max(width - used - len(page), 1), Ink.PLAIN), (page, Ink.BOLD)]


def _notice(controls: Controls, view: View) -> Row:
    if view.pending:
        names = ", ".join(TRACKS[t] for t in sorted(view.pending))
        return [(f" generating {names} ...", Ink.PENDING | Ink.BOLD)]
    return [(f" {controls.notice}", Ink.PLAIN)] if controls.notice else []


def _ruler() -> Row:
    text = [" "] * (step_column(STEPS - 1) + 1)
    for step in range(0, STEPS, 4):
        label = str(step + 1)
        column = step_column(step)
        text[column:column + len(label)] = label
    return [("".join(text), Ink.DIM)]


def _track_row(controls: Controls, view: View, t: int, unicode: bool) -> Row:
    selected = t == controls.track
    basis = controls.k1 and t == controls.basis(view)
    track = view.session.tracks[t] if view.session else None
    name_ink = Ink.BASIS if basis else Ink.BOLD if selected else Ink.PLAIN
    if track is not None and track.mute:
        name_ink |= Ink.DIM
    row: Row = [(">" if selected else " ", Ink.BOLD), (f"{TRACKS[t]:<8} ", name_ink)]
    rest = "·" if unicode else "."
    length = track.length if track is not None else STEPS
    for step, char in enumerate(controls.pattern(view, t)):
        if step and step % 4 == 0:
            row.append((" ", Ink.BASIS if basis else Ink.PLAIN))
        ink = {HIT: Ink.HIT, ACCENT: Ink.ACCENT | Ink.BOLD}.get(char, Ink.DIM)
        if step >= length:
            ink = Ink.DIM  # kept, but past the track's length: never played
        if basis:
            ink |= Ink.BASIS
        if step == view.column(t):
            ink |= Ink.PLAYHEAD
        if selected and step == controls.cursor:
            ink |= Ink.CURSOR
        row.append((rest if char == REST else char, ink))
    row.append((" ", Ink.PLAIN))
    if track is not None:
        flags = ("M" if track.mute else "-") + ("C" if track.choke else "-")
        chain = f"+{sum(track.chain)}" if track.chain else ""  # steps of its chain
        row.append((f"{flags} {track.length:2d}{chain} sw{100 * track.swing:3.0f}% "
                    f"mo{track.morph:4.2f}", Ink.DIM))
    if basis:
        row.append((" basis", Ink.BASIS))
    if t in view.pending:
        row.append((" gen...", Ink.PENDING | Ink.BOLD))
    return row


def _playhead_row(controls: Controls, view: View) -> Row:
    text = [" "] * (step_column(STEPS - 1) + 1)
    column = view.column(controls.track)
    if column is not None:
        text[step_column(column)] = "^"
    return [("".join(text), Ink.PLAYHEAD if view.playing else Ink.DIM),
            (f" step {controls.cursor + 1:2d}", Ink.PLAIN)]


def _model_row(controls: Controls, view: View, unicode: bool) -> Row:
    """The model's hit probabilities of the selected track's last generation, as shades."""
    probabilities = view.probabilities[controls.track]
    if probabilities is None:
        return []
    shades = _SHADES_UNICODE if unicode else _SHADES_ASCII
    row: Row = [(" model    ", Ink.DIM)]
    for step, p in enumerate(probabilities):
        if step and step % 4 == 0:
            row.append((" ", Ink.PLAIN))
        level = min(int(max(p, 0.0) * len(shades)), len(shades) - 1)
        row.append((shades[level], Ink.PENDING))
    return row


def _tabs(controls: Controls) -> Row:
    row: Row = [(" ", Ink.PLAIN)]
    for page in Page:
        ink = Ink.CHOSEN | Ink.BOLD if page == controls.page else Ink.DIM
        row += [(f" {PAGE_TITLES[page]} ", ink), (" ", Ink.PLAIN)]
    if controls.page in (Page.TRACK, Page.PATCH_1, Page.PATCH_2):
        row.append((f" track: {TRACKS[controls.track]}", Ink.BOLD))
    return row


def _pattern_help() -> list[Row]:
    lines = [
        "K2 play/stop     K3 cycles the step: rest > hit > accent > rest",
        "E2 track         E3 cursor (1 to the track's length, wraps)",
        "hold K3 + E2/E3  lay a hit on every step the cursor lands on",
        "hold K1 + E3     erase every step the cursor lands on",
        "hold K1 + K3     generate the selected track from the basis track",
        "hold K1 + K2     generate steps 17-32 of the selected track from 1-16",
        "hold K1 + E2     choose the basis (highlighted while K1 is held)",
        "E1               parameter pages",
    ]
    return [[(f" {line}", Ink.PLAIN)] for line in lines]


def _items(controls: Controls, view: View) -> list[Row]:
    """The page's items in columns down the page area, the chosen one highlighted."""
    items = controls.page_items(view)
    chosen = min(controls.items[controls.page], max(len(items) - 1, 0))
    rows: list[Row] = [[(" ", Ink.PLAIN)] for _ in range(PAGE_ROWS)]
    # three columns when the page needs them; one wide column leaves file names whole
    label, value = (12, 12) if len(items) > PAGE_ROWS else (14, 50)
    for index, item in enumerate(items[:PAGE_ROWS * 3]):
        text = f"{item.label[:label]:<{label}} {item.text[:value]:>{value}}"
        ink = Ink.CHOSEN | Ink.BOLD if index == chosen else Ink.PLAIN
        if index >= PAGE_ROWS:
            rows[index % PAGE_ROWS].append(("  ", Ink.PLAIN))
        rows[index % PAGE_ROWS].append((text, ink))
    return rows


def _legend(controls: Controls) -> list[Row]:
    k1 = ("1 K1 HELD", Ink.CHOSEN | Ink.BOLD) if controls.k1 else ("1 hold K1", Ink.KEY)
    k3 = ("4 K3 HELD", Ink.CHOSEN | Ink.BOLD) if controls.k3 else ("4 hold K3", Ink.KEY)
    keys: Row = [(" ", Ink.PLAIN), k1, ("  2 K2  3 K3  ", Ink.KEY), k3,
                 ("  space play/stop  [ ] tab page  q quit", Ink.KEY)]
    if controls.page == Page.PATTERN:
        lines = [" arrows or hjkl: up/down E2 track, left/right E3 cursor",
                 " K1 held: 3 generate, 2 generate 17-32, up/down basis, left/right erase",
                 " K3 held: arrows lay hits"]
    else:
        lines = [" arrows or hjkl: up/down E2 item, left/right E3 value; 3 K3 toggles or does",
                 " K1 held: left/right fine, up/down track, 3 generate, 2 generate 17-32",
                 ""]
    return [keys, *[[(line, Ink.DIM)] for line in lines]]
