"""``supertonic generate`` and ``supertonic priors`` through their argparse handlers."""

import argparse
import json
import shutil
import zipfile

import mido
import pytest

from actors import kit as kits
from actors.generator import commands

PPQ = 480


def run(*argv):
    parser = argparse.ArgumentParser()
    commands.register_commands(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args([str(a) for a in argv])
    return args.func(args)


def write_groove(path, kick, snare, hat, bars=4):
    """A drum file repeating one bar of 16-step kick/snare/hat text ``bars`` times."""
    midi = mido.MidiFile(ticks_per_beat=PPQ)
    track = mido.MidiTrack()
    midi.tracks.append(track)
    now = 0
    for bar in range(bars):
        for step in range(16):
            notes = [n for n, text in ((36, kick), (38, snare), (42, hat)) if text[step] != "-"]
            tick = (bar * 16 + step) * PPQ // 4
            for i, note in enumerate(notes):
                track.append(
                    mido.Message(
                        "note_on",
                        note=note,
                        velocity=90,
                        channel=9,
                        time=(tick - now) if i == 0 else 0,
                    )
                )
                now = tick
    path.parent.mkdir(parents=True, exist_ok=True)
    midi.save(path)


@pytest.fixture
def gmd_like(tmp_path):
    """A tiny folder laid out like GMD: MIDI under drummer folders and an info.csv."""
    folder = tmp_path / "groove"
    rows = ["drummer,midi_filename,style,beat_type,time_signature,split"]
    grooves = [
        ("x-------x-------", "----x-------x---", "x-x-x-x-x-x-x-x-", "train"),
        ("x-----x---x-----", "----x-------x---", "x-x-x-x-x-x-x-x-", "train"),
        ("x---x---x---x---", "----x-------x---", "--x---x---x---x-", "train"),
        ("x-------x-x-----", "----x-------x---", "x-x-x-x-x-x-x-x-", "validation"),
    ]
    for i, (kick, snare, hat, split) in enumerate(grooves):
        name = f"drummer1/session1/{i}_rock_120_beat_4-4.mid"
        write_groove(folder / name, kick, snare, hat)
        rows.append(f"drummer1,{name},rock,beat,4-4,{split}")
    (folder / "info.csv").write_text("\n".join(rows) + "\n")
    return folder


def test_batch_answers_each_line_in_order(tmp_path, capsys):
    requests = [
        {
            "instrument": "snare",
            "basis_instrument": "kick",
            "basis": "x---x---x---x---",
            "n": 4,
            "seed": 7,
            "probs": True,
        },
        {
            "instrument": "hihat",
            "basis_instrument": "kick",
            "basis": "x-------x-x-----x-------x-x---x-",
            "seed": 1,
        },
        {"instrument": "snare", "basis_instrument": "kick", "basis": "x--"},
        {
            "instrument": "snare",
            "basis_instrument": ["kick", "hihat"],
            "basis": ["x---x---x---x---", "x-x-x-x-x-x-x-x-"],
        },
        {"instrument": "hihat", "basis_instrument": "hihat", "basis": "x-x-x-x-x-x-x-x-", "n": 2},
    ]
    batch = tmp_path / "requests.jsonl"
    batch.write_text("\n".join(json.dumps(r) for r in requests) + "\n")
    db = tmp_path / "priors.sqlite"
    assert run("generate", "--batch", batch, "--db", db) == 1  # one line was bad
    answers = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(answers) == 5
    assert len(answers[0]["patterns"]) == 4 and all(len(p) == 16 for p in answers[0]["patterns"])
    assert len(answers[0]["probs"]) == 16
    assert [len(p) for p in answers[1]["patterns"]] == [32] and "probs" not in answers[1]
    assert "16 or 32" in answers[2]["error"]
    assert len(answers[3]["patterns"]) == 1
    assert all(p.startswith("x-x-x-x-x-x-x-x-") and len(p) == 32 for p in answers[4]["patterns"])
    # Same request, same seed: the batch and the single command agree.
    assert (
        run(
            "generate",
            "--instrument",
            "snare",
            "--basis-instrument",
            "kick",
            "--basis",
            "x---x---x---x---",
            "--n",
            4,
            "--seed",
            7,
            "--db",
            db,
            "--json",
        )
        == 0
    )
    assert json.loads(capsys.readouterr().out)["patterns"] == answers[0]["patterns"]


def test_generate_prints_patterns_and_probabilities(tmp_path, capsys):
    db = tmp_path / "priors.sqlite"
    assert (
        run(
            "generate",
            "--instrument",
            "clap",
            "--basis-instrument",
            "kick",
            "--basis",
            "X---X---X---X---",
            "--n",
            2,
            "--probs",
            "--db",
            db,
        )
        == 0
    )
    *patterns, probs = capsys.readouterr().out.splitlines()
    assert len(patterns) == 2 and all(len(p) == 16 for p in patterns)
    assert len(probs.split()) == 16


def test_build_info_and_eval_on_a_gmd_like_folder(gmd_like, tmp_path, capsys):
    db = tmp_path / "train.sqlite"
    assert (
        run("priors", "build", "--midi", gmd_like, "--split", "train", "--starter", "--out", db)
        == 0
    )
    assert run("priors", "info", "--db", db) == 0
    out = capsys.readouterr().out
    assert "12 bars" in out or "bars:        " in out
    assert "starter corpus" in out and "(train)" in out
    assert (
        run("priors", "eval", "--midi", gmd_like, "--split", "validation", "--db", db, "--json")
        == 0
    )
    scores = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(scores) == 20
    kick_snare = next(s for s in scores if (s["basis"], s["target"]) == ("kick", "snare"))
    assert kick_snare["bars"] == 4 and kick_snare["no_result"] == 0
    assert kick_snare["nll"] < 0.5  # a backbeat over a rock kick is what the store knows


def test_fetch_downloads_a_zip_and_builds_from_it(gmd_like, tmp_path, capsys):
    archive = tmp_path / "groove-v1.0.0-midionly.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for path in gmd_like.rglob("*"):
            if path.is_file():
                zipped.write(path, path.relative_to(gmd_like.parent))
    out = tmp_path / "gmd.sqlite"
    assert run("priors", "fetch", "--url", archive.as_uri(), "--out", out) == 0
    assert "built" in capsys.readouterr().out
    assert run("priors", "info", "--db", out) == 0
    info = capsys.readouterr().out
    assert "Groove MIDI Dataset" in info and "16" in info  # 4 files x 4 bars


def test_fetch_reports_an_unreachable_url(tmp_path, capsys):
    assert (
        run(
            "priors", "fetch", "--url", (tmp_path / "missing.zip").as_uri(), "--out", tmp_path / "x"
        )
        == 1
    )
    assert "cannot get" in capsys.readouterr().err


def test_build_needs_a_source(tmp_path, capsys):
    assert run("priors", "build", "--out", tmp_path / "x.sqlite") == 2


STEP_8 = {"kick": "X---x---X---x---", "snare": "-------x--------"}


def test_history_file_pulls_the_snare_toward_the_sessions_own(tmp_path, capsys):
    db = tmp_path / "priors.sqlite"
    history = tmp_path / "history.jsonl"
    history.write_text("\n".join(json.dumps(STEP_8) for _ in range(16)) + "\n")
    ask = ["generate", "--instrument", "snare", "--basis-instrument", "kick"]
    ask += ["--basis", "X---x---X---x---", "--seed", 1, "--db", db, "--json", "--probs"]
    assert run(*ask) == 0
    before = json.loads(capsys.readouterr().out)
    assert run(*ask, "--history", history) == 0
    after = json.loads(capsys.readouterr().out)
    assert before["probs"][7] < 0.2 < 0.8 < after["probs"][7]


def test_a_bad_history_line_names_file_and_line_and_nothing_is_generated(tmp_path, capsys):
    history = tmp_path / "history.jsonl"
    history.write_text(json.dumps(STEP_8) + "\n\n" + '{"snare": "not a pattern"}\n')
    ask = ["generate", "--instrument", "snare", "--basis-instrument", "kick"]
    code = run(
        *ask, "--basis", "X---x---X---x---", "--db", tmp_path / "p.sqlite", "--history", history
    )
    captured = capsys.readouterr()
    assert code == 1 and captured.out == ""
    assert f"{history}:3:" in captured.err and "16 or all 32" in captured.err


def test_batch_history_conditions_its_own_line_only(tmp_path, capsys):
    request = {"instrument": "snare", "basis_instrument": "kick", "basis": "X---x---X---x---"}
    request |= {"seed": 1, "probs": True}
    lines = [
        request,
        {**request, "history": [STEP_8] * 16},
        {**request, "history": [STEP_8, {"kick": "x---"}]},
        {**request, "history": [{"cowbell": "x" * 16}]},
        request,
    ]
    batch = tmp_path / "requests.jsonl"
    batch.write_text("\n".join(json.dumps(r) for r in lines) + "\n")
    assert run("generate", "--batch", batch, "--db", tmp_path / "p.sqlite") == 1
    answers = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert answers[0]["probs"][7] < 0.2 < 0.8 < answers[1]["probs"][7]
    assert answers[2]["error"].startswith(f"{batch}:3: history bar 2:")
    assert f"{batch}:4: history bar 1: unknown track(s) cowbell" in answers[3]["error"]
    assert answers[4] == answers[0]


def test_eval_scores_the_later_bars_with_the_first_as_history(gmd_like, tmp_path, capsys):
    db = tmp_path / "train.sqlite"
    assert run("priors", "build", "--midi", gmd_like, "--split", "train", "--out", db) == 0
    capsys.readouterr()
    ask = ["priors", "eval", "--midi", gmd_like, "--split", "validation", "--db", db, "--json"]
    assert run(*ask, "--history-bars", 3) == 0
    scores = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    kick_snare = next(s for s in scores if (s["basis"], s["target"]) == ("kick", "snare"))
    assert kick_snare["bars"] == 1  # the 4-bar take: 3 as history, 1 scored


def test_a_players_library_merges_into_a_store_and_changes_info_and_answers(tmp_path, capsys):
    db = tmp_path / "priors.sqlite"
    assert run("priors", "build", "--starter", "--out", db) == 0
    ask = ["generate", "--instrument", "snare", "--basis-instrument", "kick"]
    ask += ["--basis", "X---x---X---x---", "--seed", 1, "--db", db, "--json", "--probs"]
    assert run(*ask) == 0
    assert run("priors", "info", "--db", db) == 0
    before = capsys.readouterr().out
    library = tmp_path / "my grooves"
    for i in range(3):
        write_groove(
            library / f"{i}.mid", "X---x---X---x---", "-------x--------", "x-x-x-x-x-x-x-x-"
        )
    assert run("priors", "build", "--midi", library, "--add-to", db, "--weight", 4) == 0
    assert run("priors", "info", "--db", db) == 0
    info = capsys.readouterr().out
    assert "source:      starter corpus:" in before and "source:      library" not in before
    step_8 = json.loads(before.splitlines()[1])["probs"][7]
    assert f"source:      library MIDI {library}: 3 songs/patterns, 12 bars, weight 4" in info
    assert "starter corpus:" in info  # what the store held is kept
    assert run(*ask) == 0
    after = json.loads(capsys.readouterr().out)
    assert after["probs"][7] > step_8 + 0.1  # the library's snare pulls toward step 8


def test_a_library_with_no_drum_notes_is_refused_and_the_store_kept(tmp_path, capsys):
    db = tmp_path / "priors.sqlite"
    assert run("priors", "build", "--starter", "--out", db) == 0
    stored = db.read_bytes()
    library = tmp_path / "silence"
    library.mkdir()
    midi = mido.MidiFile(ticks_per_beat=PPQ)
    midi.tracks.append(mido.MidiTrack([mido.MetaMessage("set_tempo", tempo=500000)]))
    midi.save(library / "empty.mid")
    capsys.readouterr()
    assert run("priors", "build", "--midi", library, "--add-to", db) == 1
    assert f"MIDI {library} holds no drum bars" in capsys.readouterr().err
    assert db.read_bytes() == stored


def test_a_players_presets_merge_as_a_library_too(tmp_path, capsys):
    db = tmp_path / "priors.sqlite"
    assert run("priors", "build", "--starter", "--out", db) == 0
    presets = tmp_path / "presets"
    presets.mkdir()
    shutil.copy(kits.__path__[0] + "/default.mtpreset", presets / "mine.mtpreset")
    assert run("priors", "build", "--presets", presets, "--add-to", db) == 0
    assert run("priors", "info", "--db", db) == 0
    info = capsys.readouterr().out
    assert f"source:      library presets {presets}: " in info and "weight 8" in info
