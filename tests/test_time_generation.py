"""Generation on the grids the store knows (1/16: 16 or 32 steps; 1/8T: 12 or 24; 1/16T:
24), and a clear refusal, never a wrong answer, for the others: in the session, on the
surfaces, in the CLI."""

from __future__ import annotations

import dataclasses

import pytest

from actors.messages import (
    Generate,
    GenerateRequest,
    GenerateResult,
    SetBasisOnly,
    SetHistory,
    SetLength,
    SetStepRate,
)
from actors.session import Session, SessionCore, SessionError
from actors.ui._controls import Dest, Send
from tests.test_generator_cli import run
from tests.ui_helpers import Rig


def session() -> Session:
    return Session().with_patterns({0: "X---x---x-x-", 1: "----X---"}).with_track(0, length=12)


@pytest.mark.parametrize(("command", "says"), [
    (SetStepRate("1/8T"), "12 or 24 steps at 1/8T; the track plays 32"),
    (SetStepRate("1/32"), "not 1/32"),
    (SetLength(1, 12), "16 or 32 steps at 1/16; the track plays 12"),
])
def test_the_session_refuses_a_grid_the_store_cannot_answer(command, says):
    core = SessionCore(session())
    core.apply(command)
    with pytest.raises(SessionError, match=says):
        core.apply(Generate(1, False))
    assert core._continuations == {}  # nothing is waiting for an answer


def test_steps_17_to_32_need_a_32_step_track():
    core = SessionCore(session())
    core.apply(SetLength(1, 16))
    with pytest.raises(SessionError, match="32 steps at 1/16; the track plays 16"):
        core.apply(Generate(1, True))


def test_a_16_step_track_asks_for_16_steps_from_the_basis_as_it_plays():
    core = SessionCore(session())  # the basis (kick) loops after 12 steps
    core.apply(SetLength(1, 16))
    core.apply(SetBasisOnly(True))  # the original's way: the basis track alone
    routed = core.apply(Generate(1, False))
    request = next(m for t, m in routed if isinstance(m, GenerateRequest))
    assert request.bases == ((0, "X---x---x-x-X---"),)
    assert request.current == "----X-------X---"
    core.apply(GenerateResult(0, 1, ("x-x-X-x-x-x-X-xX",), (0.5,) * 16))
    assert core.session.track(1).pattern == "x-x-X-x-x-x-X-xX" * 2
    assert core.session.track(1).length == 16


def test_a_32_step_track_generates_as_before():
    core = SessionCore(dataclasses.replace(session().with_track(0, length=32)))
    core.apply(SetBasisOnly(True))
    routed = core.apply(Generate(1, False))
    request = next(m for t, m in routed if isinstance(m, GenerateRequest))
    assert request.bases == ((0, core.session.track(0).pattern),)
    assert len(request.current) == 32


def test_every_other_track_is_sent_as_it_sounds_over_the_target_s_length():
    core = SessionCore(session())  # the kick loops after 12 steps
    routed = core.apply(Generate(1, False))
    request = next(m for t, m in routed if isinstance(m, GenerateRequest))
    kick = core.session.track(0)
    assert dict(request.bases)[0] == (kick.pattern[:kick.length] * 3)[:32]


def test_the_surface_says_why_and_sends_nothing(tmp_path):
    rig = Rig(tmp_path, dataclasses.replace(session(), step_rate="1/16T"))
    rig.key(1, 1)
    assert rig.tap(3) == []
    assert "24 steps at 1/16T; the track plays 12" in rig.controls.notice
    rig.key(1, 0)


def test_the_cli_refuses_another_grid_with_its_reason(tmp_path, capsys):
    code = run("generate", "--instrument", "snare", "--basis-instrument", "kick",
               "--basis", "x---" * 4, "--step-rate", "1/8T", "--db", tmp_path / "none.db")
    assert code == 2
    assert ("generation answers 12 or 24 steps at 1/8T; the track plays 16"
            in capsys.readouterr().err)
    assert not (tmp_path / "none.db").exists()


def test_a_track_that_plays_a_chain_is_not_generated_over(tmp_path):
    chained = session().with_track(1, length=16, chain=(("x" * 32, "-" * 32, 16),))
    with pytest.raises(SessionError, match="plays a chain"):
        SessionCore(chained).apply(Generate(1, False))
    rig = Rig(tmp_path, chained)
    rig.enc(2, 1)
    rig.key(1, 1)
    assert rig.tap(3) == [] and "plays a chain" in rig.controls.notice


def test_a_triplet_track_asks_on_its_grid_and_adds_no_history():
    triplets = dataclasses.replace(session().with_track(1, length=12), step_rate="1/8T")
    core = SessionCore(triplets)  # the kick plays 12 steps, the snare 12
    routed = core.apply(Generate(1, False))
    request = next(m for t, m in routed if isinstance(m, GenerateRequest))
    assert request.rate == "1/8T" and not request.continuation
    assert dict(request.bases)[0] == "X---x---x-x-" and request.current == "----X-------"
    assert not any(isinstance(m, SetHistory) for _, m in routed)  # a history of sixteenths
    core.apply(GenerateResult(0, 1, ("---X-----X--",), (0.5,) * 12))
    track = core.session.track(1)
    assert track.pattern[:track.length] == "---X-----X--" and track.length == 12


def test_the_second_half_of_a_1_16t_bar_continues_its_first():
    triplets = dataclasses.replace(session().with_track(1, length=24), step_rate="1/16T")
    core = SessionCore(triplets)
    routed = core.apply(Generate(1, True))
    request = next(m for t, m in routed if isinstance(m, GenerateRequest))
    assert (request.rate, request.continuation, len(request.current)) == ("1/16T", True, 24)
    with pytest.raises(SessionError, match="24 steps at 1/16T; the track plays 12"):
        SessionCore(dataclasses.replace(triplets.with_track(1, length=12))).apply(
            Generate(1, True))


def test_the_surface_generates_a_triplet_track_and_says_which_steps(tmp_path):
    rig = Rig(tmp_path, dataclasses.replace(session().with_track(1, length=24),
                                            step_rate="1/16T"))
    rig.enc(2, 1)  # the snare
    rig.key(1, 1)
    assert rig.tap(3) == [Send(Dest.SESSION, Generate(1, False))]
    assert rig.controls.notice == "generating snare from kick"
    assert rig.tap(2) == [Send(Dest.SESSION, Generate(1, True))]
    assert rig.controls.notice == "generating snare 13-24 from 1-12"
    rig.key(1, 0)
