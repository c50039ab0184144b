"""Chapter 3's checker: one step of backpropagation through time for the tanh RNN, against autograd.

    check_rnn_backward_step(fn)   fn(h_prev, h_t, grad_h_t, delta_next, params) -> (delta_t, dW_hh_t)

delta_t = dL/da_t (a_t the pre-activation at step t), delta_next = dL/da_{t+1}, grad_h_t = the loss's own
gradient at h_t; dW_hh_t = this step's term of dL/dW_hh, shaped like the W_hh of the layout. The
default layout here is "gates" (W_hh (H, H), a_t = ... + h_{t-1} @ W_hh), the book's equations:
    delta_t = (grad_h_t + delta_{t+1} W_hh^T) * (1 - h_t^2),     dW_hh_t = h_{t-1}^T delta_t
"""

from __future__ import annotations

from typing import Callable

import torch

from lstm_helpers.cells import RNNCell
from lstm_helpers.exercises import core


def _case(seed: int) -> tuple[RNNCell, tuple[torch.Tensor, ...]]:
    """A cell and (x_t, h_prev, h_t, grad_h_t, delta_next), all float64, (batch, size)."""
    cell = RNNCell.from_torch(core.layer("rnn", seed))
    x_t, h_prev, _ = core.inputs(seed)
    gen = torch.Generator().manual_seed(seed + 2)
    shape = (2, core.BATCH, core.HIDDEN)
    grad_h, delta_next = torch.randn(*shape, generator=gen, dtype=torch.float64)  # (batch, H) each
    with torch.no_grad():
        h_t = cell(x_t, h_prev)
    return cell, (x_t, h_prev, h_t, grad_h, delta_next)


def _autograd(cell: RNNCell, case: tuple[torch.Tensor, ...]) -> tuple[torch.Tensor, torch.Tensor]:
    """(delta_t, dW_hh_t) by autograd: L = <grad_h_t, h_t> + <delta_next, a_{t+1}>, W_hh of step t alone."""
    x_t, h_prev, _, grad_h, delta_next = case
    W_hh = cell.W_hh.detach().clone().requires_grad_(True)  # step t's own copy
    a_t = x_t @ cell.W_xh.detach() + cell.b_xh.detach() + h_prev @ W_hh + cell.b_hh.detach()  # (batch, H)
    h_t = torch.tanh(a_t)
    a_next = h_t @ cell.W_hh.detach()  # the part of a_{t+1} that depends on h_t
    L = (grad_h * h_t).sum() + (delta_next * a_next).sum()
    delta, dW_hh = torch.autograd.grad(L, (a_t, W_hh))
    return delta, dW_hh


def _delta_hint(case: tuple[torch.Tensor, ...], W_hh: torch.Tensor, delta: torch.Tensor, layout: str) -> str:
    """Name the missing or wrong term of delta_t = (grad_h_t + delta_{t+1} W_hh^T) * (1 - h_t^2)."""
    _, h_prev, h_t, grad_h, delta_next = case
    back = delta_next @ W_hh.T  # the error from step t+1, through W_hh^T
    recurrent = "delta_next @ params['weight_hh']" if layout == "torch" else "delta_next @ params['W_hh'].T"
    if not delta.any():
        return "delta_t is all zeros: write the recursion (the placeholder is still there?)."
    hint = core.first_mistake(delta, [
        (back * (1 - h_t**2), "the loss's own term grad_h_t is missing: add it to the error from step t+1."),
        (grad_h * (1 - h_t**2), f"the error from step t+1 is missing: add {recurrent} to grad_h_t."),
        ((grad_h + delta_next @ W_hh) * (1 - h_t**2), f"W_hh is used untransposed: write {recurrent}."),
        (grad_h + back, "the tanh's derivative is missing: multiply by (1 - h_t**2)."),
        ((grad_h + back) * (1 - torch.tanh(h_t) ** 2), "h_t is already tanh(a_t): tanh' is 1 - h_t**2."),
        ((grad_h + back) * (1 - h_t), "tanh' is 1 - h_t**2, not 1 - h_t."),
        ((grad_h + back) * (1 - h_prev**2), "tanh' at step t uses h_t, not h_prev."),
        ((grad_h + back) * h_t * (1 - h_t), "that is the sigmoid's derivative: tanh' is 1 - h_t**2."),
    ])  # fmt: skip
    if hint:
        return "delta_t: " + hint
    return "delta_t is off: check delta_t = (grad_h_t + delta_next W_hh^T) * (1 - h_t**2)."


def _dW_hint(case: tuple[torch.Tensor, ...], delta: torch.Tensor, dW: torch.Tensor, layout: str) -> str:
    """Name what is wrong in this step's term of dL/dW_hh (the layout's shape: W_hh or weight_hh)."""
    _, h_prev, h_t, _, delta_next = case
    want = "delta_t.T @ h_prev" if layout == "torch" else "h_prev.T @ delta_t"

    def as_layout(m: torch.Tensor) -> torch.Tensor:
        return m.T if layout == "torch" else m

    hint = core.first_mistake(dW, [
        (as_layout(h_prev.T @ delta).T, f"dW_hh_t is transposed: write {want}."),
        (as_layout(h_t.T @ delta), f"dW_hh_t uses h_t; step t's W_hh multiplies h_prev: {want}."),
        (as_layout(h_prev.T @ delta_next), f"dW_hh_t uses delta_next; use this step's delta_t: {want}."),
    ])  # fmt: skip
    return hint or f"dW_hh_t is off: check dW_hh_t = {want}."


def check_rnn_backward_step(fn: Callable, seed: int = 0, layout: str = "gates", verbose: bool = True) -> bool:
    """Check fn(h_prev, h_t, grad_h_t, delta_next, params) -> (delta_t, dW_hh_t) against autograd."""
    cell, case = _case(seed)
    params = core.params_of(core.layer("rnn", seed), layout)
    out, error = core.call(fn, (*case[1:], params), "RNN backward step")
    if error is None and not (isinstance(out, (tuple, list)) and len(out) == 2):
        error = f"your RNN backward step should return a pair (delta_t, dW_hh_t), got {type(out).__name__}"
    error = error or core.shape_problem("delta_t", out[0])
    square = (core.HIDDEN, core.HIDDEN)
    if error is None and (not isinstance(out[1], torch.Tensor) or tuple(out[1].shape) != square):
        got = tuple(out[1].shape) if isinstance(out[1], torch.Tensor) else type(out[1]).__name__
        error = f"dW_hh_t should be a ({core.HIDDEN}, {core.HIDDEN}) tensor, like W_hh, got {got}"
    if error:
        return core.report(False, error, verbose)
    delta_ref, dW_ref = _autograd(cell, case)
    dW_ref = dW_ref.T if layout == "torch" else dW_ref  # gradient of weight_hh = (gradient of W_hh)^T
    d_delta, d_W = core.diff(out[0], delta_ref), core.diff(out[1], dW_ref)
    if d_delta >= core.TOL:
        return core.report(False, _delta_hint(case, cell.W_hh.detach(), out[0].detach(), layout), verbose)
    if d_W >= core.TOL:
        return core.report(False, _dW_hint(case, delta_ref, out[1].detach(), layout), verbose)
    message = f"delta_t and dW_hh_t match autograd (max difference {max(d_delta, d_W):.1e})."
    return core.report(True, message, verbose)
