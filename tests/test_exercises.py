"""exercises: right answers pass, each classic mistake is caught and named."""

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


def rnn_step(transpose=True, bias=True, act=torch.tanh):
    def fn(x_t, h_prev, p):
        W_hh = p["weight_hh"].T if transpose else p["weight_hh"]
        a = x_t @ p["weight_ih"].T + h_prev @ W_hh + p["bias_hh"] + (p["bias_ih"] if bias else 0)
        return act(a)

    return fn


@pytest.mark.parametrize(
    "fn, ok, message",
    [
        (rnn_step(), True, "matches torch.nn.RNN"),
        (rnn_step(act=lambda a: a), False, "apply tanh"),
        (rnn_step(transpose=False), False, "used transposed"),
        (rnn_step(bias=False), False, "bias_ih (b_xh) is missing"),
        (rnn_step(act=torch.sigmoid), False, "h_t is off by up to"),
    ],
)
def test_rnn_checker(fn, ok, message, capsys):
    assert exercises.check_rnn_step(fn) is ok
    assert message in capsys.readouterr().out


def test_gate_checker_names_the_gate_computed(capsys):
    def f_gate(x_t, h_prev, p):
        z = x_t @ p["weight_ih"].T + p["bias_ih"] + h_prev @ p["weight_hh"].T + p["bias_hh"]
        return torch.sigmoid(z.chunk(4, dim=1)[1])

    assert exercises.check_gate(f_gate, "f")
    assert not exercises.check_gate(f_gate, "o")
    assert "you computed the f gate, not o" in capsys.readouterr().out


def test_params_layouts_hold_the_same_numbers():
    torch_p, gates_p = exercises.lstm_params(layout="torch"), exercises.lstm_params(layout="gates")
    assert torch_p["weight_hh"].shape == (16, 4) and gates_p["W_hg"].shape == (4, 4)
    assert torch.equal(torch_p["weight_hh"].chunk(4)[2].T, gates_p["W_hg"])
    assert set(exercises.rnn_params(layout="gates")) == {"W_xh", "W_hh", "b_xh", "b_hh"}
    with pytest.raises(ValueError, match="layout must be one of"):
        exercises.lstm_params(layout="keras")
    with pytest.raises(ValueError, match="gate must be one of"):
        exercises.check_gate(lambda x, h, p: h, "z")


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


# --- chapter 5: the peephole LSTM step and the coupled input-forget gate (CIFG) step ---


def peephole_step(o_reads="c_t", skip=""):
    """A student's peephole LSTM step, written gate by gate; `skip` drops one peephole."""

    def fn(x_t, h_prev, c_prev, p):
        def z(k):
            return x_t @ p[f"W_x{k}"] + p[f"b_x{k}"] + h_prev @ p[f"W_h{k}"] + p[f"b_h{k}"]

        i = torch.sigmoid(z("i") + (0 if skip == "i" else p["p_i"] * c_prev))
        f = torch.sigmoid(z("f") + (0 if skip == "f" else p["p_f"] * c_prev))
        c_t = f * c_prev + i * torch.tanh(z("g"))
        o = torch.sigmoid(z("o") + p["p_o"] * (c_t if o_reads == "c_t" else c_prev))
        return o * torch.tanh(c_t), c_t

    return fn


def cifg_step(write="1-f", keep="f"):
    def fn(x_t, h_prev, c_prev, p):
        def z(k):
            return x_t @ p[f"W_x{k}"] + p[f"b_x{k}"] + h_prev @ p[f"W_h{k}"] + p[f"b_h{k}"]

        f = torch.sigmoid(z("f"))
        gates = {"f": f, "1-f": 1 - f}
        c_t = gates[keep] * c_prev + gates[write] * torch.tanh(z("g"))
        return torch.sigmoid(z("o")) * torch.tanh(c_t), c_t

    return fn


def test_the_peephole_reference_is_torch_lstm_when_the_peepholes_are_zero():
    params, args = exercises.peephole_params(2, zero=True), exercises._inputs(2)
    h_ref, c_ref = exercises._peephole_reference(params, *args)
    h, c, _ = exercises.LSTMCell.from_torch(exercises._layer("lstm", 2)).step(*args)
    assert torch.allclose(h_ref, h, atol=1e-12) and torch.allclose(c_ref, c, atol=1e-12)


def test_the_peepholes_change_the_step():  # else the checker could not tell them apart
    args = exercises._inputs(0)
    with_p = exercises._peephole_reference(exercises.peephole_params(0), *args)[0]
    without = exercises._peephole_reference(exercises.peephole_params(0, zero=True), *args)[0]
    assert (with_p - without).abs().max() > 1e-2


def test_a_right_peephole_step_passes_and_each_slip_is_named(capsys):
    assert exercises.check_peephole_lstm_step(peephole_step(), seed=1)
    assert capsys.readouterr().out.startswith("Right!")
    assert not exercises.check_peephole_lstm_step(peephole_step(o_reads="c_prev"))
    assert "reads c_t" in capsys.readouterr().out
    assert not exercises.check_peephole_lstm_step(peephole_step(skip="f"))
    assert "p_f * c_prev" in capsys.readouterr().out
    assert not exercises.check_peephole_lstm_step(lstm_step_gates_layout)  # no peepholes at all
    assert "Not yet" in capsys.readouterr().out


def test_a_peephole_step_with_a_wrong_lstm_part_is_sent_back_to_the_lstm(capsys):
    def wrong(x_t, h_prev, c_prev, p):
        h_t, c_t = peephole_step()(x_t, h_prev, c_prev, p)
        return torch.tanh(c_t), c_t  # forgot o_t

    assert not exercises.check_peephole_lstm_step(wrong)
    assert "torch.nn.LSTM's" in capsys.readouterr().out


def test_the_cifg_reference_has_input_gate_one_minus_forget_gate():
    lstm, H = exercises._cifg_torch(0), exercises.HIDDEN
    x_t, h_prev, _ = exercises._inputs(0)
    z = x_t @ lstm.weight_ih_l0.T + lstm.bias_ih_l0 + h_prev @ lstm.weight_hh_l0.T + lstm.bias_hh_l0
    i, f = torch.sigmoid(z[:, :H]), torch.sigmoid(z[:, H : 2 * H])
    assert torch.allclose(i, 1 - f, atol=1e-12)


def test_a_right_cifg_step_passes_and_the_slips_are_named(capsys):
    assert exercises.check_cifg_step(cifg_step(), seed=2)
    assert capsys.readouterr().out.startswith("Right!")
    assert not exercises.check_cifg_step(cifg_step(write="f"))
    assert "1 - f_t, not f_t" in capsys.readouterr().out
    assert not exercises.check_cifg_step(cifg_step(write="f", keep="1-f"))
    assert "swapped" in capsys.readouterr().out
    assert not exercises.check_cifg_step(lambda x, h, c, p: (h, c))
    assert "Not yet" in capsys.readouterr().out


def test_the_variant_checkers_report_a_crash_and_a_wrong_shape(capsys):
    assert not exercises.check_cifg_step(lambda x, h, c, p: p["W_xi"])
    assert "KeyError" in capsys.readouterr().out
    assert not exercises.check_peephole_lstm_step(lambda x, h, c, p: (h.T, c))
    assert "transposed" in capsys.readouterr().out


def gru_step(slip=None):
    def fn(x_t, h_prev, p):
        def pre(k):
            return x_t @ p[f"W_x{k}"] + p[f"b_x{k}"], h_prev @ p[f"W_h{k}"] + p[f"b_h{k}"]

        r_t = torch.sigmoid(sum(pre("r")))
        z_t = torch.sigmoid(sum(pre("z")))
        x_n, h_n = pre("n")
        if slip == "no reset":
            r_t = torch.ones_like(r_t)
        if slip == "reset after bias":
            n_t = torch.tanh(x_n + r_t * (h_prev @ p["W_hn"]) + p["b_hn"])
        else:
            n_t = torch.tanh(x_n + r_t * h_n)
        if slip == "swapped":
            return z_t * n_t + (1 - z_t) * h_prev
        return (1 - z_t) * n_t + z_t * h_prev

    return fn


def test_gru_params_are_torch_nn_grus_rows_by_gate():
    gru, H = exercises._gru(0), exercises.HIDDEN
    p = exercises.gru_params(0)
    assert torch.equal(p["W_xz"], gru.weight_ih_l0[H : 2 * H].detach().T)
    assert torch.equal(p["b_hn"], gru.bias_hh_l0[2 * H :].detach())
    assert p["W_hr"].shape == (H, H) and p["W_xn"].shape == (exercises.INPUT, H)


def test_a_right_gru_step_equals_torch_nn_gru_over_a_sequence():
    # the written step, unrolled, against torch.nn.GRU over 6 steps (not only the checker's one step)
    gru = exercises._gru(3)
    p = exercises.gru_params(3)
    x = torch.randn(6, 2, exercises.INPUT, dtype=torch.float64)
    h = torch.zeros(2, exercises.HIDDEN, dtype=torch.float64)
    for x_t in x:
        h = gru_step()(x_t, h, p)
    assert torch.allclose(h, gru(x)[1][0].detach(), atol=1e-12)


def test_a_right_gru_step_passes_and_the_slips_are_named(capsys):
    assert exercises.check_gru_step(gru_step(), seed=2)
    assert "matches torch.nn.GRU" in capsys.readouterr().out
    assert not exercises.check_gru_step(gru_step("swapped"))
    assert "swapped" in capsys.readouterr().out
    assert not exercises.check_gru_step(gru_step("no reset"))
    assert "no reset gate" in capsys.readouterr().out
    assert not exercises.check_gru_step(gru_step("reset after bias"))
    assert "multiplies b_hn too" in capsys.readouterr().out
    assert not exercises.check_gru_step(lambda x, h, p: h.T)
    assert "transposed" in capsys.readouterr().out
    assert not exercises.check_gru_step(lambda x, h, p: p["nope"])
    assert "raised KeyError" in capsys.readouterr().out
