"""The groove on every surface: the control model's groove page (terminal, OSC keys and
encoders, norns) and the OSC surface's direct setters."""

from pathlib import Path

import pytest

from actors.groove import STYLES
from actors.messages import SetFeel, SetFollow, SetGroove
from actors.ui import Places
from actors.ui._controls import Dest, Page, Send
from actors.ui._osc import Refused, request
from tests.ui_helpers import Rig

PLACES = Places(kits=Path("/k"), sessions=Path("/s"))


def messages(actions):
    return [a.message for a in actions if isinstance(a, Send)]


def test_the_groove_page_sets_amounts_feel_seed_and_a_tracks_share(tmp_path):
    rig = Rig(tmp_path)
    rig.enc(1, int(Page.GROOVE))
    assert rig.controls.page == Page.GROOVE
    assert messages(rig.enc(3, 50)) == [SetGroove(-1, 0.5, 0.0)]
    rig.enc(2, 1)
    assert messages(rig.enc(3, 20)) == [SetGroove(-1, 0.5, 0.2)]
    rig.enc(2, 1)
    assert messages(rig.enc(3, 1)) == [SetFeel(STYLES[0], 0)]
    rig.enc(2, 1)
    assert messages(rig.enc(3, 3)) == [SetFeel(STYLES[0], 3)]
    rig.enc(2, 1)
    assert messages(rig.enc(3, 30)) == [SetFollow(0.3)]
    rig.key(1, 1)
    rig.enc(2, 1)  # K1 + E2: the snare
    rig.key(1, 0)
    rig.enc(2, 1)
    assert messages(rig.enc(3, -40)) == [SetGroove(1, 0.6, 1.0)]
    session = rig.core.session
    assert (session.groove, session.dynamics, session.feel, session.groove_seed,
            session.follow) == (0.5, 0.2, STYLES[0], 3, 0.3)
    assert (session.tracks[1].groove, session.tracks[1].dynamics) == (0.6, 1.0)
    assert [i.label for i in rig.controls.page_items(rig.view)][-2:] == [
        "snare groove", "snare dynamics"]


@pytest.mark.parametrize(("address", "args", "expected"), [
    ("/supertonic/groove", [0.75, 0.5], SetGroove(-1, 0.75, 0.5)),
    ("/supertonic/track/hihat/groove", [0.0, 1.0], SetGroove(2, 0.0, 1.0)),
    ("/supertonic/feel", ["jazz", 4.0], SetFeel("jazz", 4)),
    ("/supertonic/feel", ["", 0], SetFeel("", 0)),
    ("/supertonic/follow", [0.5], SetFollow(0.5)),
])
def test_osc_groove_addresses(address, args, expected):
    assert request(address, args, PLACES) == Send(Dest.SESSION, expected)


@pytest.mark.parametrize(("address", "args"), [
    ("/supertonic/groove", [1.5, 0.0]),
    ("/supertonic/groove", [0.5]),
    ("/supertonic/track/1/groove", [0.5, -0.1]),
    ("/supertonic/feel", ["polka", 1]),
    ("/supertonic/feel", ["funk", 1.5]),
    ("/supertonic/follow", [1.5]),
])
def test_osc_groove_refusals(address, args):
    with pytest.raises(Refused):
        request(address, args, PLACES)


def test_the_feel_offers_the_takes_in_the_kits_folder(tmp_path):
    rig = Rig(tmp_path)
    take = tmp_path / "kits" / "late.mid"
    rig.enc(1, int(Page.FILES))
    rig.controls.set_files([], [], [take])
    rig.enc(1, 1)
    assert rig.controls.page == Page.GROOVE
    rig.enc(2, 2)
    assert messages(rig.enc(3, -1)) == [SetFeel(str(take), 0)]  # before "all": the last
    items = rig.controls.page_items(rig.view)
    assert items[2].text == "late.mid"
