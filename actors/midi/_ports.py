"""This process's JACK MIDI ports, kept in step with the devices that come and go.

The machine is a JACK client already (scsynth plays through JACK), so its
MIDI goes through JACK too; hardware ALSA MIDI devices appear there through
a2jmidid or jackd's ``-X seq`` bridge. Each source listened to has a JACK
client of its own, so that every message is known to come from one port (a
clock is followed from one master only); each output has one too.

python-rtmidi holds the GIL while it talks to the JACK server, which stalls
trio's thread (the clock's) however the work is threaded: making a client
takes about 10 ms (the first in a process 20-50 ms), connecting a port 1-3 ms,
deleting a client 5 ms. So clients are made before the music starts and then
kept: a source that vanishes leaves its client idle for the next one to
appear, and a hot-plug costs a connection, not a client.

Our own clients carry the process id in their names: they must never be
mistaken for a device (listening to our own clock out would be a feedback
loop), while another supertonic's ports are devices like any other.
"""

from __future__ import annotations

import collections
import logging
import os
import shutil
import subprocess
import threading
import time
from collections.abc import Callable

import rtmidi

from ._schedule import Data

log = logging.getLogger(__name__)

API = rtmidi.API_UNIX_JACK
CLIENT = f"supertonic-{os.getpid()}"

Arrival = Callable[[str, float, Data], None]
"""Called in the polling thread with the source port, the ``time.perf_counter()`` at
which JACK read the message, and the message."""
POLL = 0.002
"""Seconds between looks at the input queues: what a message may wait before it is
handed on (its stamp does not depend on it)."""
QUEUE = 1024
"""Messages an input client holds between polls (a clock sends 70 a second)."""
LAGS = 512
"""Recent messages whose poll lags place JACK's time on perf_counter's."""


def _matches(name: str, patterns: tuple[str, ...]) -> bool:
    return any(p.casefold() in name.casefold() for p in patterns)


def _ours(name: str) -> bool:
    return name.startswith(f"{CLIENT}-")


def _jack_running() -> bool:
    """Asked of jack_lsp, not of libjack: a failed connection in this process would
    print libjack's complaints to our stderr at every look."""
    lsp = shutil.which("jack_lsp")
    if lsp is None:
        return False
    env = dict(os.environ, JACK_NO_START_SERVER="1")
    return subprocess.run([lsp], capture_output=True, env=env, check=False).returncode == 0


class _Input:
    """One of our input clients, listening to one source at a time (or idle).

    Messages are read from rtmidi's queue, not handed over by a callback: a
    callback runs in JACK's real-time thread and would wait there for the GIL
    (for up to Python's 5 ms switch interval), delaying the whole JACK graph,
    scsynth included, and the stamp with it. Queued, each message keeps the
    JACK time its cycle read it at (rtmidi gives the time since the previous
    one, to the microsecond); that time is put on ``perf_counter``'s line by
    the smallest lag seen between a message's JACK time and the poll that
    found it, which the polls' random phases drive down to a few microseconds.
    """

    def __init__(self, name: str) -> None:
        self.source: str | None = None
        self.client = rtmidi.MidiIn(API, name=name, queue_size_limit=QUEUE)
        self.client.ignore_types(sysex=True, timing=False, active_sense=True)
        self._elapsed = 0.0
        """JACK seconds from this client's first message to its latest."""
        self._lags: collections.deque[float] = collections.deque(maxlen=LAGS)
        """Poll time minus ``_elapsed`` for recent messages: their minimum is where the
        first message fell on perf_counter's line (a window, should the clocks drift)."""

    def listen_to(self, source: str) -> None:
        self.client.open_port(self.client.get_ports().index(source), "in")
        self.source = source

    def drain(self) -> list[tuple[float, Data]]:
        """The messages waiting, each with its ``perf_counter`` time of arrival."""
        got = []
        while (event := self.client.get_message()) is not None:
            data, delta = event
            self._elapsed += delta
            got.append((self._elapsed, tuple(data)))
        if not got:
            return []
        found = time.perf_counter()  # after the reads: every message read had arrived
        self._lags.extend(found - elapsed for elapsed, _ in got)
        first = min(self._lags)
        return [(first + elapsed, data) for elapsed, data in got]


class MidiPorts:
    """Listens on the matching sources and sends to the matching destinations.

    ``refresh`` does all the talking to the JACK server and runs in a worker
    thread, once a second; ``send`` runs on trio's thread and only ever waits
    for the moment ``refresh`` takes to swap a destination.
    """

    def __init__(
        self, inputs: tuple[str, ...], outputs: dict[str, str], on_message: Arrival
    ) -> None:
        self.inputs = inputs
        """Name fragments of the sources to listen to; empty: every source."""
        self.outputs = outputs
        """Role ("clock", "notes") -> name fragment of the destination."""
        self._on_message = on_message
        self._listeners: list[_Input] = []
        self._senders: dict[str, rtmidi.MidiOut] = {}
        self._sending: dict[str, str] = {}
        """Role -> the destination its client is connected to."""
        self._lock = threading.Lock()
        self._watch: tuple[rtmidi.MidiIn, rtmidi.MidiOut] | None = None
        self._clients = 0
        self._jack_missing = False
        self._unmatched: set[str] = set()
        """Output roles already reported as having no destination."""
        self._stop = threading.Event()
        self._poller = threading.Thread(target=self._poll, name="midi-in", daemon=True)

    def refresh(self) -> None:
        """Connect to the ports that appeared, let go of the ones that vanished. Blocking."""
        try:
            if self._watch is None and _jack_running():
                self._watch = (
                    rtmidi.MidiIn(API, name=self._client_name("watch")),
                    rtmidi.MidiOut(API, name=self._client_name("watch")),
                )
                for role in self.outputs:
                    self._senders[role] = rtmidi.MidiOut(API, name=self._client_name(role))
            if self._watch is not None:
                sources = [n for n in self._watch[0].get_ports() if not _ours(n)]
                destinations = [n for n in self._watch[1].get_ports() if not _ours(n)]
        except rtmidi.RtMidiError as exc:
            log.error("MIDI failed (%s); trying again", exc)
            self._watch = None
        if self._watch is None:
            if not self._jack_missing:
                log.error("MIDI is off until a JACK server runs")
            self._jack_missing = True
            return
        if self._jack_missing:
            log.info("JACK is running: MIDI is on")
            self._jack_missing = False
        wanted = {n for n in sources if not self.inputs or _matches(n, self.inputs)}
        for listener in self._listeners:
            if listener.source is not None and listener.source not in wanted:
                log.warning("MIDI input %r vanished; no longer listening to it", listener.source)
                listener.source = None
                listener.client.close_port()
        heard = {listener.source for listener in self._listeners}
        for name in sorted(wanted - heard):
            self._listen(name)
        for role, pattern in self.outputs.items():
            self._route(role, pattern, destinations)

    def send(self, role: str, data: Data) -> None:
        with self._lock:
            if role in self._sending:
                self._senders[role].send_message(data)

    def close(self) -> None:
        with self._lock:
            self._sending.clear()
        self._stop.set()
        if self._poller.is_alive():
            self._poller.join()
        for client in [
            *(listener.client for listener in self._listeners),
            *self._senders.values(),
            *(self._watch or ()),
        ]:
            client.close_port()
            client.delete()
        self._listeners.clear()
        self._senders.clear()
        self._watch = None

    def _client_name(self, role: str) -> str:
        self._clients += 1
        return f"{CLIENT}-{role}{self._clients}"

    def _listen(self, source: str) -> None:
        listener = next((i for i in self._listeners if i.source is None), None)
        try:
            if listener is None:
                listener = _Input(self._client_name("in"))
                self._listeners.append(listener)
                if not self._poller.is_alive():
                    self._poller.start()
            listener.listen_to(source)
        except (rtmidi.RtMidiError, ValueError) as exc:  # it vanished while we looked
            log.warning("could not listen to MIDI input %r: %s", source, exc)
            return
        log.info("listening to MIDI input %r", source)

    def _poll(self) -> None:
        while not self._stop.wait(POLL):
            for listener in tuple(self._listeners):
                source = listener.source  # read first: a message from a source just
                for stamp, data in listener.drain():  # dropped is still drained
                    if source is not None:
                        self._on_message(source, stamp, data)

    def _route(self, role: str, pattern: str, destinations: list[str]) -> None:
        current = self._sending.get(role)
        if current in destinations:
            return
        found = next((n for n in destinations if _matches(n, (pattern,))), None)
        if current is not None:
            log.warning("MIDI %s output %r vanished", role, current)
            with self._lock:
                del self._sending[role]
            self._senders[role].close_port()
        if found is None:
            if role not in self._unmatched:
                log.warning(
                    "no MIDI destination matches %r: MIDI %s goes nowhere until one appears",
                    pattern,
                    role,
                )
                self._unmatched.add(role)
            return
        client = self._senders[role]
        try:
            client.open_port(client.get_ports().index(found), "out")
        except (rtmidi.RtMidiError, ValueError) as exc:  # it vanished while we looked
            log.warning("could not send MIDI %s to %r: %s", role, found, exc)
            return
        self._unmatched.discard(role)
        with self._lock:
            self._sending[role] = found
        log.info("sending MIDI %s to %r", role, found)
