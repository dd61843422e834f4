"""The suite never touches the player's own files, and its result does not depend on them.

A player's home is planted (an autosave that would play instead of a damaged
session, a kit, a session, a corrupt prior store the generator would rebuild in
place) and tests that start the machine run in a pytest of their own under that
home: they pass as they do anywhere, and every planted byte stays as it was.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.live import needs_supercollider

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_KIT = ROOT / "actors" / "kit" / "default.mtpreset"

pytestmark = needs_supercollider


def plant(home: Path) -> dict[Path, bytes]:
    playable = json.dumps({"format": "supertonic-session", "version": 1, "tempo": 61,
                           "tracks": {"kick": {"pattern": "X-X-X-X-"}}}).encode()
    files = {
        home / "state" / "supertonic" / "autosave.json": playable,
        home / "data" / "supertonic" / "sessions" / "set-01.json": playable,
        home / "data" / "supertonic" / "kits" / "mine.mtpreset": DEFAULT_KIT.read_bytes(),
        home / "cache" / "supertonic" / "priors.sqlite": b"not a store: rebuilt if opened",
    }
    for path, content in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    return files


def test_a_players_planted_home_changes_nothing_and_is_not_touched(tmp_path,
                                                                   shared_synthdefs):
    home = tmp_path / "player"
    planted = plant(home)
    # the one shared cache (see conftest): linked, so sclang need not compile again
    (home / "cache" / "supertonic" / "synthdefs").symlink_to(shared_synthdefs)
    env = dict(os.environ, HOME=str(home), XDG_STATE_HOME=str(home / "state"),
               XDG_DATA_HOME=str(home / "data"), XDG_CACHE_HOME=str(home / "cache"))
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         "tests/test_cli_run.py"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert " passed" in done.stdout and "failed" not in done.stdout
    for path, content in planted.items():
        assert path.read_bytes() == content, path
    created = {p for p in home.rglob("*") if p.is_file() and "synthdefs" not in p.parts}
    created -= set(planted)
    assert created == set(), created
