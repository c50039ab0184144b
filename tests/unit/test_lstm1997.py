"""lstm_helpers.lstm1997: the paper's network, one step by hand, its truncated gradient by autograd."""

import math

import numpy as np
import pytest
import torch

from lstm_helpers import lstm1997 as L
from lstm_helpers import tasks
from lstm_helpers.chapters.experiments import PaperRule


def test_the_papers_architecture_has_93_weights_and_its_initial_biases():
    nets = L.Nets1997([0, 1])
    assert L.n_weights() == 93  # Table 7: 93 weights for the adding problem
    assert nets.W[0].size + nets.w_out[0].size + 1 == 93
    assert np.all(nets.W[:, -1, L.IN_GATES] == [-3.0, -6.0])  # input gates start closed
    rest = np.delete(nets.W, -1, axis=1)
    assert np.abs(rest).max() <= 0.1 and np.abs(nets.w_out).max() <= 0.1
    assert not np.allclose(nets.W[0], nets.W[1])  # one network per seed
    with pytest.raises(ValueError, match="seeds"):
        L.Nets1997([])


def test_one_step_by_hand():
    # z = (value, marker, 8 previous outputs, 1): only the bias row and the value's row are set.
    W = np.zeros((1, L.N_Z, L.N_HIDDEN))
    W[0, -1, 0] = math.log(3)  # cell 0: net = ln 3, sigmoid = 3/4, g = 4 * 3/4 - 2 = 1
    W[0, 0, 1] = math.log(3)  # cell 1 reads the value 1.0: g = 1 again
    W[0, -1, 6] = math.log(3)  # output gate of block 0: 3/4; input gate of block 0: sigmoid(0) = 1/2
    x_t = np.array([[1.0, 0.0]])
    s_prev = np.array([[0.5, 0.0, 0.0, 0.0]])
    y, s, _ = L.step(W, x_t, np.zeros((1, 8)), s_prev)
    # the carousel adds: s_0 = 0.5 + 1/2 * 1 = 1.0, s_1 = 0 + 1/2 * 1 = 0.5; block 1's cells get g(0) = 0
    assert np.allclose(s, [[1.0, 0.5, 0.0, 0.0]])
    h1, h05 = math.tanh(0.5), math.tanh(0.25)  # h(s) = 2 sigmoid(s) - 1 = tanh(s / 2)
    assert np.allclose(y[0, :4], [0.75 * h1, 0.75 * h05, 0.0, 0.0])  # y_c = y_out * h(s)
    assert np.allclose(y[0, 4:], [0.5, 0.5, 0.75, 0.5])  # input gates, then output gates


def reference_1997(nets, x, lengths, targets):
    """The same network in torch, the recurrent inputs detached: autograd gives the truncated gradient."""
    W = torch.tensor(nets.W, requires_grad=True)
    w_out = torch.tensor(nets.w_out, requires_grad=True)
    b_out = torch.tensor(nets.b_out, requires_grad=True)
    block = torch.tensor(L.BLOCK)
    loss, outs = 0.0, []
    for i in range(len(lengths)):
        y = torch.zeros(8, dtype=torch.float64)
        s = torch.zeros(4, dtype=torch.float64)
        for t in range(int(lengths[i])):
            z = torch.cat([torch.tensor(x[t, i]), y.detach(), torch.ones(1, dtype=torch.float64)])
            net = z @ W[i]
            y_in, y_out = torch.sigmoid(net[4:6]), torch.sigmoid(net[6:8])
            s = s + y_in[block] * (4 * torch.sigmoid(net[:4]) - 2)
            y_c = y_out[block] * (2 * torch.sigmoid(s) - 1)
            y = torch.cat([y_c, y_in, y_out])
        out = torch.sigmoid(y_c @ w_out[i] + b_out[i])
        outs.append(out.item())
        loss = loss + 0.5 * (out - targets[i]) ** 2
    loss.backward()
    return np.array(outs), {"W": W.grad.numpy(), "w_out": w_out.grad.numpy(), "b_out": b_out.grad.numpy()}


def test_the_truncated_gradient_matches_autograd_with_the_recurrent_inputs_detached():
    nets = L.Nets1997([0, 1, 2])
    nets.W += np.random.default_rng(5).normal(0, 0.5, nets.W.shape)  # away from the small start
    data = [tasks.adding_problem(1, 20, seed) for seed in range(3)]
    x = np.concatenate([d.x.double().numpy() for d in data], axis=1)  # (T_max, 3, 2)
    lengths = np.array([d.lengths.item() for d in data])
    assert len(set(lengths.tolist())) > 1  # sequences of different lengths side by side
    targets = np.array([d.y.item() for d in data])
    out = nets.forward(x, lengths)
    grads = nets.backward(targets)
    ref_out, ref = reference_1997(nets, x, lengths, targets)
    assert np.allclose(out, ref_out, atol=1e-12)
    assert np.abs(ref["W"]).max() > 1e-4  # a gradient worth comparing
    for key in ("W", "w_out", "b_out"):
        assert np.allclose(grads[key], ref[key], atol=1e-12), key


def test_a_step_of_learning_lowers_the_error_on_that_sequence():
    nets = L.Nets1997([3])
    data = tasks.adding_problem(1, 30, seed=3)
    x, lengths, y = data.x.double().numpy(), data.lengths.numpy(), data.y.double().numpy()
    before = abs(nets.forward(x, lengths) - y)[0]
    nets.learn(nets.backward(y), lr=L.LEARNING_RATE)
    assert abs(nets.forward(x, lengths) - y)[0] < before


def test_fit_counts_every_sequence_and_tests_after_training():
    runs = L.fit_1997(T=20, seeds=[0, 1], stop=PaperRule, budget=30, n_test=40, batch=4)
    assert [r.seed for r in runs] == [0, 1]
    assert all(r.sequences == 32 and not r.stopped for r in runs)  # eight weight changes of four sequences
    assert all(0 <= r.test_wrong <= 40 for r in runs)


def test_k_sequences_per_network_sum_the_gradients_of_each():
    nets = L.Nets1997([0, 1])
    data = tasks.adding_problem(4, 12, seed=7)  # two sequences for each network, network-major
    x, lengths, y = data.x.double().numpy(), data.lengths.numpy(), data.y.double().numpy()
    out = nets.forward(x, lengths)
    summed = nets.backward(y)
    for i in range(2):
        for j in range(2):
            one = L.Nets1997([0, 1])
            row = 2 * i + j
            pick = [row, row]  # the same sequence for both networks; keep network i's answer
            assert np.isclose(one.forward(x[:, pick], lengths[pick])[i], out[row])
    parts = []
    for j in range(2):
        one = L.Nets1997([0, 1])
        rows = [j, 2 + j]  # sequence j of each network
        one.forward(x[:, rows], lengths[rows])
        parts.append(one.backward(y[rows]))
    for key in summed:
        assert np.allclose(summed[key], parts[0][key] + parts[1][key]), key
