"""``supertonic convert``, driven through its own argparse registration."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from actors.kit import Kit, Pattern, dumps_json, dumps_microtonic, kit_from_json, parse_kit
from actors.kit.commands import register_commands


def run(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="supertonic")
    register_commands(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.func(args)


@pytest.fixture
def preset(tmp_path: Path) -> Path:
    kit = Kit(name="Ünïcode kit", tempo=133.0, patterns=(Pattern(length=7),) * 12)
    path = tmp_path / "kit.mtpreset"
    path.write_bytes(dumps_microtonic(kit).encode("utf-8"))
    return path


def test_to_json_on_stdout(preset: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run("convert", str(preset), "--to", "json") == 0
    out = capsys.readouterr().out
    assert json.loads(out)["name"] == "Ünïcode kit"
    assert kit_from_json(out) == parse_kit(preset.read_text(encoding="utf-8"))


def test_json_to_microtonic_file_keeps_crlf(tmp_path: Path) -> None:
    source = tmp_path / "kit.json"
    kit = Kit(name="from json", tempo=90.0)
    source.write_text(dumps_json(kit), encoding="utf-8")
    out = tmp_path / "out.mtpreset"
    assert run("convert", str(source), "--to", "microtonic", "--out", str(out)) == 0
    data = out.read_bytes()
    assert data.count(b"\r\n") == data.count(b"\n") > 700
    assert parse_kit(data.decode("utf-8"), str(out)) == kit


def test_broken_input_exits_nonzero_with_the_position(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "broken.mtpreset"
    broken.write_text(dumps_microtonic(Kit()).replace("\tSwing: 0.00000000%", "\tSwing: 0.0 %%"))
    assert run("convert", str(broken), "--to", "json") == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == f"{broken}:5:13: expected a unit '%' after the number for Swing\n"


def test_missing_input_exits_nonzero(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run("convert", str(tmp_path / "nope.mtpreset"), "--to", "json") == 1
    assert "nope.mtpreset" in capsys.readouterr().err


def test_to_is_required(preset: Path) -> None:
    with pytest.raises(SystemExit):
        run("convert", str(preset))
