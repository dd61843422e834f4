"""Hardware MIDI bridging: which jackd option, when a2jmidid is started, and the one
quiet line where there is no ALSA (as on this build machine). a2jmidid and jack_lsp
are stand-ins on PATH that record how they were called."""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

import pytest
import trio

from actors.alsa import alsa_midi_bridge, alsa_sequencer, jackd_midi_args


@pytest.fixture
def snd(tmp_path):
    snd = tmp_path / "snd"
    snd.mkdir()
    (snd / "seq").touch()
    return snd


def _tool(bin_dir: Path, name: str, body: str) -> None:
    path = bin_dir / name
    path.write_text(f"#!/bin/sh\n{body}\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)


@pytest.fixture
def bin_dir(tmp_path, monkeypatch):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    return bin_dir


def test_jackd_gets_the_alsa_drivers_sequencer_bridge_only_where_it_can(snd, tmp_path):
    assert jackd_midi_args("alsa", snd) == ["-X", "seq"]
    assert jackd_midi_args("dummy", snd) == []
    assert jackd_midi_args("alsa", tmp_path / "nothing") == []
    assert alsa_sequencer(snd) and not alsa_sequencer(tmp_path / "nothing")


async def test_no_alsa_is_said_once_and_not_as_an_error(tmp_path, caplog):
    caplog.set_level(logging.INFO)
    with trio.move_on_after(0.2):
        await alsa_midi_bridge(snd=tmp_path / "nosnd")
    records = [r for r in caplog.records if "no ALSA sequencer" in r.getMessage()]
    assert len(records) == 1 and records[0].levelno == logging.INFO
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


async def test_a2jmidid_bridges_beside_a_jack_server_that_does_not(snd, bin_dir, tmp_path,
                                                                   caplog):
    caplog.set_level(logging.INFO)
    calls = tmp_path / "calls"
    _tool(bin_dir, "jack_lsp", "echo system:playback_1; echo system:playback_2")
    _tool(bin_dir, "a2jmidid", f'echo "a2jmidid $*" >> {calls}; exec sleep 30')
    with trio.move_on_after(1.0):
        await alsa_midi_bridge(snd=snd)
    assert calls.read_text() == "a2jmidid -e\n"
    assert "bridging ALSA MIDI devices into JACK with a2jmidid -e" in caplog.text


async def test_a_jack_server_that_bridges_is_left_alone(snd, bin_dir, tmp_path, caplog):
    caplog.set_level(logging.INFO)
    calls = tmp_path / "calls"
    _tool(bin_dir, "jack_lsp", "echo system:playback_1; echo system:midi_capture_1")
    _tool(bin_dir, "a2jmidid", f'echo "a2jmidid $*" >> {calls}; exec sleep 30')
    with trio.move_on_after(0.5):
        await alsa_midi_bridge(snd=snd)
    _tool(bin_dir, "jack_lsp", "echo system:playback_1")  # our jackd -X seq, no device yet
    with trio.move_on_after(0.5):
        await alsa_midi_bridge(bridged=True, snd=snd)
    assert not calls.exists()
    assert caplog.text.count("through its own bridge") == 2


async def test_without_a2jmidid_the_missing_package_is_named(snd, bin_dir, caplog,
                                                             monkeypatch):
    _tool(bin_dir, "jack_lsp", "echo system:playback_1")
    monkeypatch.setenv("PATH", str(bin_dir))
    with trio.move_on_after(0.5):
        await alsa_midi_bridge(snd=snd)
    assert "a2jmidid is not installed (Debian package a2jmidid)" in caplog.text
