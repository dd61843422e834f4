"""The Link session itself, behind the few calls the actor makes.

Binding: LinkPython-extern (``import link``), not aalink. Its calls are
synchronous and return at once (Link keeps the session on its own threads
and hands out snapshots), so the trio shell can poll it between its other
work; aalink's API is awaitable only on a running asyncio loop, which a trio
program does not have (trio-asyncio would add a second event loop to the
process that keeps the beat). It exposes Link's whole session state (the
timeline at any time, start/stop with its time, peers), where aalink offers
the current beat and phase only. Its wheels cover x86_64, aarch64 and armv7l
(a Raspberry Pi), aalink's no 32-bit ARM.

Times are Link's host clock in integer microseconds (CLOCK_MONOTONIC_RAW on
Linux, not trio's CLOCK_MONOTONIC); the shell maps them with an offset it
measures at every look.
"""

from __future__ import annotations

from typing import Protocol


class LinkUnavailable(RuntimeError):
    """The Link binding is not installed or cannot start."""


class LinkSession(Protocol):
    """What the actor needs of a Link session (the tests give it a model of one)."""

    def micros(self) -> int: ...

    def look(self, quantum: float, micros: int) -> tuple[float, float, bool, int]:
        """(tempo, beat at ``micros``, playing, time playing started or stopped)."""
        ...

    def peers(self) -> int: ...

    def propose_tempo(self, bpm: float, micros: int) -> None: ...

    def propose_playing(self, playing: bool, micros: int) -> None: ...

    def close(self) -> None: ...


class AbletonLink:
    """A peer in the network's Link session, joined on construction."""

    def __init__(self, bpm: float, start_stop: bool) -> None:
        try:
            import link
        except ImportError as exc:
            raise LinkUnavailable(
                f"--clock link needs the LinkPython-extern package ({exc})"
            ) from None
        self._link = link.Link(bpm)
        self._link.startStopSyncEnabled = start_stop
        self._link.enabled = True

    def micros(self) -> int:
        return int(self._link.clock().micros())

    def look(self, quantum: float, micros: int) -> tuple[float, float, bool, int]:
        state = self._link.captureAppSessionState()
        return (state.tempo(), state.beatAtTime(micros, quantum), state.isPlaying(),
                int(state.timeForIsPlaying()))

    def peers(self) -> int:
        return int(self._link.numPeers())

    def propose_tempo(self, bpm: float, micros: int) -> None:
        state = self._link.captureAppSessionState()
        state.setTempo(bpm, micros)
        self._link.commitAppSessionState(state)

    def propose_playing(self, playing: bool, micros: int) -> None:
        state = self._link.captureAppSessionState()
        state.setIsPlaying(playing, micros)
        self._link.commitAppSessionState(state)

    def close(self) -> None:
        self._link.enabled = False
