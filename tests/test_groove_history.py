"""The groove model's history terms: what a take's earlier bars move an answer by, on
the shipped model (built from GMD train), and stores written before the later terms."""

import json
import warnings

import apsw
import numpy as np
import pytest

from actors.groove import Played, answer, load_model, write
from actors.groove._model import MATCHED, OLD_TERMS, TERMS, history_features, nanmedian
from actors.groove._store import SHIPPED
from actors.messages import TRACKS

KICK = np.array([c == "x" for c in "x-----x-x-------"])
SNARE = np.array([c == "x" for c in "----x-------x---"])
HAT = np.array([c == "x" for c in "x-x-x-x-x-x-x-x-"])


def figure() -> np.ndarray:
    pattern = np.zeros((len(TRACKS), 16), np.int8)
    for name, steps in (("kick", KICK), ("snare", SNARE), ("hihat", HAT)):
        pattern[TRACKS.index(name)] = steps
    return pattern


def take(template: np.ndarray, bars: int, late_last: float) -> list[Played]:
    """``bars`` bars of :func:`figure` played on ``template``; the last ``late_last`` ms
    later."""
    played = figure() > 0
    out = []
    for b in range(bars):
        offset = np.where(played, template + (late_last if b == bars - 1 else 0.0), np.nan)
        out.append(Played(offset, np.where(played, 90.0, np.nan)))
    return out


@pytest.fixture(scope="module")
def shipped():
    return load_model(SHIPPED)


def test_the_latest_hits_say_where_the_take_is_now(shipped):
    history = take(shipped.template_offset, 9, 20.0)
    base = np.where(figure() > 0, shipped.template_offset, np.nan)
    features = history_features(np.stack([h.offset for h in history]), base,
                                shipped.template_offset)
    hits = figure()[:MATCHED] > 0
    for term in (9, 10, 11, 13):  # the latest hits' lean, and the last (most alike) bar
        assert features[:MATCHED][hits, term] == pytest.approx(20.0)
    assert features[:MATCHED][hits, 14] == pytest.approx(20.0 / 8)


def test_a_take_that_turns_late_pulls_the_answer_late(shipped):
    steady = answer(shipped, figure(), 100.0, take(shipped.template_offset, 9, 0.0))
    turned = answer(shipped, figure(), 100.0, take(shipped.template_offset, 9, 20.0))
    hits = figure() > 0
    moved = (turned.offset - steady.offset)[hits]
    assert moved.min() > 6.0, moved  # the first nine terms alone: 0.12 ms
    assert moved.max() < 20.0


def test_a_store_with_the_first_nine_terms_answers_as_it_did(shipped, tmp_path):
    path = tmp_path / "old.groove.sqlite"
    write(path, shipped, "written with nine history terms")
    db = apsw.Connection(str(path))
    for key, weights in (("history_offset", shipped.history_offset),
                         ("history_velocity", shipped.history_velocity)):
        old = json.dumps({"weights": list(weights.weights[:OLD_TERMS])})
        db.execute("UPDATE meta SET value = ? WHERE key = ?", (old, key))
    db.close()
    old = load_model(path)
    assert old.history_offset.weights == (*shipped.history_offset.weights[:OLD_TERMS],
                                          *(0.0,) * (TERMS - OLD_TERMS))
    history = take(shipped.template_offset, 9, 20.0)
    first_nine = np.array(old.history_offset.weights)
    got = answer(old, figure(), 100.0, history).offset
    base = shipped.predict(figure()[None], np.array([100.0])).offset[0]
    features = history_features(np.stack([h.offset for h in history]), base,
                                old.template_offset)
    assert np.allclose(got, base + features[..., :OLD_TERMS] @ first_nine[:OLD_TERMS],
                       equal_nan=True)


@pytest.mark.parametrize("shape, axis", [((1, 64, 5, 16), 1), ((40, 5, 16), 0), ((5, 4, 24), -1)])
def test_medians_are_numpys_nanmedians(shape, axis):
    rng = np.random.default_rng(7)
    values = rng.normal(0, 20, shape).astype(np.float32)
    values[rng.random(shape) < 0.7] = np.nan
    np.moveaxis(values, axis, -1)[(0,) * (len(shape) - 1)] = np.nan  # a position no bar has
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN positions
        expected = np.nanmedian(values, axis=axis)
    assert np.isnan(expected).any() and not np.isnan(expected).all()
    assert np.array_equal(nanmedian(values, axis), expected, equal_nan=True)
