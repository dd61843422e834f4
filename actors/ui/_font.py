"""A 3 x 5 pixel font for the norns frame and the pattern pictures.

norns' ``screen.poke`` takes raw pixels, so the frame is drawn here, text
included. Glyphs are 3 pixels wide and 5 high with one pixel between letters
(an advance of 4: 32 characters across 128 pixels, as the original's pattern
rows). Lower case prints as upper case; an unknown character prints as ``?``.
"""

from __future__ import annotations

from collections.abc import Callable

ADVANCE = 4
HEIGHT = 5

_GLYPHS = {
    "0": "### #.# #.# #.# ###", "1": ".#. ##. .#. .#. ###", "2": "##. ..# .#. #.. ###",
    "3": "##. ..# .#. ..# ##.", "4": "#.# #.# ### ..# ..#", "5": "### #.. ##. ..# ##.",
    "6": ".## #.. ### #.# ###", "7": "### ..# .#. .#. .#.", "8": "### #.# ### #.# ###",
    "9": "### #.# ### ..# ##.", "A": ".#. #.# ### #.# #.#", "B": "##. #.# ##. #.# ##.",
    "C": ".## #.. #.. #.. .##", "D": "##. #.# #.# #.# ##.", "E": "### #.. ##. #.. ###",
    "F": "### #.. ##. #.. #..", "G": ".## #.. #.# #.# .##", "H": "#.# #.# ### #.# #.#",
    "I": "### .#. .#. .#. ###", "J": "..# ..# ..# #.# .#.", "K": "#.# #.# ##. #.# #.#",
    "L": "#.. #.. #.. #.. ###", "M": "#.# ### ### #.# #.#", "N": "##. #.# #.# #.# #.#",
    "O": ".#. #.# #.# #.# .#.", "P": "##. #.# ##. #.. #..", "Q": ".#. #.# #.# ##. .##",
    "R": "##. #.# ##. #.# #.#", "S": ".## #.. .#. ..# ##.", "T": "### .#. .#. .#. .#.",
    "U": "#.# #.# #.# #.# .##", "V": "#.# #.# #.# .#. .#.", "W": "#.# #.# ### ### #.#",
    "X": "#.# #.# .#. #.# #.#", "Y": "#.# #.# .#. .#. .#.", "Z": "### ..# .#. #.. ###",
    " ": "... ... ... ... ...", ".": "... ... ... ... .#.", ",": "... ... ... .#. #..",
    ":": "... .#. ... .#. ...", "-": "... ... ### ... ...", "+": "... .#. ### .#. ...",
    "/": "..# ..# .#. #.. #..", "%": "#.# ..# .#. #.. #.#", "(": ".#. #.. #.. #.. .#.",
    ")": ".#. ..# ..# ..# .#.", ">": "#.. .#. ..# .#. #..", "<": "..# .#. #.. .#. ..#",
    "=": "... ### ... ### ...", "_": "... ... ... ... ###", "?": "##. ..# .#. ... .#.",
    "!": ".#. .#. .#. ... .#.", "'": ".#. .#. ... ... ...", "#": "#.# ### #.# ### #.#",
    "*": "... #.# .#. #.# ...", "[": "##. #.. #.. #.. ##.", "]": ".## ..# ..# ..# .##",
    "|": ".#. .#. .#. .#. .#.",
}  # fmt: skip

_PIXELS: dict[str, tuple[tuple[int, int], ...]] = {
    char: tuple((x, y) for y, row in enumerate(rows.split()) for x, c in enumerate(row) if c == "#")
    for char, rows in _GLYPHS.items()
}


def text_pixels(text: str) -> list[tuple[int, int]]:
    """The lit pixels of ``text`` set at (0, 0), left to right."""
    pixels = []
    for index, char in enumerate(text.upper()):
        glyph = _PIXELS.get(char, _PIXELS["?"])
        pixels += [(index * ADVANCE + x, y) for x, y in glyph]
    return pixels


def draw_text(plot: Callable[[int, int], None], x: int, y: int, text: str,
              scale: int = 1) -> None:
    """Draw ``text`` with its top-left corner at (x, y) through ``plot(x, y)``."""
    for px, py in text_pixels(text):
        for dx in range(scale):
            for dy in range(scale):
                plot(x + px * scale + dx, y + py * scale + dy)
