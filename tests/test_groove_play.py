"""Playing the groove: the pure core's draws, amounts and clamps, then real scsynth
renders (and a live recording) that find every grooved onset on its intended sample."""

import dataclasses
import math

import numpy as np
import pytest

from actors.clock import ClockCore
from actors.groove import GrooveAnswers, GrooveCore, load_model
from actors.messages import TRACKS, GrooveAnswer, Hit, SetFeel, SetGroove, SetPattern, Step
from actors.render import render_session
from actors.rules import GROOVE_MARGIN, STEP_RATES, VELOCITY_ACCENT, bar_steps
from actors.sequencer import (
    SequencerCore,
    answer_now,
    bar_pattern,
    grooved,
    is_groove,
    plan_next_bar,
)
from actors.session import (
    Session,
    SessionError,
    To,
    full_state,
    load_session,
    save_session,
)
from tests.audio import click_onsets, click_synthdefs, click_voices, read_wav
from tests.live import click_config, needs_supercollider, play, private_jack

RATE = 48000
SESSION = Session(tempo=97).with_patterns(
    {0: "X-----x---x-----", 1: "----X-------X--x", 2: "x-x-x-xXx-x-x-x-", 3: "--------------x-",
     4: "----x-------x---"})


@pytest.fixture(scope="module")
def model():
    return load_model()


def played(session, model, bars, lookahead=0.05):
    """Every hit the cores play for ``bars`` bars, track by track in order of time (a
    step's early hits go out with the step before), and the groove core (for its clamp
    count)."""
    clock = ClockCore(session.tempo, session.step_rate)
    sequencer = SequencerCore()
    groove = GrooveCore(lookahead)
    answers = GrooveAnswers(model)
    for target, message in full_state(session):
        if target is To.SEQUENCER:
            (groove if is_groove(message) else sequencer).apply(message)
        elif target is To.CLOCK:
            clock.apply(message, 0.0)
    clock.start(0.0)
    hits = []
    for _ in range(bars * bar_steps(session.step_rate)):
        step = clock.pop_step()
        hits += grooved(groove, sequencer, step, sequencer.hits(step))
        answer_now(groove, answers, plan_next_bar(groove, sequencer, step))
    return sorted(hits, key=lambda hit: (hit.track, hit.time)), groove


def pairs(hits, plain):
    """Grooved hits beside the grid's, hit for hit. A grooved run may have one more per
    track: the early hit of the step after the run's last, sent a step ahead."""
    out = []
    for track in range(len(TRACKS)):
        ours = [h for h in hits if h.track == track]
        grid = [h for h in plain if h.track == track]
        assert len(ours) - len(grid) in (0, 1)
        assert all(h.time > grid[-1].time for h in ours[len(grid):])
        out += zip(ours[:len(grid)], grid, strict=True)
    return out


def grooving(amount=1.0, dynamics=1.0, seed=7, **more):
    return dataclasses.replace(SESSION, groove=amount, dynamics=dynamics, groove_seed=seed,
                               **more)


def test_amount_zero_is_the_grid_exactly(model):
    plain, _ = played(SESSION, None, 2)
    zero, _ = played(grooving(0.0, 0.0), model, 2)
    assert zero == plain


def test_draws_are_seeded_per_bar_and_move_hits(model):
    a, _ = played(grooving(seed=7), model, 4)
    b, _ = played(grooving(seed=7), model, 4)
    c, _ = played(grooving(seed=8), model, 4)
    plain, _ = played(SESSION, None, 4)
    assert a == b
    assert [h.time for h in a] != [h.time for h in c]
    moved = [abs(g.time - p.time) for g, p in pairs(a, plain)]
    assert np.median(moved) > 0.002  # the learned spread, not the grid
    assert max(moved) < 60 / 97 / 4 / 2  # never more than half a step
    bar = 4 * 60 / 97
    first_bars = [[round(h.time - k * bar, 9) for h in a if k * bar <= h.time < (k + 1) * bar]
                  for k in (1, 2)]
    assert first_bars[0] != first_bars[1]  # each bar drawn afresh


def test_dynamics_move_plain_hits_and_keep_accents(model):
    hits, _ = played(grooving(0.0, 1.0), model, 2)
    plain, _ = played(SESSION, None, 2)
    assert [h.time for h in hits] == [h.time for h in plain]
    accents = [h for h, p in pairs(hits, plain) if p.velocity == VELOCITY_ACCENT]
    assert accents and all(h.velocity == VELOCITY_ACCENT for h in accents)
    others = [h.velocity for h, p in pairs(hits, plain)
              if p.velocity != VELOCITY_ACCENT]
    assert len(set(others)) > 5 and max(others) < VELOCITY_ACCENT


def test_a_track_at_zero_stays_on_the_grid(model):
    session = grooving().with_track(TRACKS.index("kick"), groove=0.0)
    hits, _ = played(session, model, 2)
    plain, _ = played(SESSION, None, 2)
    kick = [h.time == p.time for h, p in pairs(hits, plain) if h.track == 0]
    others = [h.time == p.time for h, p in pairs(hits, plain) if h.track != 0]
    assert all(kick) and not all(others)


def test_offsets_beyond_the_lookahead_are_clamped_and_counted(model):
    lookahead = GROOVE_MARGIN + 0.005
    hits, groove = played(grooving(), model, 8, lookahead=lookahead)
    plain, _ = played(SESSION, None, 8)
    early = [p.time - h.time for h, p in pairs(hits, plain)]
    assert groove.clamped > 0
    assert max(early) == pytest.approx(0.005)  # the lookahead less the margin, no more


def test_early_hits_go_a_step_ahead_down_to_40_ms(model):
    """Handed on with its own step (10 ms before its time), a hit 40 ms early had 20 ms
    to reach the server, less its JACK period: late bundles. Sent with the step before,
    no hit is handed on before the time of the step it goes out with: every hit has the
    lookahead and more, as on the grid."""
    session = dataclasses.replace(grooving(seed=2, step_rate="1/8"), tempo=300.0)
    clock = ClockCore(session.tempo, session.step_rate)
    sequencer, groove, answers = SequencerCore(), GrooveCore(0.05), GrooveAnswers(model)
    for target, message in full_state(session):
        if target is To.SEQUENCER:
            (groove if is_groove(message) else sequencer).apply(message)
    clock.start(0.0)
    ahead, shifts = [], []
    for _ in range(16 * bar_steps(session.step_rate)):
        step = clock.pop_step()
        for hit in grooved(groove, sequencer, step, sequencer.hits(step)):
            ahead.append(hit.time - step.time)
            grid = step.time + step.duration * round((hit.time - step.time) / step.duration)
            shifts.append(hit.time - grid)
        answer_now(groove, answers, plan_next_bar(groove, sequencer, step))
    assert min(ahead) >= 0.0
    assert max(ahead) > step.duration / 2  # early hits of the next step among them
    assert min(shifts) == pytest.approx(-0.040)  # the lookahead less the margin
    assert sum(s < -0.020 for s in shifts) > 20  # beyond the old -20 ms clamp
    assert groove.clamped > 0


def test_a_feel_must_be_learned(model):
    core = GrooveCore(0.05)
    core.apply(SetFeel("funk", 1))
    with pytest.raises(ValueError, match="not a learned style"):
        core.apply(SetFeel("polka", 1))
    with pytest.raises(ValueError, match="outside"):
        core.apply(SetGroove(-1, 1.5, 0.0))


@needs_supercollider
def test_a_render_puts_every_grooved_onset_on_its_sample(tmp_path, model):
    session = grooving(seed=3)
    out = tmp_path / "groove.wav"
    render_session(session, click_synthdefs(), 2, out, voices=click_voices(), groove=model)
    _, audio = read_wav(out)
    found = click_onsets(audio[:, 0])
    hits, _ = played(session, model, 2)
    for track in range(len(TRACKS)):
        intended = sorted(round(h.time * RATE) for h in hits if h.track == track)
        assert found[track] == intended
    plain = tmp_path / "plain.wav"
    render_session(SESSION, click_synthdefs(), 2, plain, voices=click_voices(), groove=model)
    grid = click_onsets(read_wav(plain)[1][:, 0])
    assert grid != found
    zero = tmp_path / "zero.wav"
    render_session(grooving(0.0, 0.0), click_synthdefs(), 2, zero, voices=click_voices(),
                   groove=model)
    assert np.array_equal(read_wav(zero)[1], read_wav(plain)[1])


def answered(core, offset, velocity, bar=0):
    """``core`` given bar ``bar``'s answer: every track ``offset``(position) ms and
    ``velocity``(position) at each of the 16 sixteenths."""
    core.ask(bar, np.zeros((len(TRACKS), 16), int), 120.0)
    core.apply(GrooveAnswer(bar, "", 0, ((tuple(map(offset, range(16))),) * len(TRACKS)),
                            ((tuple(map(velocity, range(16))),) * len(TRACKS))))


@pytest.mark.parametrize(("rate", "column", "place"), [
    ("1/8", 3, 6.0), ("1/16", 5, 5.0), ("1/32", 8, 4.0), ("1/32", 9, 4.5),
    ("1/8T", 1, 4 / 3), ("1/8T", 2, 8 / 3), ("1/16T", 1, 2 / 3), ("1/16T", 23, 46 / 3)])
def test_a_step_plays_the_answer_at_its_place_in_sixteenths(rate, column, place):
    core = GrooveCore(0.05)
    core.apply(SetGroove(-1, 1.0, 1.0))
    answered(core, lambda j: 2.0 * j, lambda j: 20.0 + 4 * j)
    ticks = STEP_RATES[rate]
    duration = 0.5 * ticks / 24  # 120 BPM
    core.hits(Step(0, 0.0, duration, ticks), [])
    step = Step(column, 1.0, duration, ticks)
    (hit,) = core.hits(step, [Hit(0, 1.0, 64, False)])
    low, share = int(place), place - int(place)
    after = 0 if low == 15 else 2.0 * (low + 1)  # the bar's first stands in for the next's
    offset = 2.0 * low + share * (after - 2.0 * low)
    assert hit.time == pytest.approx(1.0 + offset / 1000)
    assert hit.velocity == round(20.0 + offset * 2)


@pytest.mark.parametrize(("rate", "places"), [
    ("1/8", range(0, 16, 2)), ("1/32", range(16)),
    ("1/8T", (0, 1, 3, 4, 5, 7, 8, 9, 11, 12, 13, 15)), ("1/16T", range(16))])
def test_the_model_hears_each_rate_on_its_nearest_sixteenths(rate, places):
    sequencer = SequencerCore()
    sequencer.apply(SetPattern(0, "x" * 32))
    sequencer.apply(SetPattern(1, "X" + "-" * 31))
    bar = 32 // math.gcd(32, bar_steps(rate))  # the first bar starting on a step 32
    pattern = bar_pattern(sequencer, bar, STEP_RATES[rate])
    assert list(np.flatnonzero(pattern[0])) == list(places)
    assert pattern[1, 0] == VELOCITY_ACCENT  # the track's step 0 again
    assert not pattern[2:].any()


@needs_supercollider
@pytest.mark.parametrize("rate", ["1/8", "1/8T", "1/16T", "1/32"])
def test_a_render_puts_every_grooved_onset_on_its_sample_at_every_rate(tmp_path, model, rate):
    session = grooving(seed=4, step_rate=rate).with_track(TRACKS.index("hihat"), swing=0.5)
    out = tmp_path / "groove.wav"
    render_session(session, click_synthdefs(), 2, out, voices=click_voices(), groove=model)
    found = click_onsets(read_wav(out)[1][:, 0])
    hits, _ = played(session, model, 2)
    plain, _ = played(dataclasses.replace(session, groove=0.0, dynamics=0.0), model, 2)
    for track in range(len(TRACKS)):
        intended = sorted(round(h.time * RATE) for h in hits if h.track == track)
        assert found[track] == intended
    moved = [h.time - p.time for h, p in pairs(hits, plain)]
    assert sum(abs(m) > 0.001 for m in moved) > len(moved) / 2  # grooved, not the grid
    assert len({round(m, 4) for m in moved}) > len(moved) / 4


@needs_supercollider
@pytest.mark.parametrize("rate", ["1/16", "1/16T", "1/8"])
def test_live_grooved_recording_agrees_with_the_render(tmp_path, model, rate):
    session = dataclasses.replace(grooving(seed=5, step_rate=rate), tempo=300.0)
    if rate == "1/8":  # steps twice as long: the open hat's one hit a bar would come once
        session = session.with_patterns({TRACKS.index("openhat"): "--x---x-"})
    offline = tmp_path / "offline.wav"
    render_session(session, click_synthdefs(), 3, offline, voices=click_voices(), groove=model)
    expected = click_onsets(read_wav(offline)[1][:, 0])
    wav = tmp_path / "live.wav"
    with private_jack():
        report = play(dataclasses.replace(click_config(session, wav, duration=2.5),
                                          groove=True))
    assert report.late == 0
    assert report.groove_missed == 0
    live = click_onsets(read_wav(wav)[1][:, 0])
    for track in expected:
        n = min(len(expected[track]), len(live[track]))
        assert n >= 3
        assert live[track][:n] == expected[track][:n]


def test_the_session_file_keeps_the_groove_and_old_files_load_unchanged(tmp_path):
    old = tmp_path / "old.json"
    old.write_text('{"format": "supertonic-session", "version": 1, "tempo": 101}')
    loaded = load_session(old)
    assert (loaded.groove, loaded.dynamics, loaded.feel, loaded.groove_seed, loaded.follow) == (
        0.0, 0.0, "", 0, 0.0)
    assert all(t.groove == 1.0 and t.dynamics == 1.0 for t in loaded.tracks)
    session = grooving(0.6, 0.3, seed=9, feel="funk", follow=0.7).with_track(
        2, groove=0.5, dynamics=0.0)
    path = tmp_path / "groove.json"
    save_session(session, path)
    again = load_session(path)
    assert (again.groove, again.dynamics, again.feel, again.groove_seed, again.follow) == (
        0.6, 0.3, "funk", 9, 0.7)
    assert (again.tracks[2].groove, again.tracks[2].dynamics) == (0.5, 0.0)
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "supertonic-session", "version": 1, "groove": {"amount": 2}}')
    with pytest.raises(SessionError, match=r"bad\.json: groove amount 2"):
        load_session(bad)


def render_command(tmp_path, *more):
    import subprocess
    import sys
    out = tmp_path / f"r{len(list(tmp_path.iterdir()))}.wav"
    done = subprocess.run([sys.executable, "-m", "actors", "render", "--bars", "2", "--bpm",
                           "100", "--pattern", "kick=x---x---",
                           *(f"--pattern={name}=-" for name in TRACKS[1:]),
                           "--out", str(out), *map(str, more)],
                          capture_output=True, text=True, timeout=120)
    return done, out


@needs_supercollider
def test_groove_from_a_take_plays_its_timing_and_a_bad_file_is_named(tmp_path):
    from tests.test_groove import write_take
    take = tmp_path / "late.mid"
    write_take(take, bars=4, jitter=0.0, lean=15.0)  # every drum 15 ms later than LATE
    done, grooved_wav = render_command(tmp_path, "--groove-from", take)
    assert done.returncode == 0, done.stderr
    plain_done, plain_wav = render_command(tmp_path)
    assert plain_done.returncode == 0, plain_done.stderr
    grooved_audio, plain_audio = read_wav(grooved_wav)[1], read_wav(plain_wav)[1]

    def onset(audio, start):
        return start + int(np.argmax(np.abs(audio[start:start + 4000, 0]) > 1e-3))

    # the kick of step 8, where the take has its kick (step 0 cannot move before the start)
    step = round(60 / 100 / 4 * RATE)
    late = onset(grooved_audio, 8 * step - 200) - onset(plain_audio, 8 * step - 200)
    assert late == pytest.approx(round(0.027 * RATE), abs=round(0.002 * RATE))
    piano = tmp_path / "piano.mid"
    write_take(piano, notes=())
    done, out = render_command(tmp_path, "--groove-from", piano)
    assert done.returncode == 0 and out.exists()
    assert f"{piano}: no drum notes" in done.stderr
