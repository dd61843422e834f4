"""30 seconds of garbage at the OSC surface while the machine plays and records:
nothing crashes, nothing is late, every onset stays on its sample."""

import dataclasses
import random
import socket
import threading
import time

import numpy as np
import trio
from pythonosc.osc_message_builder import OscMessageBuilder

from actors.app import RunReport, run_machine
from actors.engine_bridge._server import free_udp_port
from actors.session import Session
from tests.live import (
    click_config,
    needs_supercollider,
    onset_errors,
    private_jack,
    retaken,
)

pytestmark = needs_supercollider

FUZZ_SECONDS = 30.0


def message(address: str, *args: object) -> bytes:
    builder = OscMessageBuilder(address)
    for arg in args:
        builder.add_arg(arg)
    return builder.build().dgram


def wrong_but_well_formed(rng: random.Random) -> bytes:
    """Real addresses with arguments of the wrong type or out of range."""
    return rng.choice([
        message("/supertonic/tempo", "fast"),
        message("/supertonic/tempo", 1e9),
        message("/supertonic/track/9/pattern", "x---"),
        message("/supertonic/track/1/pattern", 3.5),
        message("/supertonic/track/kick/step", "one", "two"),
        message("/supertonic/track/2/patch/3/osc_freq", 100.0),
        message("/supertonic/track/1/patch/1/no_such_param", 1.0),
        message("/supertonic/key", 7, 1),
        message("/supertonic/enc", "x"),
        message("/supertonic/kit", "../../etc/passwd"),
        message("/supertonic/load", "/etc/hostname"),
        message("/supertonic/lowpass", -5.0, 9.0),
        message("/supertonic/nothing/here"),
        message("/supertonic/subscribe", "not a port"),
    ])


def fuzz(port: int, seconds: float, stats: dict) -> None:
    rng = random.Random(1234)
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    time.sleep(2.0)  # the machine's start-up
    sock.sendto(message("/supertonic/start"), ("127.0.0.1", port))
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        kind = rng.random()
        if kind < 0.5:
            data = rng.randbytes(rng.randint(1, 200))
        elif kind < 0.9:
            data = wrong_but_well_formed(rng)
        else:
            # huge: an address no one serves, with a blob of up to 60 kB
            blob = rng.randbytes(rng.randint(0, 60000))
            data = message("/supertonic/nowhere", blob)
        try:
            sock.sendto(data, ("127.0.0.1", port))
            stats["sent"] = stats.get("sent", 0) + 1
        except OSError:
            stats["refused"] = stats.get("refused", 0) + 1
        time.sleep(0.002)


def test_a_fuzzed_osc_port_disturbs_nothing(tmp_path):
    session = Session(tempo=140).with_patterns({0: "x-", 1: "--x-", 2: "x", 3: "-", 4: "-"})
    wav = tmp_path / "take.wav"
    port = free_udp_port()
    stats: dict = {}
    config = dataclasses.replace(
        click_config(session, wav, FUZZ_SECONDS + 2.5), ui="osc",
        osc_address=("127.0.0.1", port), places=None)

    def take() -> RunReport:
        stats.clear()
        thread = threading.Thread(target=fuzz, args=(port, FUZZ_SECONDS, stats))
        thread.start()
        report = trio.run(run_machine, config)
        thread.join()
        return report

    with private_jack():
        report = retaken(take)
    assert stats["sent"] > 5000
    assert report.exit_code == 0 and report.late == 0 and report.dropped_hits == 0
    errors, _ = onset_errors(session, wav)
    assert len(errors[2]) > FUZZ_SECONDS * 140 * 4 / 60 * 0.9  # it played all along
    assert max(np.abs(e).max() for e in errors.values() if len(e)) <= 1.0
