"""exercises.applications (chapter 7): a right GRU step equals torch.nn.GRU; each slip is named."""

import pytest
import torch

from lstm_helpers import exercises
from lstm_helpers.exercises import applications


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
    gru, H = applications.gru_layer(0), exercises.HIDDEN
    p = exercises.gru_params(0)
    assert torch.equal(p["W_xz"], gru.weight_ih_l0[H : 2 * H].detach().T)
    assert torch.equal(p["b_hn"], gru.bias_hh_l0[2 * H :].detach())
    assert p["W_hr"].shape == (H, H) and p["W_xn"].shape == (exercises.INPUT, H)


def test_a_right_gru_step_equals_torch_nn_gru_over_a_sequence():
    # the written step, unrolled, against torch.nn.GRU over 6 steps (not only the checker's one step)
    gru = applications.gru_layer(3)
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


def gru_slip_step(slip):
    """A GRU step with one of the three slips that used to get the generic message."""

    def fn(x_t, h_prev, p):
        W_h = {k: (p[f"W_h{k}"].T if slip == "transposed" else p[f"W_h{k}"]) for k in "rzn"}
        r_t = torch.sigmoid(x_t @ p["W_xr"] + p["b_xr"] + h_prev @ W_h["r"] + p["b_hr"])
        z_t = torch.sigmoid(x_t @ p["W_xz"] + p["b_xz"] + h_prev @ W_h["z"] + p["b_hz"])
        if slip == "r z swapped":
            r_t, z_t = z_t, r_t
        if slip == "paper":
            n_t = torch.tanh(x_t @ p["W_xn"] + p["b_xn"] + (r_t * h_prev) @ W_h["n"] + p["b_hn"])
        else:
            n_t = torch.tanh(x_t @ p["W_xn"] + p["b_xn"] + r_t * (h_prev @ W_h["n"] + p["b_hn"]))
        return (1 - z_t) * n_t + z_t * h_prev

    return fn


@pytest.mark.parametrize(
    "slip, named",
    [("paper", "original paper's form"), ("r z swapped", "r_t and z_t swapped"),
     ("transposed", "recurrent weights are transposed")],
)  # fmt: skip
def test_the_papers_form_swapped_gates_and_transposed_weights_are_named(slip, named, capsys):
    assert not exercises.check_gru_step(gru_slip_step(slip))
    assert named in capsys.readouterr().out
