"""The OSC surface: its address space, end to end with a python-osc client, and a fuzz."""

import math
import random
import struct
from pathlib import Path

import pytest
import trio
from pythonosc.osc_message_builder import OscMessageBuilder
from pythonosc.udp_client import SimpleUDPClient

from actors.messages import (
    Continue,
    Generate,
    SetBasisOnly,
    SetHistoryWeight,
    SetMute,
    SetParam,
    SetStep,
    SetTempo,
    Start,
    Step,
    Stop,
)
from actors.ui import FRAME_BYTES, Places
from actors.ui._controls import Dest, LoadSessionFile, Send
from actors.ui._osc import (
    EncEvent,
    KeyEvent,
    Refused,
    Subscribe,
    Unsubscribe,
    build,
    parse_datagram,
    request,
)
from tests.ui_osc_rig import listener, osc_rig

PLACES = Places(kits=Path("/k"), sessions=Path("/s"))


def message(address, *typed):
    """An OSC message with explicit types, e.g. ("f", 1.0): norns sends float32."""
    builder = OscMessageBuilder(address)
    for kind, value in typed:
        builder.add_arg(value, kind)
    return builder.build().dgram


# --- the address space ------------------------------------------------------------------------


@pytest.mark.parametrize(("address", "args", "expected"), [
    ("/supertonic/key", [2.0, 1.0], KeyEvent(2, 1)),
    ("/supertonic/key", [3, 0], KeyEvent(3, 0)),
    ("/supertonic/enc", [3.0, -2.0], EncEvent(3, -2)),
    ("/supertonic/start", [], Send(Dest.CLOCK, Start())),
    ("/supertonic/stop", [], Send(Dest.CLOCK, Stop())),
    ("/supertonic/continue", [], Send(Dest.CLOCK, Continue())),
    ("/supertonic/tempo", [96.5], Send(Dest.SESSION, SetTempo(96.5))),
    ("/supertonic/track/2/step", [5.0, 127.0], Send(Dest.SESSION, SetStep(1, 4, 127))),
    ("/supertonic/track/clap/mute", [True], Send(Dest.SESSION, SetMute(4, True))),
    ("/supertonic/track/1/patch/2/osc_wave", ["Saw"],
     Send(Dest.SESSION, SetParam(0, 1, "osc_wave", "Saw"))),
    ("/supertonic/track/1/patch/1/level", ["-inf"],
     Send(Dest.SESSION, SetParam(0, 0, "level", -math.inf))),
    ("/supertonic/track/3/patch/1/nstereo", [1.0],
     Send(Dest.SESSION, SetParam(2, 0, "nstereo", True))),
    ("/supertonic/generate", [2.0], Send(Dest.SESSION, Generate(1, False))),
    ("/supertonic/generate", ["hihat", 1], Send(Dest.SESSION, Generate(2, True))),
    ("/supertonic/load", ["mine"], LoadSessionFile(Path("/s/mine.json"))),
    ("/supertonic/history", [0.5], Send(Dest.SESSION, SetHistoryWeight(0.5))),
    ("/supertonic/history", [0], Send(Dest.SESSION, SetHistoryWeight(0.0))),
    ("/supertonic/basisonly", [1.0], Send(Dest.SESSION, SetBasisOnly(True))),
    ("/supertonic/subscribe", [], Subscribe(None, False)),
    ("/supertonic/subscribe", [10111.0, 1.0], Subscribe(10111, True)),
    ("/supertonic/unsubscribe", [10111], Unsubscribe(10111)),
])
def test_addresses(address, args, expected):
    assert request(address, args, PLACES) == expected


def test_kit_and_save_take_names_in_their_folders():
    load = request("/supertonic/kit", ["tough", 2, "c"], PLACES)
    assert load.message.path == "/k/tough.mtpreset" and (load.message.slot,
                                                          load.message.pattern) == (1, "c")
    assert request("/supertonic/kit", ["x.mtpg"], PLACES).message.slot == -1
    assert request("/supertonic/save", ["live set.json"], PLACES).message.path == (
        "/s/live set.json")


@pytest.mark.parametrize(("address", "args"), [
    ("/supertonic/key", [4, 1]),  # no key 4
    ("/supertonic/key", [2.5, 1]),  # not whole
    ("/supertonic/key", [2]),  # too few
    ("/supertonic/enc", ["three", 1]),
    ("/supertonic/enc", [3, math.nan]),
    ("/supertonic/tempo", [500]),
    ("/supertonic/tempo", [True]),
    ("/supertonic/track/6/mute", [1]),
    ("/supertonic/track/1/pattern", ["xo--"]),
    ("/supertonic/track/1/step", [33, 64]),
    ("/supertonic/track/1/step", [1, 100]),
    ("/supertonic/track/1/swing", [1.5]),
    ("/supertonic/track/1/patch/3/level", [0]),
    ("/supertonic/track/1/patch/1/volume", [0]),
    ("/supertonic/track/1/patch/1/osc_wave", ["Square"]),
    ("/supertonic/track/1/patch/1/osc_freq", ["loud"]),
    ("/supertonic/save", ["../../.bashrc"]),
    ("/supertonic/save", ["/etc/passwd"]),
    ("/supertonic/kit", ["a", 3]),
    ("/supertonic/subscribe", [70000]),
    ("/other/key", [1, 1]),
    ("/supertonic", []),
])
def test_refusals(address, args):
    with pytest.raises(Refused):
        request(address, args, PLACES)


def test_bundles_and_non_osc():
    inner = [build("/supertonic/key", 3, 1), build("/supertonic/key", 3, 0)]
    bundle = b"#bundle\x00" + bytes(8) + b"".join(struct.pack(">i", len(m)) + m for m in inner)
    nested = b"#bundle\x00" + bytes(8) + struct.pack(">i", len(bundle)) + bundle
    assert parse_datagram(nested) == [("/supertonic/key", [3, 1]), ("/supertonic/key", [3, 0])]
    from pythonosc.osc_packet import ParseError
    for junk in (b"", b"hello", bundle[:-3], b"/a\x00\x00,q\x00\x00", nested[:20] + b"\xff" * 4):
        with pytest.raises(ParseError):
            parse_datagram(junk)


# --- end to end -----------------------------------------------------------------------------------


async def test_norns_style_float_keys_and_encoders_play_the_pattern(tmp_path):
    async with osc_rig(tmp_path) as rig:
        before = rig.core.session.track(0).pattern
        rig.send(message("/supertonic/enc", ("f", 3.0), ("f", 1.0)))  # cursor to step 2
        rig.send(message("/supertonic/key", ("f", 3.0), ("f", 1.0)))
        rig.send(message("/supertonic/key", ("f", 3.0), ("f", 0.0)))
        await rig.until(lambda: rig.core.session.track(0).pattern != before)
        assert rig.core.session.track(0).pattern[1] == "x"
        rig.send(message("/supertonic/key", ("f", 1.0), ("f", 1.0)))
        rig.send(message("/supertonic/key", ("f", 3.0), ("f", 1.0)))
        await rig.until(lambda: rig.generated == [Generate(0, False)])
        rig.send(message("/supertonic/key", ("f", 2.0), ("f", 1.0)))
        await rig.until(lambda: rig.generated[-1:] == [Generate(0, True)])
        rig.send(message("/supertonic/key", ("f", 1.0), ("f", 0.0)))
        rig.send(message("/supertonic/key", ("f", 2.0), ("f", 1.0)))
        await rig.until(lambda: rig.clock == [Start()])


async def test_direct_setters_with_a_python_osc_client(tmp_path):
    async with osc_rig(tmp_path) as rig:
        client = SimpleUDPClient("127.0.0.1", rig.port)
        client.send_message("/supertonic/track/snare/pattern", "x-X-")
        client.send_message("/supertonic/track/3/mute", 1)
        client.send_message("/supertonic/track/3/swing", 0.25)
        client.send_message("/supertonic/track/1/patch/2/osc_freq", 61.5)
        client.send_message("/supertonic/tempo", 101.0)
        client.send_message("/supertonic/lowpass", [900.0, 0.5])
        client.send_message("/supertonic/generation", [0.2, 0.8])
        client.send_message("/supertonic/basis", 4)
        client.send_message("/supertonic/fillrate", 4)
        client.send_message("/supertonic/stop", [])
        await rig.until(lambda: rig.core.session.fill_rate == 4.0)
        s = rig.core.session
        assert s.track(1).pattern == "x-X-" * 8
        assert (s.track(2).mute, s.track(2).swing) == (True, 0.25)
        assert s.track(0).patches[1].osc_freq == 61.5
        # python-osc sends floats as float32, as norns does
        assert (s.tempo, *s.lowpass, s.surprise, s.complexity) == pytest.approx(
            (101.0, 900.0, 0.5, 0.2, 0.8), rel=1e-6)
        assert s.basis == 3
        await rig.until(lambda: rig.clock == [Stop()])


async def test_save_and_load_by_name(tmp_path):
    async with osc_rig(tmp_path) as rig:
        client = SimpleUDPClient("127.0.0.1", rig.port)
        client.send_message("/supertonic/save", "before")
        saved = rig.places.sessions / "before.json"
        await rig.until(saved.exists)
        original = rig.core.session
        client.send_message("/supertonic/track/1/pattern", "X")
        client.send_message("/supertonic/tempo", 150)
        await rig.until(lambda: rig.core.session.tempo == 150)
        client.send_message("/supertonic/load", "before.json")
        await rig.until(lambda: rig.core.session == original)


async def test_subscribers_get_state_changes_and_frames(tmp_path):
    async with osc_rig(tmp_path) as rig, listener() as ear:
        rig.send(message("/supertonic/subscribe", ("f", float(ear.port)), ("f", 1.0)))
        await rig.until(lambda: ear.last("/supertonic/frame") is not None)
        assert ear.last("/supertonic/state/pattern") is not None
        assert '"supertonic-session"' in ear.last("/supertonic/state/session")[0]
        assert ear.last("/supertonic/state/controls") == [1, 1, 1, 0, 0, 1]
        (first,) = ear.last("/supertonic/frame")
        assert len(first) == FRAME_BYTES and max(first) <= 15
        ear.received.clear()
        rig.send(build("/supertonic/track/2/pattern", "XXXX"))
        await rig.until(lambda: ear.last("/supertonic/state/pattern") == [2, "X" * 32])
        await rig.until(lambda: ear.last("/supertonic/frame") is not None)
        assert ear.last("/supertonic/frame")[0] != first
        rig.observers.send_nowait(Step(6, 0.0, 0.125))
        await rig.until(lambda: ear.last("/supertonic/state/playhead") == [7])
        rig.send(build("/supertonic/enc", 3, 5))
        await rig.until(lambda: ear.last("/supertonic/state/controls") == [1, 1, 6, 0, 0, 1])
        rig.send(message("/supertonic/unsubscribe", ("f", float(ear.port))))
        await trio.sleep(0.2)
        ear.received.clear()
        rig.send(build("/supertonic/track/2/pattern", "x"))
        await rig.until(lambda: rig.core.session.track(1).pattern == "x" * 32)
        await trio.sleep(0.2)
        assert ear.received == []


async def test_subscriptions_lapse_unless_renewed(tmp_path, monkeypatch):
    monkeypatch.setattr("actors.ui._osc.SUBSCRIPTION_SECONDS", 0.4)
    async with osc_rig(tmp_path) as rig, listener() as ear:
        rig.send(build("/supertonic/subscribe", ear.port))
        await rig.until(lambda: ear.last("/supertonic/state/controls") is not None)
        for cursor in (2, 3, 4):  # renewed every 0.2 s: still subscribed after 0.6 s
            await trio.sleep(0.2)
            rig.send(build("/supertonic/subscribe", ear.port))
            rig.send(build("/supertonic/enc", 3, 1))
            await rig.until(lambda c=cursor: ear.last("/supertonic/state/controls")[2] == c)
        await trio.sleep(0.6)
        ear.received.clear()
        rig.send(build("/supertonic/enc", 3, 1))
        await trio.sleep(0.3)
        assert ear.received == []


async def test_fuzz_counts_everything_and_never_stops_serving(tmp_path, caplog):
    rng = random.Random(7)
    junk = [bytes([rng.choice([0, 7, 65, 200])]) + rng.randbytes(rng.randrange(0, 1500))
            for _ in range(300)]  # random bytes that are neither a message nor a bundle
    junk += [
        b"/supertonic/key\x00,ii\x00\x00\x00\x00\x01",  # arguments cut short
        b"/supertonic/key\x00,iq\x00\x00\x00\x00\x01\x00\x00\x00\x01",  # unknown type
        b"#bundle\x00" + bytes(8) + struct.pack(">i", 400) + b"/x",  # a lying bundle
        b"/" + rng.randbytes(60000),  # huge and broken
    ]
    wrong = [
        build("/supertonic/key", "a", "b"),
        build("/supertonic/tempo", "fast"),
        build("/supertonic/tempo", 1e9),
        build("/supertonic/track/9/pattern", "x"),
        build("/supertonic/track/1/pattern", 3),
        build("/supertonic/nothing"),
        build("/supertonic/enc", 3),
        build("/supertonic/track/1/patch/1/osc_freq", b"\x00" * 50000),  # a huge blob
    ]
    async with osc_rig(tmp_path) as rig, listener() as ear:
        sent = 0

        async def settle():
            """Ask for the counters and wait for them: nothing is left in flight (and a
            burst never overruns the socket's buffer)."""
            nonlocal sent
            await ear.sock.sendto(build("/supertonic/stats"), ("127.0.0.1", rig.port))
            sent += 1
            await rig.until(lambda: (ear.last("/supertonic/stats") or [0])[0] == sent)
            return ear.last("/supertonic/stats")

        datagrams = junk + wrong
        rng.shuffle(datagrams)
        for start in range(0, len(datagrams), 16):
            for data in datagrams[start:start + 16]:
                rig.send(data)
                sent += 1
            await settle()
        before = rig.core.session.track(0).pattern
        rig.send(build("/supertonic/key", 3, 1))  # and it still plays
        sent += 1
        await rig.until(lambda: rig.core.session.track(0).pattern != before)
        assert await settle() == [sent, len(junk), len(wrong)]
    ignored = [r for r in caplog.records if r.name == "actors.ui._osc" and "ignored" in r.message]
    assert len(ignored) == 1  # rate-limited: one report for the whole burst
