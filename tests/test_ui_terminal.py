"""The terminal UI for real: the demo machine in a tmux pane, played with send-keys and
read back with capture-pane (no scsynth: the real session, clock and generator actors)."""

import json
import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from actors.session import DEFAULT_PATTERNS
from actors.ui._layout import step_column

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="needs tmux")

ROOT = Path(__file__).resolve().parents[1]


class Pane:
    def __init__(self, name: str) -> None:
        self.name = name

    def keys(self, *keys: str) -> None:
        for key in keys:  # one at a time, as a player types
            subprocess.run(["tmux", "send-keys", "-t", self.name, key], check=True)
            time.sleep(0.05)

    def text(self) -> list[str]:
        done = subprocess.run(["tmux", "capture-pane", "-p", "-t", self.name],
                              capture_output=True, text=True, check=True)
        return done.stdout.splitlines()

    def wait(self, condition, what: str, seconds: float = 10.0) -> list[str]:
        deadline = time.monotonic() + seconds
        while True:
            lines = self.text()
            if condition(lines):
                return lines
            if time.monotonic() > deadline:
                pytest.fail(f"waited for {what}; the screen:\n" + "\n".join(lines))
            time.sleep(0.05)

    def pattern(self, lines: list[str], track: str) -> str:
        (row,) = [line for line in lines if line[1:].startswith(track + " ")]
        return "".join("-" if row[step_column(i)] in "·." else row[step_column(i)]
                       for i in range(32))

    def shows(self, text: str, seconds: float = 10.0) -> list[str]:
        return self.wait(lambda lines: any(text in line for line in lines), repr(text), seconds)


@pytest.fixture
def pane(tmp_path):
    name = f"supertonic-ui-{uuid.uuid4().hex[:8]}"
    env = f"LANG=C.UTF-8 PYTHONPATH={ROOT}"
    command = (f"cd {ROOT} && {env} {sys.executable} -m actors.ui.demo --dir {tmp_path} "
               f"--bpm 100; echo EXITED $?; sleep 30")
    subprocess.run(["tmux", "new-session", "-d", "-s", name, "-x", "80", "-y", "24", command],
                   check=True, env={**os.environ, "TMUX": ""})
    try:
        yield Pane(name)
    finally:
        subprocess.run(["tmux", "kill-session", "-t", name], capture_output=True)


def test_play_generate_save_and_reload_in_a_real_terminal(pane, tmp_path):
    lines = pane.shows("100.0 bpm")
    assert "stopped" in lines[0] and len(lines) == 24
    assert pane.pattern(lines, "kick") == DEFAULT_PATTERNS[0]
    assert all(len(line) <= 80 for line in lines)

    # toggle: step 3 of the kick, rest -> hit -> accent
    pane.keys("Right", "Right", "3")
    lines = pane.wait(lambda ls: pane.pattern(ls, "kick")[2] == "x", "a hit on step 3")
    assert "step  3" in "".join(lines)
    pane.keys("3")
    pane.wait(lambda ls: pane.pattern(ls, "kick")[2] == "X", "an accent on step 3")

    # the transport and the playhead
    pane.keys("Space")
    pane.shows("PLAYING")
    pane.wait(lambda ls: "^" in ls[8], "the playhead")

    # K1 held: the basis, then generate the kick from it
    pane.keys("1", "Down")
    lines = pane.shows("basis: snare")
    assert any(line.startswith(" snare") and line.endswith("basis") for line in lines)
    assert "K1 HELD" in lines[20]
    before = pane.pattern(pane.shows("basis: snare"), "kick")
    pane.keys("3")
    pane.shows("generating kick")  # the pending indicator, while the generator works
    lines = pane.wait(lambda ls: "model" in ls[9] and pane.pattern(ls, "kick") != before,
                      "the generated kick")
    generated = pane.pattern(lines, "kick")  # the real generator's answer: a new kick
    assert len(generated) == 32 and set(generated) <= set("-xX")
    pane.keys("1")
    pane.wait(lambda ls: "K1 HELD" not in ls[20], "K1 released")

    # save into the sessions folder, from the files page
    pane.keys("]", "]", "]", "]", "]")
    pane.shows("save session")
    pane.keys("Down", "Down", "Down", "Down", "3")
    pane.shows("saved session-01.json")
    saved = tmp_path / "sessions" / "session-01.json"
    deadline = time.monotonic() + 10
    while not saved.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert json.loads(saved.read_text())["tracks"]["kick"]["pattern"] == generated

    # change the kick, then load the saved session back
    pane.keys("[", "[", "[", "[", "[", "Left", "Left", "3")  # step 1: accent -> rest
    pane.wait(lambda ls: pane.pattern(ls, "kick")[0] != generated[0], "the kick changed")
    pane.keys("]", "]", "]", "]", "]", "Down", "Down", "3")
    lines = pane.shows("loaded session-01.json")
    assert pane.pattern(lines, "kick") == generated
    autosave = tmp_path / "autosave.json"
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if json.loads(autosave.read_text())["tracks"]["kick"]["pattern"] == generated:
            break
        time.sleep(0.1)
    else:
        pytest.fail("the autosave never caught up with the loaded session")

    # quitting asks first, then stops the machine cleanly
    pane.keys("q")
    pane.shows("quit and stop the machine?")
    pane.keys("x")
    pane.wait(lambda ls: "quit and stop" not in "".join(ls), "the question withdrawn")
    pane.keys("q", "y")
    pane.shows("EXITED 0")
