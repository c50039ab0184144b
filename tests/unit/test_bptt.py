"""Backpropagation through time by hand (gradients.rnn_bptt / lstm_bptt) against autograd on torch.nn,
the constant error carousel, and truncated BPTT: where the gradient stops and what it cannot learn."""

import time

import pytest
import torch
from torch import nn
from torch.func import functional_call

from lstm_helpers import gradients, models, tasks, train
from lstm_helpers.cells import GATES, LSTMCell, RNNCell

IN, H, BATCH = 3, 5, 2  # odd sizes, all different, and different from every T below
TOL = 1e-10


def rand(*shape, seed):
    return torch.randn(*shape, dtype=torch.float64, generator=torch.Generator().manual_seed(seed))


def grad_h_for(T, inner, seed):
    """dL/dh_t from the loss: every step ("inner" nonzero) or only the last step read."""
    g = rand(T, BATCH, H, seed=seed)
    if not inner:
        g[:-1] = 0
    return g


def torch_layer(kind, seed):
    torch.manual_seed(seed)
    layer = (nn.RNN if kind == "rnn" else nn.LSTM)(IN, H).double()
    with torch.no_grad():  # larger than the default weights, so no step's gradient is negligible
        for p in layer.parameters():
            p.mul_(2.0)
    return layer


def reference(layer, x, grad_h, state):
    """Autograd through torch.nn: the gradients of L = sum_t <grad_h_t, h_t>, keyed by the cell's names."""
    x = x.clone().requires_grad_(True)
    state = tuple(s.clone().requires_grad_(True) for s in state)
    out, _ = layer(x, state[0][None] if len(state) == 1 else tuple(s[None] for s in state))
    L = (out * grad_h).sum()
    names = ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"]
    grads = torch.autograd.grad(L, [x, *state, *(getattr(layer, n) for n in names)])
    ref = dict(zip(["x", "h0", "c0"][: 1 + len(state)], grads))
    W_x, W_h, b_x, b_h = grads[1 + len(state) :]
    if isinstance(layer, nn.RNN):
        return {**ref, "W_xh": W_x.T, "W_hh": W_h.T, "b_xh": b_x, "b_hh": b_h}
    for k, gate in enumerate(GATES):  # torch stacks the gates' rows i, f, g, o
        ref |= {f"W_x{gate}": W_x.chunk(4)[k].T, f"W_h{gate}": W_h.chunk(4)[k].T}
        ref |= {f"b_x{gate}": b_x.chunk(4)[k], f"b_h{gate}": b_h.chunk(4)[k]}
    return ref


def assert_matches(ours, ref, names):
    """Equal to 1e-10, and to 1e-10 of the reference's own size (step by step for x): at T=200 the early
    steps' gradients are ~1e-50, so an absolute tolerance alone would pass anything there."""
    assert set(names) <= set(ours)
    for name in names:
        assert ours[name].shape == ref[name].shape, name
        assert (ours[name] - ref[name]).abs().max() < TOL, name
        diff, size = (ours[name] - ref[name]).abs(), ref[name].abs()
        if name == "x":  # (T, batch, input): one scale per step
            diff, size = diff.flatten(1), size.flatten(1)
        assert (diff.amax(-1) <= 1e-10 * size.amax(-1)).all(), name
        assert (size.amax(-1) > 0).all(), name  # a real gradient, not zeros against zeros


@pytest.mark.parametrize("T, inner", [(1, True), (7, True), (7, False), (200, True), (200, False)])
def test_rnn_bptt_equals_autograd(T, inner):
    layer = torch_layer("rnn", seed=T)
    x, h0 = rand(T, BATCH, IN, seed=1), rand(BATCH, H, seed=2).tanh()
    grad_h = grad_h_for(T, inner, seed=3)
    ours = gradients.rnn_bptt(RNNCell.from_torch(layer), x, grad_h, h0)
    ref = reference(layer, x, grad_h, (h0,))
    assert_matches(ours, ref, ["W_xh", "W_hh", "b_xh", "b_hh", "x", "h0"])


@pytest.mark.parametrize("T, inner", [(1, True), (7, True), (7, False),
                                      pytest.param(200, True, marks=pytest.mark.slow),
                                      pytest.param(200, False, marks=pytest.mark.slow)])
def test_lstm_bptt_equals_autograd(T, inner):
    layer = torch_layer("lstm", seed=T)
    x, h0, c0 = rand(T, BATCH, IN, seed=1), rand(BATCH, H, seed=2).tanh(), rand(BATCH, H, seed=4)
    grad_h = grad_h_for(T, inner, seed=3)
    ours = gradients.lstm_bptt(LSTMCell.from_torch(layer), x, grad_h, h0, c0)
    ref = reference(layer, x, grad_h, (h0, c0))
    assert_matches(ours, ref, [*gradients.LSTM_PARAMS, "x", "h0", "c0"])


def per_step_reference(cell, x, grad_h, h0, c0=None):
    """dL/dh_t and dL/dc_t in total, by autograd through the cell's own steps."""
    hs, cs, h, c = [], [], h0, c0
    for x_t in x:
        h, c = (cell(x_t, h), None) if c0 is None else cell(x_t, (h, c))
        hs.append(h)
        cs.append(c)
    L = (torch.stack(hs) * grad_h).sum()
    return torch.stack(torch.autograd.grad(L, hs + ([] if c0 is None else cs)))  # (T or 2T, batch, H)


def rnn_deltas(cell, x, grad_h, h0):
    """dL/da_t by autograd: each step adds its own (batch, H) copy of b_hh, whose gradient is delta_t."""
    b = [cell.b_hh.detach().expand(x.shape[1], -1).clone().requires_grad_(True) for _ in x]
    hs, h = [], h0
    for x_t, b_t in zip(x, b):
        h = functional_call(cell, {"b_hh": b_t}, (x_t, h))
        hs.append(h)
    return torch.stack(torch.autograd.grad((torch.stack(hs) * grad_h).sum(), b))


def test_per_step_gradients_equal_autograd():
    x, grad_h = rand(9, BATCH, IN, seed=1), grad_h_for(9, True, seed=3)
    h0, c0 = rand(BATCH, H, seed=2).tanh(), rand(BATCH, H, seed=4)
    rnn = RNNCell.from_torch(torch_layer("rnn", 0))
    ours = gradients.rnn_bptt(rnn, x, grad_h, h0)
    assert (ours["h"] - per_step_reference(rnn, x, grad_h, h0)).abs().max() < TOL
    assert (ours["delta"] - rnn_deltas(rnn, x, grad_h, h0)).abs().max() < TOL
    lstm = LSTMCell.from_torch(torch_layer("lstm", 0))
    ours = gradients.lstm_bptt(lstm, x, grad_h, h0, c0)
    ref = per_step_reference(lstm, x, grad_h, h0, c0)
    assert (torch.cat([ours["h"], ours["c"]]) - ref).abs().max() < TOL


def test_bptt_defaults_to_zero_initial_states():
    layer, x, grad_h = torch_layer("lstm", 1), rand(6, BATCH, IN, seed=1), grad_h_for(6, True, seed=3)
    zeros = torch.zeros(BATCH, H, dtype=torch.float64)
    ours = gradients.lstm_bptt(LSTMCell.from_torch(layer), x, grad_h)
    assert_matches(ours, reference(layer, x, grad_h, (zeros, zeros)), gradients.LSTM_PARAMS)


def test_bad_arguments_are_named():
    rnn, lstm = RNNCell(IN, H, dtype=torch.float64), LSTMCell(IN, H, dtype=torch.float64)
    x, grad_h = rand(4, BATCH, IN, seed=0), rand(4, BATCH, H, seed=0)
    with pytest.raises(ValueError, match=r"grad_h \(T, batch, H\).*\(4, 2, 5\), got \(3, 2, 5\)"):
        gradients.rnn_bptt(rnn, x, grad_h[:3])
    with pytest.raises(ValueError, match=r"x \(T, batch, input_size\)"):
        gradients.lstm_bptt(lstm, x[..., :2], grad_h)
    with pytest.raises(ValueError, match=r"h0 \(batch, H\) must have shape \(2, 5\)"):
        gradients.rnn_bptt(rnn, x, grad_h, h0=grad_h[0].T)
    with pytest.raises(ValueError, match=r"c0 \(batch, H\)"):
        gradients.lstm_bptt(lstm, x, grad_h, c0=grad_h[0, :1])
    with pytest.raises(TypeError, match=r"grad_h .* dtype torch.float64"):
        gradients.lstm_bptt(lstm, x, grad_h.float())
    with pytest.raises(TypeError, match="cell must be a cells.RNNCell"):
        gradients.rnn_bptt(lstm, x, grad_h)
    with pytest.raises(TypeError, match="cell must be a cells.LSTMCell"):
        gradients.lstm_bptt(rnn, x, grad_h)


def carousel_cell(forget_bias):
    """An LSTM whose gates ignore h (no recurrent weights): only the memory carries the error back."""
    torch.manual_seed(3)
    cell = LSTMCell(IN, H, dtype=torch.float64)  # torch's default init: c_t stays off tanh's flat ends
    with torch.no_grad():
        for gate in GATES:
            getattr(cell, f"W_h{gate}").zero_()
        cell.W_xf.zero_()
        cell.b_xf.fill_(forget_bias)
        cell.b_hf.zero_()
    return cell


def test_constant_error_carousel():
    T = 50
    x, grad_h = rand(T, BATCH, IN, seed=1), grad_h_for(T, False, seed=3)  # the loss reads h_T only
    c0 = rand(BATCH, H, seed=4)
    ours = gradients.lstm_bptt(carousel_cell(forget_bias=50.0), x, grad_h, c0=c0)
    assert torch.sigmoid(torch.tensor(50.0, dtype=torch.float64)) == 1.0  # f_t = 1 exactly
    dc = ours["c"]  # (T, batch, H)
    assert (dc[-1] != 0).all()
    for t in range(T - 1, 0, -1):
        assert torch.equal(dc[t - 1], dc[t])  # dc_{t-1} = dc_t exactly: the constant error carousel
    assert torch.equal(ours["c0"], dc[-1])
    # with f_t = sigmoid(4) < 1 the same path shrinks by f at every step: dc_0 = dc_{T-1} f^{T-1}
    f = torch.sigmoid(torch.tensor(4.0, dtype=torch.float64))
    dc = gradients.lstm_bptt(carousel_cell(forget_bias=4.0), x, grad_h, c0=c0)["c"]
    assert torch.allclose(dc[0], dc[-1] * f ** (T - 1), rtol=1e-12, atol=0)


# Truncated backpropagation through time.


def fluent_model(seed=0, kind="lstm"):
    task = tasks.fluent(gap=12)
    forget_bias = 4.0 if kind == "lstm" else None
    return task, models.for_task(task, kind, hidden_size=8, seed=seed, forget_bias=forget_bias)


@pytest.mark.parametrize("kind", ["lstm", "rnn"])
def test_truncated_forward_equals_the_model_and_cuts_the_gradient_k_steps_back(kind):
    task, model = fluent_model(kind=kind)
    data = task.make(6, seed=0)
    T = data.x.shape[0]
    for k in (1, 5, T, T + 3):
        assert torch.allclose(gradients.truncated_forward(model, data.x, k), model(data.x), atol=1e-6)
        norms = gradients.input_grad_norms(model, data.x, data.y, k)  # (T,)
        reach = min(k, T)
        assert (norms[: T - reach] == 0).all() and (norms[T - reach :] > 0).all()
    assert torch.equal(gradients.input_grad_norms(model, data.x, data.y), norms)


def test_truncated_gradient_equals_the_full_one_over_the_window_only():
    task, model = fluent_model()
    data = task.make(6, seed=0)

    def grads(forward):
        loss = nn.functional.cross_entropy(forward(data.x), data.y)
        return torch.autograd.grad(loss, [model.readout.weight, model.rnn.weight_hh_l0])

    (readout_t, W_t), (readout_f, W_f) = grads(gradients.Truncated(model, 4)), grads(model)
    assert torch.allclose(readout_t, readout_f)  # the readout sees the same h_T
    assert not torch.allclose(W_t, W_f)  # the recurrent weights miss the steps before the window


def test_truncation_arguments_are_checked():
    task, model = fluent_model()
    data = task.make(2, seed=0)
    with pytest.raises(ValueError, match=r"k \(steps the gradient flows back\) must be >= 1"):
        gradients.truncated_forward(model, data.x, 0)
    with pytest.raises(TypeError, match="model must be a models.SequenceModel"):
        gradients.Truncated(nn.Linear(2, 2), 3)
    with pytest.raises(ValueError, match="lengths must be None"):
        gradients.Truncated(model, 3)(data.x, torch.full((2,), data.x.shape[0]))


GAP, STEPS, SEEDS = 20, 100, (0, 1, 2)


@pytest.mark.slow
def test_truncation_shorter_than_the_clue_does_not_learn_it_a_full_window_does():
    """LSTM (H=32, forget bias 4) on fluent gap 20, 100 steps: a window that reaches the clue word
    solves the task on every seed (measured: by step 30-40); half that window solves it on none
    (measured: 72-87% test accuracy, above chance: the untrained cell already keeps a trace)."""
    task = tasks.fluent(GAP)
    data = task.make(1, seed=0)
    clue = int((data.x[:, 0] == data.vocab.index[tasks.COUNTRIES[int(data.y[0])]]).nonzero()[0])
    span = data.x.shape[0] - clue  # steps from the clue word to the end, the clue's step included
    start = time.perf_counter()
    with train.one_thread():
        for seed in SEEDS:
            for k, should_learn in ((span // 2, False), (span, True)):
                model = models.for_task(task, "lstm", hidden_size=32, seed=seed, forget_bias=4.0)
                hist = train.fit(gradients.Truncated(model, k), task, steps=STEPS, seed=seed)
                assert hist.solved == should_learn, (seed, k, hist.final)
    print(f"truncation experiment: {time.perf_counter() - start:.1f} s")
