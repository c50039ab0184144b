"""cells.RNNCell / LSTMCell against torch.nn.RNN / nn.LSTM: values, final states and gradients."""

import pytest
import torch
from torch import nn

from lstm_helpers.cells import LSTMCell, RNNCell, unroll

T, B, IN, H = 50, 3, 5, 7  # 50-step sequence, time-first


@pytest.fixture
def x():
    torch.manual_seed(0)
    return torch.randn(T, B, IN, dtype=torch.float64)  # (T, batch, input)


def make(layer):
    torch.manual_seed(1)
    return layer(IN, H).double()


def test_lstm_outputs_and_final_state_match_torch(x):
    lstm = make(nn.LSTM)
    h0, c0 = torch.randn(1, B, H, dtype=torch.float64), torch.randn(1, B, H, dtype=torch.float64)
    ref, (h_T, c_T) = lstm(x, (h0, c0))
    ours = unroll(LSTMCell.from_torch(lstm), x, (h0[0], c0[0]))
    assert (ours.h - ref).abs().max() < 1e-10
    assert (ours.final[0] - h_T[0]).abs().max() < 1e-10
    assert (ours.final[1] - c_T[0]).abs().max() < 1e-10
    assert set(ours.gates) == {"i", "f", "g", "o"} and ours.gates["f"].shape == (T, B, H)


def test_lstm_gradients_match_torch(x):
    lstm = make(nn.LSTM)
    cell = LSTMCell.from_torch(lstm)
    x_ref, x_ours = x.clone().requires_grad_(), x.clone().requires_grad_()
    w = torch.randn(T, B, H, dtype=torch.float64)  # a loss that weighs every output
    (lstm(x_ref)[0] * w).sum().backward()
    (unroll(cell, x_ours).h * w).sum().backward()
    assert (x_ours.grad - x_ref.grad).abs().max() < 1e-10
    W_hh = torch.cat([getattr(cell, f"W_h{g}").grad.T for g in "ifgo"])  # torch's (4H, H) stacking
    assert (W_hh - lstm.weight_hh_l0.grad).abs().max() < 1e-10
    b_x = torch.cat([getattr(cell, f"b_x{g}").grad for g in "ifgo"])
    assert (b_x - lstm.bias_ih_l0.grad).abs().max() < 1e-10


def test_rnn_matches_torch(x):
    rnn = make(nn.RNN)
    cell = RNNCell.from_torch(rnn)
    x_ref, x_ours = x.clone().requires_grad_(), x.clone().requires_grad_()
    ref, h_T = rnn(x_ref)
    ours = unroll(cell, x_ours)
    assert (ours.h - ref).abs().max() < 1e-10
    assert (ours.final - h_T[0]).abs().max() < 1e-10
    ref.sum().backward()
    ours.h.sum().backward()
    assert (x_ours.grad - x_ref.grad).abs().max() < 1e-10
    assert (cell.W_hh.grad.T - rnn.weight_hh_l0.grad).abs().max() < 1e-10


def test_gate_order_ifog_is_wrong(x):
    """Splitting the stacked weights as i, f, o, g (a common slip) does not reproduce nn.LSTM."""
    lstm = make(nn.LSTM)
    cell = LSTMCell.from_torch(lstm)
    with torch.no_grad():
        for p in ("W_x", "W_h", "b_x", "b_h"):
            g, o = getattr(cell, p + "g").clone(), getattr(cell, p + "o").clone()
            getattr(cell, p + "g").copy_(o)
            getattr(cell, p + "o").copy_(g)
    assert (unroll(cell, x).h - lstm(x)[0]).abs().max() > 0.1


def test_bad_shape_and_dtype_errors_name_what_was_expected(x):
    cell = LSTMCell(IN, H, dtype=torch.float64)
    with pytest.raises(ValueError, match=r"x must have shape \(\*, \*, 5\)"):
        unroll(cell, x[..., :4])
    h = torch.zeros(B, H, dtype=torch.float64)
    with pytest.raises(ValueError, match=r"h_prev must have shape \(3, 7\)"):
        cell.step(x[0], h[:, :2], h)
    with pytest.raises(TypeError, match="x_t must have dtype torch.float64"):
        cell.step(x[0].float(), h, h)
    with pytest.raises(ValueError, match="hidden_size must be >= 1"):
        RNNCell(IN, 0)
    with pytest.raises(TypeError, match="torch.nn.LSTM"):
        LSTMCell.from_torch(nn.GRU(IN, H))


def test_teaching_gates_equal_the_stacked_fast_path(x):
    """`gates` (one product per gate) and `step` (one product per input) give the same numbers."""
    cell = LSTMCell.from_torch(make(nn.LSTM))
    h = torch.randn(B, H, dtype=torch.float64).tanh()
    c = torch.randn(B, H, dtype=torch.float64)
    by_gate = cell.gates(x[0], h)
    _, _, stacked = cell.step(x[0], h, c)
    for name, ours, ref in zip("ifgo", stacked, by_gate):
        assert (ours - ref).abs().max() < 1e-12, name
    run = unroll(cell, x[:2], (h, c))  # unroll's loop: the same gates at its first step
    assert (run.gates["g"][0] - by_gate[2]).abs().max() < 1e-12


def test_stacked_weights_are_torchs_layout_and_follow_in_place_writes(x):
    lstm = make(nn.LSTM)
    cell = LSTMCell.from_torch(lstm)
    W_x, W_h, b = cell.stacked()
    assert torch.equal(W_x, lstm.weight_ih_l0.T) and torch.equal(W_h, lstm.weight_hh_l0.T)
    assert torch.equal(b, lstm.bias_ih_l0 + lstm.bias_hh_l0)
    with torch.no_grad():  # the chapters' way: write one gate's weights through its name
        cell.W_hf *= 0.5
        cell.b_xo.fill_(2.0)
        lstm.weight_hh_l0[H : 2 * H] *= 0.5  # torch's f block
        lstm.bias_ih_l0[3 * H :] = 2.0  # torch's o block
    assert (unroll(cell, x).h - lstm(x)[0]).abs().max() < 1e-10
    names = {n for n, _ in cell.named_parameters()}  # exercises and gradients look weights up by name
    assert names == {p + g for p in ("W_x", "W_h", "b_x", "b_h") for g in "ifgo"}


def test_rnn_unroll_equals_stepping_the_cell(x):
    cell = RNNCell.from_torch(make(nn.RNN))
    with torch.no_grad():
        cell.W_hh *= 2.0  # as chapter 3 scales it
    h = torch.zeros(B, H, dtype=torch.float64)
    steps = []
    for x_t in x:
        h = cell(x_t, h)
        steps.append(h)
    assert (unroll(cell, x).h - torch.stack(steps)).abs().max() < 1e-12
