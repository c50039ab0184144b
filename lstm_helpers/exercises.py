"""Checkers for the student's own gate and cell functions: they print right, or what is wrong and where.

Each checker calls the student's function on a small random case (float64, batch 5, input 3,
hidden 4), compares with `cells.RNNCell` / `cells.LSTMCell`, prints one verdict and returns
True or False. Shapes are time-first elsewhere in the book; one step is (batch, size).

    check_rnn_step(fn)     fn(x_t, h_prev, params) -> h_t
    check_lstm_step(fn)    fn(x_t, h_prev, c_prev, params) -> (h_t, c_t)
    check_gate(fn, "f")    fn(x_t, h_prev, params) -> f_t
    check_rnn_backward_step(fn)   fn(h_prev, h_t, grad_h_t, delta_next, params) -> (delta_t, dW_hh_t),
                           against autograd (layout "gates" by default: the book's backward equations)

`params` is a dict of tensors, in one of two layouts (`layout=`):
- "torch" (default): the names and shapes of `torch.nn.RNN` / `nn.LSTM` layer 0 without "_l0":
  weight_ih (G*H, input), weight_hh (G*H, H), bias_ih (G*H,), bias_hh (G*H,), with the LSTM's
  four gates stacked in the order i, f, g, o. Use `x_t @ params["weight_ih"].T`.
- "gates": the names of `cells.LSTMCell` / `cells.RNNCell`: W_xi (input, H), W_hi (H, H),
  b_xi, b_hi, ..., W_xh, W_hh, b_xh, b_hh. Use `x_t @ params["W_xi"]`.
Get them with `lstm_params()` / `rnn_params()` to try your function by hand.
"""

from __future__ import annotations

from itertools import permutations
from typing import Callable

import torch
from torch import nn

from lstm_helpers.cells import GATES, LSTMCell, RNNCell
from lstm_helpers.checks import require_int

BATCH, INPUT, HIDDEN = 5, 3, 4  # distinct sizes, so a transposed result shows in its shape
TOL = 1e-8  # float64: a right answer differs by ~1e-16
LAYOUTS = ("torch", "gates")


def _layer(kind: str, seed: int) -> nn.RNN | nn.LSTM:
    torch.manual_seed(require_int("seed", seed, 0))
    return (nn.RNN if kind == "rnn" else nn.LSTM)(INPUT, HIDDEN).double()


def _params(layer: nn.RNN | nn.LSTM, layout: str) -> dict[str, torch.Tensor]:
    if layout not in LAYOUTS:
        raise ValueError(f"layout must be one of {LAYOUTS}, got {layout!r}")
    if layout == "torch":
        return {k.removesuffix("_l0"): v.detach().clone() for k, v in layer.named_parameters()}
    cell = RNNCell.from_torch(layer) if isinstance(layer, nn.RNN) else LSTMCell.from_torch(layer)
    return {k: v.detach().clone() for k, v in cell.named_parameters()}


def rnn_params(seed: int = 0, layout: str = "torch") -> dict[str, torch.Tensor]:
    """Parameters of a small tanh RNN (input 3, hidden 4, float64) in the given layout."""
    return _params(_layer("rnn", seed), layout)


def lstm_params(seed: int = 0, layout: str = "torch") -> dict[str, torch.Tensor]:
    """Parameters of a small LSTM (input 3, hidden 4, float64, gates i, f, g, o) in the given layout."""
    return _params(_layer("lstm", seed), layout)


def _inputs(seed: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    gen = torch.Generator().manual_seed(seed + 1)
    x_t = torch.randn(BATCH, INPUT, generator=gen, dtype=torch.float64)  # (batch, input)
    h_prev = torch.randn(BATCH, HIDDEN, generator=gen, dtype=torch.float64).tanh()  # (batch, H)
    c_prev = torch.randn(BATCH, HIDDEN, generator=gen, dtype=torch.float64)  # (batch, H)
    return x_t, h_prev, c_prev


def _call(fn: Callable, args: tuple, what: str) -> tuple[object, str | None]:
    """Call the student's fn; return (result, None) or (None, a message saying what it raised)."""
    try:
        return fn(*args), None
    except Exception as err:  # the student's code may raise anything: report it
        return None, f"your {what} raised {type(err).__name__}: {err}"


def _shape_problem(name: str, out: object, dtype: torch.dtype = torch.float64) -> str | None:
    """What is wrong with the type, shape or dtype of one returned tensor, or None."""
    want = (BATCH, HIDDEN)
    if not isinstance(out, torch.Tensor):
        return f"{name} should be a torch.Tensor, got {type(out).__name__}"
    if tuple(out.shape) == want[::-1]:
        return f"{name} has shape {tuple(out.shape)}, expected (batch, H) = {want}: transposed?"
    if tuple(out.shape) != want:
        return f"{name} has shape {tuple(out.shape)}, expected (batch, H) = {want}"
    if out.dtype != dtype:
        return f"{name} has dtype {out.dtype}, expected {dtype} (the inputs' dtype)"
    return None


def _close(a: torch.Tensor, b: torch.Tensor) -> bool:
    return (a - b).abs().max().item() < TOL


def _diff(a: torch.Tensor, b: torch.Tensor) -> float:
    return (a.detach() - b.detach()).abs().max().item()


def _report(ok: bool, message: str, verbose: bool) -> bool:
    if verbose:
        print(("Right! " if ok else "Not yet: ") + message)
    return ok


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
        if order != GATES and _close(h_t, h_ref) and _close(c_t, c_ref):
            return order
    return None


def check_lstm_step(fn: Callable, seed: int = 0, layout: str = "torch", verbose: bool = True) -> bool:
    """Check fn(x_t, h_prev, c_prev, params) -> (h_t, c_t) against `cells.LSTMCell`; print the verdict."""
    lstm = _layer("lstm", seed)
    args = _inputs(seed)
    out, error = _call(fn, (*args, _params(lstm, layout)), "LSTM step")
    if error is None and not (isinstance(out, (tuple, list)) and len(out) == 2):
        error = f"your LSTM step should return a pair (h_t, c_t), got {type(out).__name__}"
    error = error or _shape_problem("h_t", out[0]) or _shape_problem("c_t", out[1])
    if error:
        return _report(False, error, verbose)
    h_t, c_t = out
    h_ref, c_ref, _ = LSTMCell.from_torch(lstm).step(*args)
    return _report(*_lstm_verdict(lstm, args, h_t, c_t, h_ref, c_ref), verbose)


def _lstm_verdict(
    lstm: nn.LSTM, args: tuple, h_t: torch.Tensor, c_t: torch.Tensor, h_ref: torch.Tensor, c_ref: torch.Tensor
) -> tuple[bool, str]:
    """(right?, message) for an LSTM step whose shapes are right."""
    dh, dc = _diff(h_t, h_ref), _diff(c_t, c_ref)
    if dh < TOL and dc < TOL:
        return True, f"h_t and c_t match torch.nn.LSTM (max difference {max(dh, dc):.1e})."
    if _close(h_t, c_ref) and _close(c_t, h_ref):
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
    lstm = _layer("lstm", seed)
    x_t, h_prev, _ = _inputs(seed)
    out, error = _call(fn, (x_t, h_prev, _params(lstm, layout)), f"{gate} gate")
    error = error or _shape_problem(f"{gate}_t", out)
    if error:
        return _report(False, error, verbose)
    values = dict(zip(GATES, LSTMCell.from_torch(lstm).gates(x_t, h_prev)))
    d = _diff(out, values[gate])
    if d < TOL:
        return _report(True, f"{gate}_t matches torch.nn.LSTM (max difference {d:.1e}).", verbose)
    other = [k for k, v in values.items() if _close(out, v)]
    if other:
        return _report(
            False,
            f"you computed the {other[0]} gate, not {gate}: check which chunk "
            f"you took (torch stacks {', '.join(GATES)}).",
            verbose,
        )
    act = "tanh" if gate == "g" else "sigmoid"
    return _report(
        False, f"{gate}_t is off by up to {d:.3g}: check the weights, both biases and {act}.", verbose
    )


def check_rnn_step(fn: Callable, seed: int = 0, layout: str = "torch", verbose: bool = True) -> bool:
    """Check fn(x_t, h_prev, params) -> h_t against `cells.RNNCell`; print the verdict."""
    rnn = _layer("rnn", seed)
    x_t, h_prev, _ = _inputs(seed)
    params = _params(rnn, layout)
    out, error = _call(fn, (x_t, h_prev, params), "RNN step")
    error = error or _shape_problem("h_t", out)
    if error:
        return _report(False, error, verbose)
    cell = RNNCell.from_torch(rnn)
    d = _diff(out, cell(x_t, h_prev))
    if d < TOL:
        return _report(True, f"h_t matches torch.nn.RNN (max difference {d:.1e}).", verbose)
    return _report(False, _rnn_hint(cell, x_t, h_prev, out, d), verbose)


def _rnn_hint(cell: RNNCell, x_t: torch.Tensor, h_prev: torch.Tensor, h_t: torch.Tensor, d: float) -> str:
    """Name the common RNN mistakes: no tanh, a transposed W_hh, a missing bias."""
    a = x_t @ cell.W_xh + cell.b_xh + h_prev @ cell.W_hh + cell.b_hh  # pre-activation (batch, H)
    if _close(h_t, a):
        return "h_t is the pre-activation: apply tanh."
    if _close(h_t, torch.tanh(a - h_prev @ cell.W_hh + h_prev @ cell.W_hh.T)):
        return (
            "the recurrent weight is used transposed: write h_prev @ params['weight_hh'].T "
            "(layout 'torch') or h_prev @ params['W_hh'] (layout 'gates')."
        )
    for name, b in (("bias_ih (b_xh)", cell.b_xh), ("bias_hh (b_hh)", cell.b_hh)):
        if _close(h_t, torch.tanh(a - b)):
            return f"{name} is missing: torch.nn.RNN adds both biases."
    return f"h_t is off by up to {d:.3g}: check h_t = tanh(x_t W_xh + b_xh + h_prev W_hh + b_hh)."


# One step of backpropagation through time for the RNN.
#
#     check_rnn_backward_step(fn)   fn(h_prev, h_t, grad_h_t, delta_next, params) -> (delta_t, dW_hh_t)
#
# delta_t = dL/da_t (a_t the pre-activation at step t), delta_next = dL/da_{t+1}, grad_h_t = the loss's own
# gradient at h_t; dW_hh_t = this step's term of dL/dW_hh, shaped like the W_hh of the layout. The
# default layout here is "gates" (W_hh (H, H), a_t = ... + h_{t-1} @ W_hh), the book's equations:
#     delta_t = (grad_h_t + delta_{t+1} W_hh^T) * (1 - h_t^2),     dW_hh_t = h_{t-1}^T delta_t


def _rnn_backward_case(seed: int) -> tuple[RNNCell, tuple[torch.Tensor, ...]]:
    """A cell and (h_prev, h_t, grad_h_t, delta_next), all float64, (batch, H)."""
    cell = RNNCell.from_torch(_layer("rnn", seed))
    x_t, h_prev, _ = _inputs(seed)
    gen = torch.Generator().manual_seed(seed + 2)
    grad_h, delta_next = torch.randn(2, BATCH, HIDDEN, generator=gen, dtype=torch.float64)  # (batch, H) each
    with torch.no_grad():
        h_t = cell(x_t, h_prev)
    return cell, (x_t, h_prev, h_t, grad_h, delta_next)


def _rnn_backward_autograd(
    cell: RNNCell, case: tuple[torch.Tensor, ...]
) -> tuple[torch.Tensor, torch.Tensor]:
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
    wrong = [
        (back * (1 - h_t**2), "the loss's own term grad_h_t is missing: add it to the error from step t+1."),
        (grad_h * (1 - h_t**2), f"the error from step t+1 is missing: add {recurrent} to grad_h_t."),
        ((grad_h + delta_next @ W_hh) * (1 - h_t**2), f"W_hh is used untransposed: write {recurrent}."),
        (grad_h + back, "the tanh's derivative is missing: multiply by (1 - h_t**2)."),
        ((grad_h + back) * (1 - torch.tanh(h_t) ** 2), "h_t is already tanh(a_t): tanh' is 1 - h_t**2."),
        ((grad_h + back) * (1 - h_t), "tanh' is 1 - h_t**2, not 1 - h_t."),
        ((grad_h + back) * (1 - h_prev**2), "tanh' at step t uses h_t, not h_prev."),
        ((grad_h + back) * h_t * (1 - h_t), "that is the sigmoid's derivative: tanh' is 1 - h_t**2."),
    ]
    if not delta.any():
        return "delta_t is all zeros: write the recursion (the placeholder is still there?)."
    for candidate, message in wrong:
        if _close(delta, candidate):
            return "delta_t: " + message
    return "delta_t is off: check delta_t = (grad_h_t + delta_next W_hh^T) * (1 - h_t**2)."


def _dW_hint(case: tuple[torch.Tensor, ...], delta: torch.Tensor, dW: torch.Tensor, layout: str) -> str:
    """Name what is wrong in this step's term of dL/dW_hh (the layout's shape: W_hh or weight_hh)."""
    _, h_prev, h_t, _, delta_next = case
    want = "delta_t.T @ h_prev" if layout == "torch" else "h_prev.T @ delta_t"

    def as_layout(m: torch.Tensor) -> torch.Tensor:
        return m.T if layout == "torch" else m

    wrong = [
        (as_layout(h_prev.T @ delta).T, f"dW_hh_t is transposed: write {want}."),
        (as_layout(h_t.T @ delta), f"dW_hh_t uses h_t; step t's W_hh multiplies h_prev: {want}."),
        (as_layout(h_prev.T @ delta_next), f"dW_hh_t uses delta_next; use this step's delta_t: {want}."),
    ]
    for candidate, message in wrong:
        if _close(dW, candidate):
            return message
    return f"dW_hh_t is off: check dW_hh_t = {want}."


def check_rnn_backward_step(fn: Callable, seed: int = 0, layout: str = "gates", verbose: bool = True) -> bool:
    """Check fn(h_prev, h_t, grad_h_t, delta_next, params) -> (delta_t, dW_hh_t) against autograd."""
    cell, case = _rnn_backward_case(seed)
    params = _params(_layer("rnn", seed), layout)
    out, error = _call(fn, (*case[1:], params), "RNN backward step")
    if error is None and not (isinstance(out, (tuple, list)) and len(out) == 2):
        error = f"your RNN backward step should return a pair (delta_t, dW_hh_t), got {type(out).__name__}"
    error = error or _shape_problem("delta_t", out[0])
    if error is None and (not isinstance(out[1], torch.Tensor) or tuple(out[1].shape) != (HIDDEN, HIDDEN)):
        got = tuple(out[1].shape) if isinstance(out[1], torch.Tensor) else type(out[1]).__name__
        error = f"dW_hh_t should be a ({HIDDEN}, {HIDDEN}) tensor, like W_hh, got {got}"
    if error:
        return _report(False, error, verbose)
    delta_ref, dW_ref = _rnn_backward_autograd(cell, case)
    dW_ref = dW_ref.T if layout == "torch" else dW_ref  # gradient of weight_hh = (gradient of W_hh)^T
    d_delta, d_W = _diff(out[0], delta_ref), _diff(out[1], dW_ref)
    if d_delta >= TOL:
        return _report(False, _delta_hint(case, cell.W_hh.detach(), out[0].detach(), layout), verbose)
    if d_W >= TOL:
        return _report(False, _dW_hint(case, delta_ref, out[1].detach(), layout), verbose)
    message = f"delta_t and dW_hh_t match autograd (max difference {max(d_delta, d_W):.1e})."
    return _report(True, message, verbose)


# Two LSTM variants (chapter 5), in the "gates" layout of `cells.LSTMCell` (x_t @ params["W_xf"] ...).
#   peephole (Gers & Schmidhuber 2000): the gates also read the memory, through one weight per unit:
#       i_t = sigma(... + p_i * c_{t-1}),  f_t = sigma(... + p_f * c_{t-1}),  o_t = sigma(... + p_o * c_t)
#   coupled input-forget gate (CIFG, Greff et al. 2017): no input gate of its own, i_t = 1 - f_t.
# Each reference is written another way than the book's equations: the peephole step as one product
# of the stacked [x_t, h_{t-1}, c_{t-1}] with one block matrix, the CIFG step as a torch.nn.LSTM whose
# input gate's weights are minus the forget gate's (sigma(-z) = 1 - sigma(z)).

PEEPHOLES = ("p_i", "p_f", "p_o")


def peephole_params(seed: int = 0, zero: bool = False) -> dict[str, torch.Tensor]:
    """A small LSTM's parameters ("gates" layout) plus peephole weights p_i, p_f, p_o (H,), float64."""
    params = lstm_params(seed, layout="gates")
    gen = torch.Generator().manual_seed(seed + 3)
    for name in PEEPHOLES:
        params[name] = torch.zeros(HIDDEN, dtype=torch.float64) if zero else torch.randn(
            HIDDEN, generator=gen, dtype=torch.float64)  # fmt: skip
    return params


def _peephole_reference(
    params: dict[str, torch.Tensor], x_t: torch.Tensor, h_prev: torch.Tensor, c_prev: torch.Tensor,
    o_reads: str = "c_t",
) -> tuple[torch.Tensor, torch.Tensor]:
    """(h_t, c_t) of the peephole LSTM as one block-matrix product; `o_reads` "c_prev" gives a known slip."""
    zero = torch.zeros(HIDDEN, dtype=torch.float64)
    peep = {"i": params["p_i"], "f": params["p_f"], "g": zero, "o": zero}
    W = torch.cat([  # (input + 2H, 4H): rows for x_t, h_{t-1}, c_{t-1}; columns i | f | g | o
        torch.cat([params[f"W_x{k}"] for k in GATES], dim=1),
        torch.cat([params[f"W_h{k}"] for k in GATES], dim=1),
        torch.cat([torch.diag(peep[k]) for k in GATES], dim=1),
    ])  # fmt: skip
    b = torch.cat([params[f"b_x{k}"] + params[f"b_h{k}"] for k in GATES])  # (4H,)
    z_i, z_f, z_g, z_o = (torch.cat([x_t, h_prev, c_prev], dim=1) @ W + b).chunk(4, dim=1)
    c_t = torch.sigmoid(z_f) * c_prev + torch.sigmoid(z_i) * torch.tanh(z_g)
    o_t = torch.sigmoid(z_o + params["p_o"] * (c_t if o_reads == "c_t" else c_prev))
    return o_t * torch.tanh(c_t), c_t


def _pair_problem(out: object, what: str) -> str | None:
    if not (isinstance(out, (tuple, list)) and len(out) == 2):
        return f"your {what} should return a pair (h_t, c_t), got {type(out).__name__}"
    return _shape_problem("h_t", out[0]) or _shape_problem("c_t", out[1])


def check_peephole_lstm_step(fn: Callable, seed: int = 0, verbose: bool = True) -> bool:
    """Check fn(x_t, h_prev, c_prev, params) -> (h_t, c_t) of the peephole LSTM; print the verdict.

    Twice: with the peepholes at zero against torch.nn.LSTM, then with random peepholes against
    the block-matrix reference. `params` is `peephole_params()`: cells.LSTMCell's names and p_i, p_f, p_o.
    """
    args = _inputs(seed)
    plain, error = _call(fn, (*args, peephole_params(seed, zero=True)), "peephole LSTM step")
    error = error or _pair_problem(plain, "peephole LSTM step")
    if error:
        return _report(False, error, verbose)
    lstm = _layer("lstm", seed)
    h_torch, (_, c_torch) = lstm(args[0][None], (args[1][None], args[2][None]))  # torch.nn.LSTM, one step
    if _diff(plain[0], h_torch[0]) >= TOL or _diff(plain[1], c_torch[0]) >= TOL:
        message = ("with the peepholes at zero your step should be torch.nn.LSTM's and is not: "
                   "check the LSTM part first (check_lstm_step with layout='gates').")
        return _report(False, message, verbose)
    params = peephole_params(seed)
    out, error = _call(fn, (*args, params), "peephole LSTM step")
    error = error or _pair_problem(out, "peephole LSTM step")
    if error:
        return _report(False, error, verbose)
    h_ref, c_ref = _peephole_reference(params, *args)
    dh, dc = _diff(out[0], h_ref), _diff(out[1], c_ref)
    if dh < TOL and dc < TOL:
        message = f"h_t and c_t match the peephole LSTM (max difference {max(dh, dc):.1e})."
        return _report(True, message, verbose)
    if dc < TOL and _close(out[0].detach(), _peephole_reference(params, *args, o_reads="c_prev")[0]):
        message = "the output gate's peephole reads c_t, the memory just written, not c_prev."
        return _report(False, message, verbose)
    if dc >= TOL:
        return _report(False, f"c_t is off by up to {dc:.3g}: the input and forget gates add p_i * c_prev "
                       "and p_f * c_prev inside their sigmoids.", verbose)  # fmt: skip
    return _report(False, f"c_t is right, h_t is off by up to {dh:.3g}: o_t = sigmoid(... + p_o * c_t), "
                   "h_t = o_t * tanh(c_t).", verbose)  # fmt: skip


def cifg_params(seed: int = 0) -> dict[str, torch.Tensor]:
    """A small CIFG LSTM's parameters, cells.LSTMCell's names without the input gate's, float64."""
    return {k: v for k, v in lstm_params(seed, layout="gates").items() if not k.endswith("i")}


def _cifg_torch(seed: int) -> nn.LSTM:
    """torch.nn.LSTM computing the CIFG step: the input gate's rows are minus the forget gate's."""
    lstm = _layer("lstm", seed)
    H = HIDDEN
    with torch.no_grad():
        for name in ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"):
            p = getattr(lstm, name)
            p[:H] = -p[H : 2 * H]  # rows i, f, g, o: i's pre-activation = -(f's), so i_t = 1 - f_t
    return lstm


def check_cifg_step(fn: Callable, seed: int = 0, verbose: bool = True) -> bool:
    """Check fn(x_t, h_prev, c_prev, params) -> (h_t, c_t) of the CIFG LSTM (i_t = 1 - f_t).

    `params` is `cifg_params()`; the reference is a torch.nn.LSTM whose input gate is 1 - f_t.
    """
    args = _inputs(seed)
    params = cifg_params(seed)
    out, error = _call(fn, (*args, params), "CIFG step")
    error = error or _pair_problem(out, "CIFG step")
    if error:
        return _report(False, error, verbose)
    h_ref, (_, c_ref) = _cifg_torch(seed)(args[0][None], (args[1][None], args[2][None]))
    h_ref, c_ref = h_ref[0].detach(), c_ref[0].detach()
    dh, dc = _diff(out[0], h_ref), _diff(out[1], c_ref)
    if dh < TOL and dc < TOL:
        message = f"h_t and c_t match the CIFG step (max difference {max(dh, dc):.1e})."
        return _report(True, message, verbose)
    x_t, h_prev, c_prev = args
    f_t = torch.sigmoid(x_t @ params["W_xf"] + params["b_xf"] + h_prev @ params["W_hf"] + params["b_hf"])
    g_t = torch.tanh(x_t @ params["W_xg"] + params["b_xg"] + h_prev @ params["W_hg"] + params["b_hg"])
    if _close(out[1].detach(), f_t * c_prev + f_t * g_t):
        message = "the input gate is 1 - f_t, not f_t: c_t = f_t * c_prev + (1 - f_t) * g_t."
        return _report(False, message, verbose)
    if _close(out[1].detach(), (1 - f_t) * c_prev + f_t * g_t):
        return _report(False, "swapped: f_t keeps the old memory, (1 - f_t) writes the candidate.", verbose)
    if dc < TOL:
        return _report(False, f"c_t is right, h_t is off by up to {dh:.3g}: h_t = o_t * tanh(c_t).", verbose)
    message = f"c_t is off by up to {dc:.3g}: check c_t = f_t * c_prev + (1 - f_t) * g_t."
    return _report(False, message, verbose)


GRU_GATES = ("r", "z", "n")  # torch.nn.GRU's stacking order


def gru_params(seed: int = 0) -> dict[str, torch.Tensor]:
    """A small GRU's parameters (input 3, hidden 4, float64) by gate: W_xr (input, H), W_hr (H, H),
    b_xr, b_hr, and the same for z and n; cut from a torch.nn.GRU stacked r, z, n."""
    return _gru_params(_gru(seed))


def _gru(seed: int) -> nn.GRU:
    torch.manual_seed(require_int("seed", seed, 0))
    return nn.GRU(INPUT, HIDDEN).double()


def _gru_params(gru: nn.GRU) -> dict[str, torch.Tensor]:
    params = {}
    for k, gate in enumerate(GRU_GATES):
        rows = slice(k * HIDDEN, (k + 1) * HIDDEN)
        params[f"W_x{gate}"] = gru.weight_ih_l0[rows].detach().T.clone()  # (input, H)
        params[f"W_h{gate}"] = gru.weight_hh_l0[rows].detach().T.clone()  # (H, H)
        params[f"b_x{gate}"] = gru.bias_ih_l0[rows].detach().clone()  # (H,)
        params[f"b_h{gate}"] = gru.bias_hh_l0[rows].detach().clone()  # (H,)
    return params


def _gru_slips(x_t: torch.Tensor, h_prev: torch.Tensor, p: dict[str, torch.Tensor]) -> dict[str, object]:
    """The step computed with each common slip, keyed by the hint that names it."""
    r_t = torch.sigmoid(x_t @ p["W_xr"] + p["b_xr"] + h_prev @ p["W_hr"] + p["b_hr"])
    z_t = torch.sigmoid(x_t @ p["W_xz"] + p["b_xz"] + h_prev @ p["W_hz"] + p["b_hz"])
    n_t = torch.tanh(x_t @ p["W_xn"] + p["b_xn"] + r_t * (h_prev @ p["W_hn"] + p["b_hn"]))
    n_out = torch.tanh(x_t @ p["W_xn"] + p["b_xn"] + r_t * (h_prev @ p["W_hn"]) + p["b_hn"])
    n_no_r = torch.tanh(x_t @ p["W_xn"] + p["b_xn"] + h_prev @ p["W_hn"] + p["b_hn"])
    return {
        "z_t and 1 - z_t swapped: z_t keeps the old state, h_t = (1 - z_t) * n_t + z_t * h_prev.":
            z_t * n_t + (1 - z_t) * h_prev,
        "the reset gate multiplies b_hn too: n_t = tanh(x_t W_xn + b_xn + r_t * (h_prev W_hn + b_hn)).":
            (1 - z_t) * n_out + z_t * h_prev,
        "the candidate n_t has no reset gate: multiply (h_prev W_hn + b_hn) by r_t.":
            (1 - z_t) * n_no_r + z_t * h_prev,
    }  # fmt: skip


def check_gru_step(fn: Callable, seed: int = 0, verbose: bool = True) -> bool:
    """Check fn(x_t, h_prev, params) -> h_t against one step of `torch.nn.GRU`; print the verdict.

    `params` is `gru_params(seed)`: W_xr, W_hr, b_xr, b_hr and the same for z and n.
    """
    gru = _gru(seed)
    x_t, h_prev, _ = _inputs(seed)
    params = _gru_params(gru)
    out, error = _call(fn, (x_t, h_prev, params), "GRU step")
    error = error or _shape_problem("h_t", out)
    if error:
        return _report(False, error, verbose)
    with torch.no_grad():
        h_ref = gru(x_t[None], h_prev[None])[1][0]  # (batch, H): torch.nn.GRU's own step
    d = _diff(out, h_ref)
    if d < TOL:
        return _report(True, f"h_t matches torch.nn.GRU (max difference {d:.1e}).", verbose)
    for hint, slip in _gru_slips(x_t, h_prev, params).items():
        if _close(out.detach(), slip):
            return _report(False, hint, verbose)
    message = (f"h_t is off by up to {d:.3g}: check r_t and z_t (sigmoid), n_t (tanh, with r_t on the "
               "old state's term) and h_t = (1 - z_t) * n_t + z_t * h_prev.")  # fmt: skip
    return _report(False, message, verbose)
