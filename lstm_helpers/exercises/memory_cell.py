"""Chapter 4's checkers (chapter 6 reuses check_gate): one LSTM step and one gate, against `cells.LSTMCell`.

    check_lstm_step(fn)    fn(x_t, h_prev, c_prev, params) -> (h_t, c_t)
    check_gate(fn, "f")    fn(x_t, h_prev, params) -> f_t
"""

from __future__ import annotations

from itertools import permutations
from typing import Callable

import torch
from torch import nn

from lstm_helpers.cells import GATES, LSTMCell
from lstm_helpers.exercises.core import (
    TOL,
    call,
    close,
    diff,
    first_mistake,
    inputs,
    layer,
    pair_problem,
    params_of,
    report,
    shape_problem,
)  # fmt: skip


def _permuted_cell(lstm: nn.LSTM, order: tuple[str, ...]) -> LSTMCell:
    """The cell a student builds when naming torch's chunks (i, f, g, o) as `order`."""
    cell = LSTMCell.from_torch(lstm)
    swapped = LSTMCell.from_torch(lstm)
    with torch.no_grad():
        for chunk, name in zip(GATES, order):
            for prefix in ("W_x", "W_h", "b_x", "b_h"):
                getattr(swapped, prefix + name).copy_(getattr(cell, prefix + chunk))
    return swapped


def _gate_order(lstm: nn.LSTM, args: tuple, h_t: torch.Tensor, c_t: torch.Tensor) -> tuple[str, ...] | None:
    """The order the student read the stacked gates in, when that explains the answer."""
    for order in permutations(GATES):
        h_ref, c_ref, _ = _permuted_cell(lstm, order).step(*args)
        if order != GATES and close(h_t, h_ref) and close(c_t, c_ref):
            return order
    return None


def check_lstm_step(fn: Callable, seed: int = 0, layout: str = "torch", verbose: bool = True) -> bool:
    """Check fn(x_t, h_prev, c_prev, params) -> (h_t, c_t) against `cells.LSTMCell`; print the verdict."""
    lstm = layer("lstm", seed)
    args = inputs(seed)
    out, error = call(fn, (*args, params_of(lstm, layout)), "LSTM step")
    error = error or pair_problem(out, "LSTM step")
    if error:
        return report(False, error, verbose)
    h_t, c_t = out
    h_ref, c_ref, _ = LSTMCell.from_torch(lstm).step(*args)
    return report(*_lstm_verdict(lstm, args, h_t, c_t, h_ref, c_ref), verbose)


def _lstm_verdict(
    lstm: nn.LSTM, args: tuple, h_t: torch.Tensor, c_t: torch.Tensor, h_ref: torch.Tensor, c_ref: torch.Tensor
) -> tuple[bool, str]:
    """(right?, message) for an LSTM step whose shapes are right."""
    dh, dc = diff(h_t, h_ref), diff(c_t, c_ref)
    if dh < TOL and dc < TOL:
        return True, f"h_t and c_t match torch.nn.LSTM (max difference {max(dh, dc):.1e})."
    if close(h_t, c_ref) and close(c_t, h_ref):
        return False, "you returned (c_t, h_t); return (h_t, c_t)."
    order = _gate_order(lstm, args, h_t.detach(), c_t.detach())
    if order is not None:
        return False, (
            f"gate order: you read the stacked gates as {', '.join(order)}, but torch.nn.LSTM "
            f"stacks them as {', '.join(GATES)} (your h_t is off by up to {dh:.2g})."
        )
    if dc < TOL:
        return False, f"c_t is right, h_t is off by up to {dh:.3g}: check h_t = o_t * tanh(c_t)."
    return False, (
        f"c_t is off by up to {dc:.3g} and h_t by up to {dh:.3g}: check each gate "
        "(check_gate), its activation (sigmoid for i, f, o; tanh for g), and c_t = f_t*c_prev + i_t*g_t."
    )


def check_gate(fn: Callable, gate: str, seed: int = 0, layout: str = "torch", verbose: bool = True) -> bool:
    """Check fn(x_t, h_prev, params) -> one LSTM gate's value (gate in "i", "f", "g", "o")."""
    if gate not in GATES:
        raise ValueError(f"gate must be one of {GATES}, got {gate!r}")
    lstm = layer("lstm", seed)
    x_t, h_prev, _ = inputs(seed)
    out, error = call(fn, (x_t, h_prev, params_of(lstm, layout)), f"{gate} gate")
    error = error or shape_problem(f"{gate}_t", out)
    if error:
        return report(False, error, verbose)
    values = dict(zip(GATES, LSTMCell.from_torch(lstm).gates(x_t, h_prev)))
    d = diff(out, values[gate])
    if d < TOL:
        return report(True, f"{gate}_t matches torch.nn.LSTM (max difference {d:.1e}).", verbose)
    stacked = ", ".join(GATES)
    other = first_mistake(out, [
        (value, f"you computed the {name} gate, not {gate}: check which chunk you took "
                f"(torch stacks {stacked}).")
        for name, value in values.items()
    ])  # fmt: skip
    act = "tanh" if gate == "g" else "sigmoid"
    return report(False, other or f"{gate}_t is off by up to {d:.3g}: check the weights, both biases and "
                  f"{act}.", verbose)  # fmt: skip
