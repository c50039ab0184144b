"""exercises.lstm_vs_rnn (chapter 5): the peephole LSTM step and the coupled input-forget gate (CIFG) step."""

import torch

from lstm_helpers import exercises
from lstm_helpers.cells import LSTMCell
from lstm_helpers.exercises import core, lstm_vs_rnn


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
    params, args = exercises.peephole_params(2, zero=True), core.inputs(2)
    h_ref, c_ref = lstm_vs_rnn.peephole_reference(params, *args)
    h, c, _ = LSTMCell.from_torch(core.layer("lstm", 2)).step(*args)
    assert torch.allclose(h_ref, h, atol=1e-12) and torch.allclose(c_ref, c, atol=1e-12)


def test_the_peepholes_change_the_step():  # else the checker could not tell them apart
    args = core.inputs(0)
    with_p = lstm_vs_rnn.peephole_reference(exercises.peephole_params(0), *args)[0]
    without = lstm_vs_rnn.peephole_reference(exercises.peephole_params(0, zero=True), *args)[0]
    assert (with_p - without).abs().max() > 1e-2


def test_a_right_peephole_step_passes_and_each_slip_is_named(capsys):
    assert exercises.check_peephole_lstm_step(peephole_step(), seed=1)
    assert capsys.readouterr().out.startswith("Right!")
    assert not exercises.check_peephole_lstm_step(peephole_step(o_reads="c_prev"))
    assert "reads c_t" in capsys.readouterr().out
    assert not exercises.check_peephole_lstm_step(peephole_step(skip="f"))
    assert "p_f * c_prev" in capsys.readouterr().out
    def no_peepholes(x_t, h_prev, c_prev, p):  # a plain LSTM step: reads no p_i, p_f, p_o
        return peephole_step()(x_t, h_prev, c_prev, {**p, **{k: 0 * p[k] for k in ("p_i", "p_f", "p_o")}})

    assert not exercises.check_peephole_lstm_step(no_peepholes)
    assert "Not yet" in capsys.readouterr().out


def test_a_peephole_step_with_a_wrong_lstm_part_is_sent_back_to_the_lstm(capsys):
    def wrong(x_t, h_prev, c_prev, p):
        h_t, c_t = peephole_step()(x_t, h_prev, c_prev, p)
        return torch.tanh(c_t), c_t  # forgot o_t

    assert not exercises.check_peephole_lstm_step(wrong)
    assert "torch.nn.LSTM's" in capsys.readouterr().out


def test_the_cifg_reference_has_input_gate_one_minus_forget_gate():
    lstm, H = lstm_vs_rnn.cifg_torch(0), exercises.HIDDEN
    x_t, h_prev, _ = core.inputs(0)
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


def test_a_peephole_step_with_the_forget_gate_on_the_candidate_is_named_without_other_advice(capsys):
    def swapped(x_t, h_prev, c_prev, p):
        def z(k):
            return x_t @ p[f"W_x{k}"] + p[f"b_x{k}"] + h_prev @ p[f"W_h{k}"] + p[f"b_h{k}"]

        i = torch.sigmoid(z("i") + p["p_i"] * c_prev)
        f = torch.sigmoid(z("f") + p["p_f"] * c_prev)
        c_t = i * c_prev + f * torch.tanh(z("g"))  # the slip: f on the candidate
        o = torch.sigmoid(z("o") + p["p_o"] * c_t)
        return o * torch.tanh(c_t), c_t

    assert not exercises.check_peephole_lstm_step(swapped)
    out = capsys.readouterr().out
    # named here: the old advice (run check_lstm_step on it) fails with a KeyError on p_i
    assert "the forget gate is applied to the candidate" in out and "check_lstm_step" not in out
