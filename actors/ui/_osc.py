"""The OSC control surface: keys, encoders and direct setters in; state and frames out.

Addresses (``<t>`` is a track 1-5 or its name; numbers may be ints or floats -
norns sends every number as a float32 - and must then be whole where a whole
number is meant; flags are 0/1 or OSC true/false):

====================================  ===============================================
``/supertonic/key n z``               key n (1-3) pressed (z 1) or released (0)
``/supertonic/enc n d``               encoder n (1-3) turned d detents
``/supertonic/start|stop|continue``   the transport
``/supertonic/tempo bpm``             20-300
``/supertonic/steprate r``            ``1/8``, ``1/8T``, ``1/16``, ``1/16T`` or ``1/32``
``/supertonic/track/<t>/pattern s``   32 steps (shorter repeats): ``-`` ``x`` ``X``
``/supertonic/track/<t>/step i v``    step 1-32 to velocity 0, 64 or 127
``/supertonic/track/<t>/fills s``     ``f``/``-`` per step
``/supertonic/track/<t>/mute f``      also ``choke f``, ``swing 0-1``, ``morph 0-1``,
                                      ``length 1-32`` (steps played before it loops)
``/supertonic/track/<t>/patch/<1|2>/<field> v``  a drum parameter (kit model units)
``/supertonic/generate <t> [cont]``   generate from the basis (cont 1: 2nd half from the 1st)
``/supertonic/basis <t>``             the basis track
``/supertonic/generation s c``        surprise 0-1 and complexity 0-1 (negative: free)
``/supertonic/history w``             how much the session's own bars count, 0-4
                                      (0: the store alone, 1: as learned from data)
``/supertonic/basisonly f``           generate from the basis track alone (1) or from
                                      every other track (0, the default)
``/supertonic/lowpass hz res``        20-20000 Hz, 0-1
``/supertonic/fillrate r``            2-8
``/supertonic/groove a d``            groove timing and dynamics amounts, 0-1 each
``/supertonic/track/<t>/groove a d``  a track's share of them, 0-1 each
``/supertonic/feel style seed``       a learned style ("" every drummer) and the seed
``/supertonic/follow a``              how strongly timing follows a live partner, 0-1
``/supertonic/kit name [slot] [p]``   a preset from the kits folder into slot 1, 2 or 0
                                      (both, the default); p a-l also takes its pattern
``/supertonic/save name``             save the session into the sessions folder
``/supertonic/load name``             load a session from the sessions folder
``/supertonic/subscribe [port] [f]``  send state to the sender (at ``port``, else the
                                      port it sent from) for 10 s; f 1 adds frames
                                      (and sends the current one at once)
``/supertonic/unsubscribe [port]``    stop sending
``/supertonic/stats``                 reply ``/supertonic/stats packets malformed refused``
====================================  ===============================================

File names are names inside the configured folders, never paths: the port may be
reachable from a network (``--osc-host``), and a remote sender must not be able
to write or read files elsewhere.

Subscribers receive ``/supertonic/state/session s`` (the session JSON),
``/supertonic/state/pattern t s``, ``/supertonic/state/transport playing bpm``,
``/supertonic/state/playhead step`` (the selected track's step: each loops on its
length), ``/supertonic/state/controls page track cursor
k1 k3 basis``, ``/supertonic/state/generation t pending p1..p32`` and, with frames,
``/supertonic/frame b`` (the norns screen, 8192 bytes of 0-15): each when it
changes, at most ``MAX_FPS`` times a second; tracks, steps and pages count from 1.

Anything else - not OSC, an unknown address, wrong arguments - is counted and
ignored, and reported in the log at most every ``LOG_INTERVAL`` seconds.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import re
import struct
import typing
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import trio
from pythonosc.osc_message import OscMessage
from pythonosc.osc_message import ParseError as OscParseError
from pythonosc.osc_message_builder import OscMessageBuilder
from pythonosc.osc_packet import ParseError
from pythonosc.parsing import osc_types

from actors import kit as kits
from actors.groove import STYLES
from actors.mesh import Inbox, Outbox
from actors.messages import (
    TRACKS,
    Continue,
    Generate,
    LoadKit,
    Message,
    SaveSession,
    SetBasis,
    SetBasisOnly,
    SetChoke,
    SetFeel,
    SetFillRate,
    SetFills,
    SetFollow,
    SetGeneration,
    SetGroove,
    SetHistoryWeight,
    SetLength,
    SetLowpass,
    SetMorph,
    SetMute,
    SetParam,
    SetPattern,
    SetStep,
    SetStepRate,
    SetSwing,
    SetTempo,
    Start,
    Stop,
)
from actors.rules import (
    FILL_RATE,
    GROOVE,
    HISTORY_WEIGHT,
    LOWPASS_FREQUENCY,
    LOWPASS_RESONANCE,
    STEP_CHARACTER,
    STEP_RATES,
    STEPS,
    SWING,
    TEMPO,
    UNIT,
    Range,
    check_length,
)
from actors.sequencer import PatternError, parse_fills, parse_pattern

from ._controls import Dest, LoadSessionFile, Send
from ._files import KIT_SUFFIXES, Places
from ._screen import render_frame
from ._state import View
from ._surface import Surface

log = logging.getLogger(__name__)

_T = TypeVar("_T")

PREFIX = "/supertonic"
MAX_FPS = 30
SUBSCRIPTION_SECONDS = 10.0
MAX_SUBSCRIBERS = 8
LOG_INTERVAL = 10.0
MAX_DATAGRAM = 65536
MAX_BUNDLE_DEPTH = 8

_BUNDLE = b"#bundle\x00"
_TYPE_TAGS = set("ihfdsbrmtTFN[]")

_DRUM_TYPES = typing.get_type_hints(kits.Drum)
_NAME = re.compile(r"[\w][\w .-]*")


class Refused(ValueError):
    """An OSC message this surface does not act on."""


@dataclasses.dataclass(frozen=True)
class KeyEvent:
    n: int
    z: int


@dataclasses.dataclass(frozen=True)
class EncEvent:
    n: int
    d: int


@dataclasses.dataclass(frozen=True)
class Subscribe:
    port: int | None
    frames: bool


@dataclasses.dataclass(frozen=True)
class Unsubscribe:
    port: int | None


@dataclasses.dataclass(frozen=True)
class Stats:
    """Reply with the counters."""


Request = KeyEvent | EncEvent | Send | LoadSessionFile | Subscribe | Unsubscribe | Stats


def request(address: str, args: Sequence[Any], places: Places) -> Request:
    """What one OSC message asks for; raises :class:`Refused` with the reason."""
    if not address.startswith(PREFIX + "/"):
        raise Refused(f"unknown address {address!r}")
    parts = address[len(PREFIX) + 1:].split("/")
    match parts:
        case ["key"]:
            n, z = _args(args, 2)
            return KeyEvent(_choice(_int(n), (1, 2, 3)), _choice(_int(z), (0, 1)))
        case ["enc"]:
            n, d = _args(args, 2)
            return EncEvent(_choice(_int(n), (1, 2, 3)), _int(d))
        case ["start" | "stop" | "continue" as verb]:
            _args(args, 0)
            return Send(Dest.CLOCK, {"start": Start, "stop": Stop, "continue": Continue}[verb]())
        case ["tempo"]:
            (bpm,) = _args(args, 1)
            return _session(SetTempo(_ranged(bpm, TEMPO)))
        case ["steprate"]:
            (rate,) = _args(args, 1)
            return _session(SetStepRate(_choice(_str(rate), tuple(STEP_RATES))))
        case ["track", name, *rest]:
            return _track_request(_track(name), rest, args)
        case ["generate"]:
            track, *more = _args(args, 1, 2)
            return _session(Generate(_track(track), bool(more) and _flag(more[0])))
        case ["basis"]:
            (track,) = _args(args, 1)
            return _session(SetBasis(_track(track)))
        case ["generation"]:
            surprise, complexity = _args(args, 2)
            free = isinstance(complexity, int | float) and complexity < 0
            return _session(SetGeneration(_ranged(surprise, UNIT),
                                          None if free else _ranged(complexity, UNIT)))
        case ["history"]:
            (weight,) = _args(args, 1)
            return _session(SetHistoryWeight(_ranged(weight, HISTORY_WEIGHT)))
        case ["basisonly"]:
            (only,) = _args(args, 1)
            return _session(SetBasisOnly(_flag(only)))
        case ["lowpass"]:
            frequency, resonance = _args(args, 2)
            return _session(SetLowpass(_ranged(frequency, LOWPASS_FREQUENCY),
                                       _ranged(resonance, LOWPASS_RESONANCE)))
        case ["fillrate"]:
            (rate,) = _args(args, 1)
            return _session(SetFillRate(_ranged(rate, FILL_RATE)))
        case ["groove"]:
            amount, dynamics = _args(args, 2)
            return _session(SetGroove(-1, _ranged(amount, GROOVE), _ranged(dynamics, GROOVE)))
        case ["follow"]:
            (amount,) = _args(args, 1)
            return _session(SetFollow(_ranged(amount, GROOVE)))
        case ["feel"]:
            feel, seed = _args(args, 2)
            return _session(SetFeel(_choice(_str(feel), ("", *STYLES)), _int(seed)))
        case ["kit"]:
            name, *more = _args(args, 1, 3)
            path = _file(places.kits, name, KIT_SUFFIXES)
            slot = {1: 0, 2: 1, 0: -1}[_choice(_int(more[0]), (0, 1, 2))] if more else -1
            pattern = _choice(_str(more[1]), ("", *kits.PATTERN_NAMES)) if len(more) > 1 else ""
            return _session(LoadKit(str(path), slot, pattern))
        case ["save"]:
            (name,) = _args(args, 1)
            return _session(SaveSession(str(_file(places.sessions, name, (".json",)))))
        case ["load"]:
            (name,) = _args(args, 1)
            return LoadSessionFile(_file(places.sessions, name, (".json",)))
        case ["subscribe"]:
            more = _args(args, 0, 2)
            port = _port(more[0]) if more else None
            return Subscribe(port, len(more) > 1 and _flag(more[1]))
        case ["unsubscribe"]:
            more = _args(args, 0, 1)
            return Unsubscribe(_port(more[0]) if more else None)
        case ["stats"]:
            _args(args, 0)
            return Stats()
    raise Refused(f"unknown address {address!r}")


def _track_request(t: int, rest: list[str], args: Sequence[Any]) -> Request:
    match rest:
        case ["pattern"]:
            (text,) = _args(args, 1)
            try:
                parse_pattern(_str(text))
            except PatternError as exc:
                raise Refused(str(exc)) from None
            return _session(SetPattern(t, text))
        case ["step"]:
            step, velocity = _args(args, 2)
            return _session(SetStep(t, _choice(_int(step), range(1, STEPS + 1)) - 1,
                                    _choice(_int(velocity), tuple(STEP_CHARACTER))))
        case ["fills"]:
            (text,) = _args(args, 1)
            try:
                parse_fills(_str(text))
            except PatternError as exc:
                raise Refused(str(exc)) from None
            return _session(SetFills(t, text))
        case ["mute"]:
            (value,) = _args(args, 1)
            return _session(SetMute(t, _flag(value)))
        case ["choke"]:
            (value,) = _args(args, 1)
            return _session(SetChoke(t, _flag(value)))
        case ["swing"]:
            (value,) = _args(args, 1)
            return _session(SetSwing(t, _ranged(value, SWING)))
        case ["morph"]:
            (value,) = _args(args, 1)
            return _session(SetMorph(t, _ranged(value, UNIT)))
        case ["length"]:
            (value,) = _args(args, 1)
            steps = _int(value)
            try:
                return _session(SetLength(t, check_length(steps)))
            except ValueError as exc:
                raise Refused(str(exc)) from None
        case ["groove"]:
            amount, dynamics = _args(args, 2)
            return _session(SetGroove(t, _ranged(amount, GROOVE), _ranged(dynamics, GROOVE)))
        case ["patch", slot, field]:
            (value,) = _args(args, 1)
            slot_index = _choice(_int(slot), (1, 2)) - 1
            return _session(SetParam(t, slot_index, field, _param(field, value)))
    raise Refused(f"unknown track address {'/'.join(rest)!r}")


def _session(message: Message) -> Send:
    return Send(Dest.SESSION, message)


def _args(args: Sequence[Any], least: int, most: int | None = None) -> list[Any]:
    most = least if most is None else most
    if not least <= len(args) <= most:
        wanted = str(least) if least == most else f"{least}-{most}"
        raise Refused(f"expected {wanted} argument(s), got {len(args)}")
    return list(args)


def _number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise Refused(f"expected a number, got {value!r}")
    return float(value)


def _int(value: Any) -> int:
    """A whole number, also from a float (norns sends every number as a float32)."""
    if isinstance(value, str) and value.lstrip("-").isdigit() and len(value) < 10:
        return int(value)
    number = _number(value)
    if not number.is_integer() or abs(number) > 2**31:
        raise Refused(f"expected a whole number, got {value!r}")
    return int(number)


def _flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return bool(_choice(_int(value), (0, 1)))


def _str(value: Any) -> str:
    if not isinstance(value, str):
        raise Refused(f"expected a string, got {value!r}")
    return value


def _choice(value: _T, options: Sequence[_T]) -> _T:
    if value not in options:
        raise Refused(f"{value!r} is not one of {_options(options)}")
    return value


def _options(options: Sequence[Any]) -> str:
    if isinstance(options, range):
        return f"{options.start}-{options.stop - 1}"
    return ", ".join(map(repr, options))


def _ranged(value: Any, bounds: Range) -> float:
    number = _number(value)
    if not bounds.holds(number):
        raise Refused(f"{number:g} is outside {bounds}")
    return number


def _track(value: Any) -> int:
    if isinstance(value, str) and value in TRACKS:
        return TRACKS.index(value)
    return _choice(_int(value), range(1, len(TRACKS) + 1)) - 1


def _port(value: Any) -> int:
    return _choice(_int(value), range(1, 65536))


def _param(field: str, value: Any) -> float | str | bool:
    """A drum parameter in the type its field has (the session checks the range)."""
    if field not in _DRUM_TYPES:
        raise Refused(f"a drum has no parameter {field!r}")
    kind = _DRUM_TYPES[field]
    if kind is bool:
        return _flag(value)
    if kind is float:
        if value in ("inf", "-inf"):
            return float(value)
        return _number(value)
    if kind is str:
        return _str(value)[:64]
    choices: tuple[str, ...] = typing.get_args(kind)  # a Literal of the field's words
    return _choice(_str(value), choices)


def _file(folder: Path, name: Any, suffixes: tuple[str, ...]) -> Path:
    """A file *in* ``folder`` (a name, never a path); ``suffixes[0]`` is added when
    the name has none of them."""
    text = _str(name)
    if not _NAME.fullmatch(text) or ".." in text:
        raise Refused(f"expected a file name in {folder}, got {text!r}")
    if not text.lower().endswith(suffixes):
        text += suffixes[0]
    return folder / text


# --- the datagram layer -------------------------------------------------------------------


def parse_datagram(data: bytes) -> list[tuple[str, list[Any]]]:
    """The messages of one packet, a bundle's (and its bundles') in order; time tags
    are not waited for: a surface wants its edits now. Raises ``ParseError`` if any
    part is not OSC: a bundle acts whole or not at all.

    python-osc parses each message; the bundle frame and the type tags are checked
    here first, because python-osc *logs* (rather than raises) on unknown type tags
    and bundle contents, which would let a flood of junk flood the log.
    """
    messages: list[tuple[str, list[Any]]] = []
    _parse_element(data, messages, depth=0)
    return messages


def _parse_element(data: bytes, messages: list[tuple[str, list[Any]]], depth: int) -> None:
    if data.startswith(_BUNDLE):
        if depth >= MAX_BUNDLE_DEPTH or len(data) < 16:
            raise ParseError("a bundle too deep or too short")
        index = 16  # "#bundle", then the time tag
        while index < len(data):
            if index + 4 > len(data):
                raise ParseError("a bundle element without its size")
            (size,) = struct.unpack_from(">i", data, index)
            index += 4
            if size <= 0 or size % 4 or index + size > len(data):
                raise ParseError(f"a bundle element of {size} bytes")
            _parse_element(data[index:index + size], messages, depth + 1)
            index += size
        return
    if not data.startswith(b"/"):
        raise ParseError("neither a message nor a bundle")
    try:
        address, index = osc_types.get_string(data, 0)
        if index < len(data):
            tags, _ = osc_types.get_string(data, index)
            if not tags.startswith(",") or set(tags[1:]) - _TYPE_TAGS:
                raise ParseError(f"type tags {tags!r}")
        message = OscMessage(data)
    except (osc_types.ParseError, OscParseError, UnicodeDecodeError) as exc:
        raise ParseError(str(exc)) from None
    messages.append((address, message.params))


def build(address: str, *args: Any) -> bytes:
    builder = OscMessageBuilder(address)
    for arg in args:
        builder.add_arg(arg)
    return builder.build().dgram


@dataclasses.dataclass
class Counters:
    packets: int = 0
    malformed: int = 0
    """Datagrams that are not OSC."""
    refused: int = 0
    """OSC messages not acted on (unknown address, wrong arguments)."""


class _QuietLog:
    """Says what was ignored at most every ``LOG_INTERVAL`` seconds, with counts."""

    def __init__(self) -> None:
        self.next_at = -math.inf
        self.unlogged = 0

    def note(self, now: float, what: str) -> None:
        self.unlogged += 1
        if now >= self.next_at:
            log.warning("OSC: ignored %d message(s) since the last report; latest: %s",
                        self.unlogged, what)
            self.unlogged = 0
            self.next_at = now + LOG_INTERVAL


@dataclasses.dataclass
class _Subscriber:
    frames: bool
    expires: float


class _Published:
    """What subscribers were last sent, so only changes go out."""

    def __init__(self) -> None:
        self.values: dict[str, bytes] = {}

    def changes(self, messages: dict[str, bytes]) -> list[bytes]:
        fresh = [data for key, data in messages.items() if self.values.get(key) != data]
        self.values = messages
        return fresh


def state_messages(surface: Surface, view: View) -> dict[str, bytes]:
    """Every state message for subscribers, keyed by what it describes."""
    controls = surface.controls
    messages: dict[str, bytes] = {}
    if surface.session_text:
        messages["session"] = build(f"{PREFIX}/state/session", surface.session_text)
    if view.session is not None:
        for t in range(len(TRACKS)):
            messages[f"pattern{t}"] = build(f"{PREFIX}/state/pattern", t + 1,
                                            controls.pattern(view, t))
        messages["transport"] = build(f"{PREFIX}/state/transport", int(view.playing),
                                      float(view.session.tempo))
    column = view.column(controls.track)
    if column is not None:
        messages["playhead"] = build(f"{PREFIX}/state/playhead", column + 1)
    messages["controls"] = build(f"{PREFIX}/state/controls", int(controls.page) + 1,
                                 controls.track + 1, controls.cursor + 1, int(controls.k1),
                                 int(controls.k3), controls.basis(view) + 1)
    for t in range(len(TRACKS)):
        probabilities = view.probabilities[t]
        if t in view.pending or probabilities is not None:
            messages[f"generation{t}"] = build(f"{PREFIX}/state/generation", t + 1,
                                               int(t in view.pending), *(probabilities or ()))
    return messages


async def osc_surface(clock: Outbox, session: Outbox, observed: Inbox, host: str, port: int,
                      *, places: Places | None = None, clock_source: str = "internal",
                      task_status: trio.TaskStatus[int] = trio.TASK_STATUS_IGNORED) -> None:
    """Serve the OSC surface on UDP ``host:port`` until cancelled; ``task_status``
    gets the bound port (useful with port 0). Closes both outboxes on the way out."""
    surface = Surface(clock, session, places or Places.default(), clock_source)
    info = await trio.socket.getaddrinfo(host, port, type=trio.socket.SOCK_DGRAM)
    family, _, _, _, address = info[0]
    sock = trio.socket.socket(family, trio.socket.SOCK_DGRAM)
    with sock:
        await sock.bind(address)
        server = _Server(surface, sock)
        async with clock, session, trio.open_nursery() as nursery:
            nursery.start_soon(surface.follow, observed)
            nursery.start_soon(server.publish)
            task_status.started(sock.getsockname()[1])
            await server.serve()


class _Server:
    def __init__(self, surface: Surface, sock: trio.socket.SocketType) -> None:
        self.surface = surface
        self.sock = sock
        self.counters = Counters()
        self.subscribers: dict[tuple[str, int], _Subscriber] = {}
        self.published = _Published()
        self.last_frame = b""
        self.quiet = _QuietLog()

    async def serve(self) -> None:
        while True:
            data, sender = await self.sock.recvfrom(MAX_DATAGRAM)
            self.counters.packets += 1
            try:
                messages = parse_datagram(data)
            except ParseError as exc:
                self.counters.malformed += 1
                self.quiet.note(trio.current_time(), f"a packet that is not OSC ({exc})")
                continue
            for address, args in messages:
                try:
                    wanted = request(address, args, self.surface.places)
                except Refused as exc:
                    self.counters.refused += 1
                    self.quiet.note(trio.current_time(), f"{address}: {exc}")
                    continue
                await self.handle(wanted, sender[:2])

    async def handle(self, wanted: Request, sender: tuple[str, int]) -> None:
        match wanted:
            case KeyEvent(n=n, z=z):
                await self.surface.key(n, z)
            case EncEvent(n=n, d=d):
                await self.surface.enc(n, d)
            case Send() | LoadSessionFile():
                await self.surface.act([wanted])
            case Subscribe(port=port, frames=frames):
                target = (sender[0], port or sender[1])
                fresh = target not in self.subscribers
                if fresh and len(self.subscribers) >= MAX_SUBSCRIBERS:
                    self.quiet.note(trio.current_time(), f"a subscriber too many: {target}")
                    return
                expires = trio.current_time() + SUBSCRIPTION_SECONDS
                self.subscribers[target] = _Subscriber(frames, expires)
                if fresh:
                    await self._send_all(state_messages(self.surface, self.surface.view).values(),
                                         [target])
                if frames:
                    # on every renewal: it tells the viewer we are alive, and mends a
                    # frame lost on the way (frames only go out on change)
                    self.last_frame = render_frame(self.surface.controls, self.surface.view)
                    await self._send_all([build(f"{PREFIX}/frame", self.last_frame)], [target])
            case Unsubscribe(port=port):
                self.subscribers.pop((sender[0], port or sender[1]), None)
            case Stats():
                c = self.counters
                await self._send_all([build(f"{PREFIX}/stats", c.packets, c.malformed,
                                            c.refused)], [sender])

    async def publish(self) -> None:
        """Send what changed to the subscribers, at most ``MAX_FPS`` times a second."""
        while True:
            await self.surface.changed.wait()
            self.surface.changed = trio.Event()
            now = trio.current_time()
            for target in [t for t, s in self.subscribers.items() if s.expires < now]:
                del self.subscribers[target]
            if not self.subscribers:
                continue  # nobody to tell; a new subscriber is sent everything anyway
            view = self.surface.view
            changes = self.published.changes(state_messages(self.surface, view))
            await self._send_all(changes, list(self.subscribers))
            viewers = [t for t, s in self.subscribers.items() if s.frames]
            if viewers:
                frame = render_frame(self.surface.controls, view)
                if frame != self.last_frame:
                    self.last_frame = frame
                    await self._send_all([build(f"{PREFIX}/frame", frame)], viewers)
            await trio.sleep(1 / MAX_FPS)

    async def _send_all(self, datagrams: Iterable[bytes],
                        targets: list[tuple[str, int]]) -> None:
        for data in datagrams:
            for target in targets:
                try:
                    await self.sock.sendto(data, target)
                except OSError as exc:  # gone, unreachable: stop sending there
                    self.subscribers.pop(target, None)
                    log.info("OSC: dropped subscriber %s: %s", target, exc)
