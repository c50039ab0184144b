"""The regularisers of chapter 10 against what they must do: masks, identity when off, stored weights."""

import pytest
import torch

from lstm_helpers import charlm, regularise


def test_variational_mask_is_the_same_at_every_step_and_drops_the_expected_fraction():
    gen = torch.Generator().manual_seed(0)
    x = torch.ones(64, 50, 200)
    torch.manual_seed(0)
    out = regularise.locked_dropout(x, 0.3)
    assert torch.equal(out, out[:, :1].expand_as(out))  # every step of a sequence: the same units
    dropped = (out == 0).float().mean().item()
    assert abs(dropped - 0.3) < 0.01  # 12,800 units: the binomial spread is 0.004
    assert torch.allclose(out[out != 0], torch.tensor(1 / 0.7))  # the kept ones scaled up
    mask = regularise.variational_mask(64, 200, 0.3, generator=gen)
    assert mask.shape == (64, 1, 200)
    assert abs(mask.mean().item() - 1.0) < 0.02  # expected value kept


def test_locked_dropout_differs_between_sequences_and_is_off_in_eval():
    torch.manual_seed(1)
    out = regularise.locked_dropout(torch.ones(2, 5, 100), 0.5)
    assert not torch.equal(out[0], out[1])
    x = torch.randn(3, 4, 5)
    assert regularise.locked_dropout(x, 0.5, training=False) is x


def test_with_everything_off_the_model_equals_chapter_8s_charlm():
    torch.manual_seed(0)
    plain = charlm.CharLM("lstm", 24, 8)
    torch.manual_seed(0)
    reg = regularise.RegularisedLM(24, 8, dropout=0.0, weight_drop=0.0)
    assert all(torch.equal(a, b) for a, b in zip(plain.state_dict().values(), reg.state_dict().values()))
    x = torch.randint(0, charlm.VOCAB_SIZE, (3, 11))
    reg.train(), plain.train()
    (a, (h, c)), (b, states) = plain(x), reg(x)
    assert torch.equal(a, b) and torch.equal(h, states[0][0]) and torch.equal(c, states[0][1])
    text = "def f(x):\n    return (x + 1)\n"
    assert charlm.bits_per_char(reg, text) == pytest.approx(charlm.bits_per_char(plain, text), abs=1e-9)


def test_dropout_is_off_in_eval_mode():
    torch.manual_seed(0)
    model = regularise.RegularisedLM(16, 8, dropout=0.5, variational=True, weight_drop=0.5).eval()
    x = torch.randint(0, charlm.VOCAB_SIZE, (2, 7))
    assert torch.equal(model(x)[0], model(x)[0])


def test_weight_drop_leaves_the_stored_weights_untouched_and_trains_them():
    torch.manual_seed(0)
    model = regularise.RegularisedLM(16, 8, weight_drop=0.5).train()
    stored = model.rnn.weight_hh_l0.detach().clone()
    x = torch.randint(0, charlm.VOCAB_SIZE, (2, 7))
    out1, _ = model(x)
    out2, _ = model(x)
    assert not torch.equal(out1, out2)  # a new DropConnect mask per call
    assert torch.equal(model.rnn.weight_hh_l0, stored)  # the parameter itself is never zeroed
    out1.sum().backward()
    assert model.rnn.weight_hh_l0.grad is not None and model.rnn.weight_hh_l0.grad.abs().sum() > 0


def test_weight_drop_zeros_the_expected_fraction_of_a_copy():
    torch.manual_seed(0)
    w = torch.ones(100, 100)
    dropped = regularise.weight_drop(w, 0.25)
    assert abs((dropped == 0).float().mean().item() - 0.25) < 0.02
    assert torch.equal(w, torch.ones(100, 100))


def test_weight_drop_matches_a_hand_built_lstm_with_the_same_mask():
    torch.manual_seed(0)
    model = regularise.RegularisedLM(6, 4, weight_drop=0.5).train()
    x = torch.randint(0, charlm.VOCAB_SIZE, (2, 5))
    torch.manual_seed(3)
    out, _ = model(x)
    torch.manual_seed(3)
    W = regularise.weight_drop(model.rnn.weight_hh_l0, 0.5)
    ref = torch.nn.LSTM(4, 6, batch_first=True)
    ref.load_state_dict({**model.rnn.state_dict(), "weight_hh_l0": W.detach()})
    h, _ = ref(model.embed(x))
    assert torch.allclose(out, model.readout(h), atol=1e-6)


def test_forget_bias_and_two_layers():
    model = regularise.RegularisedLM(8, 4, forget_bias=2.0, num_layers=2)
    for layer in model.layers:
        assert torch.allclose(layer.bias_ih_l0[8:16] + layer.bias_hh_l0[8:16], torch.full((8,), 2.0))
    logits, states = model(torch.randint(0, charlm.VOCAB_SIZE, (3, 5)))
    assert logits.shape == (3, 5, charlm.VOCAB_SIZE) and len(states) == 2


def test_adamw_decays_weights_without_a_gradient():
    w = torch.nn.Parameter(torch.ones(3))
    opt = regularise.optimiser(torch.nn.ParameterList([w]), lr=0.1, weight_decay=0.5)
    w.grad = torch.zeros(3)
    opt.step()
    assert torch.allclose(w.detach(), torch.full((3,), 1 - 0.1 * 0.5))  # decoupled: w -= lr * wd * w


@pytest.mark.parametrize("bad", [-0.1, 1.0, 2, "x"])
def test_bad_probabilities_are_named(bad):
    with pytest.raises(ValueError, match="p must be a probability"):
        regularise.variational_mask(2, 3, bad)
    with pytest.raises(ValueError, match="dropout must be a probability"):
        regularise.RegularisedLM(8, 4, dropout=bad)
