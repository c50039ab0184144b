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
    distance = np.array([5, 30, 5, 300])
    curve = real_text.gap_curve(distance, np.array([0.5, 0.2, 0.4, 0.1]), (1, 10, 100, 1000, 2000))
    assert curve["count"] == [2, 1, 1, 0]
    assert curve["mean"][:3] == pytest.approx([0.45, 0.2, 0.1]) and np.isnan(curve["mean"][3])
    assert curve["low"][1] == curve["high"][1] == 0.2  # one closer: every resample is the same
    assert 0.4 <= curve["low"][0] <= 0.45 <= curve["high"][0] <= 0.5


def test_gap_curve_interval_matches_the_normal_approximation():
    # reference: for many closers the bootstrap interval of a mean is mean +- 1.96 sd / sqrt(n)
    values = np.random.default_rng(1).uniform(size=2000)
    curve = real_text.gap_curve(np.full(2000, 5), values, (1, 10), n_boot=2000)
    half = 1.96 * values.std() / np.sqrt(len(values))
    assert curve["high"][0] - curve["mean"][0] == pytest.approx(half, rel=0.15)
    assert curve["mean"][0] - curve["low"][0] == pytest.approx(half, rel=0.15)


def test_closer_scores_split_when_from_which():
    text = "f(a) + 'b'"
    closers = charlm.find_closers(text)  # ")" at 3, the quote at 9
    probs = np.zeros(len(text))
    probs[[3, 9]] = [0.3, 0.2]
    closing = np.zeros((len(text), len(real_text.CLOSING)))
    closing[3, :3] = [0.3, 0.1, 0.2]  # ) ] }: some bracket 0.6
    closing[9, 3:] = [0.2, 0.6]  # ' ": some quote 0.8
    got = real_text.closer_scores(closers, probs, closing)
    assert list(got["family"]) == ["brackets", "quotes"]
    np.testing.assert_allclose(got["some"], [0.6, 0.8])
    np.testing.assert_allclose(got["which"], [0.5, 0.25])
    np.testing.assert_allclose(got["right"], [0.3, 0.2])


def test_depth_profile_by_hand():
    depth = np.array([0, 0, 1, 2, 2, 5])
    profile = real_text.depth_profile(np.array([-1.0, -3.0, 2.0, 1.0, 3.0, 4.0]), depth, max_depth=2)
    assert profile["depth"] == [0, 1, 2] and profile["count"] == [2, 1, 3]  # depth 5 counted as 2
    assert profile["mean"] == pytest.approx([-2.0, 2.0, 8 / 3])


def test_spanning_piece_holds_a_bracket_over_the_lines_asked_for():
    snippet = "x = 1\ny = 2\nz = f(a,\n      b,\n      c,\n      d)\nw = 3\nv = 4\n"
    s = dataclasses.replace(real_text.SETTINGS, piece_lines=3, piece_chars=200)
    piece, opener, closer = real_text.spanning_piece(snippet, s)
    assert (snippet[opener], snippet[closer]) == ("(", ")") and snippet.count("\n", opener, closer) == 3
    assert snippet[piece] == "y = 2\nz = f(a,\n      b,\n      c,\n      d)\nw = 3"
    with pytest.raises(ValueError, match="no bracket"):
        real_text.spanning_piece(snippet, dataclasses.replace(s, piece_lines=4))


def test_step_seconds_times_training_steps():
    torch.manual_seed(0)
    model = charlm.CharLM("lstm", hidden_size=8, embed_size=4)
    before = model.readout.bias.detach().clone()
    cfg = charlm.TrainConfig(batch_size=2, seq_len=8)
    seconds = real_text.step_seconds(model, dataclasses.replace(real_text.SETTINGS, timed_steps=2), cfg)
    assert 0 < seconds < 5 and not torch.equal(model.readout.bias, before)  # it trained


def test_context_curve_scores_each_window_from_a_zero_state(lstm):
    s = dataclasses.replace(real_text.SETTINGS, context_positions=5)
    test = charlm.corpus("test")[:3000]
    got = real_text.context_curve(lstm, test, (3, 150), s)
    targets = np.sort(np.random.default_rng(s.seed).choice(np.arange(151, len(test)), 5, replace=False))
    np.testing.assert_array_equal(real_text.context_targets(test, (3, 150), s), targets)
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


def test_ngram_scores_pick_the_order_on_validation():
    s = dataclasses.replace(real_text.SETTINGS, ngram_orders=(1, 2, 3))
    table, scores = real_text.ngram_table(s), real_text.ngram_scores(s)
    assert list(table) == [1, 2, 3] and table[1][0] > table[2][0] > table[3][0]
    assert real_text.best_order(s) == scores.best == 3
    test = charlm.corpus("test")
    assert scores.closing.shape == (len(test), 5)
    at = test.index(")")  # the closing columns hold the probability of the character that is there
    assert scores.closing[at, 0] == pytest.approx(scores.test[2][at])
    assert scores.unseen[1] == 0 and 0 <= scores.unseen[3] <= scores.thin[3] <= 1
