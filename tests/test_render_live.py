"""A render and a live recording of one session agree sample for sample, edits and all.

The session exercises every kind of message the bridge and the sequencer obey
(low-pass, morph, choke, fills, swing, accents, mutes) and is edited mid-bar
over OSC while it plays and records (morph, a patch's parameter, a kit, mutes,
patterns, choke, swing, fills); the render is given the same edits at the same
moments. Every drum is tonal: noise is drawn afresh by every server, so only a
voice without it can be the same sound twice.
"""

import socket

import numpy as np
import trio

from actors.app import MachineConfig, RunReport, run_machine
from actors.engine_bridge import SCD_DIR, BridgeConfig, ensure_synthdefs
from actors.engine_bridge._server import free_udp_port
from actors.kit import Drum, Kit, dumps_microtonic
from actors.messages import (
    LoadKit,
    Message,
    SetChoke,
    SetFills,
    SetMorph,
    SetMute,
    SetParam,
    SetPattern,
    SetSwing,
)
from actors.render import render_session
from actors.session import Session
from actors.ui import Places
from tests.audio import read_wav
from tests.live import needs_supercollider, private_jack, retaken
from tests.test_live_osc_fuzz import message

pytestmark = needs_supercollider

RATE = 48000
STEP = 60 / 120 / 4


def tonal(freq: float, decay: float = 0.35, **more: object) -> Drum:
    return Drum(mix=0.0, osc_freq=freq, osc_dcy=decay, **more)


SESSION = (
    Session(tempo=120, lowpass=(4000.0, 0.5), fill_rate=3)
    .with_patterns({0: "X---x-x-X---x---", 1: "----X---", 2: "x-xXx-x-", 3: "-----x--",
                    4: "-x--x-X-"})
    .with_track(0, patches=(tonal(50.0, 0.6, mod_amt=24.0), tonal(90.0, 0.3)), morph=0.2)
    .with_track(1, patches=(tonal(190.0, osc_wave="Triangle"), tonal(250.0)), fills="------f-")
    .with_track(2, patches=(tonal(1200.0, 0.2, osc_wave="Saw"),) * 2, choke=True, swing=0.4)
    .with_track(3, patches=(tonal(800.0, 0.9),) * 2, choke=True)
    .with_track(4, patches=(tonal(400.0, 0.25),) * 2, mute=True)
)

KIT = Kit(drums=(tonal(65.0, 0.5), tonal(220.0, 0.3), tonal(1500.0, 0.15, osc_wave="Saw"),
                 tonal(900.0, 0.7), tonal(300.0, 0.2), Drum(), Drum(), Drum()))

# (seconds after the first step, OSC address, arguments, the command it is): each half
# way between two steps, so it comes between the same two steps live and offline
EDITS: list[tuple[float, str, tuple, Message]] = [
    (3.5 * STEP, "/supertonic/track/kick/morph", (0.8,), SetMorph(0, 0.8)),
    (5.5 * STEP, "/supertonic/track/snare/patch/1/osc_freq", (160.0,),
     SetParam(1, 0, "osc_freq", 160.0)),
    (7.5 * STEP, "/supertonic/track/clap/mute", (0,), SetMute(4, False)),
    (9.5 * STEP, "/supertonic/track/hihat/swing", (0.1,), SetSwing(2, 0.1)),
    (12.5 * STEP, "/supertonic/kit", ("tonal.mtpreset", 1), None),  # patch 1 of every track
    (16.5 * STEP, "/supertonic/track/openhat/choke", (0,), SetChoke(3, False)),
    (18.5 * STEP, "/supertonic/track/snare/pattern", ("--X-x---",), SetPattern(1, "--X-x---")),
    (20.5 * STEP, "/supertonic/track/kick/fills", ("--f-",), SetFills(0, "--f-")),
    (24.5 * STEP, "/supertonic/track/hihat/mute", (1,), SetMute(2, True)),
]
BARS = 2


async def play_and_edit(config: MachineConfig, port: int) -> RunReport:
    """Run the machine; once its OSC surface answers, start it and play the edits."""
    report: list[RunReport] = []

    async def machine() -> None:
        report.append(await run_machine(config))

    sock = trio.socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    await sock.bind(("127.0.0.1", 0))
    target = ("127.0.0.1", port)
    async with trio.open_nursery() as nursery:
        nursery.start_soon(machine)
        with trio.fail_after(30):
            while True:
                await sock.sendto(message("/supertonic/stats"), target)
                with trio.move_on_after(0.2):
                    await sock.recv(1024)
                    break
        start = trio.current_time()
        await sock.sendto(message("/supertonic/start"), target)
        for when, address, args, _ in EDITS:
            await trio.sleep_until(start + when)
            await sock.sendto(message(address, *args), target)
    sock.close()
    return report[0]


def test_a_render_and_a_live_recording_of_every_message_kind_agree(tmp_path):
    places = Places(kits=tmp_path / "kits", sessions=tmp_path / "sessions")
    places.kits.mkdir()
    kit = places.kits / "tonal.mtpreset"
    kit.write_text(dumps_microtonic(KIT))
    synthdefs = ensure_synthdefs((SCD_DIR / "defs",))
    wav = tmp_path / "live.wav"
    port = free_udp_port()
    config = MachineConfig(
        session=SESSION, bridge=BridgeConfig(synthdef_dirs=(synthdefs,), record=wav),
        duration=8.0, ui="osc", osc_address=("127.0.0.1", port), places=places)
    with private_jack():
        report = retaken(lambda: trio.run(play_and_edit, config, port))
    assert report.late == 0 and report.dropped_hits == 0
    edits = [(when, command or LoadKit(str(kit), 0, ""))
             for when, _, _, command in EDITS]
    render_session(SESSION, synthdefs, BARS, tmp_path / "render.wav", edits=edits)
    _, offline = read_wav(tmp_path / "render.wav")
    rate, live = read_wav(wav)
    assert rate == RATE and len(live) > len(offline) == BARS * 2 * RATE
    live = live[:len(offline)]
    assert np.abs(offline).max() > 0.1
    # every edit is heard: the render without them differs
    render_session(SESSION, synthdefs, BARS, tmp_path / "plain.wav")
    _, plain = read_wav(tmp_path / "plain.wav")
    assert np.abs(plain - offline).max() > 0.05
    assert np.allclose(live, offline, atol=1e-6, rtol=0), np.abs(live - offline).max()
