"""The groove model through ``supertonic priors build`` and ``supertonic groove``, on a
tiny corpus of drum takes written with mido whose timing and dynamics are known."""

import json
import subprocess
import sys
from pathlib import Path

import mido
import numpy as np
import pytest

from actors.groove import GrooveStoreError, load_model, read_take
from actors.groove._store import SHIPPED

PPQ = 480
BPM = 100
STEP_MS = 60000 / BPM / 4
KICK, SNARE, HAT = "x-------x-------", "----X-------X---", "x-x-x-x-x-x-x-x-"
LATE = {36: 12.0, 38: -8.0, 42: 4.0}
"""Each drum's lean in the corpus, ms; the hat on even 8ths also plays softer."""


def write_take(path: Path, bars: int = 8, jitter: float = 3.0, seed: int = 0,
               notes: tuple[int, ...] = (36, 38, 42), lean: float = 0.0) -> None:
    """A take of KICK, SNARE and HAT with each drum's :data:`LATE` plus the take's own
    ``lean`` and some jitter."""
    rng = np.random.default_rng(seed)
    events = []
    for bar in range(bars):
        for step in range(16):
            for note, text in ((36, KICK), (38, SNARE), (42, HAT)):
                if text[step] == "-" or note not in notes:
                    continue
                ms = LATE[note] + lean + rng.normal(0, jitter)
                tick = round((bar * 16 + step + ms / STEP_MS) * PPQ / 4)
                velocity = 110 if text[step] == "X" else 40 if step % 8 == 4 else 80
                events.append((max(tick, 0), note, velocity))
    midi = mido.MidiFile(ticks_per_beat=PPQ)
    track = mido.MidiTrack()
    midi.tracks.append(track)
    track.append(mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(BPM), time=0))
    now = 0
    for tick, note, velocity in sorted(events):
        track.append(mido.Message("note_on", note=note, velocity=velocity, channel=9,
                                  time=tick - now))
        now = tick
    path.parent.mkdir(parents=True, exist_ok=True)
    midi.save(path)


def supertonic(*argv, stdin=None):
    return subprocess.run([sys.executable, "-m", "actors", *map(str, argv)], input=stdin,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    folder = tmp_path_factory.mktemp("takes")
    for i, lean in enumerate((-9.0, -3.0, 3.0, 9.0)):  # a take's lean: what history tells
        write_take(folder / f"session{i}" / f"take{i}.mid", seed=i, lean=lean)
    out = folder / "priors.sqlite"
    done = supertonic("priors", "build", "--midi", folder / "", "--out", out)
    assert done.returncode == 0, done.stderr
    groove = out.with_name("priors.groove.sqlite")
    assert groove.exists(), done.stdout
    return groove


def test_a_take_reads_with_its_offsets_and_velocities(tmp_path):
    write_take(tmp_path / "t.mid", bars=2, jitter=0.0)
    take = read_take(tmp_path / "t.mid")
    assert take is not None and take.bpm == pytest.approx(BPM)
    assert take.offset[0, 0, 0] == pytest.approx(12.0, abs=0.63)  # kick late (a tick is 1.25 ms)
    assert take.offset[1, 1, 4] == pytest.approx(-8.0, abs=0.63)  # snare early
    assert take.velocity[0, 2, 4] == 40 and take.velocity[0, 2, 2] == 80


def batch(store, tmp_path, lines):
    requests = tmp_path / "requests.jsonl"
    requests.write_text("\n".join(lines) + "\n")
    done = supertonic("groove", "--batch", requests, "--store", store)
    return done, [json.loads(line) for line in done.stdout.splitlines()]


def test_batch_answers_the_learned_timing_at_exactly_the_hits(store, tmp_path):
    request = {"bpm": BPM, "tracks": {"kick": KICK, "snare": SNARE, "hihat": HAT},
               "sample": False}
    done, answers = batch(store, tmp_path, [json.dumps(request)])
    assert done.returncode == 0, done.stderr
    (answer,) = answers
    for name, text in (("kick", KICK), ("snare", SNARE), ("hihat", HAT), ("openhat", "-" * 16)):
        offsets, velocities = answer["offset_ms"][name], answer["velocity"][name]
        assert [o is not None for o in offsets] == [c != "-" for c in text]
        assert [v is not None for v in velocities] == [c != "-" for c in text]
    kick = [o for o in answer["offset_ms"]["kick"] if o is not None]
    snare = [o for o in answer["offset_ms"]["snare"] if o is not None]
    assert np.median(kick) == pytest.approx(12.0, abs=4)
    assert np.median(snare) == pytest.approx(-8.0, abs=4)
    hat = answer["velocity"]["hihat"]
    assert hat[4] < 60 < hat[2]  # softer where the drummer played softer
    assert all(1 <= v <= 127 for row in answer["velocity"].values() for v in row if v)


def test_a_draw_is_seeded_and_varies(store, tmp_path):
    request = {"bpm": BPM, "tracks": {"kick": KICK, "hihat": HAT}, "sample": True}
    lines = [json.dumps({**request, "seed": s}) for s in (1, 1, 2)]
    done, (a, b, c) = batch(store, tmp_path, lines)
    assert done.returncode == 0, done.stderr
    assert a == b
    assert a != c


def test_history_moves_the_answer_toward_the_take(store, tmp_path):
    bar = {"bpm": BPM, "hits": [{"track": "kick", "step": s, "offset_ms": 30.0,
                                 "velocity": 100} for s in (0, 8)]}
    request = {"bpm": BPM, "tracks": {"kick": KICK}, "sample": False}
    done, (plain, followed) = batch(store, tmp_path, [
        json.dumps(request), json.dumps({**request, "history": [bar] * 8})])
    assert done.returncode == 0, done.stderr
    assert followed["offset_ms"]["kick"][0] > plain["offset_ms"]["kick"][0] + 3


def test_bad_lines_are_named_and_the_rest_answered(store, tmp_path):
    good = json.dumps({"bpm": BPM, "tracks": {"kick": KICK}})
    impossible = json.dumps({"bpm": BPM, "tracks": {"kick": KICK}, "history": [
        {"bpm": BPM, "hits": [{"track": "kick", "step": 0, "offset_ms": 900,
                               "velocity": 90}]}]})
    done, answers = batch(store, tmp_path, ["{not json", impossible,
                                            json.dumps({"bpm": 5, "tracks": {}}), good])
    assert done.returncode == 1
    assert answers[0]["error"].startswith("line 1:")
    assert answers[1]["error"].startswith("line 2:") and "offset_ms" in answers[1]["error"]
    assert "history[0].hits[0]" in answers[1]["error"]
    assert answers[2]["error"].startswith("line 3:") and "bpm" in answers[2]["error"]
    assert answers[3]["offset_ms"]["kick"][0] is not None


def test_a_folder_without_drum_notes_is_refused_by_name(tmp_path):
    folder = tmp_path / "keys"
    write_take(folder / "piano.mid", notes=())
    done = supertonic("priors", "build", "--midi", folder, "--out", tmp_path / "p.sqlite")
    assert done.returncode == 1
    assert "nothing to build from" in done.stderr, done.stderr


def test_a_damaged_store_is_refused(tmp_path):
    bad = tmp_path / "bad.groove.sqlite"
    bad.write_bytes(b"not a database" * 100)
    with pytest.raises(GrooveStoreError, match=r"bad\.groove\.sqlite"):
        load_model(bad)


@pytest.mark.skipif(not SHIPPED.exists(), reason="no shipped groove model in this checkout")
def test_the_shipped_model_answers_without_any_download():
    model = load_model()
    assert len(model.style) > 10000  # GMD train's bars
