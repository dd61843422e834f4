"""Compiling ``scd/defs/*.scd`` into ``.scsyndef`` files with sclang.

sclang is slow to start and, on any error in a file, prints the error and
then waits forever instead of exiting. So the build runs all sources in one
sclang process under a timeout, treats a missing completion marker as
failure, and raises with the ``ERROR`` lines it printed. Results are cached
by a hash of the sources, which makes the bridge's check at start-up free.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

SCD_DIR = Path(__file__).resolve().parents[2] / "scd"
"""The repository's SuperCollider sources (the package is installed editable)."""

_DONE = "SUPERTONIC-BUILD-DONE"


class SynthDefBuildError(RuntimeError):
    """sclang failed, hung, or printed an error while compiling a source."""


def find_sclang() -> str:
    found = os.environ.get("SUPERTONIC_SCLANG") or shutil.which("sclang")
    if not found:
        raise SynthDefBuildError(
            "sclang not found: install Debian's supercollider-language or set SUPERTONIC_SCLANG"
        )
    return found


def def_sources(source_dirs: Sequence[Path] = (SCD_DIR / "defs",)) -> list[Path]:
    return sorted(p for d in source_dirs for p in d.glob("*.scd"))


def cache_dir_for(sources: Sequence[Path]) -> Path:
    digest = hashlib.sha256()
    for path in sources:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "supertonic" / "synthdefs" / digest.hexdigest()[:16]


def build_synthdefs(
    sources: Sequence[Path], out_dir: Path, *, timeout: float = 120.0
) -> list[Path]:
    """Compile every source into ``out_dir``; each source writes to ``~supertonicDefDir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    lines = [f'~supertonicDefDir = "{out_dir}";']
    for source in sources:
        lines.append(f'"{_sc_string(source)}".postln; "{_sc_string(source)}".load;')
    lines.append(f'"{_DONE}".postln; 0.exit;')
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", QTWEBENGINE_DISABLE_SANDBOX="1")
    with tempfile.TemporaryDirectory(prefix="supertonic-sclang-") as tmp:
        driver = Path(tmp) / "build.scd"
        driver.write_text("\n".join(lines) + "\n")
        try:
            result = subprocess.run(
                [find_sclang(), str(driver)], capture_output=True, text=True, timeout=timeout,
                env=env, stdin=subprocess.DEVNULL, check=False,
            )
            output = result.stdout + result.stderr
        except subprocess.TimeoutExpired as exc:
            output = _text(exc.stdout) + _text(exc.stderr)
            raise SynthDefBuildError(
                f"sclang did not finish within {timeout:.0f} s (an error in a source makes it "
                f"wait forever):\n{_errors(output)}"
            ) from None
    errors = _errors(output)
    if _DONE not in output or "ERROR" in output:
        names = ", ".join(map(str, sources))
        raise SynthDefBuildError(f"sclang failed compiling {names}:\n{errors}")
    return sorted(out_dir.glob("*.scsyndef"))


def ensure_synthdefs(source_dirs: Sequence[Path] = (SCD_DIR / "defs",)) -> Path:
    """Return a directory holding the compiled defs of ``source_dirs``, building if stale."""
    sources = def_sources(source_dirs)
    if not sources:
        raise SynthDefBuildError(f"no .scd sources in {', '.join(map(str, source_dirs))}")
    out_dir = cache_dir_for(sources)
    if not (out_dir / ".complete").exists():
        staging = Path(tempfile.mkdtemp(prefix=out_dir.name, dir=_parent(out_dir)))
        build_synthdefs(sources, staging)
        (staging / ".complete").touch()
        shutil.rmtree(out_dir, ignore_errors=True)
        staging.rename(out_dir)
    return out_dir


def _parent(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    return path.parent


def _sc_string(path: Path) -> str:
    return str(path).replace("\\", "\\\\").replace('"', '\\"')


def _text(data: bytes | str | None) -> str:
    if isinstance(data, bytes):
        return data.decode(errors="replace")
    return data or ""


def _errors(output: str) -> str:
    lines = output.splitlines()
    picked = [i for i, line in enumerate(lines) if "ERROR" in line or "error" in line.lower()]
    if not picked:
        return "\n".join(lines[-20:])
    keep = sorted({j for i in picked for j in range(i, min(i + 6, len(lines)))})
    return "\n".join(lines[j] for j in keep)
