"""An eight-channel Microtonic kit seen as supertonic's five 32-step tracks.

supertonic plays five tracks (kick, snare, hihat, openhat, clap) of 32 sixteenth
steps; a Microtonic kit has eight channels of at most 16 steps. A channel map
picks the kit channel behind each track, and a pattern (optionally followed by
the pattern it is chained to) fills the 32 steps.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from actors.messages import TRACKS
from actors.rules import ACCENT, BAR_STEPS, FILL, HIT, REST

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


def pattern_text(
    kit: Kit,
    pattern: str = "a",
    chain_next: bool = False,
    channel_map: Sequence[int] = DEFAULT_CHANNEL_MAP,
) -> tuple[str, ...]:
    """Each track's 32 steps as sequencer text: ``-`` rest, ``x`` hit, ``X`` accent.

    Steps 1-16 come from ``pattern``; steps 17-32 repeat it, unless ``chain_next`` is
    set and the kit chains ``pattern`` to the next one, which then supplies them (so a
    chained pair plays as one 32-step bar). A pattern shorter than 16 steps is padded
    with rests up to 16 rather than looped, so each half stays aligned with the bar
    (Microtonic instead starts the pattern over after its Length steps).
    An accent without a trigger is silent in Microtonic and so is a rest here.
    """
    return _render(kit, pattern, chain_next, channel_map, _hit)


def fill_text(
    kit: Kit,
    pattern: str = "a",
    chain_next: bool = False,
    channel_map: Sequence[int] = DEFAULT_CHANNEL_MAP,
) -> tuple[str, ...]:
    """Each track's 32-step fill mask, aligned with :func:`pattern_text`.

    ``f`` marks a step whose fill flag is on *and* that has a trigger (a fill flag
    alone plays nothing); the sequencer rolls those steps at ``kit.fill_rate``.
    """
    return _render(kit, pattern, chain_next, channel_map, _fill)


def _hit(channel: Channel, step: int) -> str:
    return ACCENT if channel.accents[step] == "#" else HIT


def _fill(channel: Channel, step: int) -> str:
    return FILL if channel.fills[step] == "#" else REST


def _render(
    kit: Kit,
    pattern: str,
    chain_next: bool,
    channel_map: Sequence[int],
    mark: Callable[[Channel, int], str],
) -> tuple[str, ...]:
    if len(pattern) != 1 or pattern not in PATTERN_NAMES:
        raise ValueError(f"pattern must be one of {', '.join(PATTERN_NAMES)}, got {pattern!r}")
    index = PATTERN_NAMES.index(pattern)
    first = kit.patterns[index]
    second = first
    if chain_next and first.chained and index + 1 < len(PATTERN_NAMES):
        second = kit.patterns[index + 1]
    return tuple(
        _half(first, channel, mark) + _half(second, channel, mark)
        for channel in _checked(channel_map)
    )


def _half(pattern: Pattern, channel: int, mark: Callable[[Channel, int], str]) -> str:
    steps = pattern.channels[channel]
    return "".join(
        mark(steps, i) if i < pattern.length and steps.triggers[i] == "#" else REST
        for i in range(BAR_STEPS)
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
