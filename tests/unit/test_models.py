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
        assert isinstance(model.rnn, models.LAYERS[kind])


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
        (lambda: models.SequenceClassifier("transformer", 5, 2), ValueError, "kind must be one of"),
        (lambda: models.SequenceClassifier("gru", 5, 2, forget_bias=1.0), ValueError, "needs kind='lstm'"),
        (lambda: models.SequenceClassifier("lstm", 5, 2, update_bias=1.0), ValueError, "needs kind='gru'"),
        (lambda: models.SequenceClassifier("lstm", 5, 2, keep_bias=1.0), TypeError, "unknown gate bias"),
        (lambda: models.SequenceClassifier("lstm", 5, 2, num_layers=0), ValueError, "num_layers must be"),
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


def test_the_bidirectional_readout_sees_the_backward_state_at_the_first_word():
    data = tasks.fluent_sentences(6, gap=3, seed=0)
    model = models.for_task(tasks.fluent(3), "rnn", hidden_size=5, bidirectional=True)
    lengths = torch.tensor([9, 10, 11, 11, 8, 11])  # pretend some sentences are shorter
    H = model.rnn.hidden_size
    h, _ = model.rnn(model.embed(data.x))  # (T, 6, 2H)
    last = h[lengths - 1, torch.arange(6), :H]
    expected = model.readout(torch.cat([last, h[0, :, H:]], dim=-1))
    assert torch.allclose(model(data.x, lengths), expected)


def test_keep_biases_set_the_lstm_forget_and_the_gru_update_gate_in_every_layer():
    for kind, name in (("lstm", "forget_bias"), ("gru", "update_bias")):
        model = models.for_task(tasks.fluent(2), kind, num_layers=2, bidirectional=True, **{name: 4.0})
        H = model.rnn.hidden_size
        for suffix in ("l0", "l1", "l0_reverse", "l1_reverse"):
            bias = getattr(model.rnn, f"bias_ih_{suffix}") + getattr(model.rnn, f"bias_hh_{suffix}")
            assert torch.allclose(bias[H : 2 * H], torch.full((H,), 4.0))  # f (i f g o), z (r z n)


def test_parameter_counts_follow_the_gate_blocks():
    block = 16 * 32 + 32 * 32 + 2 * 32  # input weights, recurrent weights, two biases
    for kind, blocks in (("rnn", 1), ("gru", 3), ("lstm", 4)):
        assert models.n_params(models.make_recurrent(kind, 16, 32)) == blocks * block
        assert models.n_params(models.make_recurrent(kind, 16, 32, bidirectional=True)) == 2 * blocks * block
