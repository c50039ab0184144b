"""gradients: probes against closed forms (RNN backprop by hand), finite chains and the bound."""

import pytest
import torch

from lstm_helpers import gradients, models, tasks
from lstm_helpers.cells import LSTMCell, RNNCell, unroll

T, IN, H = 60, 3, 16


def rnn_cell(scale=None):
    torch.manual_seed(0)
    cell = RNNCell(IN, H, dtype=torch.float64)
    if scale is not None:  # set sigma_max(W_hh) = scale
        with torch.no_grad():
            cell.W_hh *= scale / gradients.sigma_max(cell.W_hh)
    return cell


def inputs(batch=1):
    return torch.randn(T, batch, IN, dtype=torch.float64, generator=torch.Generator().manual_seed(1))


def test_rnn_jacobian_norms_decay_stay_under_the_bound_and_match_the_product():
    for scale in (None, 0.9):
        cell, x = rnn_cell(scale), inputs()
        norms = gradients.jacobian_norms(cell, x)  # by lag
        bound = gradients.pascanu_bound(cell, T)
        assert (norms <= bound * (1 + 1e-12)).all()
        assert norms[0] == 1 and norms[50] < 1e-4 * norms[1]
        h = unroll(cell, x).h[:, 0]  # (T, H)
        J = torch.eye(H, dtype=torch.float64)  # dh_T/dh_t = prod of W_hh diag(1 - h^2), by hand
        for lag in range(1, 30):
            t = T - lag  # step t maps h_{t-1} to h_t
            J = (cell.W_hh * (1 - h[t] ** 2)) @ J
            assert torch.isclose(norms[lag], torch.linalg.matrix_norm(J, ord=2), rtol=1e-10)


def test_rnn_grad_norms_match_backprop_by_hand():
    cell, x = rnn_cell(), inputs(batch=4)
    norms = gradients.grad_norms(cell, x)  # L = h_T.sum()
    h = unroll(cell, x).h.detach()  # (T, batch, H)
    delta = torch.ones_like(h[-1])  # dL/dh_T
    for t in range(T - 1, 20, -1):
        assert torch.isclose(norms[t], delta.norm(), rtol=1e-10)
        delta = (delta * (1 - h[t] ** 2)) @ cell.W_hh.T  # dL/dh_{t-1}
    assert norms[0] < 1e-6 * norms[-1]


def test_step_contributions_match_the_per_step_terms_by_hand():
    cell, x = rnn_cell(), inputs(batch=2)
    ours = gradients.step_contributions(cell, x, param="W_hh")
    h = unroll(cell, x).h.detach()
    delta = torch.ones_like(h[-1])
    for t in range(T - 1, 0, -1):
        da = delta * (1 - h[t] ** 2)  # dL/da_t, a_t the pre-activation
        assert torch.isclose(ours[t], (h[t - 1].T @ da).norm(), rtol=1e-9)
        delta = da @ cell.W_hh.T
    assert ours[0] == 0  # h_{-1} = 0 contributes nothing to dL/dW_hh


def lstm_cell(forget_bias):
    torch.manual_seed(0)
    cell = LSTMCell(IN, H, dtype=torch.float64)
    with torch.no_grad():
        cell.b_xf.fill_(forget_bias / 2)
        cell.b_hf.fill_(forget_bias / 2)
    return cell


def test_lstm_cell_state_jacobian_matches_a_direct_jacobian():
    cell, x = lstm_cell(1.0), inputs()
    norms = gradients.jacobian_norms(cell, x)  # ||dc_T/dc_t|| by lag
    run = unroll(cell, x)
    lag = 5
    t = T - 1 - lag

    def c_T(c_t):  # rerun the last `lag` steps from a perturbed c_t; h_t = o_t tanh(c_t)
        h, c = run.gates["o"][t] * torch.tanh(c_t), c_t
        for x_s in x[t + 1 :]:
            h, c, _ = cell.step(x_s, h, c)
        return c[0]

    J = torch.autograd.functional.jacobian(c_T, run.c[t].detach())[:, 0, :]  # (H, H)
    assert torch.isclose(norms[lag], torch.linalg.matrix_norm(J, ord=2), rtol=1e-10)


def test_forget_bias_keeps_the_cell_state_gradient_alive():
    x = inputs()
    at_50 = [gradients.jacobian_norms(lstm_cell(b), x)[50] for b in (0.0, 1.0, 3.0)]
    assert at_50[0] < at_50[1] < at_50[2] and at_50[0] < 1e-6 and at_50[2] > 1e-2


def test_from_model_reproduces_the_model_and_its_loss():
    task = tasks.fluent(gap=5)
    model = models.for_task(task, "lstm", hidden_size=8, seed=0, forget_bias=2.0)
    data = task.make(16, 0)
    cell, x = gradients.from_model(model, data.x)
    h_T = unroll(cell, x).h[-1]
    loss = gradients.readout_loss(model, data.y)(h_T)
    ref = torch.nn.functional.cross_entropy(model(data.x), data.y)
    assert torch.isclose(loss, ref.double(), atol=1e-6)
    assert gradients.grad_norms(cell, x, gradients.readout_loss(model, data.y)).shape == (13,)


def test_bad_arguments():
    with pytest.raises(ValueError, match="wrt must be"):
        gradients.grad_norms(rnn_cell(), inputs(), wrt="c")
    with pytest.raises(ValueError, match="batch .* must be >= 1 and <= 1"):
        gradients.jacobian_norms(rnn_cell(), inputs(batch=2))
    with pytest.raises(ValueError, match="param must be one of"):
        gradients.step_contributions(rnn_cell(), inputs(), param="W_hf")
    with pytest.raises(TypeError, match="dtype torch.float64"):
        gradients.grad_norms(rnn_cell(), inputs().float())
    with pytest.raises(ValueError, match=r"shape \(\*, \*, 3\)"):
        gradients.grad_norms(rnn_cell(), inputs()[..., :2])
