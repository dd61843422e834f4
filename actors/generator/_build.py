"""Building a prior store from MIDI files, Microtonic kits and the starter corpus.

Reading MIDI is the slow part (mido parses ~50 files a second on one core),
so files are read by a pool of processes, one per core, under a progress bar
on stderr. There is nothing to train: the store is the bars themselves.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import logging
import os
from pathlib import Path

from actors.rules import DEFAULT_STEP_RATE, GENERATION_UNIT, bar_steps

from . import _midi, _presets, _store
from ._corpus import Corpus, Source, unit_position
from ._patterns import Bar
from ._progress import progress
from ._starter import load_starter

log = logging.getLogger(__name__)

LIBRARY_WEIGHT = 8.0
"""How much a song of a player's library counts against a stored one, by default: a
player's own takes say more about their next bar than other drummers' do. 8 is the best
of 1-32 in 5-fold cross-validation by file over GMD train, each held-out take's drummer's
other training takes standing in for the library (mean NLL of the 20 track pairs 0.572
at 1 -> 0.557; docs/generator-history.md)."""


def midi_sources(folder: Path, split: str | None = None) -> list[Source]:
    """One source per readable 4/4 beat file below ``folder`` (see :func:`_midi.find_midi`)."""
    files = _midi.find_midi(folder, split)
    if not files:
        raise ValueError(f"no MIDI files found in {folder}")
    workers = min(os.cpu_count() or 1, 4)
    with concurrent.futures.ProcessPoolExecutor(workers) as pool:
        songs = list(
            progress(pool.map(_midi.read_file, files, chunksize=8), len(files), "reading MIDI")
        )
    sources = []
    for song in songs:
        if song is not None and song.bars:
            sources.append(Source("midi", song.name, song.style, dict(song.bars)))
            sources += [Source("midi", song.name, song.style, dict(units), grid=rate)
                        for rate, units in song.triplets.items() if units]
    return sources


def preset_sources(folder: Path) -> list[Source]:
    paths = _presets.find_presets(folder)
    if not paths:
        raise ValueError(f"no Microtonic presets (.mtpreset, .mtpg) found in {folder}")
    return _presets.read_presets(paths)


def as_library(sources: list[Source], name: str, weight: float) -> list[Source]:
    """``sources`` as a player's library ``name`` whose songs each count ``weight``."""
    if not any(source.bars for source in sources):
        raise ValueError(f"{name} holds no drum bars to add")
    return [dataclasses.replace(s, collection=f"library {name}", weight=weight) for s in sources]


def starter_sources() -> list[Source]:
    """The shipped grooves; each loops, as a drum-machine pattern does (a groove of bars
    of two halves, at 1/16T, is one bar: its first half follows none)."""
    sources = []
    for i, groove in enumerate(load_starter()):
        units: dict[int, tuple[Bar | None, ...]] = {
            unit_position(groove.grid, k): bars for k, bars in enumerate(groove.bars)}
        loops = bar_steps(groove.grid) == GENERATION_UNIT[groove.grid]  # units are bars
        sources.append(Source("starter", f"{groove.style} {i}", groove.style, units, loops,
                              grid=groove.grid))
    return sources


def build(path: Path, sources: list[Source], description: str) -> None:
    """Write the store for ``sources`` to ``path``."""
    bars = sum(len(source.bars) for source in sources)
    if not bars:
        raise ValueError("nothing to build from: the sources hold no bars")
    _store.write(path, sources, description)
    log.info("built %s from %s: %d bars", path, description, bars)


STARTER = "starter corpus"
"""The description of a store built from the starter corpus alone."""


def build_starter(path: Path) -> None:
    build(path, starter_sources(), STARTER)


def open_store(path: Path) -> _store.Store:
    """Load the store at ``path``, first (re)building it from the starter corpus if unusable.

    A missing store is the normal first run; a corrupt one is moved aside to
    ``<name>.corrupt`` (never deleted: it may be a long GMD build worth
    inspecting) and replaced, so the machine always has something to play. A
    store with no bars on a triplet grid (built before there were any, or from
    straight drumming only) answers that grid from the starter's grooves; one built
    from the starter corpus alone is simply built again, as it holds nothing of the
    player's.
    """
    try:
        store = _store.read(path)
        if store.meta.get("description") != STARTER or not _missing_grids(store):
            return _with_starter_grids(store, path)
        log.info("prior store %s is an older starter store; building it again", path)
    except _store.StoreError as error:
        if path.exists():
            aside = path.with_name(path.name + ".corrupt")
            path.replace(aside)
            log.warning(
                "prior store %s is unusable (%s); moved it to %s and rebuilding it "
                "from the starter corpus",
                path,
                error,
                aside.name,
            )
        else:
            log.warning("no prior store at %s; building it from the starter corpus", path)
    build_starter(path)
    return _store.read(path)


def _missing_grids(store: _store.Store) -> list[str]:
    return [rate for rate in GENERATION_UNIT
            if rate != DEFAULT_STEP_RATE and rate not in store.grids]


def _with_starter_grids(store: _store.Store, path: Path) -> _store.Store:
    missing = _missing_grids(store)
    if not missing:
        return store
    log.warning("prior store %s holds no bars at %s; generation there answers from the "
                "starter corpus", path, " or ".join(missing))
    starter = starter_sources()
    grids = {rate: Corpus.from_sources(starter, rate) for rate in missing}
    return dataclasses.replace(store, grids={**store.grids, **grids})
