"""Chapter 7's checker: one step of the GRU, against `torch.nn.GRU`.

    check_gru_step(fn)     fn(x_t, h_prev, params) -> h_t, params = gru_params()
"""

from __future__ import annotations

from typing import Callable

import torch
from torch import nn

from lstm_helpers.checks import require_int
from lstm_helpers.exercises import core

GRU_GATES = ("r", "z", "n")  # torch.nn.GRU's stacking order


def gru_params(seed: int = 0) -> dict[str, torch.Tensor]:
    """A small GRU's parameters (input 3, hidden 4, float64) by gate: W_xr (input, H), W_hr (H, H),
    b_xr, b_hr, and the same for z and n; cut from a torch.nn.GRU stacked r, z, n."""
    return gru_params_of(gru_layer(seed))


def gru_layer(seed: int) -> nn.GRU:
    """A seeded float64 `torch.nn.GRU`, input 3, hidden 4."""
    torch.manual_seed(require_int("seed", seed, 0))
    return nn.GRU(core.INPUT, core.HIDDEN).double()


def gru_params_of(gru: nn.GRU) -> dict[str, torch.Tensor]:
    """A GRU layer's weights cut by gate, each transposed to (input, H) or (H, H)."""
    params = {}
    for k, gate in enumerate(GRU_GATES):
        rows = slice(k * core.HIDDEN, (k + 1) * core.HIDDEN)
        params[f"W_x{gate}"] = gru.weight_ih_l0[rows].detach().T.clone()  # (input, H)
        params[f"W_h{gate}"] = gru.weight_hh_l0[rows].detach().T.clone()  # (H, H)
        params[f"b_x{gate}"] = gru.bias_ih_l0[rows].detach().clone()  # (H,)
        params[f"b_h{gate}"] = gru.bias_hh_l0[rows].detach().clone()  # (H,)
    return params


def gru_slips(
    x_t: torch.Tensor, h_prev: torch.Tensor, p: dict[str, torch.Tensor]
) -> list[tuple[torch.Tensor, str]]:
    """The step computed with each common slip, with the hint that names it."""
    r_t = torch.sigmoid(x_t @ p["W_xr"] + p["b_xr"] + h_prev @ p["W_hr"] + p["b_hr"])
    z_t = torch.sigmoid(x_t @ p["W_xz"] + p["b_xz"] + h_prev @ p["W_hz"] + p["b_hz"])
    n_t = torch.tanh(x_t @ p["W_xn"] + p["b_xn"] + r_t * (h_prev @ p["W_hn"] + p["b_hn"]))
    n_out = torch.tanh(x_t @ p["W_xn"] + p["b_xn"] + r_t * (h_prev @ p["W_hn"]) + p["b_hn"])
    n_no_r = torch.tanh(x_t @ p["W_xn"] + p["b_xn"] + h_prev @ p["W_hn"] + p["b_hn"])
    n_paper = torch.tanh(x_t @ p["W_xn"] + p["b_xn"] + (r_t * h_prev) @ p["W_hn"] + p["b_hn"])
    n_rz = torch.tanh(x_t @ p["W_xn"] + p["b_xn"] + z_t * (h_prev @ p["W_hn"] + p["b_hn"]))
    r_T = torch.sigmoid(x_t @ p["W_xr"] + p["b_xr"] + h_prev @ p["W_hr"].T + p["b_hr"])
    z_T = torch.sigmoid(x_t @ p["W_xz"] + p["b_xz"] + h_prev @ p["W_hz"].T + p["b_hz"])
    n_T = torch.tanh(x_t @ p["W_xn"] + p["b_xn"] + r_T * (h_prev @ p["W_hn"].T + p["b_hn"]))
    return [
        ((1 - z_t) * n_paper + z_t * h_prev,
         "the reset gate is applied to h_prev before the product, (r_t * h_prev) W_hn: that is the original "
         "paper's form (Cho et al. 2014); torch.nn.GRU applies it after: r_t * (h_prev W_hn + b_hn)."),
        ((1 - r_t) * n_rz + r_t * h_prev,
         "r_t and z_t swapped: the reset gate r_t belongs inside the candidate, r_t * (h_prev W_hn + b_hn), "
         "and the update gate z_t mixes: h_t = (1 - z_t) * n_t + z_t * h_prev (torch stacks r, z, n)."),
        ((1 - z_T) * n_T + z_T * h_prev,
         "the recurrent weights are transposed: gru_params gives W_hr, W_hz, W_hn as (H, H) to multiply from "
         "the right, h_prev @ W_hr; .T is for torch's own (out, in) weight_hh."),
        (z_t * n_t + (1 - z_t) * h_prev,
         "z_t and 1 - z_t swapped: z_t keeps the old state, h_t = (1 - z_t) * n_t + z_t * h_prev."),
        ((1 - z_t) * n_out + z_t * h_prev,
         "the reset gate multiplies b_hn too: n_t = tanh(x_t W_xn + b_xn + r_t * (h_prev W_hn + b_hn))."),
        ((1 - z_t) * n_no_r + z_t * h_prev,
         "the candidate n_t has no reset gate: multiply (h_prev W_hn + b_hn) by r_t."),
    ]  # fmt: skip


def check_gru_step(fn: Callable, seed: int = 0, verbose: bool = True) -> bool:
    """Check fn(x_t, h_prev, params) -> h_t against one step of `torch.nn.GRU`; print the verdict.

    `params` is `gru_params(seed)`: W_xr, W_hr, b_xr, b_hr and the same for z and n.
    """
    gru = gru_layer(seed)
    x_t, h_prev, _ = core.inputs(seed)
    params = gru_params_of(gru)
    out, error = core.call(fn, (x_t, h_prev, params), "GRU step")
    error = error or core.shape_problem("h_t", out)
    if error:
        return core.report(False, error, verbose)
    with torch.no_grad():
        h_ref = gru(x_t[None], h_prev[None])[1][0]  # (batch, H): torch.nn.GRU's own step
    d = core.diff(out, h_ref)
    if d < core.TOL:
        return core.report(True, f"h_t matches torch.nn.GRU (max difference {d:.1e}).", verbose)
    hint = core.first_mistake(out, gru_slips(x_t, h_prev, params))
    off = (f"h_t is off by up to {d:.3g}: check r_t and z_t (sigmoid), n_t (tanh, with r_t on the old "
           "state's term) and h_t = (1 - z_t) * n_t + z_t * h_prev.")  # fmt: skip
    return core.report(False, hint or off, verbose)
