"""Chapter 1's checker: one step of the tanh RNN, against `cells.RNNCell` (= `torch.nn.RNN`).

    check_rnn_step(fn)     fn(x_t, h_prev, params) -> h_t
"""

from __future__ import annotations

from typing import Callable

import torch

from lstm_helpers.cells import RNNCell
from lstm_helpers.exercises import core


def check_rnn_step(fn: Callable, seed: int = 0, layout: str = "torch", verbose: bool = True) -> bool:
    """Check fn(x_t, h_prev, params) -> h_t against `cells.RNNCell`; print the verdict."""
    rnn = core.layer("rnn", seed)
    x_t, h_prev, _ = core.inputs(seed)
    out, error = core.call(fn, (x_t, h_prev, core.params_of(rnn, layout)), "RNN step")
    error = error or core.shape_problem("h_t", out)
    if error:
        return core.report(False, error, verbose)
    cell = RNNCell.from_torch(rnn)
    d = core.diff(out, cell(x_t, h_prev))
    if d < core.TOL:
        return core.report(True, f"h_t matches torch.nn.RNN (max difference {d:.1e}).", verbose)
    hint = core.first_mistake(out, rnn_slips(cell, x_t, h_prev))
    return core.report(False, hint or f"h_t is off by up to {d:.3g}: check h_t = tanh(x_t W_xh + b_xh + "
                  "h_prev W_hh + b_hh).", verbose)  # fmt: skip


def rnn_slips(cell: RNNCell, x_t: torch.Tensor, h_prev: torch.Tensor) -> list[tuple[torch.Tensor, str]]:
    """The common RNN mistakes, each with what it computes: no tanh, a transposed W_hh, a missing bias."""
    with torch.no_grad():
        a = x_t @ cell.W_xh + cell.b_xh + h_prev @ cell.W_hh + cell.b_hh  # pre-activation (batch, H)
        transposed = torch.tanh(a - h_prev @ cell.W_hh + h_prev @ cell.W_hh.T)
        return [
            (a, "h_t is the pre-activation: apply tanh."),
            (transposed, "the recurrent weight is used transposed: write h_prev @ params['weight_hh'].T "
                         "(layout 'torch') or h_prev @ params['W_hh'] (layout 'gates')."),
            (torch.tanh(a - cell.b_xh), "bias_ih (b_xh) is missing: torch.nn.RNN adds both biases."),
            (torch.tanh(a - cell.b_hh), "bias_hh (b_hh) is missing: torch.nn.RNN adds both biases."),
        ]  # fmt: skip
