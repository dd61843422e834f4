"""--server: attach to a scsynth someone else runs (as on norns), and leave it running."""

import dataclasses
import threading
import time

import numpy as np
import trio

from actors.app import MachineConfig, RunReport, run_machine
from actors.engine_bridge import BridgeConfig
from actors.engine_bridge._server import free_udp_port
from actors.session import Session
from tests.audio import click_synthdefs, click_voices
from tests.live import (
    needs_supercollider,
    onset_errors,
    play,
    private_jack,
    retaken,
    start_scsynth,
)

pytestmark = needs_supercollider


def test_attached_server_is_used_and_left_running(tmp_path, caplog):
    session = Session(tempo=128).with_patterns({0: "x-", 1: "--x-", 2: "-", 3: "-", 4: "-"})
    wav = tmp_path / "take.wav"
    port = free_udp_port()
    with private_jack():
        server = start_scsynth(port)
        try:
            config = MachineConfig(
                session=session,
                bridge=BridgeConfig(synthdef_dirs=(click_synthdefs(),), server=("127.0.0.1", port),
                                    record=wav, voice_override=click_voices()),
                duration=3.0)
            report = play(config)
            time.sleep(0.3)
            assert server.poll() is None, "the bridge must not quit a server it did not start"
            # a second machine attaching (a norns script restarted) finds none of the
            # first one's nodes in its way
            again = dataclasses.replace(
                config, bridge=dataclasses.replace(config.bridge, record=None), duration=0.5)
            caplog.clear()
            assert trio.run(run_machine, again).exit_code == 0
            assert not [r for r in caplog.records if "/fail" in r.getMessage()]
        finally:
            server.terminate()
            server.wait(timeout=10)
    assert report.exit_code == 0 and report.late == 0 and report.dropped_hits == 0
    errors, _ = onset_errors(session, wav)
    assert len(errors[0]) >= 11
    assert max(np.abs(e).max() for e in errors.values() if len(e)) <= 1.0


def test_a_restarted_attached_server_is_re_attached(tmp_path):
    session = Session(tempo=120).with_patterns({0: "x", 1: "-", 2: "-", 3: "-", 4: "-"})
    wav = tmp_path / "take.wav"
    port = free_udp_port()
    with private_jack():
        servers = [start_scsynth(port)]

        def restart_it():
            time.sleep(2.5)
            servers[-1].kill()
            servers[-1].wait()
            time.sleep(0.5)
            servers.append(start_scsynth(port))

        config = MachineConfig(
            session=session,
            bridge=BridgeConfig(synthdef_dirs=(click_synthdefs(),), server=("127.0.0.1", port),
                                record=wav, voice_override=click_voices()),
            duration=8.0)
        try:
            # every take loses its server: a retake of the run alone would play on one
            # server throughout
            def take() -> RunReport:
                thread = threading.Thread(target=restart_it)
                thread.start()
                report = trio.run(run_machine, config)
                thread.join()
                return report

            report = retaken(take)
        finally:
            for server in servers:
                server.kill()
                server.wait()
    assert report.exit_code == 0 and report.restarts == 1
    from tests.audio import click_onsets, read_sidecar, read_wav

    rate, audio = read_wav(wav)
    sidecar = read_sidecar(wav)
    assert len(sidecar["segments"]) == 2
    second = sidecar["segments"][1]["start_frame"]
    found = np.array(click_onsets(audio[:, 0])[0])
    after = found[found >= second]
    assert len(after) >= 10  # it played on after re-attaching
    step = rate * 60 / 120 / 4
    first = (sidecar["first_step_unix"] - sidecar["start_unix"]) * rate
    offsets = (after - first) / step
    assert np.abs(offsets - np.round(offsets)).max() * step <= 2.0  # back on the grid
