"""The starter corpus the project ships: hand-written grooves across common styles.

It lets the generator answer on first use with no download and no user data,
so it has to be small (it is parsed on every fresh install) yet cover each
style's typical relations between tracks. It is therefore written compactly:
a *group* lists, per track, a few variants of one style's part, and the group
stands for every combination of them -- the systematic variation a drummer
plays around one groove. File format (``starter_corpus.txt``)::

    # comment
    [rock]                          <- a style; groups follow until the next one
    kick    x-------x-------  x-------x-x-----
    snare   ----X-------X---
    hihat   x-x-x-x-x-x-x-x-  X-x-x-x-X-x-x-x-
                                    <- a blank line ends a group
A variant is pattern text (``-`` rest, ``x`` hit, ``X`` accent) of 16 steps
or 32 (two bars in a row, which is what teaches steps 17-32 from 1-16); a
16-step part repeats under a 32-step one. Tracks a group leaves out rest.
A style whose name ends in a triplet rate (``[shuffle 1/8T]``) is written on that grid:
12 or 24 steps at 1/8T, one bar of 24 at 1/16T (what the generator answers there).
"""

from __future__ import annotations

import dataclasses
import itertools
from importlib import resources

from actors.messages import TRACKS
from actors.rules import DEFAULT_STEP_RATE, GENERATION_UNIT, generation_refusal

from ._patterns import Bar, parse


@dataclasses.dataclass(frozen=True, slots=True)
class Groove:
    """One combination: consecutive bars (units of ``grid``), each the five tracks'
    :class:`Bar`."""

    style: str
    bars: tuple[tuple[Bar, ...], ...]
    grid: str = DEFAULT_STEP_RATE


def load_starter() -> list[Groove]:
    """Every groove of the shipped corpus."""
    text = resources.files(__package__).joinpath("starter_corpus.txt").read_text()
    return parse_corpus(text)


def parse_corpus(text: str) -> list[Groove]:
    """Expand the compact corpus text into grooves; errors name the offending line."""
    grooves: list[Groove] = []
    style, grid = "", DEFAULT_STEP_RATE
    group: dict[int, list[list[Bar]]] = {}
    for number, raw in enumerate([*text.splitlines(), ""], start=1):
        line = raw.split("#", 1)[0].strip()
        if not line or line.startswith("["):
            grooves.extend(_expand(style, group, grid))
            group = {}
            if line:
                style = line.strip("[]").strip()
                named, _, rate = style.rpartition(" ")
                grid = DEFAULT_STEP_RATE
                if "/" in rate:  # a style written on another grid
                    style, grid = named, rate
                    if grid not in GENERATION_UNIT:
                        raise ValueError(f"starter corpus line {number}: "
                                         f"{generation_refusal(grid, 0)}")
            continue
        name, *variants = line.split()
        try:
            track = TRACKS.index(name)
            if not variants or track in group:
                raise ValueError(f"track {name!r} needs one line with at least one pattern")
            group[track] = [_parse(v, grid) for v in variants]
        except ValueError as error:
            raise ValueError(f"starter corpus line {number}: {error}") from None
    return grooves


def _parse(text: str, grid: str) -> list[Bar]:
    if grid != DEFAULT_STEP_RATE:
        refusal = generation_refusal(grid, len(text))
        if refusal:
            raise ValueError(f"{text!r}: {refusal}")
    return parse(text, GENERATION_UNIT[grid])


def _expand(style: str, group: dict[int, list[list[Bar]]], grid: str) -> list[Groove]:
    if not group:
        return []
    rest = [[Bar(0)]]  # a track left out rests, on any grid
    parts = [group.get(track, rest) for track in range(len(TRACKS))]
    grooves = []
    for combination in itertools.product(*parts):
        length = max(len(bars) for bars in combination)
        grooves.append(
            Groove(
                style,
                tuple(tuple(bars[i % len(bars)] for bars in combination) for i in range(length)),
                grid,
            )
        )
    return grooves
