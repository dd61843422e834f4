"""An eight-channel Microtonic kit seen as supertonic's five tracks.

supertonic plays five tracks (kick, snare, hihat, openhat, clap) of up to 32
steps each; a Microtonic kit has eight channels of patterns of 1-16 steps. A
channel map picks the kit channel behind each track, and a pattern (optionally
with the patterns chained to it) gives each track its steps and its length.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from actors.messages import TRACKS
from actors.rules import ACCENT, FILL, HIT, REST

from ._model import CHANNELS, PATTERN_NAMES, Channel, Drum, Kit, Pattern

DEFAULT_CHANNEL_MAP: tuple[int, ...] = (0, 1, 2, 3, 4)
"""Kit channel (0-based) behind each track, in ``TRACKS`` order.

The original script loaded the first five drums of a preset as the five tracks, so
that is the default; a kit laid out differently (say a clap on channel 8) passes its
own map, e.g. ``(0, 1, 2, 3, 7)``. A channel may feed several tracks; channels left
out of the map are not played.
"""


def kit_tracks(kit: Kit, channel_map: Sequence[int] = DEFAULT_CHANNEL_MAP) -> tuple[Drum, ...]:
    """The drum patch of each track, in ``TRACKS`` order."""
    return tuple(kit.drums[channel] for channel in _checked(channel_map))


def chain(kit: Kit, pattern: str = "a") -> str:
    """The names of the patterns Microtonic plays, in order, from ``pattern`` until it
    comes round again (``"bcda"``): a pattern marked ``Chained`` is followed by the
    next one, the last of a run of chained patterns goes back to the run's first, and
    an unchained pattern that nothing chains to loops on its own."""
    index = _index(pattern)
    first = index
    while first > 0 and kit.patterns[first - 1].chained:
        first -= 1
    last = index
    while last + 1 < len(PATTERN_NAMES) and kit.patterns[last].chained:
        last += 1
    run = PATTERN_NAMES[first:last + 1]
    start = index - first
    return run[start:] + run[:start]


def pattern_text(
    kit: Kit,
    patterns: str = "a",
    channel_map: Sequence[int] = DEFAULT_CHANNEL_MAP,
) -> tuple[str, ...]:
    """Each track's steps as sequencer text (``-`` rest, ``x`` hit, ``X`` accent) for
    ``patterns`` (names a-l) played one after the other, each for its Length steps:
    ``"a"``, or a :func:`chain` such as ``"abcd"``. The text is as long as the loop,
    so a track that plays it with that length starts over where Microtonic does; the
    triggers a pattern stores past its Length never play. An accent without a trigger
    is silent in Microtonic and so is a rest here.
    """
    return _render(kit, patterns, channel_map, _hit)


def fill_text(
    kit: Kit,
    patterns: str = "a",
    channel_map: Sequence[int] = DEFAULT_CHANNEL_MAP,
) -> tuple[str, ...]:
    """Each track's fill mask, aligned with :func:`pattern_text`.

    ``f`` marks a step whose fill flag is on *and* that has a trigger (a fill flag
    alone plays nothing); the sequencer rolls those steps at ``kit.fill_rate``.
    """
    return _render(kit, patterns, channel_map, _fill)


def _hit(channel: Channel, step: int) -> str:
    return ACCENT if channel.accents[step] == "#" else HIT


def _fill(channel: Channel, step: int) -> str:
    return FILL if channel.fills[step] == "#" else REST


def _index(pattern: str) -> int:
    if len(pattern) != 1 or pattern not in PATTERN_NAMES:
        raise ValueError(f"pattern must be one of {', '.join(PATTERN_NAMES)}, got {pattern!r}")
    return PATTERN_NAMES.index(pattern)


def _render(
    kit: Kit,
    patterns: str,
    channel_map: Sequence[int],
    mark: Callable[[Channel, int], str],
) -> tuple[str, ...]:
    if not patterns:
        raise ValueError(f"pattern must be one of {', '.join(PATTERN_NAMES)}, got ''")
    played = [kit.patterns[_index(name)] for name in patterns]
    return tuple(
        "".join(_steps(p, channel, mark) for p in played) for channel in _checked(channel_map)
    )


def _steps(pattern: Pattern, channel: int, mark: Callable[[Channel, int], str]) -> str:
    steps = pattern.channels[channel]
    return "".join(
        mark(steps, i) if steps.triggers[i] == "#" else REST for i in range(pattern.length)
    )


def _checked(channel_map: Sequence[int]) -> Sequence[int]:
    if len(channel_map) != len(TRACKS) or not all(
        isinstance(c, int) and 0 <= c < CHANNELS for c in channel_map
    ):
        raise ValueError(
            f"a channel map names {len(TRACKS)} kit channels 0-{CHANNELS - 1} "
            f"({', '.join(TRACKS)}), got {tuple(channel_map)!r}"
        )
    return channel_map
