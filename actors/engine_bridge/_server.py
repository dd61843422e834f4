"""Finding and running scsynth (and jackd when nothing else provides audio)."""

from __future__ import annotations

import os
import shutil


class ServerError(RuntimeError):
    """scsynth could not be found, started or reached."""


def find_scsynth() -> str:
    found = os.environ.get("SUPERTONIC_SCSYNTH") or shutil.which("scsynth")
    if not found:
        raise ServerError(
            "scsynth not found: install Debian's supercollider-server or set SUPERTONIC_SCSYNTH"
        )
    return found
