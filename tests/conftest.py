"""Every test runs in its own state, never the player's.

supertonic keeps the player's things under the home folder: the autosave
(``$XDG_STATE_HOME``), kits and sessions (``$XDG_DATA_HOME``), the default prior
store (``$XDG_CACHE_HOME``). A test that could read them would pass or fail by
what the person running it played last night, and one that could write them
could destroy a set. So each test gets empty folders of its own for all three,
through the environment, which every subprocess a test starts inherits.

One thing stays shared, because it only saves time and cannot change a result:
the compiled SynthDefs. Their cache folder is named by a digest of the sources,
so a stale build is never used; the test cache links to the outer one so that
sclang does not compile the voice again for every test.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

STATE_VARIABLES = ("XDG_STATE_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_CONFIG_HOME")


def _outer(variable: str, default: str) -> Path:
    return Path(os.environ.get(variable) or Path.home() / default)


@pytest.fixture(scope="session")
def shared_synthdefs() -> Path:
    """The outer cache's SynthDef folder (created if need be), shared by every test."""
    folder = _outer("XDG_CACHE_HOME", ".cache") / "supertonic" / "synthdefs"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(autouse=True)
def own_state(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch,
              shared_synthdefs: Path) -> Iterator[Path]:
    """Point the user's state, data, config and cache folders into a fresh folder."""
    home = tmp_path_factory.mktemp("home")
    for variable in STATE_VARIABLES:
        folder = home / variable.removeprefix("XDG_").removesuffix("_HOME").lower()
        folder.mkdir()
        monkeypatch.setenv(variable, str(folder))
    (home / "cache" / "supertonic").mkdir()
    (home / "cache" / "supertonic" / "synthdefs").symlink_to(shared_synthdefs)
    yield home
