"""The groove store: one SQLite file through apsw, beside the pattern priors.

Schema (``meta.schema`` = 1)::

    meta(key TEXT PRIMARY KEY, value TEXT)
        schema, built_at, description, attribution, bars, params (JSON),
        history_offset, history_velocity (JSON), styles (JSON list)
    bars(id INTEGER PRIMARY KEY, bpm REAL, style INTEGER,
         kick, snare, hihat, openhat, clap INTEGER,           -- hit steps, bit i = step i
         kick_accents, snare_accents, hihat_accents, openhat_accents, clap_accents INTEGER,
         played BLOB)
        one learned bar; ``played`` holds its hits in track-then-step order as
        little-endian int16 offsets in tenths of a ms, then uint8 velocities.

A package copy of a store built from GMD train ships as :data:`SHIPPED`, so the
machine grooves without any download.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
from pathlib import Path

import apsw
import numpy as np

from actors.messages import TRACKS
from actors.rules import BAR_STEPS, VELOCITY_HIT

from ._model import OLD_TERMS, TERMS, Bars, GrooveModel, HistoryWeights, Params, template_of

SCHEMA_VERSION = "1"
SHIPPED = Path(__file__).with_name("gmd_groove.sqlite")
GMD_ATTRIBUTION = (
    "Derived from the Groove MIDI Dataset (Magenta, Google), CC BY 4.0: Gillick et al., "
    "Learning to Groove with Inverse Sequence Transformations, ICML 2019. "
    "https://magenta.tensorflow.org/datasets/groove")
_STEPS = np.arange(BAR_STEPS)

_SCHEMA = f"""
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE bars(
    id INTEGER PRIMARY KEY, bpm REAL NOT NULL, style INTEGER NOT NULL,
    {", ".join(f"{t} INTEGER NOT NULL" for t in TRACKS)},
    {", ".join(f"{t}_accents INTEGER NOT NULL" for t in TRACKS)},
    played BLOB NOT NULL
);
"""


class GrooveStoreError(Exception):
    """The file is not a usable groove store."""


def beside(priors: Path) -> Path:
    """The groove store that goes with the prior store at ``priors``."""
    return priors.with_name(priors.stem + ".groove.sqlite")


def write(path: Path, model: GrooveModel, description: str, attribution: str = "") -> None:
    """Write ``model`` to ``path`` atomically (a temporary file, then a rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.unlink(missing_ok=True)
    db = apsw.Connection(str(partial))
    bits = 1 << _STEPS
    try:
        with db:
            db.execute(_SCHEMA)
            rows = []
            for i in range(len(model.style)):
                played = ~np.isnan(model.offset[i])
                accents = played & (model.velocity[i] >= 100)
                blob = (np.round(model.offset[i][played] * 10).astype("<i2").tobytes()
                        + model.velocity[i][played].astype(np.uint8).tobytes())
                rows.append((i, float(np.exp(model.bars.log_bpm[i])), int(model.style[i]),
                             *(int((bits * p).sum()) for p in played),
                             *(int((bits * a).sum()) for a in accents), blob))
            columns = 3 + 2 * len(TRACKS) + 1
            db.executemany(f"INSERT INTO bars VALUES ({', '.join('?' * columns)})", rows)
            meta = {
                "schema": SCHEMA_VERSION,
                "built_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
                "description": description,
                "attribution": attribution,
                "bars": str(len(rows)),
                "params": json.dumps(dataclasses.asdict(model.params)),
                "history_offset": json.dumps(dataclasses.asdict(model.history_offset)),
                "history_velocity": json.dumps(dataclasses.asdict(model.history_velocity)),
                "styles": json.dumps(list(model.styles)),
            }
            db.executemany("INSERT INTO meta VALUES (?, ?)", meta.items())
        db.execute("VACUUM")
    finally:
        db.close()
    partial.replace(path)


def read(path: Path) -> tuple[GrooveModel, dict[str, str]]:
    """The model in ``path`` and its meta; :class:`GrooveStoreError` for anything else."""
    if not path.is_file():
        raise GrooveStoreError(f"no groove store at {path}")
    try:
        db = apsw.Connection(str(path), flags=apsw.SQLITE_OPEN_READONLY)
        try:
            return _read(db)
        finally:
            db.close()
    except (apsw.Error, ValueError, KeyError, TypeError) as error:
        raise GrooveStoreError(f"{path} is not a readable groove store: {error}") from error


def _read(db: apsw.Connection) -> tuple[GrooveModel, dict[str, str]]:
    meta = {str(k): str(v) for k, v in db.execute("SELECT key, value FROM meta")}
    if meta.get("schema") != SCHEMA_VERSION:
        raise GrooveStoreError(f"schema {meta.get('schema')!r}, expected {SCHEMA_VERSION}")
    (count_row,) = db.execute("SELECT count(*) FROM bars").fetchall()
    n = int(str(count_row[0]))
    if not n:
        raise GrooveStoreError("the store holds no bars")
    t = len(TRACKS)
    pattern = np.zeros((n, t, BAR_STEPS), np.int8)
    offset = np.full((n, t, BAR_STEPS), np.nan, np.float32)
    velocity = np.full((n, t, BAR_STEPS), np.nan, np.float32)
    bpm = np.empty(n)
    style = np.empty(n, np.int16)
    # row by row: a whole fetch would hold every row's Python objects at once
    for i, (_, tempo, st, *rest) in enumerate(db.execute("SELECT * FROM bars ORDER BY id")):
        if i >= n:
            raise GrooveStoreError("the store changed while it was read")
        hits = np.array(rest[:t], np.int64)
        accents = np.array(rest[t:2 * t], np.int64)
        blob = rest[2 * t]
        if not isinstance(blob, bytes):
            raise GrooveStoreError(f"bar {i} holds no hit data")
        played = (hits[:, None] >> _STEPS) & 1 == 1
        count = int(played.sum())
        if len(blob) != 3 * count:
            raise GrooveStoreError(f"bar {i} holds {len(blob)} bytes for {count} hits")
        offset[i][played] = np.frombuffer(blob[:2 * count], "<i2") / 10.0
        velocity[i][played] = np.frombuffer(blob[2 * count:], np.uint8)
        pattern[i] = played + ((accents[:, None] >> _STEPS) & 1)
        bpm[i], style[i] = float(tempo), int(st)
    history = (_history(meta["history_offset"]), _history(meta["history_velocity"]))
    model = GrooveModel(Bars.of(pattern, bpm), offset, velocity, style,
                        tuple(json.loads(meta["styles"])), Params(**json.loads(meta["params"])),
                        *history,
                        template_of(offset, 0.0), template_of(velocity, VELOCITY_HIT))
    return model, meta


def _history(text: str) -> HistoryWeights:
    fields = json.loads(text)
    weights = tuple(float(w) for w in fields["weights"])
    if len(weights) == OLD_TERMS:  # a store from before the later terms answers as it did
        weights += (0.0,) * (TERMS - OLD_TERMS)
    if len(weights) != TERMS:
        raise ValueError(f"{len(weights)} history weights")
    return HistoryWeights(weights)
