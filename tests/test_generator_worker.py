"""The worker process and its trio client: round trips, request ids, superseding, failures."""

import dataclasses
import logging
import os
import signal

import pytest
import trio
import trio.testing

from actors.generator import (
    GenerateRequest,
    GeneratorError,
    Superseded,
    generator_actor,
    open_generator,
)
from actors.generator._build import build_starter
from actors.generator._queue import LatestPerKey
from actors.mesh import mailbox
from actors.messages import Generate, SetHistory
from actors.session import SessionCore, To, default_session, full_state

KICK, SNARE, HIHAT = 0, 1, 2
BASIS = ((KICK, "X-------x-x-----"),)


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    path = tmp_path_factory.mktemp("priors") / "starter.sqlite"
    build_starter(path)
    return path


def test_queue_keeps_one_per_key_and_newest_goes_to_the_back():
    queue: LatestPerKey[str] = LatestPerKey()
    assert queue.put(1, "snare a") is None
    assert queue.put(0, "kick a") is None
    assert queue.put(1, "snare b") == "snare a"
    assert len(queue) == 2
    assert queue.pop() == "kick a"
    assert not queue.discard(1, "snare a")
    assert queue.discard(1, "snare b")
    with pytest.raises(IndexError):
        queue.pop()


async def test_round_trip_assigns_increasing_request_ids(store):
    async with open_generator(store) as client:
        assert client.description == "starter corpus"
        first = await client.request(GenerateRequest(SNARE, BASIS, n=3, seed=1))
        second = await client.request(GenerateRequest(HIHAT, BASIS, n=1, seed=1))
        assert (first.request_id, first.target) == (1, SNARE) and len(first.patterns) == 3
        assert (second.request_id, second.target) == (2, HIHAT)
        again = await client.request(GenerateRequest(SNARE, BASIS, n=3, seed=1))
        assert again.patterns == first.patterns and again.request_id == 3


async def test_a_queued_request_is_superseded_by_a_newer_one_for_the_same_track(store):
    async with open_generator(store) as client:
        await client.request(GenerateRequest(SNARE, BASIS, seed=0))  # the worker is up
        outcomes = {}

        async def ask(name, request):
            try:
                outcomes[name] = await client.request(request)
            except Superseded as error:
                outcomes[name] = error

        # Freeze the worker so that what follows the first request stays queued.
        os.kill(client._process.pid, signal.SIGSTOP)
        try:
            async with trio.open_nursery() as nursery:
                nursery.start_soon(ask, "in flight", GenerateRequest(SNARE, BASIS, seed=1))
                await trio.testing.wait_all_tasks_blocked()
                nursery.start_soon(ask, "old snare", GenerateRequest(SNARE, BASIS, seed=2))
                await trio.testing.wait_all_tasks_blocked()
                nursery.start_soon(ask, "hat", GenerateRequest(HIHAT, BASIS, seed=3))
                await trio.testing.wait_all_tasks_blocked()
                nursery.start_soon(ask, "new snare", GenerateRequest(SNARE, BASIS, seed=4))
                await trio.testing.wait_all_tasks_blocked()
                assert isinstance(outcomes["old snare"], Superseded)
                os.kill(client._process.pid, signal.SIGCONT)
        finally:
            os.kill(client._process.pid, signal.SIGCONT)
        answered = {name: r.request_id for name, r in outcomes.items() if name != "old snare"}
        # In order of sending: the one in flight, then the hat, then the newest snare.
        assert answered["in flight"] < answered["hat"] < answered["new snare"]


async def test_an_invalid_request_raises_and_the_worker_carries_on(store):
    async with open_generator(store) as client:
        with pytest.raises(GeneratorError, match="16 or 32"):
            await client.request(GenerateRequest(SNARE, ((KICK, "x--"),)))
        result = await client.request(GenerateRequest(SNARE, BASIS))
        assert result.patterns


async def test_a_dead_worker_fails_requests_instead_of_hanging(store):
    async with open_generator(store) as client:
        client._process.kill()
        with trio.fail_after(5), pytest.raises(GeneratorError):
            for _ in range(10):  # the first may already be on its way
                await client.request(GenerateRequest(SNARE, BASIS))


async def test_worker_rebuilds_a_corrupt_store_and_says_so(tmp_path, caplog):
    caplog.set_level(logging.INFO)
    path = tmp_path / "priors.sqlite"
    path.write_bytes(b"\0garbage" * 64)
    async with open_generator(path) as client:
        result = await client.request(GenerateRequest(SNARE, BASIS))
    assert result.patterns
    assert "unusable" in caplog.text  # the worker's message, through the log
    assert (tmp_path / "priors.sqlite.corrupt").exists()


async def test_replies_are_fast_through_the_worker(store):
    async with open_generator(store) as client:
        times = []
        for seed in range(200):
            start = trio.current_time()
            await client.request(GenerateRequest(SNARE, BASIS, seed=seed))
            times.append(trio.current_time() - start)
    times.sort()
    assert times[100] < 0.005  # generous for a shared CI machine; the benchmark reports p50/p99


STEP_8 = ("X---x---X---x---", "-------x--------", "", "", "")
KICK_ONLY = ((KICK, "X---x---X---x---"),)


async def test_the_history_lives_in_the_worker_and_a_bad_one_changes_nothing(store, caplog):
    caplog.set_level(logging.INFO)
    async with open_generator(store) as client:
        before = await client.request(GenerateRequest(SNARE, KICK_ONLY, seed=1))
        client.set_history(SetHistory((STEP_8,) * 16, 1.0))
        pulled = await client.request(GenerateRequest(SNARE, KICK_ONLY, seed=1))
        again = await client.request(GenerateRequest(SNARE, KICK_ONLY, seed=1))
        client.set_history(SetHistory((("x--",) * 5,), 1.0))  # not a pattern
        kept = await client.request(GenerateRequest(SNARE, KICK_ONLY, seed=1))
        client.set_history(SetHistory((STEP_8,) * 16, 0.0))
        off = await client.request(GenerateRequest(SNARE, KICK_ONLY, seed=1))
    assert before.probs[7] < 0.2 and pulled.probs[7] > 0.8
    assert again.probs == pulled.probs == kept.probs
    assert "history refused" in caplog.text
    assert off.probs == before.probs


async def test_the_generator_actor_gives_the_history_to_the_worker(store):
    requests_in, requests = mailbox()
    results_out, results = mailbox()
    async with trio.open_nursery() as nursery:
        nursery.start_soon(generator_actor, requests, results_out, store)
        async with requests_in:
            await requests_in.send(SetHistory((STEP_8,) * 16, 1.0))
            await requests_in.send(GenerateRequest(SNARE, KICK_ONLY, seed=1))
            with trio.fail_after(30):
                result = await results.receive()
    assert result.probs[7] > 0.8


async def _generated_snare(store, session):
    """The snare a session gets from a real generator, its history sent as it would be."""
    core = SessionCore(session)
    requests_in, requests = mailbox()
    results_out, results = mailbox()
    async with trio.open_nursery() as nursery:
        nursery.start_soon(generator_actor, requests, results_out, store)
        async with requests_in:
            for target, message in [*full_state(session), *core.apply(Generate(SNARE, False))]:
                if target is To.GENERATOR:
                    await requests_in.send(message)
            with trio.fail_after(30):
                core.apply(await results.receive())
    return core.session.track(SNARE).pattern


async def test_a_session_whose_snare_plays_on_step_8_pulls_generated_snares_there(store):
    kick, snare = "X---x---X---x---", "-------x--------"
    session = default_session().with_patterns({KICK: kick, SNARE: "----X-------X---"})
    session = dataclasses.replace(session, surprise=0.0, basis_only=True, basis=KICK)
    bars = ((kick, snare, "x-x-x-x-x-x-x-x-", "", ""),) * 24
    learned = await _generated_snare(store, dataclasses.replace(session, history=bars))
    ignored = await _generated_snare(
        store, dataclasses.replace(session, history=bars, history_weight=0.0)
    )
    assert learned[7] != "-" and learned[23] != "-"
    assert ignored[7] == "-"
    # By default every other track is a basis; bars that know them all pull as well.
    every = tuple((*bar[:3], "-" * 16, "-" * 16) for bar in bars)
    quiet = session.with_patterns({3: "-" * 16, 4: "-" * 16, 2: "x-x-x-x-x-x-x-x-"})
    default = dataclasses.replace(quiet, basis_only=False, history=every)
    assert (await _generated_snare(store, default))[7] != "-"
