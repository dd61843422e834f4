"""Sharing a jackd between supertonic processes: the last one out stops it.

Two supertonic processes on one machine each run their own scsynth (each on a
free port) through one JACK server. The first, finding none, starts jackd; the
second plays through it. The jackd must then outlive its starter for as long
as the other still plays, and be stopped by whichever leaves last, so that
nothing is left running.

Each process using a JACK server writes a file named by its pid into a folder
for that server under ``$XDG_RUNTIME_DIR`` (or the temp folder); the process
that started jackd also writes jackd's pid there. Leaving removes one's own
file; if no live user remains and a supertonic started the server, the leaver
is told to stop it. A user that died without leaving is recognised by its pid
no longer existing.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from pathlib import Path

JACKD_FILE = "jackd.pid"


def users_folder(server: str | None = None) -> Path:
    """The folder for the JACK server ``server`` (default: the one libjack would pick)."""
    name = server or os.environ.get("JACK_DEFAULT_SERVER") or "default"
    base = os.environ.get("XDG_RUNTIME_DIR") or tempfile.gettempdir()
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", name)
    return Path(base) / "supertonic" / f"jack-{safe}"


def _is_jackd(pid: int) -> bool:
    """Whether ``pid`` is still a jackd: a pid a dead jackd left behind may have been
    given to another program since, which must not be stopped in its place."""
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip() == "jackd"
    except OSError:
        return False


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: alive
    return True


class JackUsers:
    """This process's place among the users of one JACK server."""

    def __init__(self, folder: Path, pid: int | None = None) -> None:
        self.folder = folder
        self.pid = os.getpid() if pid is None else pid

    def join(self, started_jackd: int | None = None) -> None:
        """Count this process in; ``started_jackd`` is the pid of a jackd it just started."""
        self.folder.mkdir(parents=True, exist_ok=True)
        if started_jackd is not None:
            (self.folder / JACKD_FILE).write_text(f"{started_jackd}\n")
        (self.folder / str(self.pid)).touch()

    def others(self) -> list[int]:
        """Live users besides this process (the files of dead ones are removed)."""
        found = []
        for entry in self.folder.glob("[0-9]*"):
            pid = int(entry.name)
            if pid == self.pid:
                continue
            if _alive(pid):
                found.append(pid)
            else:
                with contextlib.suppress(FileNotFoundError):
                    entry.unlink()
        return sorted(found)

    def leave(self) -> int | None:
        """Count this process out. Returns the pid of the jackd a supertonic started when
        no other user remains (the caller stops it), else ``None``."""
        with contextlib.suppress(FileNotFoundError):
            (self.folder / str(self.pid)).unlink()
        if self.others():
            return None
        jackd_file = self.folder / JACKD_FILE
        try:
            jackd = int(jackd_file.read_text())
        except (FileNotFoundError, ValueError):
            return None
        jackd_file.unlink()
        return jackd if _alive(jackd) and _is_jackd(jackd) else None
