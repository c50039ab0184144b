"""exercises.memory_cell (chapter 4): a right LSTM step and gate pass; each classic mistake is named."""

import pytest
import torch

from lstm_helpers import exercises


def lstm_step(order="ifgo", swap=False, g_act=torch.tanh):
    """A student's LSTM step reading the stacked torch weights as `order`."""

    def fn(x_t, h_prev, c_prev, p):
        z = x_t @ p["weight_ih"].T + p["bias_ih"] + h_prev @ p["weight_hh"].T + p["bias_hh"]
        gate = dict(zip(order, z.chunk(4, dim=1)))
        i, f, o = (torch.sigmoid(gate[k]) for k in "ifo")
        c_t = f * c_prev + i * g_act(gate["g"])
        h_t = o * torch.tanh(c_t)
        return (c_t, h_t) if swap else (h_t, c_t)

    return fn


def lstm_step_gates_layout(x_t, h_prev, c_prev, p):
    def gate(k, act):
        return act(x_t @ p[f"W_x{k}"] + p[f"b_x{k}"] + h_prev @ p[f"W_h{k}"] + p[f"b_h{k}"])

    c_t = gate("f", torch.sigmoid) * c_prev + gate("i", torch.sigmoid) * gate("g", torch.tanh)
    return gate("o", torch.sigmoid) * torch.tanh(c_t), c_t


def no_output_gate(h_t, c_t):
    return torch.tanh(c_t), c_t  # forgot o_t


def test_right_lstm_steps_pass(capsys):
    assert exercises.check_lstm_step(lstm_step())
    assert exercises.check_lstm_step(lstm_step_gates_layout, layout="gates", seed=3)
    assert capsys.readouterr().out.startswith("Right!")


def test_gate_order_ifog_is_caught_and_named(capsys):
    assert not exercises.check_lstm_step(lstm_step("ifog"))
    out = capsys.readouterr().out
    assert "gate order" in out and "i, f, o, g" in out and "i, f, g, o" in out


@pytest.mark.parametrize(
    "fn, message",
    [
        (lstm_step(swap=True), "you returned (c_t, h_t)"),
        (lstm_step(g_act=torch.sigmoid), "c_t is off by up to"),
        (lambda x, h, c, p: (h.T, c), "h_t has shape (4, 5), expected (batch, H) = (5, 4): transposed?"),
        (lambda x, h, c, p: (h.float(), c), "h_t has dtype torch.float32"),
        (lambda x, h, c, p: h, "should return a pair (h_t, c_t)"),
        (lambda x, h, c, p: p["W_xi"], "raised KeyError"),
        (lambda *args: no_output_gate(*lstm_step()(*args)), "c_t is right, h_t is off"),
    ],
)
def test_lstm_mistakes_are_named(fn, message, capsys):
    assert exercises.check_lstm_step(fn) is False
    assert message in capsys.readouterr().out


def test_gate_checker_names_the_gate_computed(capsys):
    def f_gate(x_t, h_prev, p):
        z = x_t @ p["weight_ih"].T + p["bias_ih"] + h_prev @ p["weight_hh"].T + p["bias_hh"]
        return torch.sigmoid(z.chunk(4, dim=1)[1])

    assert exercises.check_gate(f_gate, "f")
    assert not exercises.check_gate(f_gate, "o")
    assert "you computed the f gate, not o" in capsys.readouterr().out
