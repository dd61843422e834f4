"""Reading MIDI and kits into bars, and the SQLite prior store (built and read through apsw)."""

import logging
from pathlib import Path

import apsw
import mido
import numpy as np
import pytest

from actors.generator._build import build, build_starter, midi_sources, open_store
from actors.generator._midi import read_song
from actors.generator._patterns import Bar, parse
from actors.generator._presets import kit_sources, track_channels
from actors.generator._store import StoreError, read
from actors.kit import Channel, Drum, Kit, Pattern

PPQ = 480
SIXTEENTH = PPQ // 4


def write_midi(path, hits, numerator=4, ppq=PPQ, channel=9):
    """A one-track drum file; ``hits`` are (tick, note, velocity)."""
    midi = mido.MidiFile(ticks_per_beat=ppq)
    track = mido.MidiTrack()
    midi.tracks.append(track)
    track.append(mido.MetaMessage("time_signature", numerator=numerator, denominator=4))
    events = []
    for tick, note, velocity in hits:
        events.append(
            (tick, mido.Message("note_on", note=note, velocity=velocity, channel=channel))
        )
        events.append((tick + 30, mido.Message("note_off", note=note, channel=channel)))
    now = 0
    for tick, message in sorted(events, key=lambda e: e[0]):
        track.append(message.copy(time=tick - now))
        now = tick
    path.parent.mkdir(parents=True, exist_ok=True)
    midi.save(path)


def steps(pattern, note, velocity=80, bar=0, early=0):
    """Hits for each non-rest step of a 16-step pattern, ``early`` ticks ahead of the grid."""
    return [
        ((bar * 16 + i) * SIXTEENTH - early if bar * 16 + i else 0, note, velocity)
        for i, c in enumerate(pattern)
        if c != "-"
    ]


def test_midi_bars_map_notes_to_the_five_tracks(tmp_path):
    path = tmp_path / "groove.mid"
    write_midi(
        path,
        # bar 0: stick hats, kick, ghost and backbeat snare, open hat
        steps("x-------x-------", 36, 70)
        + steps("----x-------x---", 38, 110)
        + steps("-------x--------", 38, 20)
        + steps("x-x-x-x-x-x-x---", 42, 60, early=25)  # played ahead: still snaps to its step
        + steps("--------------x-", 46, 90)
        + steps("----x-------x---", 44, 50)
        # bar 1: the ride keeps time over the foot's 2 and 4
        + steps("x---x---x---x---", 51, 70, bar=1)
        + steps("----x-------x---", 44, 50, bar=1)
        # bar 3 (bar 2 is empty): only the pedal keeps time
        + steps("x---x---x---x---", 44, 50, bar=3),
    )
    song = read_song(path)
    assert song is not None and sorted(song.bars) == [0, 1, 3]
    kick, snare, hihat, openhat, clap = song.bars[0]
    assert kick == parse("x-------x-------")[0]
    assert snare == parse("----X--x----X---")[0]  # velocity >= 100 is an accent
    assert hihat == parse("x-x-x-x-x-x-x---")[0]
    assert openhat == parse("--------------x-")[0]
    assert clap == parse("----X-------X---")[0]  # GMD has no claps: the loud backbeat
    assert song.bars[1][2] == parse("x---x---x---x---")[0]
    assert song.bars[3][2] == parse("x---x---x---x---")[0]


def test_the_time_line_is_the_cymbal_played_on_most_steps(tmp_path):
    path = tmp_path / "cymbals.mid"
    write_midi(
        path,
        # bar 0: one stick "chick" on the one while the foot keeps eighths
        steps("x---------------", 42, 60)
        + steps("x-x-x-x-x-x-x-x-", 44, 50)
        # bar 1: a chorus ridden on the crash over the foot's 2 and 4
        + steps("x-x-x-x-x-x-x-x-", 49, 90, bar=1)
        + steps("----x-------x---", 44, 50, bar=1)
        # bar 2: stray stick hats under a ride pattern
        + steps("-x-----x--------", 42, 40, bar=2)
        + steps("x-x-x-x-x-x-x-x-", 51, 70, bar=2)
        # bar 3: a tie goes to the hands, stick hats first
        + steps("x---x---x---x---", 51, 70, bar=3)
        + steps("--x---x---x---x-", 42, 60, bar=3),
    )
    song = read_song(path)
    assert song is not None
    assert [song.bars[b][2] for b in range(4)] == [
        parse(p)[0] for p in ("x-x-x-x-x-x-x-x-", "x-x-x-x-x-x-x-x-", "x-x-x-x-x-x-x-x-")
    ] + [parse("--x---x---x---x-")[0]]


def test_real_claps_are_used_when_a_file_has_them(tmp_path):
    path = tmp_path / "claps.mid"
    write_midi(path, steps("----x-------x---", 38, 120) + steps("----x-----x-x---", 39, 90))
    song = read_song(path)
    assert song is not None
    assert song.bars[0][4] == parse("----x-----x-x---")[0]


def test_non_4_4_files_are_skipped_and_other_channels_read_when_10_is_unused(tmp_path):
    write_midi(tmp_path / "waltz.mid", steps("x---x---x---", 36), numerator=3)
    assert read_song(tmp_path / "waltz.mid") is None
    write_midi(tmp_path / "daw.mid", steps("x---x---x---x---", 36), channel=0)
    song = read_song(tmp_path / "daw.mid")
    assert song is not None and song.bars[0][0].hits == parse("x---x---x---x---")[0].hits


def test_gmd_style_folder_uses_info_csv_for_split_and_beats(tmp_path):
    for name in ("a", "b", "c"):
        write_midi(tmp_path / f"{name}.mid", steps("x---x---x---x---", 36))
    (tmp_path / "info.csv").write_text(
        "midi_filename,style,beat_type,time_signature,split\n"
        "a.mid,rock,beat,4-4,train\nb.mid,funk,fill,4-4,train\nc.mid,rock,beat,4-4,validation\n"
    )
    assert [s.name for s in midi_sources(tmp_path, "train")] == ["a.mid"]
    assert [s.name for s in midi_sources(tmp_path)] == ["a.mid", "c.mid"]
    with pytest.raises(ValueError, match="no MIDI files"):
        midi_sources(tmp_path / "nowhere")


def test_store_round_trip_keeps_bars_order_and_loops(tmp_path):
    write_midi(
        tmp_path / "song.mid",
        steps("x-------x-------", 36) + steps("x---x---x---x---", 36, bar=1),
    )
    sources = midi_sources(tmp_path)
    path = tmp_path / "store.sqlite"
    build(path, sources, "tiny test corpus")
    store = read(path)
    assert store.meta["description"] == "tiny test corpus"
    assert store.meta["bars"] == "2"
    assert list(store.corpus.hits[:, 0]) == [
        parse(p)[0].hits for p in ("x-------x-------", "x---x---x---x---")
    ]
    assert list(store.corpus.following) == [1, -1]  # a song does not loop
    assert list(store.corpus.source) == [0, 0] and store.corpus.kinds == ("midi",)
    db = apsw.Connection(str(path))
    tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert tables == {"meta", "sources", "bars"}


def test_starter_store_loops_each_groove(tmp_path):
    path = tmp_path / "starter.sqlite"
    build_starter(path)
    corpus = read(path).corpus
    assert len(corpus) > 300
    following = corpus.following
    index = np.arange(len(corpus))
    assert (following[following] == index).all()  # every groove loops, in one or two bars
    assert (following == index).any() and (following != index).any()


def test_corrupt_store_is_moved_aside_and_rebuilt_with_a_message(tmp_path, caplog):
    path = tmp_path / "priors.sqlite"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError):
        read(path)
    with caplog.at_level(logging.WARNING):
        store = open_store(path)
    assert "unusable" in caplog.text and "starter corpus" in caplog.text
    assert (tmp_path / "priors.sqlite.corrupt").read_bytes().startswith(b"this is not")
    assert store.meta["description"] == "starter corpus"


def test_missing_store_is_built_with_a_message(tmp_path, caplog):
    path = tmp_path / "cache" / "priors.sqlite"
    with caplog.at_level(logging.WARNING):
        store = open_store(path)
    assert f"no prior store at {path}" in caplog.text
    assert len(store.corpus) > 300 and path.exists()


def test_store_of_another_schema_is_refused(tmp_path):
    path = tmp_path / "old.sqlite"
    build_starter(path)
    db = apsw.Connection(str(path))
    db.execute("UPDATE meta SET value = '0' WHERE key = 'schema'")
    db.close()
    with pytest.raises(StoreError, match="schema"):
        read(path)


def _channel(triggers, accents="-" * 16):
    return Channel(triggers=triggers.replace("x", "#"), accents=accents.replace("x", "#"))


def test_kit_channels_follow_drum_names_and_chains_loop():
    drums = [Drum(name=n) for n in ("SC BD Toxyk", "Conga", "(CH) Tom", "VT-808 CP")] + [
        Drum() for _ in range(4)
    ]
    empty = Pattern()
    kick, clap, hat = (
        _channel("x---x---x---x---"),
        _channel("----x-------x---"),
        _channel("x-x-x-x-x-x-x-x-"),
    )
    full = tuple([kick, _channel("x" * 16), hat, clap] + [Channel()] * 4)
    patterns = [
        Pattern(chained=True, channels=full),
        Pattern(channels=full),
        Pattern(length=12, channels=full),
    ]
    patterns += [empty] * 9
    kit = Kit(drums=tuple(drums), patterns=tuple(patterns))
    assert track_channels(kit) == (0, None, 2, None, 3)
    (source,) = kit_sources(kit, "test")
    assert source.loops and sorted(source.bars) == [0, 1]  # a chained to b; c is not 16 steps
    tracks = source.bars[0]
    assert tracks[1] is None and tracks[3] is None  # no snare or open hat: unknown, not silent
    assert tracks[4] == Bar(parse("----x-------x---")[0].hits)


def test_unnamed_kits_are_read_in_channel_order():
    assert track_channels(Kit()) == (0, 1, 2, 3, 4)


def test_shared_presets_build_a_store(tmp_path):
    folder = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "mtpg"
    if not folder.is_dir():
        pytest.skip("../shared/data/mtpg (Microtonic pattern files) is not present")
    from actors.generator._build import preset_sources

    sources = preset_sources(folder)
    build(tmp_path / "kits.sqlite", sources, "kits")
    corpus = read(tmp_path / "kits.sqlite").corpus
    assert len(corpus) >= 20
    assert (corpus.hits[:, 0] > 0).any() and (corpus.hits[:, 4] == -1).any()
