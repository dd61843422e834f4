"""The folders the files page lists."""

from actors.session import DEFAULT_KIT
from actors.ui._files import Places, list_files


def test_listing_puts_the_default_kit_first_and_tolerates_missing_folders(tmp_path):
    places = Places(kits=tmp_path / "kits", sessions=tmp_path / "sessions")
    assert list_files(places) == ((DEFAULT_KIT,), ())
    places.kits.mkdir()
    places.sessions.mkdir()
    for name in ("b.mtpreset", "a.MTPG", "notes.txt"):
        (places.kits / name).write_text("")
    for name in ("session-02.json", "session-01.json", "x.tmp"):
        (places.sessions / name).write_text("")
    kits_found, sessions = list_files(places)
    assert [p.name for p in kits_found] == ["default.mtpreset", "a.MTPG", "b.mtpreset"]
    assert [p.name for p in sessions] == ["session-01.json", "session-02.json"]
