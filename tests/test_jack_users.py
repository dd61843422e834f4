"""Sharing a jackd: the starter leaving first does not stop it while another plays;
the last to leave does; a user that died without leaving does not hold it up. The
users are real processes (``sleep``), the jackd a stand-in process of that name."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from actors.engine_bridge import JackUsers, users_folder


@pytest.fixture
def processes(tmp_path):
    started: list[subprocess.Popen] = []
    jackd = tmp_path / "bin" / "jackd"  # a sleep whose command name is jackd's
    jackd.parent.mkdir()
    jackd.symlink_to(shutil.which("sleep") or "/bin/sleep")

    def start(name: str = "sleep") -> subprocess.Popen:
        program = str(jackd) if name == "jackd" else name
        process = subprocess.Popen([program, "60"])
        started.append(process)
        return process

    yield start
    for process in started:
        process.kill()
        process.wait()


def test_the_last_user_out_stops_the_jackd_a_supertonic_started(tmp_path, processes):
    jackd, first, second = processes("jackd"), processes(), processes()
    folder = tmp_path / "jack-default"
    starter, other = JackUsers(folder, first.pid), JackUsers(folder, second.pid)
    starter.join(started_jackd=jackd.pid)
    other.join()
    assert starter.others() == [second.pid]
    assert starter.leave() is None  # the other still plays through it
    assert other.leave() == jackd.pid
    assert not list(folder.iterdir())


def test_a_user_that_died_without_leaving_does_not_keep_jackd(tmp_path, processes):
    jackd, first, second = processes("jackd"), processes(), processes()
    folder = tmp_path / "jack-default"
    JackUsers(folder, second.pid).join(started_jackd=jackd.pid)
    second.kill()
    second.wait()
    me = JackUsers(folder, first.pid)
    me.join()
    assert me.others() == []
    assert me.leave() == jackd.pid


def test_a_pid_that_is_no_longer_a_jackd_is_never_stopped(tmp_path, processes):
    """A jackd that died left its pid behind; the system may have given it to another
    program since, which must not be stopped in its place."""
    other, first = processes(), processes()
    me = JackUsers(tmp_path / "jack-default", first.pid)
    me.join(started_jackd=other.pid)
    assert me.leave() is None


def test_a_jackd_nobody_of_ours_started_is_never_stopped(tmp_path, processes):
    first = processes()
    me = JackUsers(tmp_path / "jack-default", first.pid)
    me.join()
    assert me.leave() is None


def test_each_server_has_its_own_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    monkeypatch.setenv("JACK_DEFAULT_SERVER", "test/1")
    assert users_folder() == tmp_path / "supertonic" / "jack-test_1"
    assert users_folder("other") == tmp_path / "supertonic" / "jack-other"
