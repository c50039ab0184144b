"""exercises.vanishing_gradients (chapter 3): a right backward step matches autograd."""

import pytest
import torch

from lstm_helpers import exercises


def rnn_backward(mistake=None, layout="gates"):
    """A student's one-step RNN backward pass, right or with one classic mistake."""

    def fn(h_prev, h_t, grad_h, delta_next, p):
        W_hh = p["W_hh"] if layout == "gates" else p["weight_hh"].T  # (H, H), a_t = ... + h_prev @ W_hh
        back = {"untransposed": delta_next @ W_hh, "no_back": 0}.get(mistake, delta_next @ W_hh.T)
        local = 0 if mistake == "no_local" else grad_h
        deriv = {
            "no_tanh": 1,
            "tanh_twice": 1 - torch.tanh(h_t) ** 2,
            "one_minus_h": 1 - h_t,
            "at_h_prev": 1 - h_prev**2,
            "sigmoid": h_t * (1 - h_t),
        }.get(mistake, 1 - h_t**2)
        delta = (local + back) * deriv
        dW = {"dW_T": delta.T @ h_prev, "dW_h_t": h_t.T @ delta, "dW_next": h_prev.T @ delta_next}
        dW_hh = dW.get(mistake, h_prev.T @ delta)
        return delta, dW_hh if layout == "gates" else dW_hh.T

    return fn


@pytest.mark.parametrize(
    "mistake, message",
    [
        ("no_local", "grad_h_t is missing"),
        ("no_back", "the error from step t+1 is missing"),
        ("untransposed", "W_hh is used untransposed: write delta_next @ params['W_hh'].T"),
        ("no_tanh", "the tanh's derivative is missing"),
        ("tanh_twice", "h_t is already tanh(a_t)"),
        ("one_minus_h", "not 1 - h_t."),
        ("at_h_prev", "uses h_t, not h_prev"),
        ("sigmoid", "the sigmoid's derivative"),
        ("dW_T", "dW_hh_t is transposed: write h_prev.T @ delta_t"),
        ("dW_h_t", "dW_hh_t uses h_t"),
        ("dW_next", "dW_hh_t uses delta_next"),
    ],
)
def test_rnn_backward_mistakes_are_named(mistake, message, capsys):
    assert exercises.check_rnn_backward_step(rnn_backward(mistake)) is False
    assert message in capsys.readouterr().out


def test_rnn_backward_right_answers_pass_in_both_layouts(capsys):
    assert exercises.check_rnn_backward_step(rnn_backward())
    assert exercises.check_rnn_backward_step(rnn_backward(layout="torch"), layout="torch", seed=2)
    assert capsys.readouterr().out.count("match autograd") == 2
    assert not exercises.check_rnn_backward_step(rnn_backward("untransposed", "torch"), layout="torch")
    assert "delta_next @ params['weight_hh']." in capsys.readouterr().out
    assert not exercises.check_rnn_backward_step(rnn_backward("dW_T", "torch"), layout="torch")
    assert "write delta_t.T @ h_prev" in capsys.readouterr().out


@pytest.mark.parametrize(
    "fn, message",
    [
        (lambda h_prev, h_t, g, d, p: g, "should return a pair (delta_t, dW_hh_t)"),
        (lambda h_prev, h_t, g, d, p: (g.T, p["W_hh"]), "transposed?"),
        (lambda h_prev, h_t, g, d, p: (g, g), "dW_hh_t should be a (4, 4) tensor"),
        (lambda h_prev, h_t, g, d, p: (g, p["weight_hh"]), "raised KeyError"),
        (lambda h_prev, h_t, g, d, p: (0 * g, 0 * p["W_hh"]), "delta_t is all zeros"),
    ],
)
def test_rnn_backward_shape_mistakes_are_named(fn, message, capsys):
    assert exercises.check_rnn_backward_step(fn) is False
    assert message in capsys.readouterr().out
