"""The norns companion script: it compiles, and its OSC contract holds against the real
surface - the messages it sends (replayed with every number a float32, as norns sends
them) play the machine, and the frames the surface sends are what it pokes."""

import shutil
import subprocess
from pathlib import Path

import pytest
import trio
from pythonosc.osc_message_builder import OscMessageBuilder

from actors.messages import Generate
from actors.ui import FRAME_BYTES
from tests.ui_osc_rig import listener, osc_rig

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "norns" / "supertonic.lua"
STUB = Path(__file__).with_name("ui_norns_stub.lua")
LUA = shutil.which("lua5.4") or shutil.which("lua")
LUAC = shutil.which("luac5.4") or shutil.which("luac") or shutil.which("luac5.3")


@pytest.mark.skipif(LUAC is None, reason="needs luac (Debian: lua5.4)")
def test_the_script_compiles():
    subprocess.run([LUAC, "-p", str(SCRIPT)], check=True)


def run_script(port: int, reply_port: int, scenario: str, frame: Path | None = None):
    command = [LUA, str(STUB), str(SCRIPT), "127.0.0.1", str(port), str(reply_port), scenario]
    done = subprocess.run([*command, *([str(frame)] if frame else [])], capture_output=True,
                          text=True, check=True, timeout=30)
    return [line.split("\t") for line in done.stdout.splitlines()]


def as_norns_sends(parts):
    """An OSC datagram from a `send` line; every number as a float32, as norns sends."""
    _, host, port, path, *args = parts
    builder = OscMessageBuilder(path)
    for arg in args:
        kind, value = arg.split(":", 1)
        builder.add_arg(float(value), "f") if kind == "n" else builder.add_arg(value, "s")
    return (host, int(port)), builder.build().dgram


@pytest.mark.skipif(LUA is None, reason="needs lua (Debian: lua5.4)")
async def test_the_scripts_messages_play_the_machine_and_its_frames_come_back(tmp_path):
    async with osc_rig(tmp_path) as rig, listener() as ear:
        lines = await trio.to_thread.run_sync(run_script, rig.port, ear.port, "play")
        sends = [as_norns_sends(parts) for parts in lines if parts[0] == "send"]
        assert {target for target, _ in sends} == {("127.0.0.1", rig.port)}
        paths = [parts[3] for parts in lines if parts[0] == "send"]
        assert paths == ["/supertonic/subscribe", "/supertonic/enc", "/supertonic/key",
                         "/supertonic/key", "/supertonic/key", "/supertonic/key",
                         "/supertonic/key", "/supertonic/key", "/supertonic/enc",
                         "/supertonic/subscribe", "/supertonic/unsubscribe"]
        assert ["metro_start", "2"] in lines
        before = rig.core.session.track(0).pattern
        for _, data in sends[:-1]:  # all but the unsubscription
            rig.send(data)
        await rig.until(lambda: rig.generated == [Generate(0, False)])
        assert rig.core.session.track(0).pattern[1] != before[1]  # K3 on step 2
        await rig.until(lambda: ear.last("/supertonic/state/controls") == [2, 1, 2, 0, 0, 1])
        (frame,) = ear.last("/supertonic/frame")
        assert len(frame) == FRAME_BYTES
        rig.send(sends[-1][1])
        await trio.sleep(0.2)
        ear.received.clear()
        rig.send(sends[1][1])
        await trio.sleep(0.3)
        assert ear.received == []

    frame_file = tmp_path / "frame.bin"
    frame_file.write_bytes(frame)
    lines = await trio.to_thread.run_sync(run_script, 1, 2, "frame", frame_file)
    pokes = [parts for parts in lines if parts[0] == "poke"]
    assert pokes == [["poke", "0", "0", "128", "64", str(FRAME_BYTES), "same"]]
    redraws = [i for i, parts in enumerate(lines) if parts[0] == "clear"]
    # waiting, the frame (a short blob and another address are ignored), and waiting
    # again once frames stop coming
    texts = [i for i, parts in enumerate(lines) if parts[0] == "text"]
    assert len(redraws) == 3 and lines[texts[0]] == ["text", "waiting for supertonic"]
    assert lines.index(pokes[0]) < redraws[2] < texts[-1]
    assert lines[-1][:4] == ["send", "127.0.0.1", "1", "/supertonic/unsubscribe"]


@pytest.mark.skipif(LUA is None, reason="needs lua (Debian: lua5.4)")
def test_the_address_params_point_the_script_at_another_host():
    """Only the stub's printout: nothing is sent anywhere (192.0.2.7 is a documentation
    address)."""
    lines = run_script(10112, 10111, "address")
    assert ["param", "supertonic_host", "supertonic host", "127.0.0.1"] in lines
    assert ["param", "supertonic_port", "supertonic port", "10112"] in lines
    sends = [parts[1:4] for parts in lines if parts[0] == "send"]
    assert sends == [
        ["127.0.0.1", "10112", "/supertonic/subscribe"],
        ["127.0.0.1", "10112", "/supertonic/unsubscribe"],  # leaving the old address
        ["192.0.2.7", "10112", "/supertonic/subscribe"],
        ["192.0.2.7", "10112", "/supertonic/unsubscribe"],
        ["192.0.2.7", "10200", "/supertonic/subscribe"],
        ["192.0.2.7", "10200", "/supertonic/key"],
        ["192.0.2.7", "10200", "/supertonic/unsubscribe"],
    ]
    assert ["text", "on 192.0.2.7:10200"] in lines
