"""Chapter 8's experiments (lstm_helpers.chapters.real_text) against references computed directly."""

import dataclasses

import numpy as np
import pytest
import torch

from lstm_helpers import charlm
from lstm_helpers.chapters import real_text


@pytest.fixture(scope="module")
def lstm():
    torch.manual_seed(0)
    return charlm.CharLM("lstm", hidden_size=12, embed_size=4).eval()


def test_cell_states_match_nn_lstm_step_by_step(lstm):
    snippet = "x = [1, (2 + 3)]\n"
    ids, state, ref = charlm.encode("\n" + snippet), None, []
    with torch.no_grad():
        for t in range(len(snippet)):  # reference: nn.LSTM one character at a time, its own c
            _, state = lstm(ids[None, t : t + 1], state)
            ref.append(state[1][0, 0].numpy().copy())
    np.testing.assert_allclose(real_text.cell_states(lstm, snippet), np.stack(ref), atol=1e-5)
    with pytest.raises(ValueError, match="LSTM"):
        real_text.cell_states(charlm.CharLM("rnn", 4), snippet)


def test_structure_features_by_hand():
    snippet = 'f(a, "b(")\n  x'
    f = real_text.structure_features(snippet)
    #                        f  (  a  ,     "  b  (  "  )  \n    x
    depth = np.array([0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0])
    string = np.array([0, 0, 0, 0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0])  # up to the closing quote
    np.testing.assert_array_equal(f["bracket depth"], depth)
    np.testing.assert_array_equal(f["inside a string"], string)
    np.testing.assert_array_equal(f["column"], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 0, 1, 2])


def test_gap_curve_bins_by_hand():
    closers = charlm.Closers(np.array([5, 30, 40, 300]), np.array([0, 0, 35, 0]), [")"] * 4)
    closers.prob = np.array([0.5, 0.2, 0.4, 0.1])  # distances 5, 30, 5, 300
    curve = real_text.gap_curve(closers, (1, 10, 100, 1000))
    assert curve["count"] == [2, 1, 1]
    assert curve["mean"] == pytest.approx([0.45, 0.2, 0.1])


def test_context_curve_scores_each_window_from_a_zero_state(lstm):
    s = dataclasses.replace(real_text.SETTINGS, context_positions=5)
    test = charlm.corpus("test")[:3000]
    got = real_text.context_curve(lstm, test, (3, 150), s)
    targets = np.sort(np.random.default_rng(s.seed).choice(np.arange(151, len(test)), 5, replace=False))
    ids = charlm.encode(test)
    for k, bits in zip((3, 150), got):  # reference: one window at a time through forward()
        with torch.no_grad():
            logits = [lstm(ids[None, t - k : t])[0][0, -1] for t in targets]  # (V,) each
            ref = [-torch.log_softmax(z, -1)[ids[t]].item() for z, t in zip(logits, targets)]
        assert bits == pytest.approx(np.mean(ref) / np.log(2), rel=1e-5)


def test_best_units_finds_a_planted_unit():
    gen = np.random.default_rng(0)
    feature = np.repeat([0.0, 1.0, 0.0, 1.0], 50)
    acts = gen.normal(size=(200, 6))
    acts[:, 4] = -2 * feature + 0.1 * gen.normal(size=200)
    unit, r = real_text.best_units(acts, {"f": feature})["f"]
    assert unit == 4 and r < -0.95


def test_unit_html_shows_each_value_on_hover():
    page = real_text.unit_html("a(\nb", np.array([0.5, -1.0, 0.0, 0.25]), "cell 3")
    assert page.count("<span") == 4 and 'title="cell 3: -1.00"' in page and "&#x27;" not in page
    with pytest.raises(ValueError, match="len"):
        real_text.unit_html("ab", np.array([1.0]), "x")


def test_ngram_table_picks_the_order_on_validation():
    s = dataclasses.replace(real_text.SETTINGS, ngram_orders=(1, 2, 3))
    table = real_text.ngram_table(s)
    assert list(table) == [1, 2, 3] and table[1][0] > table[2][0] > table[3][0]
    assert real_text.best_order(s) == 3
