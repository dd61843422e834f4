"""``supertonic generate`` and ``supertonic priors`` through their argparse handlers."""

import argparse
import json
import zipfile

import mido
import pytest

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
