"""Finding and running scsynth, and jackd when nothing else provides audio.

scsynth's own output is the only place it reports ``late`` bundles, so its
lines are read continuously, passed to the log and counted.
"""

from __future__ import annotations

import logging
import math
import os
import re
import shutil
import socket
import subprocess
from collections.abc import Callable
from pathlib import Path

import trio

from actors.alsa import jackd_midi_args

log = logging.getLogger(__name__)
scsynth_log = logging.getLogger("scsynth")

READY_LINE = "SuperCollider 3 server ready."
SAMPLE_RATE = 48000
JACK_PERIOD = 384
"""8 ms, a whole number of microseconds at 48 kHz: the dummy driver sleeps whole
microseconds, so a period like 256 (5333.3 us) runs its clock 62 ppm fast. On a
loaded two-core machine 4 ms periods overran (an xrun, which makes scsynth reset
its clock) about once a second, 8 ms ones about once a minute; hits are
time-stamped and offset to the sample, so a longer period costs no precision."""
_LATE = re.compile(r"^late (\d+\.\d+)")


class ServerError(RuntimeError):
    """scsynth or jackd could not be found, started or reached."""


def find_scsynth() -> str:
    found = os.environ.get("SUPERTONIC_SCSYNTH") or shutil.which("scsynth")
    if not found:
        raise ServerError(
            "scsynth not found: install Debian's supercollider-server or set SUPERTONIC_SCSYNTH"
        )
    return found


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _jack_env() -> dict[str, str]:
    # Never let libjack auto-start a server with its own (ALSA) defaults.
    return dict(os.environ, JACK_NO_START_SERVER="1")


def jack_running() -> bool:
    lsp = shutil.which("jack_lsp")
    if lsp is None:
        raise ServerError("jack_lsp not found: install Debian's jackd2")
    result = subprocess.run([lsp], capture_output=True, env=_jack_env(), check=False)
    return result.returncode == 0


def jack_period() -> tuple[int, int] | None:
    """The running JACK server's (period in frames, sample rate), if it answers."""
    try:
        frames, rate = (
            subprocess.run([tool], capture_output=True, text=True, env=_jack_env(),
                           timeout=5, check=True).stdout.split()[0]
            for tool in ("jack_bufsize", "jack_samplerate")
        )
        return int(frames), int(rate)
    except (OSError, subprocess.SubprocessError, IndexError, ValueError):
        return None


def block_size(period: int | None) -> int:
    """scsynth computes whole blocks per JACK period, so its block must divide it."""
    return math.gcd(period, 64) if period else 64


def has_sound_card() -> bool:
    cards = Path("/proc/asound/cards")
    return cards.exists() and "no soundcards" not in cards.read_text() and bool(
        cards.read_text().strip()
    )


async def start_jackd() -> tuple[trio.Process, bool]:
    """Start jackd (ALSA where there is a card, else the dummy driver) and wait for it;
    also says whether it bridges ALSA MIDI devices itself."""
    jackd = shutil.which("jackd")
    if jackd is None:
        raise ServerError("no JACK server is running and jackd is not installed (jackd2)")
    driver = ["-d", "alsa"] if has_sound_card() else ["-d", "dummy"]
    # the ALSA driver bridges ALSA MIDI devices itself (-X seq), hot-plugged ones too
    midi = jackd_midi_args(driver[1])
    cmd = [jackd, "-R", *driver, *midi, "-r", str(SAMPLE_RATE), "-p", str(JACK_PERIOD)]
    log.info("no JACK server running%s: starting %s",
             "" if has_sound_card() else " and no sound card", " ".join(cmd[1:]))
    process = await trio.lowlevel.open_process(
        cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        # a session of its own: the terminal's Ctrl-C is ours to handle, and a jackd
        # another supertonic may still play through must not stop with us
        env=_jack_env(), start_new_session=True,
    )
    with trio.move_on_after(10):
        while process.poll() is None:
            if await trio.to_thread.run_sync(jack_running):
                return process, bool(midi)
            await trio.sleep(0.1)
    process.kill()
    raise ServerError(f"jackd did not come up: {' '.join(cmd)} (exit {process.poll()})")


class ScsynthProcess:
    """One scsynth child: started, watched line by line, quit or killed."""

    def __init__(self, port: int, block: int = 64,
                 on_late: Callable[[], None] = lambda: None) -> None:
        self.port = port
        self.block = block
        self._on_late = on_late
        """Called for each ``late`` line: the bridge counts them across server lives."""
        self.process: trio.Process | None = None

    def command(self) -> list[str]:
        """``-L`` locks scsynth's memory where the limits allow (a page fault in the audio
        thread costs an xrun); elsewhere scsynth says so and plays on."""
        return [
            find_scsynth(), "-u", str(self.port), "-B", "127.0.0.1", "-i", "0", "-o", "2",
            "-R", "0", "-l", "1", "-z", str(self.block), "-a", "1024", "-m", "32768", "-D", "0",
            "-L",
        ]

    async def start(self, nursery: trio.Nursery) -> None:
        """Start scsynth and return once it prints its ready line."""
        env = dict(_jack_env(), SC_JACK_DEFAULT_OUTPUTS="system:playback_1,system:playback_2")
        self.process = await trio.lowlevel.open_process(
            self.command(), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, env=env, process_group=0,  # Ctrl-C is ours, not its
        )
        ready = trio.Event()
        nursery.start_soon(self._read_output, ready)
        with trio.move_on_after(10):
            await ready.wait()
            return
        self.kill()
        raise ServerError(f"scsynth did not print {READY_LINE!r} within 10 s")

    async def _read_output(self, ready: trio.Event) -> None:
        assert self.process is not None and self.process.stdout is not None
        buffer = b""
        async for data in self.process.stdout:
            buffer += data
            *lines, buffer = buffer.split(b"\n")
            for raw in lines:
                line = raw.decode(errors="replace").rstrip()
                if not line:
                    continue
                if _LATE.match(line):
                    self._on_late()
                    scsynth_log.warning("%s", line)
                else:
                    scsynth_log.info("%s", line)
                if line.startswith(READY_LINE):
                    ready.set()

    async def wait(self) -> int:
        assert self.process is not None
        return await self.process.wait()

    def kill(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.kill()
