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


def test_gate_checker_names_the_block_read_with_the_right_activation(capsys):
    def third_block(x_t, h_prev, p):  # sigmoid of the candidate's rows, asked for the forget gate
        z = x_t @ p["weight_ih"].T + p["bias_ih"] + h_prev @ p["weight_hh"].T + p["bias_hh"]
        return torch.sigmoid(z.chunk(4, dim=1)[2])

    assert not exercises.check_gate(third_block, "f")
    out = capsys.readouterr().out
    assert "block 3" in out and "the g gate's" in out and "f gate is block 2" in out, out


# --- check_forget_grads: the forget gate's weight gradients at one step, against autograd ---


def forget_grads(c_for_f="prev", read=True, belt=True, sigmoid=True, transpose_hh=False, tanh_slope=True):
    """A student's (dW_xf, dW_hf), with the slip the arguments name (the defaults are right)."""

    def fn(x_t, h_prev, c_prev, dh_t, dc_next, p):
        def a(k):
            return x_t @ p[f"W_x{k}"] + p[f"b_x{k}"] + h_prev @ p[f"W_h{k}"] + p[f"b_h{k}"]

        i_t, f_t, g_t, o_t = a("i").sigmoid(), a("f").sigmoid(), a("g").tanh(), a("o").sigmoid()
        c_t = f_t * c_prev + i_t * g_t
        back = dh_t * o_t * (1 - torch.tanh(c_t) ** 2) if tanh_slope else dh_t
        dc_t = (dc_next if belt else 0) + (back if read else 0)
        delta_f = dc_t * (c_prev if c_for_f == "prev" else c_t) * (f_t * (1 - f_t) if sigmoid else 1)
        dW_hf = h_prev.T @ delta_f
        return x_t.T @ delta_f, dW_hf.T if transpose_hh else dW_hf

    return fn


def finite_difference_dW_xf(seed=0, eps=1e-6):
    """dL/dW_xf[0, 0] by a central difference, L = <dh_t, h_t> + <dc_next, c_t>: a reference not autograd."""
    from lstm_helpers.exercises.memory_cell import _forget_case

    cell, (x_t, h_prev, c_prev, dh_t, dc_next) = _forget_case(seed)
    values = []
    for sign in (1, -1):
        with torch.no_grad():
            cell.W_xf[0, 0] += sign * eps
            h_t, c_t, _ = cell.step(x_t, h_prev, c_prev)
            values.append(((dh_t * h_t).sum() + (dc_next * c_t).sum()).item())
            cell.W_xf[0, 0] -= sign * eps
    return (values[0] - values[1]) / (2 * eps)


def test_right_forget_grads_pass_and_match_a_finite_difference(capsys):
    assert exercises.check_forget_grads(forget_grads())
    assert exercises.check_forget_grads(forget_grads(), seed=4)
    assert capsys.readouterr().out.startswith("Right!")
    from lstm_helpers.exercises.memory_cell import _forget_case

    cell, case = _forget_case(0)
    dW_xf, _ = forget_grads()(*case, {k: v.detach() for k, v in cell.named_parameters()})
    assert abs(dW_xf[0, 0].item() - finite_difference_dW_xf()) < 1e-7


@pytest.mark.parametrize(
    ("slip", "named"),
    [
        ({"c_for_f": "t"}, "dc_t/df_t = c_prev, not c_t"),
        ({"read": False}, "misses the read path"),
        ({"belt": False}, "misses the belt"),
        ({"sigmoid": False}, "sigmoid's derivative is missing"),
        ({"transpose_hh": True}, "dW_hf is transposed"),
        ({"tanh_slope": False}, "multiply dh_t by o_t"),
    ],
)
def test_each_forget_grads_slip_is_named(capsys, slip, named):
    assert not exercises.check_forget_grads(forget_grads(**slip))
    out = capsys.readouterr().out
    assert out.startswith("Not yet:") and named in out, out


def test_a_transposed_dW_xf_is_caught_by_its_shape(capsys):
    def transposed(*args):
        dW_xf, dW_hf = forget_grads()(*args)
        return dW_xf.T, dW_hf

    assert not exercises.check_forget_grads(transposed)
    assert "transposed" in capsys.readouterr().out


def lstm_step_with_cell(cell_update):
    """A student's LSTM step, right but for how c_t is made from the gates: cell_update(i, f, g, c_prev)."""

    def fn(x_t, h_prev, c_prev, p):
        z = x_t @ p["weight_ih"].T + p["bias_ih"] + h_prev @ p["weight_hh"].T + p["bias_hh"]
        i, f, g, o = z.chunk(4, dim=1)
        i, f, g, o = torch.sigmoid(i), torch.sigmoid(f), torch.tanh(g), torch.sigmoid(o)
        c_t = cell_update(i, f, g, c_prev)
        return o * torch.tanh(c_t), c_t

    return fn


@pytest.mark.parametrize(
    "update, named",
    [
        (lambda i, f, g, c: i * c + f * g, "the forget gate is applied to the candidate"),
        (lambda i, f, g, c: f * c + g, "the input gate is missing"),
        (lambda i, f, g, c: c + i * g, "the forget gate is missing"),
        (lambda i, f, g, c: f * c * i * g, "the two parts are multiplied"),
    ],
)
def test_a_role_swapped_in_c_t_is_named_not_reported_as_a_gate_order(update, named, capsys):
    assert exercises.check_lstm_step(lstm_step_with_cell(update)) is False
    out = capsys.readouterr().out
    assert named in out and "gate order" not in out


def test_weights_used_without_their_transpose_are_told_to_use_T(capsys):
    def no_transpose(x_t, h_prev, c_prev, p):
        z = x_t @ p["weight_ih"] + h_prev @ p["weight_hh"]  # (5, 3) @ (16, 3): shapes cannot be multiplied
        return z, z

    assert exercises.check_lstm_step(no_transpose) is False
    out = capsys.readouterr().out
    assert "raised RuntimeError" in out and '`x_t @ params["weight_ih"].T`' in out
