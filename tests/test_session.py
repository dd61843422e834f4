"""The session: its file, its pure core, and its actor's autosave under kill -9."""

import dataclasses
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
import trio

from actors import kit as kits
from actors.mesh import mailbox
from actors.messages import (
    BasisCaptured,
    Generate,
    GenerateRequest,
    GenerateResult,
    LoadSession,
    SetBasis,
    SetBasisOnly,
    SetChoke,
    SetHistory,
    SetHistoryWeight,
    SetLowpass,
    SetMorph,
    SetMute,
    SetParam,
    SetPattern,
    SetQuantum,
    SetStep,
    SetTempo,
    SetVoice,
)
from actors.session import (
    DEFAULT_KIT,
    SessionCore,
    SessionError,
    To,
    default_session,
    full_state,
    load_session,
    save_session,
    session_actor,
    session_from_json,
    session_to_json,
)

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def test_file_round_trip_keeps_everything(tmp_path):
    core = SessionCore(default_session())
    for command in (
        SetTempo(97.5),
        SetStep(1, 3, 127),
        SetMorph(2, 0.25),
        SetBasis(3),
        SetParam(0, 1, "osc_freq", 61.5),
        SetLowpass(800.0, 0.5),
        SetChoke(3, True),
        SetQuantum(3),
    ):
        core.apply(command)
    path = tmp_path / "set.json"
    save_session(core.session, path)
    assert load_session(path) == core.session
    assert json.loads(path.read_text())["tracks"]["snare"]["pattern"][3] == "X"
    assert json.loads(path.read_text())["link_quantum"] == 3


def test_partial_files_and_relative_kits(tmp_path):
    if not (DATA / "presets" / "tough.mtpreset").exists():
        pytest.skip("../shared/data/presets is absent")
    kit_dir = tmp_path / "kits"
    kit_dir.mkdir()
    (kit_dir / "tough.mtpreset").write_bytes((DATA / "presets" / "tough.mtpreset").read_bytes())
    path = tmp_path / "set.json"
    path.write_text(
        json.dumps(
            {
                "format": "supertonic-session",
                "version": 1,
                "tempo": 140,
                "swing": 30,
                "kit": "kits/tough.mtpreset",
                "tracks": {"clap": {"pattern": "----X---", "swing": 0}},
            }
        )
    )
    session = load_session(path)
    tough = kits.kit_tracks(kits.load_kit(kit_dir / "tough.mtpreset"))
    assert session.tempo == 140
    assert session.track(0).patches == (tough[0], tough[0])
    assert session.track(4).pattern == "----X---" * 4 and session.track(4).swing == 0
    assert session.track(1).swing == pytest.approx(0.3)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"format": "supertonic-session", "version": 1,\n "tempo": }', "set.json:2:11"),
        ('{"format": "supertonic-session", "version": 7}', "version 7"),
        ('{"format": "supertonic-session", "version": 1, "tempo": 400}', "outside 20-300"),
        ('{"format": "supertonic-session", "version": 1, "tracks": {"cowbell": {}}}', "cowbell"),
        (
            '{"format": "supertonic-session", "version": 1, "tracks": {"kick": {"pattern": "xo"}}}',
            "'o'",
        ),
        (
            '{"format": "supertonic-session", "version": 1, "tracks": {"kick": {"patches": '
            '[{"osc_wave": "Square"}, {}]}}}',
            "patches[0]",
        ),
        ("[1, 2]", "not a session"),
        ('{"format": "supertonic-session", "version": 1, "link_quantum": 0}',
         "set.json: Link quantum 0 is outside 1-32 beats"),
        ('{"format": "supertonic-session", "version": 1, "link_quantum": 1000}',
         "set.json: Link quantum 1000 is outside 1-32 beats"),
    ],
)
def test_damaged_files_name_the_problem(text, message):
    with pytest.raises(SessionError) as caught:
        session_from_json(text, Path("set.json"))
    assert message in str(caught.value)


def test_core_routes_commands_and_refuses_bad_ones():
    core = SessionCore(default_session())
    routed = core.apply(SetStep(0, 31, 64))
    assert routed == [(To.SEQUENCER, SetPattern(0, core.session.track(0).pattern))]
    assert core.session.track(0).pattern[31] == "x"
    ((target, voice),) = core.apply(SetMorph(1, 1.0))
    assert target is To.BRIDGE and isinstance(voice, SetVoice) and voice.track == 1
    before = core.session
    for bad in (
        SetStep(0, 32, 64),
        SetStep(0, 1, 50),
        SetMorph(0, 1.5),
        SetTempo(10),
        SetParam(0, 0, "osc_wave", "Square"),
        SetParam(0, 2, "osc_freq", 1.0),
        SetParam(0, 0, "colour", 1.0),
        SetLowpass(5.0, 0.0),
        SetPattern(5, "x"),
        SetQuantum(0),
        SetQuantum(1000),
    ):
        with pytest.raises(ValueError):
            core.apply(bad)
    assert core.session == before


def test_a_captured_bar_becomes_the_basis_and_generation_uses_it():
    core = SessionCore(default_session())
    routed = core.apply(BasisCaptured(0, "X--x--x-X-------"))
    assert core.session.basis == 0
    assert routed[0] == (To.SEQUENCER, SetPattern(0, "X--x--x-X-------" * 2))
    assert routed[1:] == [(To.GENERATOR, SetHistory(core.session.history, 1.0))]
    core.apply(SetBasisOnly(True))  # the original's way: the basis track alone
    routed = core.apply(Generate(1, False))
    request = next(m for t, m in routed if isinstance(m, GenerateRequest))
    assert request.bases == ((0, "X--x--x-X-------" * 2),)
    assert request.current == core.session.track(1).pattern
    answer = GenerateResult(9, 1, ("----X-------X---" * 2,), (0.5,) * 32)
    (where, pattern), (_, state) = core.apply(answer)
    assert where is To.SEQUENCER and pattern == SetPattern(1, "----X-------X---" * 2)
    assert state.probabilities[0] == 0.5
    assert core.apply(answer) == []  # an answer nobody waits for changes nothing


def test_continuation_keeps_steps_1_to_16():
    core = SessionCore(default_session())
    first = core.session.track(2).pattern[:16]
    core.apply(SetBasisOnly(True))
    (_, request), _ = core.apply(Generate(2, True))[-2:]
    assert request.continuation and request.bases == ()
    core.apply(GenerateResult(1, 2, ("x-x-x-x-x-x-xxxx",), (0.25,) * 16))
    assert core.session.track(2).pattern == first + "x-x-x-x-x-x-xxxx"


def test_params_are_clamped_like_a_file_and_morph_interpolates():
    core = SessionCore(default_session())
    core.apply(SetParam(0, 0, "osc_freq", 100.0))
    core.apply(SetParam(0, 1, "osc_freq", 400.0))
    core.apply(SetMorph(0, 0.5))
    assert core.session.track(0).drum().osc_freq == pytest.approx(200.0)  # log-frequency middle
    core.apply(SetParam(0, 0, "osc_freq", 1e9))
    assert core.session.track(0).patches[0].osc_freq == 20000.0


def test_full_state_gives_every_actor_every_track():
    routed = full_state(default_session())
    voices = [m for t, m in routed if isinstance(m, SetVoice)]
    patterns = [m for t, m in routed if isinstance(m, SetPattern)]
    assert len(voices) == len(patterns) == 5
    assert (To.CLOCK, SetTempo(120.0)) in routed
    assert (To.CLOCK, SetQuantum(4.0)) in routed


def test_a_kit_maps_its_channels_onto_the_tracks():
    kit = kits.load_kit(DEFAULT_KIT)
    session = default_session().with_kit(kit, channels=(0, 1, 2, 3, 7), pattern="a")
    assert session.track(4).patches == (kit.drums[7], kit.drums[7])
    text = kits.pattern_text(kit, kits.chain(kit, "a"), (0, 1, 2, 3, 7))[4]
    assert session.track(4).pattern[:len(text)] == text
    assert session.track(4).length == len(text)
    assert session.track(0).patches[0] == kit.drums[0]


def test_default_kit_is_the_shipped_preset():
    drums = kits.kit_tracks(kits.load_kit(DEFAULT_KIT))
    assert default_session().track(3).patches[0] == drums[3]


async def test_loading_a_file_replaces_the_whole_session_and_tells_everyone(tmp_path):
    target = default_session().with_tempo(97.5).with_patterns({0: "x---" * 8})
    target = target.with_track(2, morph=0.7, choke=True)
    target = dataclasses.replace(target, history=(("x---" * 4, "", "", "", ""),) * 3,
                                 history_weight=0.5)
    good = tmp_path / "set.json"
    save_session(target, good)
    damaged = tmp_path / "bad.json"
    damaged.write_text("{")
    commands, inbox = mailbox()
    sinks = {t: mailbox() for t in (To.CLOCK, To.SEQUENCER, To.BRIDGE, To.GENERATOR)}
    core = SessionCore(default_session().with_tempo(150))
    got = []

    async def drain(box):
        async for message in box:
            got.append(message)

    async with trio.open_nursery() as nursery:
        for _, box in sinks.values():
            nursery.start_soon(drain, box)
        await nursery.start(session_actor, inbox, {t: o for t, (o, _) in sinks.items()},
                            core, None)
        got.clear()
        await commands.send(LoadSession(str(damaged)))  # refused: nothing changes
        await commands.send(LoadSession(str(good)))
        await commands.aclose()
    assert core.session == target
    assert SetTempo(97.5) in got and SetChoke(2, True) in got
    assert sum(isinstance(m, SetVoice) for m in got) == 5
    assert SetHistory(target.history, 0.5) in got  # the generator learns the loaded player


def test_kill_9_while_autosaving_leaves_a_loadable_file(tmp_path):
    target = tmp_path / "autosave.json"
    script = textwrap.dedent(f"""
        import dataclasses, sys
        from pathlib import Path
        from actors.session import default_session, save_session
        session, i = default_session(), 0
        while True:
            i += 1
            save_session(dataclasses.replace(session, tempo=20 + i % 280), Path({str(target)!r}))
            if i == 3:
                print("saving", flush=True)
    """)
    for attempt in range(12):
        proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
        assert proc.stdout.readline().strip() == "saving"
        time.sleep(0.01 * (attempt % 5))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert 20 <= load_session(target).tempo <= 300
        leftovers = [p for p in tmp_path.iterdir() if p.name != "autosave.json"]
        for leftover in leftovers:  # a temp file may stay behind; the target is whole
            leftover.unlink()


def test_kill_9_during_play_loses_at_most_a_second_of_edits(tmp_path):
    autosave = tmp_path / "state" / "supertonic" / "autosave.json"
    script = textwrap.dedent("""
        import time, trio
        from pathlib import Path
        from actors.mesh import mailbox
        from actors.messages import SetStep
        from actors.session import SessionCore, To, default_session, session_actor, autosave_path

        async def drain(inbox):
            async for _ in inbox:
                pass

        async def main():
            commands, inbox = mailbox()
            outs = {}
            async with trio.open_nursery() as nursery:
                for target in To:
                    out, sink = mailbox()
                    outs[target] = out
                    nursery.start_soon(drain, sink)
                await nursery.start(session_actor, inbox, outs, SessionCore(default_session()),
                                    autosave_path())
                for i in range(1000):
                    await commands.send(SetStep(i % 5, (i // 5) % 32, 127 if i % 2 else 64))
                    print(i, time.time(), flush=True)
                    await trio.sleep(0.02)

        trio.run(main)
    """)
    env = dict(os.environ, XDG_STATE_HOME=str(tmp_path / "state"))
    proc = subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, env=env
    )
    edits = []
    while len(edits) < 120:
        index, when = proc.stdout.readline().split()
        edits.append((int(index), float(when)))
    proc.send_signal(signal.SIGKILL)
    killed = time.time()
    proc.wait()
    saved = load_session(autosave)
    kept = [i for i, when in edits if when < killed - 1.0]
    assert len(kept) > 50
    for i in kept:
        track, step = i % 5, (i // 5) % 32
        assert saved.track(track).pattern[step] == ("X" if i % 2 else "x"), i


def test_the_history_keeps_the_patterns_the_player_left_not_answers_replaced():
    core = SessionCore(default_session())
    core.apply(SetMute(3, True))
    halves = [tuple("" if i == 3 else t.pattern[h:h + 16] for i, t in enumerate(
        core.session.tracks)) for h in (0, 16)]
    routed = core.apply(Generate(1, False))
    assert core.session.history == tuple(halves)  # a muted track is unknown, not silent
    (_, history), (_, request), _ = routed
    assert history == SetHistory(tuple(halves), 1.0)
    # By default every other unmuted track is a basis, as it is.
    assert request.bases == tuple((i, core.session.track(i).pattern) for i in (0, 2, 4))
    core.apply(GenerateResult(1, 1, ("----X-------X---" * 2,), (0.5,) * 32))
    routed = core.apply(Generate(1, False))  # asking again replaces that answer:
    assert len(core.session.history) == 2 and not any(
        isinstance(m, SetHistory) for _, m in routed)  # it never joins the history
    core.apply(GenerateResult(2, 1, ("------X-----X---" * 2,), (0.5,) * 32))
    core.apply(SetStep(0, 2, 64))  # the player builds on it: it was kept
    core.apply(Generate(2, True))
    assert [bar[1] for bar in core.session.history[2:]] == ["------X-----X---"] * 2
    assert core.session.history[2][0][2] == "x"


def test_the_history_weight_reaches_the_generator_and_is_checked():
    core = SessionCore(default_session())
    assert core.apply(SetHistoryWeight(0.0)) == [(To.GENERATOR, SetHistory((), 0.0))]
    with pytest.raises(ValueError, match="history weight"):
        core.apply(SetHistoryWeight(5.0))
    assert core.session.history_weight == 0.0
    assert (To.GENERATOR, SetHistory((), 0.0)) in full_state(core.session)


def test_the_history_is_capped_to_its_newest_bars():
    core = SessionCore(default_session())
    for i in range(100):
        core.apply(SetStep(0, i % 32, 64 if i % 3 else 127))
        core.apply(Generate(1, False))
    assert len(core.session.history) == 128
    assert core.session.history[-1][0] == core.session.track(0).pattern[16:]


def test_a_saved_session_reloads_its_history(tmp_path):
    core = SessionCore(default_session())
    core.apply(SetMute(4, True))
    core.apply(BasisCaptured(0, "X--x--x-X-------"))
    core.apply(Generate(1, False))
    core.apply(SetHistoryWeight(2.5))
    core.apply(SetBasisOnly(True))
    path = tmp_path / "set.json"
    save_session(core.session, path)
    loaded = load_session(path)
    assert loaded == core.session and len(loaded.history) == 3
    assert loaded.history[0][4] == "" and loaded.history_weight == 2.5 and loaded.basis_only
    assert "clap" not in json.loads(path.read_text())["history"][0]
    # The state the surfaces get leaves the history out.
    assert "history" not in json.loads(session_to_json(core.session, compact=True))


@pytest.mark.parametrize("history, message", [
    ('"x"', "history must be a list"),
    ('[{"snare": "x---"}]', "history[0].snare must be 16"),
    ('[{"kick": "x---------------"}, {"cowbell": "x---------------"}]', "history[1]"),
])
def test_a_damaged_history_names_the_bar(history, message):
    text = f'{{"format": "supertonic-session", "version": 1, "history": {history}}}'
    with pytest.raises(SessionError, match=message.replace("[", r"\[").replace("]", r"\]")):
        session_from_json(text, Path("bad.json"))
