"""Chapter 4's checkers (chapter 6 reuses check_gate): one LSTM step and one gate, against `cells.LSTMCell`;
the forget gate's weight gradients at one step, against autograd.

    check_lstm_step(fn)          fn(x_t, h_prev, c_prev, params) -> (h_t, c_t)
    check_gate(fn, "f")          fn(x_t, h_prev, params) -> f_t
    check_forget_grads(fn)       fn(x_t, h_prev, c_prev, dh_t, dc_next, params) -> (dW_xf, dW_hf)

In check_forget_grads, params has the "gates" layout (W_xf (input, H), W_hf (H, H), ...), dh_t is
dL/dh_t in total and dc_next the error that comes back along the belt from step t+1, f_{t+1} dc_{t+1}.
The book's equations:
    dc_t = dc_next + dh_t * o_t * (1 - tanh(c_t)^2),    delta_f = dc_t * c_{t-1} * f_t * (1 - f_t),
    dW_xf = x_t^T delta_f,    dW_hf = h_{t-1}^T delta_f
"""

from __future__ import annotations

from itertools import permutations
from typing import Callable

import torch
from torch import nn

from lstm_helpers.cells import GATES, LSTMCell
from lstm_helpers.exercises.core import (
    BATCH,
    HIDDEN,
    INPUT,
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


def role_slip(lstm: nn.LSTM, args: tuple, c_t: torch.Tensor) -> str | None:
    """What a c_t built from the right gates in the wrong roles says, or None."""
    x_t, h_prev, c_prev = args
    _, _, (i, f, g, _) = LSTMCell.from_torch(lstm).step(x_t, h_prev, c_prev)
    i, f, g = i.detach(), f.detach(), g.detach()
    right = "c_t = f_t * c_prev + i_t * g_t"
    return first_mistake(c_t, [
        (i * c_prev + f * g, "the forget gate is applied to the candidate: you wrote i_t * c_prev + "
                             f"f_t * g_t; the forget gate scales the old memory, {right}."),
        (f * c_prev + g, f"the input gate is missing: the candidate is added whole; {right}."),
        (c_prev + i * g, f"the forget gate is missing: the old memory passes whole; {right}."),
        (f * c_prev * i * g, f"the two parts are multiplied: the new content is added, {right}."),
    ])  # fmt: skip


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
    role = role_slip(lstm, args, c_t)
    if role:  # before gate orders: a role swapped in c_t also matches some order of the stacked gates
        return False, role
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
    cell = LSTMCell.from_torch(lstm)
    values = dict(zip(GATES, cell.gates(x_t, h_prev)))
    d = diff(out, values[gate])
    if d < TOL:
        return report(True, f"{gate}_t matches torch.nn.LSTM (max difference {d:.1e}).", verbose)
    stacked, act = ", ".join(GATES), "tanh" if gate == "g" else "sigmoid"
    block = {name: GATES.index(name) + 1 for name in GATES}  # 1-based, as "the second block"
    with torch.no_grad():  # this gate's activation on another gate's rows: the wrong block read
        W_x, W_h, b = cell.stacked()
        blocks = dict(zip(GATES, (x_t @ W_x + h_prev @ W_h + b).chunk(4, dim=1)))  # pre-activations
    wrong_rows = {name: getattr(torch, act)(a) for name, a in blocks.items() if name != gate}
    other = first_mistake(out, [
        *((value, f"you computed the {name} gate, not {gate}: check which chunk you took "
                  f"(torch stacks {stacked}).") for name, value in values.items()),
        *((value, f"you took block {block[name]} of the stacked rows, the {name} gate's; torch stacks "
                  f"{stacked}, so the {gate} gate is block {block[gate]}.")
          for name, value in wrong_rows.items()),
    ])  # fmt: skip
    return report(False, other or f"{gate}_t is off by up to {d:.3g}: check the weights, both biases and "
                  f"{act}.", verbose)  # fmt: skip


def _forget_case(seed: int) -> tuple[LSTMCell, tuple[torch.Tensor, ...]]:
    """A cell and (x_t, h_prev, c_prev, dh_t, dc_next), all float64, (batch, size)."""
    cell = LSTMCell.from_torch(layer("lstm", seed))
    gen = torch.Generator().manual_seed(seed + 2)
    dh_t, dc_next = torch.randn(2, BATCH, HIDDEN, generator=gen, dtype=torch.float64)  # (batch, H) each
    return cell, (*inputs(seed), dh_t, dc_next)


def _forget_autograd(cell: LSTMCell, case: tuple[torch.Tensor, ...]) -> tuple[torch.Tensor, torch.Tensor]:
    """(dW_xf, dW_hf) of one step by autograd: L = <dh_t, h_t> + <dc_next, c_t>."""
    x_t, h_prev, c_prev, dh_t, dc_next = case
    h_t, c_t, _ = cell.step(x_t, h_prev, c_prev)
    dW_xf, dW_hf = torch.autograd.grad((dh_t * h_t).sum() + (dc_next * c_t).sum(), (cell.W_xf, cell.W_hf))
    return dW_xf, dW_hf


def _forget_slips(cell: LSTMCell, case: tuple[torch.Tensor, ...]) -> dict[str, torch.Tensor]:
    """delta_f as each classic slip computes it, keyed by the hint that names the slip."""
    x_t, h_prev, c_prev, dh_t, dc_next = case
    with torch.no_grad():
        h_t, c_t, (i_t, f_t, g_t, o_t) = cell.step(x_t, h_prev, c_prev)
    read = dh_t * o_t * (1 - torch.tanh(c_t) ** 2)  # what h_t = o_t tanh(c_t) sends back into c_t
    sig = f_t * (1 - f_t)
    return {
        "right": (dc_next + read) * c_prev * sig,
        "the forget gate multiplies c_{t-1}, so dc_t/df_t = c_prev, not c_t: "
        "delta_f = dc_t * c_prev * f_t * (1 - f_t).": (dc_next + read) * c_t * sig,
        "dc_t misses the read path: add dh_t * o_t * (1 - tanh(c_t)**2) to dc_next.": dc_next * c_prev * sig,
        "dc_t misses the belt: add dc_next, the error from step t+1, to the read path.": read * c_prev * sig,
        "the sigmoid's derivative is missing: multiply by f_t * (1 - f_t).": (dc_next + read) * c_prev,
        "dc_t uses dh_t alone; h_t = o_t tanh(c_t), so multiply dh_t by o_t * (1 - tanh(c_t)**2).":
            (dc_next + dh_t) * c_prev * sig,
    }  # fmt: skip


def _forget_hint(case: tuple[torch.Tensor, ...], slips: dict[str, torch.Tensor], out: tuple) -> str:
    """Name the slip behind a wrong (dW_xf, dW_hf)."""
    x_t, h_prev, _, _, _ = case
    dW_xf, dW_hf = (m.detach() for m in out)
    right = slips["right"]
    hint = first_mistake(dW_xf, [(x_t.T @ delta, msg) for msg, delta in slips.items() if msg != "right"])
    if hint:
        return hint
    hint = first_mistake(dW_hf, [
        ((h_prev.T @ right).T, "dW_hf is transposed: W_hf is (H, H) and multiplies h_prev from the right, "
                               "so dW_hf = h_prev.T @ delta_f."),
        (right.T @ h_prev, "dW_hf is transposed: write h_prev.T @ delta_f."),
    ])  # fmt: skip
    if hint:
        return hint
    if not close(dW_xf, x_t.T @ right):
        return "dW_xf is off: check dW_xf = x_t.T @ delta_f, summed over the batch by the product."
    return "dW_hf is off: check dW_hf = h_prev.T @ delta_f (h_{t-1}, not h_t)."


def _grads_problem(out: object) -> str | None:
    """What is wrong with the type or shapes of a returned (dW_xf, dW_hf), or None."""
    if not (isinstance(out, (tuple, list)) and len(out) == 2):
        return f"your function should return a pair (dW_xf, dW_hf), got {type(out).__name__}"
    for name, m, want in (("dW_xf", out[0], (INPUT, HIDDEN)), ("dW_hf", out[1], (HIDDEN, HIDDEN))):
        if not isinstance(m, torch.Tensor):
            return f"{name} should be a torch.Tensor, got {type(m).__name__}"
        if tuple(m.shape) == want[::-1] and want[0] != want[1]:
            return (f"{name} has shape {tuple(m.shape)}, expected {want} like W_xf: transposed? "
                    "The gradient of x_t @ W_xf is x_t.T @ delta_f.")  # fmt: skip
        if tuple(m.shape) != want:
            return f"{name} has shape {tuple(m.shape)}, expected {want}, the shape of the weight"
    return None


def check_forget_grads(fn: Callable, seed: int = 0, verbose: bool = True) -> bool:
    """Check fn(x_t, h_prev, c_prev, dh_t, dc_next, params) -> (dW_xf, dW_hf) of one step against autograd.

    params has the "gates" layout; on a wrong answer the verdict names the slip (c_t for c_{t-1},
    a missing road into dc_t, a missing sigmoid derivative, a transposed gradient).
    """
    cell, case = _forget_case(seed)
    params = {k: v.detach().clone() for k, v in cell.named_parameters()}
    out, error = call(fn, (*case, params), "forget-gate gradients")
    error = error or _grads_problem(out)
    if error:
        return report(False, error, verbose)
    refs = _forget_autograd(cell, case)
    d = max(diff(out[0], refs[0]), diff(out[1], refs[1]))
    if d < TOL:
        return report(True, f"dW_xf and dW_hf match autograd (max difference {d:.1e}).", verbose)
    return report(False, _forget_hint(case, _forget_slips(cell, case), out), verbose)
