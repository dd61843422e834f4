"""The prior store: one SQLite file, written and read through apsw.

Schema (``meta.schema`` = 3; 2 lacked ``grid``, 1 also ``collection`` and ``weight``;
both are still read, their bars all at 1/16)::

    meta(key TEXT PRIMARY KEY, value TEXT)
        schema, built_at (ISO time), description (what it was built from),
        bars, sources
    sources(id INTEGER PRIMARY KEY, kind TEXT ('midi'|'preset'|'starter'),
            name TEXT, style TEXT, loops INTEGER, collection TEXT, weight REAL,
            grid TEXT)
        one song, kit pattern chain or starter groove on one grid; ``loops`` = 1
        when its last bar is followed by its first (a drum-machine pattern);
        ``collection`` what it was built or added with (``priors build
        --add-to`` adds a player's library), ``weight`` its vote's multiplier,
        ``grid`` the step rate of its bars ('1/16', '1/8T' or '1/16T'; a take in
        triplets is stored once per grid)
    bars(source_id INTEGER REFERENCES sources, position INTEGER,
         kick, kick_accents, snare, snare_accents, hihat, hihat_accents,
         openhat, openhat_accents, clap, clap_accents INTEGER,
         PRIMARY KEY (source_id, position))
        one unit of its source's grid -- a bar of 16 sixteenths, a bar of 12
        eighth triplets, or half a bar of 24 sixteenth triplets (bar ``b``'s
        halves at positions ``3b`` and ``3b + 1``, so that a bar's first half
        never counts as following the bar before) -- each track's hits and
        accents as bit masks (bit i = step i, 0-based, the 2021 original's
        ``pid``); NULL when the source has no such instrument. Units of a source
        at consecutive positions were played one after the other.

The raw bars are kept rather than a probability table so that any
conditioning -- one basis track, several, or the previous bar -- is answered
from the same data, and so that a store stays small (GMD train: ~1 MB).
"""

from __future__ import annotations

import dataclasses
import datetime
import os
from collections.abc import Iterable
from pathlib import Path

import apsw

from actors.messages import TRACKS
from actors.rules import DEFAULT_STEP_RATE, GENERATION_UNIT

from ._corpus import Corpus, Source
from ._patterns import Bar

SCHEMA_VERSION = "3"
_EXTRA = {"1": "'', 1.0, '1/16'", "2": "collection, weight, '1/16'",
          SCHEMA_VERSION: "collection, weight, grid"}
"""The source columns each readable schema has, or stands in for."""

_SCHEMA = f"""
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE sources(
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('midi', 'preset', 'starter')),
    name TEXT NOT NULL,
    style TEXT NOT NULL DEFAULT '',
    loops INTEGER NOT NULL DEFAULT 0,
    collection TEXT NOT NULL DEFAULT '',
    weight REAL NOT NULL DEFAULT 1.0,
    grid TEXT NOT NULL DEFAULT '1/16'
);
CREATE TABLE bars(
    source_id INTEGER NOT NULL REFERENCES sources(id),
    position INTEGER NOT NULL,
    {", ".join(f"{t} INTEGER, {t}_accents INTEGER" for t in TRACKS)},
    PRIMARY KEY (source_id, position)
) WITHOUT ROWID;
"""


class StoreError(Exception):
    """The file is not a usable prior store (missing, corrupt or of another schema)."""


@dataclasses.dataclass(frozen=True)
class Store:
    """Everything the generator needs, loaded into memory."""

    corpus: Corpus
    """The bars of sixteenths."""
    meta: dict[str, str]
    sources: tuple[Source, ...] = ()
    """The sources in store order, each with its name, collection, weight and grid."""
    grids: dict[str, Corpus] = dataclasses.field(default_factory=dict)
    """The units of each triplet grid the store holds any of."""

    def collections(self) -> list[tuple[str, int, int, float]]:
        """``(collection, sources, bars, weight)`` for each collection, in store order,
        counting the bars of sixteenths (a take in triplets is also on other grids)."""
        summary: dict[tuple[str, float], list[int]] = {}
        for source in self.sources:
            if source.grid != DEFAULT_STEP_RATE:
                continue
            counts = summary.setdefault((source.collection, source.weight), [0, 0])
            counts[0] += 1
            counts[1] += len(source.bars)
        return [(name, n, bars, weight) for (name, weight), (n, bars) in summary.items()]



def default_path() -> Path:
    """``$XDG_CACHE_HOME/supertonic/priors.sqlite`` (``~/.cache`` when unset)."""
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "supertonic" / "priors.sqlite"


def write(path: Path, sources: Iterable[Source], description: str) -> None:
    """Write a complete store to ``path`` atomically (a temporary file, then a rename).

    A reader therefore never sees half a store, and a build that fails leaves
    any earlier store in place.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.unlink(missing_ok=True)
    db = apsw.Connection(str(partial))
    try:
        with db:
            db.execute(_SCHEMA)
            n_sources = n_bars = 0
            for source_id, source in enumerate(sources, start=1):
                db.execute(
                    "INSERT INTO sources VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        source_id,
                        source.kind,
                        source.name,
                        source.style,
                        int(source.loops),
                        source.collection or description,
                        source.weight,
                        source.grid,
                    ),
                )
                db.executemany(
                    f"INSERT INTO bars VALUES (?, ?{', ?, ?' * len(TRACKS)})",
                    (
                        (source_id, position, *_columns(tracks))
                        for position, tracks in sorted(source.bars.items())
                    ),
                )
                n_sources += 1
                n_bars += len(source.bars)
            meta = {
                "schema": SCHEMA_VERSION,
                "built_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
                "description": description,
                "bars": str(n_bars),
                "sources": str(n_sources),
            }
            db.executemany("INSERT INTO meta VALUES (?, ?)", meta.items())
    finally:
        db.close()
    partial.replace(path)


def _columns(tracks: tuple[Bar | None, ...]) -> list[int | None]:
    columns: list[int | None] = []
    for bar in tracks:
        columns += [None, None] if bar is None else [bar.hits, bar.accents]
    return columns


def read(path: Path) -> Store:
    """Load a store, raising :class:`StoreError` for anything that is not a good one."""
    if not path.is_file():
        raise StoreError(f"no prior store at {path}")
    try:
        db = apsw.Connection(str(path), flags=apsw.SQLITE_OPEN_READONLY)
        try:
            return _read(db)
        finally:
            db.close()
    except apsw.Error as error:
        raise StoreError(f"{path} is not a readable prior store: {error}") from error


def _read(db: apsw.Connection) -> Store:
    if db.execute("PRAGMA quick_check").fetchall() != [("ok",)]:
        raise StoreError("the database fails SQLite's integrity check")
    meta: dict[str, str] = {}
    for key, value in db.execute("SELECT key, value FROM meta"):
        if not isinstance(key, str) or not isinstance(value, str):
            raise StoreError(f"meta {key!r} = {value!r} is not text")
        meta[key] = value
    if meta.get("schema") not in _EXTRA:
        raise StoreError(f"schema {meta.get('schema')!r}, expected {SCHEMA_VERSION}")
    sources: dict[int, Source] = {}
    for source_id, kind, name, style, loops, collection, weight, grid in db.execute(
        f"SELECT id, kind, name, style, loops, {_EXTRA[meta['schema']]} FROM sources "
        "ORDER BY id"
    ):
        if grid not in GENERATION_UNIT:
            raise StoreError(f"source {source_id} is on grid {grid!r}, not one of "
                             f"{', '.join(GENERATION_UNIT)}")
        sources[source_id] = Source(
            kind, name, style, {}, bool(loops), collection or meta.get("description", ""),
            weight, grid
        )
    columns = ", ".join(f"{t}, {t}_accents" for t in TRACKS)
    for source_id, position, *values in db.execute(
        f"SELECT source_id, position, {columns} FROM bars ORDER BY source_id, position"
    ):
        sources[source_id].bars[position] = tuple(
            None if h is None else Bar(h, a) for h, a in zip(values[::2], values[1::2], strict=True)
        )
    kept = tuple(source for source in sources.values() if source.bars)
    if not kept:
        raise StoreError("the store holds no bars")
    grids = {source.grid for source in kept} - {DEFAULT_STEP_RATE}
    return Store(Corpus.from_sources(kept), meta, kept,
                 {grid: Corpus.from_sources(kept, grid) for grid in sorted(grids)})
