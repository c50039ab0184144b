"""lstm_helpers.applications: the embedded Reber grammar, the drift series, the word models."""

from __future__ import annotations

import pytest
import torch

from lstm_helpers import applications, tasks


def legal(symbols: list[str]) -> bool:
    """Follow the Reber automaton from B to E."""
    if symbols[0] != "B" or symbols[-1] != "E":
        return False
    state = 0
    for symbol in symbols[1:-1]:
        if state is None:
            return False
        moves = dict(applications.REBER[state])
        if symbol not in moves:
            return False
        state = moves[symbol]
    return state is None


def test_reber_strings_are_legal():
    gen = torch.Generator().manual_seed(0)
    assert all(legal(applications.reber_string(gen)) for _ in range(200))


def test_embedded_reber_target_is_the_second_symbol_and_padding_follows_the_length():
    data = applications.reber_strings(64, seed=3)
    words = data.vocab.words
    for k in range(64):
        seq = [words[int(i)] for i in data.x[: data.lengths[k], k]]
        assert seq[:1] == ["B"] and legal(seq[2:])
        assert data.labels.words[int(data.y[k])] == seq[1]
        assert all(words[int(i)] == "." for i in data.x[data.lengths[k] :, k])
    assert torch.equal(applications.reber_strings(8, 1).x, applications.reber_strings(8, 1).x)


def test_drift_target_is_half_the_change_since_the_marked_reading():
    data = applications.drift_series(32, T=20, seed=0)
    assert data.x.shape == (20, 32, 2)
    cal = data.x[:, :, 1].argmax(0)  # (32,)
    assert torch.equal(cal, data.info["calibration"]) and int(cal.max()) < 10
    assert torch.equal(data.x[:, :, 1].sum(0), torch.ones(32))
    assert torch.allclose(data.y, (data.x[-1, :, 0] - data.x[cal, torch.arange(32), 0]) / 2)
    with pytest.raises(ValueError, match="T"):
        applications.drift_series(4, T=5, seed=0)


@pytest.mark.parametrize("options", [{}, {"num_layers": 2}, {"bidirectional": True}])
@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
def test_word_models_give_one_logit_row_per_sentence(kind, options):
    task = tasks.fluent(3)
    model = applications.word_model(task, kind, **options)
    data = task.make(5, 0)
    assert model(data.x).shape == (5, 4)


def test_the_bidirectional_readout_sees_the_backward_state_at_the_first_word():
    task = applications.reber()
    model = applications.word_model(task, "rnn", bidirectional=True)
    data = task.make(6, 0)
    H = model.rnn.hidden_size
    h, _ = model.rnn(model.embed(data.x))
    last = h[data.lengths - 1, torch.arange(6), :H]
    expected = model.readout(torch.cat([last, h[0, :, H:]], dim=-1))
    assert torch.allclose(model(data.x, data.lengths), expected)


def test_keep_bias_sets_the_lstm_forget_and_gru_update_gate():
    for kind in ("lstm", "gru"):
        model = applications.word_model(tasks.fluent(2), kind, keep_bias=4.0)
        H = model.rnn.hidden_size
        bias = model.rnn.bias_ih_l0 + model.rnn.bias_hh_l0
        assert torch.allclose(bias[H : 2 * H], torch.full((H,), 4.0))
    with pytest.raises(ValueError, match="keep_bias"):
        applications.word_model(tasks.fluent(2), "rnn", keep_bias=4.0)


def test_wrong_kind_is_named():
    with pytest.raises(ValueError, match="kind"):
        applications.WordModel("transformer", 10, 2)


def test_gru_has_three_blocks_lstm_four():
    block = 16 * 32 + 32 * 32 + 2 * 32
    for kind, blocks in (("rnn", 1), ("gru", 3), ("lstm", 4)):
        assert applications.n_params(applications.LAYERS[kind](16, 32)) == blocks * block


def test_run_trains_with_the_given_settings():
    hist = applications.run(applications.WordModel("lstm", 8, 2), applications.reber(),
                            s=applications.Settings(steps=3, eval_every=1))  # fmt: skip
    assert len(hist.loss) == 3
