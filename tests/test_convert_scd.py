"""``convert --to scd`` and ``scd/drumset.scd``, checked through the player's dry run.

sclang prints the kit it would play (SUPERTONIC_DRUMSET_DRY=1) and each line is held
against what Python says: :func:`voice_for` for the def and controls, :func:`pattern_text`
and :func:`fill_text` for the steps. The generated files test the writer; drumset.scd's
own preset reader is held against Python's parser the same way.
"""

from __future__ import annotations

import dataclasses
import math
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from actors.kit import (
    PATTERN_NAMES,
    Channel,
    Drum,
    Kit,
    Pattern,
    dumps_microtonic,
    fill_text,
    load_kit,
    pattern_text,
)
from actors.kit._params import clamp_drum
from actors.voice import scd_text, voice_for

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data"
DEFAULT_KIT = REPO / "actors" / "kit" / "default.mtpreset"
DRUMSET = REPO / "scd" / "drumset.scd"
SCLANG = os.environ.get("SUPERTONIC_SCLANG") or shutil.which("sclang")
TIMEOUT = 20.0
"""A dry run takes about 1.5 s; sclang waits forever after an error in a file."""
SC_NAMES = {"n_vel": "noise_vel"}
"""Drum fields whose voice control is named otherwise."""

pytestmark = pytest.mark.skipif(
    SCLANG is None, reason="needs sclang (Debian: supercollider-language)"
)


def kit_files() -> list[object]:
    mtpg = DATA / "mtpg"
    if not mtpg.is_dir():
        absent = pytest.mark.skip(reason=f"{mtpg} is absent (the shared test data)")
        return [DEFAULT_KIT, pytest.param(mtpg, marks=absent)]
    return [DEFAULT_KIT, *sorted(mtpg.glob("*.mtpg"))]


@dataclasses.dataclass
class DryRun:
    """What the player printed: the kit's name, its settings and each drum's pairs."""

    name: str
    settings: dict[str, str]
    drums: list[dict[str, str]]


def sclang(*argv: str | Path) -> subprocess.CompletedProcess[str]:
    """sclang in the player's dry run, headless."""
    env = dict(
        os.environ,
        SUPERTONIC_DRUMSET_DRY="1",
        QT_QPA_PLATFORM="offscreen",
        QTWEBENGINE_DISABLE_SANDBOX="1",
    )
    return subprocess.run(
        [str(SCLANG), *map(str, argv)], capture_output=True, text=True, encoding="utf-8",
        timeout=TIMEOUT, env=env, stdin=subprocess.DEVNULL, check=False,
    )  # fmt: skip


def dry_run(*argv: str | Path) -> DryRun:
    result = sclang(*argv)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    names = [line.removeprefix("name ") for line in lines if line.startswith("name ")]
    settings = [pairs(line.split()[1:]) for line in lines if line.startswith("kit ")]
    drums = [pairs(line.split()[2:]) for line in lines if line.startswith("drum ")]
    assert len(names) == len(settings) == 1 and len(drums) == 8, result.stdout
    return DryRun(names[0], settings[0], drums)


def pairs(words: list[str]) -> dict[str, str]:
    assert len(words) % 2 == 0, words
    return dict(zip(words[::2], words[1::2], strict=True))


ControlsOf = Callable[[dict[str, str], Drum], dict[str, float]]
"""A drum's printed pairs (and Python's drum) -> the controls its hits would play with."""


def assert_plays(run: DryRun, kit: Kit, controls_of: ControlsOf) -> None:
    """The dry run shows ``kit`` as Python would play it."""
    length = kit.patterns[PATTERN_NAMES.index(kit.selected_pattern)].length
    assert set(run.settings) == {"pattern", "tempo", "swing", "fill_rate", "length"}
    assert run.settings["pattern"] == kit.selected_pattern
    assert run.settings["length"] == str(length)
    assert float(run.settings["tempo"]) == (120.0 if kit.tempo is None else kit.tempo)
    assert float(run.settings["swing"]) == kit.swing
    assert float(run.settings["fill_rate"]) == kit.fill_rate
    for channel, (drum, printed) in enumerate(zip(kit.drums, run.drums, strict=True)):
        name, controls = voice_for(drum)
        one_channel = (channel,) * 5
        steps = pattern_text(kit, kit.selected_pattern, channel_map=one_channel)[0]
        fills = fill_text(kit, kit.selected_pattern, channel_map=one_channel)[0]
        assert printed["def"] == name, channel
        assert printed["steps"] == steps[:length], channel
        assert printed["fills"] == fills[:length], channel
        assert printed["choke"] == str(drum.choke).lower(), channel
        assert controls_of(printed, drum) == as_dict(controls), channel


def written_controls(printed: dict[str, str], drum: Drum) -> dict[str, float]:
    """A generated file's hits send exactly the controls it holds, printed after the
    def, steps, fills and choke."""
    return {key: float(value) for key, value in list(printed.items())[4:]}


def read_controls(printed: dict[str, str], drum: Drum) -> dict[str, float]:
    """drumset.scd sends every number it read, unclamped (files carry float artefacts
    such as 10.000001 s, which the voice clips); clamped as Python clamps any reading,
    they must be Python's reading."""
    numbers = {
        field.name: float(printed[SC_NAMES.get(field.name, field.name)])
        for field in dataclasses.fields(Drum)
        if isinstance(getattr(drum, field.name), float)
    }
    return as_dict(voice_for(clamp_drum(dataclasses.replace(drum, **numbers)))[1])


def as_dict(controls: tuple[str | float, ...]) -> dict[str, float]:
    """voice_for's flat ``name, value, ...`` list as a mapping."""
    return {
        str(key): float(value) for key, value in zip(controls[::2], controls[1::2], strict=True)
    }


@pytest.mark.parametrize("path", kit_files(), ids=lambda p: Path(p).name)
def test_a_generated_file_plays_what_python_says(path: Path, tmp_path: Path) -> None:
    kit = load_kit(path)
    scd = tmp_path / "kit.scd"
    scd.write_text(scd_text(kit), encoding="utf-8")
    run = dry_run(scd)
    assert run.name == kit.name
    assert_plays(run, kit, written_controls)


@pytest.mark.parametrize("path", kit_files(), ids=lambda p: Path(p).name)
def test_drumset_reads_a_preset_as_python_does(path: Path) -> None:
    # The default kit is what drumset.scd plays when it is given no file.
    run = dry_run(DRUMSET) if path == DEFAULT_KIT else dry_run(DRUMSET, path)
    assert run.name == path.name
    assert_plays(run, load_kit(path), read_controls)


def test_names_quotes_rolls_and_infinities_survive(tmp_path: Path) -> None:
    rolled = Channel(
        triggers="#-#-#-#" + "-" * 9, accents="--#" + "-" * 13, fills="####" + "-" * 12
    )
    kit = Kit(
        name='a "quoted" \\ kit, ünïcode',
        drums=(Drum(level=-math.inf, mod_rate=math.inf, choke=True), *Kit().drums[1:]),
        patterns=(
            Pattern(),
            Pattern(),
            Pattern(length=7, channels=(rolled,) * 8),
            *Kit().patterns[3:],
        ),
        selected_pattern="c",
        swing=0.25,
        fill_rate=3.5,
    )
    scd = tmp_path / "kit.scd"
    scd.write_text(scd_text(kit), encoding="utf-8")
    run = dry_run(scd)
    assert run.name == kit.name
    assert run.drums[0]["steps"] == "x-X-x-x"
    assert run.drums[0]["fills"] == "f-f----"
    assert_plays(run, kit, written_controls)


def test_an_unknown_def_exits_nonzero(tmp_path: Path) -> None:
    text = scd_text(Kit())
    name = voice_for(Drum())[0]
    scd = tmp_path / "kit.scd"
    scd.write_text(text.replace(f"'{name}'", "'supertonic_nonsense'", 1), encoding="utf-8")
    result = sclang(scd)
    assert result.returncode == 1
    assert "drum 1: no voice def supertonic_nonsense" in result.stdout


def test_nan_has_no_literal() -> None:
    kit = Kit(drums=(Drum(pan=math.nan), *Kit().drums[1:]))
    with pytest.raises(ValueError, match="NaN"):
        scd_text(kit)


def convert(*argv: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "actors", "convert", *map(str, argv)],
        capture_output=True, text=True, timeout=TIMEOUT, cwd=REPO, check=False,
    )  # fmt: skip


def test_the_cli_writes_the_file(tmp_path: Path) -> None:
    out = tmp_path / "default.scd"
    result = convert(DEFAULT_KIT, "--to", "scd", "--out", out)
    assert result.returncode == 0, result.stderr
    assert out.read_text(encoding="utf-8") == scd_text(load_kit(DEFAULT_KIT))


def test_the_cli_reports_a_broken_input_with_its_position(tmp_path: Path) -> None:
    broken = tmp_path / "broken.mtpreset"
    broken.write_text(dumps_microtonic(Kit()).replace("\tSwing: 0.00000000%", "\tSwing: 0.0 %%"))
    out = tmp_path / "broken.scd"
    result = convert(broken, "--to", "scd", "--out", out)
    assert result.returncode != 0
    assert result.stderr == f"{broken}:5:13: expected a unit '%' after the number for Swing\n"
    assert not out.exists()
