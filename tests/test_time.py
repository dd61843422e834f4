"""Time as Microtonic keeps it: step rates, per-track lengths (polymeter), swing on
every second step of a track at any rate; rendered and played live to the sample."""

from __future__ import annotations

import dataclasses

import pytest

from actors.render import render_session
from actors.rules import STEP_RATES, bar_steps
from actors.session import Session
from tests.audio import click_onsets, click_synthdefs, click_voices, read_sidecar, read_wav
from tests.live import click_config, needs_supercollider, play, private_jack, step_seconds

pytestmark = needs_supercollider

RATE = 48000


def expected(session: Session, steps: int) -> dict[int, list[int]]:
    """Each track's onsets in samples: step ``k`` is its step ``k % length``, late by
    half the swing of a step when that is odd (Microtonic's law)."""
    step = step_seconds(session)
    found: dict[int, list[int]] = {}
    for track, settings in enumerate(session.tracks):
        onsets = []
        for k in range(steps):
            column = k % settings.length
            if settings.pattern[column] != "-":
                late = step * settings.swing / 2 if column % 2 else 0.0
                onsets.append(round((k * step + late) * RATE))
        found[track] = onsets
    return found


def rendered(tmp_path, session: Session, bars: int) -> dict[int, list[int]]:
    out = tmp_path / "out.wav"
    render_session(session, click_synthdefs(), bars, out, voices=click_voices())
    rate, audio = read_wav(out)
    assert rate == RATE
    return click_onsets(audio[:, 0])


def test_bar_steps_of_each_rate():
    assert {rate: bar_steps(rate) for rate in STEP_RATES} == {
        "1/8": 8, "1/8T": 12, "1/16": 16, "1/16T": 24, "1/32": 32}


@pytest.mark.parametrize(("rate", "bpm"), [("1/8", 133), ("1/8T", 133), ("1/16", 133),
                                           ("1/16T", 133), ("1/32", 133), ("1/32", 300)])
def test_render_onsets_are_exact_at_every_rate(tmp_path, rate, bpm):
    session = dataclasses.replace(
        Session(tempo=bpm).with_patterns(
            {0: "X--x--x-", 1: "----X---", 2: "xxxx", 3: "--x-x", 4: "-x"}).with_swing(0.4),
        step_rate=rate)
    found = rendered(tmp_path, session, 2)
    assert found == expected(session, 2 * bar_steps(rate))
    assert sum(map(len, found.values())) > 2 * bar_steps(rate)


def test_a_polymeter_session_is_periodic_at_each_tracks_length(tmp_path):
    session = (Session(tempo=140)
               .with_patterns({0: "X---x-----x-x-x-", 1: "x--X-x---x--", 2: "x-xX-"})
               .with_swing(0.3))
    for track, length in enumerate((16, 12, 5)):
        session = session.with_track(track, length=length)
    step = step_seconds(session) * RATE
    found = rendered(tmp_path, session, 4)  # 64 steps: 4 kicks bars, 5 1/3 snares, 12.8 hats
    assert found == expected(session, 64)
    for track, length in enumerate((16, 12, 5)):
        onsets = found[track]
        per_round = sum(c != "-" for c in session.tracks[track].pattern[:length])
        again = [b - a for a, b in zip(onsets, onsets[per_round:], strict=False)]
        assert again and all(abs(d - length * step) <= 1 for d in again), (track, again)
    # the snare's steps 13-32 hold hits that a 32-step track would play
    assert found[1] != expected(dataclasses.replace(
        session, tracks=tuple(dataclasses.replace(t, length=32) for t in session.tracks)),
        64)[1]


@pytest.mark.parametrize(("rate", "bpm"), [("1/8T", 150), ("1/32", 300)])
def test_live_with_a_polymeter_agrees_with_the_render_and_is_never_late(tmp_path, rate, bpm):
    session = dataclasses.replace(
        Session(tempo=bpm).with_patterns({0: "X--x--x-", 1: "--X-x", 2: "xxX"})
        .with_swing(0.5).with_track(1, length=5).with_track(2, length=3),
        step_rate=rate)
    offline = rendered(tmp_path, session, 2)
    assert offline == expected(session, 2 * bar_steps(rate))
    wav = tmp_path / "live.wav"
    with private_jack():
        report = play(click_config(session, wav, duration=3.0))
    assert report.late == 0
    rate, audio = read_wav(wav)
    sidecar = read_sidecar(wav)
    assert abs(sidecar["first_step_unix"] - sidecar["start_unix"]) * rate < 1e-3
    live = click_onsets(audio[:, 0])
    for track in (0, 1, 2):
        n = min(len(offline[track]), len(live[track]))
        assert n >= 5
        assert live[track][:n] == offline[track][:n]
