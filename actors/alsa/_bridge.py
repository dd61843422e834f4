"""Hardware MIDI into JACK: USB MIDI devices are ALSA devices, and the machine's MIDI
goes through JACK, so something must bridge them.

- A jackd that supertonic starts on the ALSA driver gets that driver's own
  sequencer bridge (``-X seq``), which also follows devices plugged in later.
- Beside a JACK server that does not bridge (one started by the user, or our
  dummy-driver jackd on a machine whose only ALSA devices are MIDI ones),
  ``a2jmidid -e`` is started and kept while we play; it follows hot-plugs too.
- Where there is no ALSA sequencer at all (a container, a build machine), there
  is nothing to bridge: that is said once, at info level.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import subprocess
from pathlib import Path

import trio

log = logging.getLogger(__name__)

SND = Path("/dev/snd")
_BRIDGED_PORT = re.compile(r"^(a2j:|system:midi_(capture|playback)_)", re.MULTILINE)
"""Ports that show ALSA MIDI already in JACK: a2jmidid's client, or jackd's own bridge."""


def alsa_sequencer(snd: Path = SND) -> bool:
    """Whether the ALSA sequencer (through which every ALSA MIDI device is reached) exists."""
    return (snd / "seq").exists()


def jackd_midi_args(driver: str, snd: Path = SND) -> list[str]:
    """Driver options that make a jackd on ``driver`` bridge ALSA MIDI itself; they go
    after ``-d DRIVER``. Only the ALSA driver has such an option."""
    if driver == "alsa" and alsa_sequencer(snd):
        return ["-X", "seq"]
    return []


def _jack_bridges() -> bool:
    lsp = shutil.which("jack_lsp")
    if lsp is None:
        return False
    env = dict(os.environ, JACK_NO_START_SERVER="1")
    result = subprocess.run([lsp], capture_output=True, text=True, env=env, check=False)
    return result.returncode == 0 and bool(_BRIDGED_PORT.search(result.stdout))


async def alsa_midi_bridge(bridged: bool = False, snd: Path = SND) -> None:
    """Make sure hardware MIDI reaches JACK for as long as we play (until cancelled).
    ``bridged``: the JACK server was started with :func:`jackd_midi_args` (its bridge
    shows no ports until a device is plugged in, so it cannot be seen by looking)."""
    if not alsa_sequencer(snd):
        log.info("no ALSA sequencer (%s): hardware MIDI devices cannot appear here; "
                 "JACK MIDI ports only", snd / "seq")
        await trio.sleep_forever()
    if bridged or await trio.to_thread.run_sync(_jack_bridges):
        log.info("ALSA MIDI devices reach JACK through its own bridge")
        await trio.sleep_forever()
    a2jmidid = shutil.which("a2jmidid")
    if a2jmidid is None:
        log.warning("ALSA MIDI devices are not bridged into this JACK server and a2jmidid "
                    "is not installed (Debian package a2jmidid): USB MIDI devices will not "
                    "be heard")
        await trio.sleep_forever()
    env = dict(os.environ, JACK_NO_START_SERVER="1")
    process = await trio.lowlevel.open_process(
        [a2jmidid, "-e"], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL, env=env)
    log.info("bridging ALSA MIDI devices into JACK with a2jmidid -e (pid %d)", process.pid)
    try:
        code = await process.wait()
        log.warning("a2jmidid exited (%d): USB MIDI devices plugged in from now on will not "
                    "be heard", code)
        await trio.sleep_forever()
    finally:
        if process.returncode is None:
            process.terminate()
            with trio.move_on_after(2) as scope:
                scope.shield = True
                await process.wait()
            if process.returncode is None:
                process.kill()
