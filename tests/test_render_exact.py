"""Renders are loop-exact: N bars are N bars to the sample, a loop joins without a
click, stems add up to the mix, and the session's low-pass is heard."""

import dataclasses

import numpy as np

from actors.engine_bridge import SCD_DIR, ensure_synthdefs
from actors.kit import Drum
from actors.messages import TRACKS
from actors.render import Ending, render_session
from actors.session import Session
from tests.audio import read_wav
from tests.live import needs_supercollider

pytestmark = needs_supercollider

RATE = 48000


def tonal(freq: float, decay: float, **more: object) -> Drum:
    """A drum without noise, so two renders of it are equal to the float."""
    return Drum(mix=0.0, osc_freq=freq, osc_dcy=decay, **more)


def ringing_session() -> Session:
    """Every track tonal, long decays that ring past the bar, choke on the hats."""
    session = Session(tempo=120).with_patterns(
        {0: "X---x-----x-X---", 1: "----X-------X--x", 2: "x-x-x-xX", 3: "-----x--", 4: "-x"})
    for track, freq in enumerate((55.0, 180.0, 900.0, 700.0, 400.0)):
        drum = tonal(freq, 0.9, mod_amt=12.0 if track == 0 else 0.0)
        session = session.with_track(track, patches=(drum, drum), choke=track in (2, 3))
    return session


def render(tmp_path, session, bars, ending=Ending.BARS, stems=None, name="out.wav"):
    out = tmp_path / name
    seconds = render_session(session, synthdefs_path(), bars, out, ending=ending, stems=stems)
    rate, audio = read_wav(out)
    assert rate == RATE and len(audio) == round(seconds * RATE)
    return audio


def synthdefs_path():
    return ensure_synthdefs((SCD_DIR / "defs",))


def test_one_bar_at_120_bpm_is_two_seconds_to_the_sample(tmp_path):
    audio = render(tmp_path, ringing_session(), 1)
    assert len(audio) == 2 * RATE
    tail = render(tmp_path, ringing_session(), 1, Ending.TAIL, name="tail.wav")
    assert len(tail) > 2 * RATE + 0.5 * RATE  # the 0.9 s decays ring past the bar
    assert np.array_equal(tail[:2 * RATE], audio)  # the same bar, and then its ring-out
    assert np.abs(tail[-100:]).max() < 1e-4  # a tail ends once the voices have


def test_a_loop_is_the_bar_as_it_sounds_played_round_and_round(tmp_path):
    bar = 2 * RATE
    loop = render(tmp_path, ringing_session(), 1, Ending.LOOP, name="loop.wav")
    plain = render(tmp_path, ringing_session(), 1, name="plain.wav")
    three = render(tmp_path, ringing_session(), 3, name="three.wav")
    assert len(loop) == bar
    # the second and third of three bars hear the ring-out of the bars before them, and
    # their chokes cut it, as the loop's start does
    assert np.allclose(loop, three[bar:2 * bar], atol=1e-6)
    assert np.allclose(loop, three[2 * bar:], atol=1e-6)
    assert not np.allclose(plain, loop, atol=1e-3)  # the fold is audible at the start
    # the join: played twice over, the loop's end runs into its start exactly as one bar
    # runs into the next
    joined = np.concatenate([loop, loop])
    assert np.allclose(joined[bar - 256:bar + 256], three[2 * bar - 256:2 * bar + 256],
                       atol=1e-6)


def test_stems_are_as_long_as_the_mix_and_add_up_to_it(tmp_path):
    session = dataclasses.replace(ringing_session(), lowpass=(2500.0, 0.4))
    mix = render(tmp_path, session, 1, Ending.TAIL, stems=tmp_path / "stems")
    total = np.zeros_like(mix)
    for name in TRACKS:
        rate, stem = read_wav(tmp_path / "stems" / f"{name}.wav")
        assert rate == RATE and stem.shape == mix.shape
        assert np.abs(stem).max() > 0.001, name
        total += stem
    assert np.allclose(total, mix, atol=1e-5)
    # the choke holds across stems: the closed hat of step 6 cuts the open hat of step 5
    # (over 2 ms, then the low-pass rings out), though the closed hat is not in this stem
    _, openhat = read_wav(tmp_path / "stems" / "openhat.wav")
    step = RATE // 8
    assert np.abs(openhat[6 * step - 500:6 * step]).max() > 0.01
    assert np.abs(openhat[6 * step + 480:13 * step]).max() < 1e-4


def test_a_render_hears_the_session_s_low_pass(tmp_path):
    session = ringing_session()
    open_ = render(tmp_path, session, 1, name="open.wav")
    closed = render(tmp_path, dataclasses.replace(session, lowpass=(300.0, 0.0)), 1,
                    name="closed.wav")
    spectrum = [np.abs(np.fft.rfft(audio[:, 0])) for audio in (open_, closed)]
    freqs = np.fft.rfftfreq(len(open_), 1 / RATE)
    hats, kick = (freqs > 600) & (freqs < 1000), freqs < 150
    # the hats (700, 900 Hz) fall by 12 dB or more an octave above the cutoff; the kick passes
    assert spectrum[1][hats].sum() < 0.25 * spectrum[0][hats].sum()
    assert spectrum[1][kick].sum() > 0.9 * spectrum[0][kick].sum()
