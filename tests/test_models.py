"""models: gate biases, readout at each sequence's last step, shapes and argument errors."""

import pytest
import torch

from lstm_helpers import models, tasks


def test_forget_bias_sets_the_sum_of_both_forget_biases_only():
    torch.manual_seed(0)
    plain = models.SequenceClassifier("lstm", vocab_size=10, n_classes=3, hidden_size=8)
    torch.manual_seed(0)
    biased = models.SequenceClassifier("lstm", 10, 3, hidden_size=8, forget_bias=4.0, input_bias=-3.0)
    b = biased.rnn.bias_ih_l0 + biased.rnn.bias_hh_l0  # (4H,) stacked i, f, g, o
    i, f, g, o = b.detach().chunk(4)
    assert torch.allclose(f, torch.full((8,), 4.0)) and torch.allclose(i, torch.full((8,), -3.0))
    ref = (plain.rnn.bias_ih_l0 + plain.rnn.bias_hh_l0).detach().chunk(4)
    assert torch.equal(g, ref[2]) and torch.equal(o, ref[3])
    assert torch.equal(biased.rnn.weight_hh_l0, plain.rnn.weight_hh_l0)


def test_classifier_shapes_and_kinds():
    data = tasks.fluent_sentences(6, gap=3, seed=0)
    for kind in models.KINDS:
        model = models.SequenceClassifier(kind, **tasks.vocab_sizes(data), hidden_size=5)
        assert model(data.x).shape == (6, 4)
        assert isinstance(model.rnn, torch.nn.LSTM if kind == "lstm" else torch.nn.RNN)


def test_regressor_reads_out_at_each_true_length():
    data = tasks.adding_problem(5, T=20, seed=0)
    model = models.for_task(tasks.adding(20), "lstm", hidden_size=6, seed=1)
    out = model(data.x, data.lengths)  # (5,)
    for k in range(5):
        alone = model(data.x[: int(data.lengths[k]), k : k + 1])  # the sequence without padding
        assert torch.allclose(out[k], alone[0], atol=1e-6)


def test_for_task_is_seeded_and_sized():
    a = models.for_task(tasks.fluent(gap=2), "rnn", hidden_size=4, seed=3)
    b = models.for_task(tasks.fluent(gap=2), "rnn", hidden_size=4, seed=3)
    assert torch.equal(a.rnn.weight_hh_l0, b.rnn.weight_hh_l0)
    assert a.embed.num_embeddings == len(tasks.fluent_vocab()[0]) and a.readout.out_features == 4


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: models.SequenceClassifier("gru", 5, 2), ValueError, "kind must be one of"),
        (lambda: models.SequenceClassifier("rnn", 5, 2, forget_bias=1.0), ValueError, "needs kind='lstm'"),
        (lambda: models.SequenceClassifier("lstm", 5, 1), ValueError, "n_classes must be >= 2"),
        (lambda: models.SequenceRegressor("lstm", hidden_size=0), ValueError, "hidden_size must be >= 1"),
        (lambda: models.SequenceClassifier("lstm", 5, 2)(torch.zeros(3, 2)), TypeError, "torch.int64"),
        (lambda: models.SequenceRegressor("lstm")(torch.zeros(3, 2, 3)), ValueError, r"shape \(\*, \*, 2\)"),
        (lambda: models.set_gate_bias(torch.nn.LSTM(2, 2), "z", 1.0), ValueError, "gate must be one of"),
    ],
)
def test_bad_arguments(call, error, message):
    with pytest.raises(error, match=message):
        call()
