"""The terminal UI's shell: curses painting, keys from stdin, off the timing path.

Three tasks share one :class:`Surface`: one follows the observer inbox (only
storing the latest state), one reads keys when stdin is readable, and one paints
when something changed - at most ``MAX_FPS`` times a second, through curses'
``noutrefresh``/``doupdate`` so that only changed cells reach the terminal and
nothing flickers. None of them is on the clock's path: the sequencer hands
observers steps without waiting.

While the screen is up, log lines that would go to the terminal are held back
(they would tear the picture): warnings show in the notice row, and every held
line is written out when the screen closes.
"""

from __future__ import annotations

import collections
import contextlib
import curses
import locale
import logging
import os
import signal
import sys
from collections.abc import Iterator

import trio

from actors.mesh import Inbox, Outbox

from ._files import Places
from ._keymap import Enc, Key, Quit, events
from ._layout import HEIGHT, WIDTH, Ink, terminal_rows
from ._surface import Surface

MAX_FPS = 30
_HELD_LOG_LINES = 200


async def terminal_ui(clock: Outbox, session: Outbox, observed: Inbox, *,
                      places: Places | None = None, clock_source: str = "internal") -> None:
    """Run the full-screen UI on this process's terminal until the player quits
    (``q`` then ``y``); returns normally then. Closes both outboxes on the way out."""
    if not sys.stdin.isatty():
        raise RuntimeError("the terminal UI needs a terminal on stdin; use --ui headless or osc")
    surface = Surface(clock, session, places or Places.default(), clock_source)
    async with clock, session:
        with _held_logs(surface), _curses_screen() as screen:
            palette = _Palette()
            unicode = locale.getpreferredencoding(False).lower().replace("-", "") == "utf8"
            async with trio.open_nursery() as nursery:
                nursery.start_soon(surface.follow, observed)
                nursery.start_soon(_paint_loop, surface, screen, palette, unicode)
                nursery.start_soon(_follow_resizes, surface)
                await surface.act([])  # the first paint
                await _read_keys(surface, screen)
                nursery.cancel_scope.cancel()


async def _read_keys(surface: Surface, screen: curses.window) -> None:
    asked = False
    fd = sys.stdin.fileno()
    while True:
        await trio.lowlevel.wait_readable(fd)
        while True:
            try:
                key = screen.get_wch()
            except curses.error:  # nothing more buffered
                break
            if asked:
                if key == "y":
                    return
                asked = False
                surface.controls.notice = ""
                await surface.act([])
                continue
            for event in events(key, k1=surface.controls.k1, k3=surface.controls.k3):
                match event:
                    case Key(n=n, z=z):
                        await surface.key(n, z)
                    case Enc(n=n, d=d):
                        await surface.enc(n, d)
                    case Quit():
                        asked = True
                        surface.controls.notice = "quit and stop the machine? y / any other key"
                        await surface.act([])


async def _paint_loop(surface: Surface, screen: curses.window, palette: _Palette,
                      unicode: bool) -> None:
    while True:
        await surface.changed.wait()
        surface.changed = trio.Event()
        _paint(surface, screen, palette, unicode)
        await trio.sleep(1 / MAX_FPS)


def _paint(surface: Surface, screen: curses.window, palette: _Palette, unicode: bool) -> None:
    height, width = screen.getmaxyx()
    rows = terminal_rows(surface.controls, surface.view, unicode=unicode, width=min(width, WIDTH))
    if height < HEIGHT or width < WIDTH:
        rows[1] = [(f" enlarge the terminal to {WIDTH}x{HEIGHT} (it is {width}x{height})",
                    Ink.PENDING | Ink.BOLD)]
    screen.erase()
    for y, row in enumerate(rows[:height]):
        x = 0
        for text, ink in row:
            # the bottom-right cell cannot be written without scrolling
            room = width - x - (1 if y == height - 1 else 0)
            if room <= 0:
                break
            with contextlib.suppress(curses.error):
                screen.addstr(y, x, text[:room], palette.attr(ink))
            x += len(text[:room])
    screen.noutrefresh()
    curses.doupdate()


async def _follow_resizes(surface: Surface) -> None:
    with trio.open_signal_receiver(signal.SIGWINCH) as resizes:
        async for _ in resizes:
            size = os.get_terminal_size(sys.stdout.fileno())
            curses.resizeterm(size.lines, size.columns)
            surface.changed.set()


@contextlib.contextmanager
def _curses_screen() -> Iterator[curses.window]:
    locale.setlocale(locale.LC_ALL, "")
    os.environ.setdefault("ESCDELAY", "25")  # arrow keys arrive as escape sequences
    screen = curses.initscr()
    try:
        curses.noecho()
        curses.cbreak()  # keeps Ctrl-C a signal, which stops the machine cleanly
        screen.keypad(True)
        screen.nodelay(True)
        with contextlib.suppress(curses.error):
            curses.curs_set(0)
        if curses.has_colors():
            curses.start_color()
            with contextlib.suppress(curses.error):
                curses.use_default_colors()
        yield screen
    finally:
        screen.keypad(False)
        curses.nocbreak()
        curses.echo()
        curses.endwin()


class _Palette:
    """Inks as curses attributes: colours where the terminal has them, else
    bold, underline and reverse video."""

    def __init__(self) -> None:
        self.colours = curses.has_colors()
        self._pairs: dict[tuple[int, int], int] = {}
        self._cache: dict[Ink, int] = {}

    def attr(self, ink: Ink) -> int:
        if ink not in self._cache:
            self._cache[ink] = self._attr(ink)
        return self._cache[ink]

    def _attr(self, ink: Ink) -> int:
        attr = curses.A_NORMAL
        if ink & (Ink.BOLD | Ink.ACCENT):
            attr |= curses.A_BOLD
        if ink & Ink.DIM and not ink & Ink.BOLD:
            attr |= curses.A_DIM
        if ink & (Ink.CURSOR | Ink.CHOSEN):
            attr |= curses.A_REVERSE
        if not self.colours:
            if ink & Ink.PLAYHEAD:
                attr |= curses.A_UNDERLINE
            if ink & Ink.BASIS:
                attr |= curses.A_STANDOUT
            return attr
        background = (curses.COLOR_YELLOW if ink & Ink.BASIS
                      else curses.COLOR_BLUE if ink & Ink.PLAYHEAD else -1)
        foreground = (curses.COLOR_BLACK if ink & Ink.BASIS
                      else curses.COLOR_RED if ink & Ink.ACCENT
                      else curses.COLOR_GREEN if ink & Ink.HIT
                      else curses.COLOR_MAGENTA if ink & Ink.PENDING
                      else curses.COLOR_CYAN if ink & Ink.KEY else -1)
        return attr | curses.color_pair(self._pair(foreground, background))

    def _pair(self, foreground: int, background: int) -> int:
        if (foreground, background) == (-1, -1):
            return 0
        if (foreground, background) not in self._pairs:
            number = len(self._pairs) + 1
            try:
                curses.init_pair(number, foreground, background)
            except curses.error:  # no default colours (-1) on this terminal
                curses.init_pair(number, max(foreground, curses.COLOR_WHITE),
                                 max(background, curses.COLOR_BLACK))
            self._pairs[foreground, background] = number
        return self._pairs[foreground, background]


class _HeldLog(logging.Handler):
    def __init__(self, surface: Surface) -> None:
        super().__init__()
        self.surface = surface
        self.records: collections.deque[logging.LogRecord] = collections.deque(
            maxlen=_HELD_LOG_LINES)

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)
        if record.levelno >= logging.WARNING:
            self.surface.controls.notice = record.getMessage()
            self.surface.changed.set()


@contextlib.contextmanager
def _held_logs(surface: Surface) -> Iterator[None]:
    root = logging.getLogger()
    on_terminal = [h for h in root.handlers if isinstance(h, logging.StreamHandler)
                   and getattr(h.stream, "isatty", lambda: False)()]
    held = _HeldLog(surface)
    for handler in on_terminal:
        root.removeHandler(handler)
    root.addHandler(held)
    try:
        yield
    finally:
        root.removeHandler(held)
        for handler in on_terminal:
            root.addHandler(handler)
            for record in held.records:
                if record.levelno >= handler.level:
                    handler.handle(record)
