"""Chapter 5's checkers: two LSTM variants, in the "gates" layout of `cells.LSTMCell` (x_t @ params["W_xf"]).

    check_peephole_lstm_step(fn)   fn(x_t, h_prev, c_prev, params) -> (h_t, c_t), params = peephole_params()
    check_cifg_step(fn)            fn(x_t, h_prev, c_prev, params) -> (h_t, c_t), params = cifg_params()

peephole (Gers & Schmidhuber 2000): the gates also read the memory, through one weight per unit:
    i_t = sigma(... + p_i * c_{t-1}),  f_t = sigma(... + p_f * c_{t-1}),  o_t = sigma(... + p_o * c_t)
coupled input-forget gate (CIFG, Greff et al. 2017): no input gate of its own, i_t = 1 - f_t.
Each reference is written another way than the book's equations: the peephole step as one product
of the stacked [x_t, h_{t-1}, c_{t-1}] with one block matrix, the CIFG step as a torch.nn.LSTM whose
input gate's weights are minus the forget gate's (sigma(-z) = 1 - sigma(z)).
"""

from __future__ import annotations

from typing import Callable

import torch
from torch import nn

from lstm_helpers.cells import GATES
from lstm_helpers.exercises import core
from lstm_helpers.exercises.memory_cell import role_slip

PEEPHOLES = ("p_i", "p_f", "p_o")


def peephole_params(seed: int = 0, zero: bool = False) -> dict[str, torch.Tensor]:
    """A small LSTM's parameters ("gates" layout) plus peephole weights p_i, p_f, p_o (H,), float64."""
    params = core.lstm_params(seed, layout="gates")
    gen = torch.Generator().manual_seed(seed + 3)
    for name in PEEPHOLES:
        params[name] = torch.zeros(core.HIDDEN, dtype=torch.float64) if zero else torch.randn(
            core.HIDDEN, generator=gen, dtype=torch.float64)  # fmt: skip
    return params


def peephole_reference(
    params: dict[str, torch.Tensor], x_t: torch.Tensor, h_prev: torch.Tensor, c_prev: torch.Tensor,
    o_reads: str = "c_t",
) -> tuple[torch.Tensor, torch.Tensor]:
    """(h_t, c_t) of the peephole LSTM as one block-matrix product; `o_reads` "c_prev" gives a known slip."""
    zero = torch.zeros(core.HIDDEN, dtype=torch.float64)
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


def check_peephole_lstm_step(fn: Callable, seed: int = 0, verbose: bool = True) -> bool:
    """Check fn(x_t, h_prev, c_prev, params) -> (h_t, c_t) of the peephole LSTM; print the verdict.

    Twice: with the peepholes at zero against torch.nn.LSTM, then with random peepholes against
    the block-matrix reference. `params` is `peephole_params()`: cells.LSTMCell's names and p_i, p_f, p_o.
    """
    args = core.inputs(seed)
    plain, error = core.call(fn, (*args, peephole_params(seed, zero=True)), "peephole LSTM step")
    error = error or core.pair_problem(plain, "peephole LSTM step")
    if error:
        return core.report(False, error, verbose)
    lstm = core.layer("lstm", seed)
    h_torch, (_, c_torch) = lstm(args[0][None], (args[1][None], args[2][None]))  # torch.nn.LSTM, one step
    if core.diff(plain[0], h_torch[0]) >= core.TOL or core.diff(plain[1], c_torch[0]) >= core.TOL:
        # named from the LSTM part alone (check_lstm_step cannot take a function that reads p_i, p_f, p_o)
        role = role_slip(lstm, args, plain[1])
        message = "with the peepholes at zero your step should be torch.nn.LSTM's and is not: " + (
            role or "check each gate (sigmoid for i, f, o; tanh for g), c_t = f_t * c_prev + i_t * g_t "
            "and h_t = o_t * tanh(c_t).")  # fmt: skip
        return core.report(False, message, verbose)
    params = peephole_params(seed)
    out, error = core.call(fn, (*args, params), "peephole LSTM step")
    error = error or core.pair_problem(out, "peephole LSTM step")
    if error:
        return core.report(False, error, verbose)
    h_ref, c_ref = peephole_reference(params, *args)
    dh, dc = core.diff(out[0], h_ref), core.diff(out[1], c_ref)
    if dh < core.TOL and dc < core.TOL:
        message = f"h_t and c_t match the peephole LSTM (max difference {max(dh, dc):.1e})."
        return core.report(True, message, verbose)
    if dc >= core.TOL:
        message = (f"c_t is off by up to {dc:.3g}: the input and forget gates add p_i * c_prev "
                   "and p_f * c_prev inside their sigmoids.")  # fmt: skip
        return core.report(False, message, verbose)
    slip = peephole_reference(params, *args, o_reads="c_prev")[0]
    reads = "the output gate's peephole reads c_t, the memory just written, not c_prev."
    hint = core.first_mistake(out[0], [(slip, reads)])
    off = (f"c_t is right, h_t is off by up to {dh:.3g}: "
           "o_t = sigmoid(... + p_o * c_t), h_t = o_t * tanh(c_t).")
    return core.report(False, hint or off, verbose)


def cifg_params(seed: int = 0) -> dict[str, torch.Tensor]:
    """A small CIFG LSTM's parameters, cells.LSTMCell's names without the input gate's, float64."""
    return {k: v for k, v in core.lstm_params(seed, layout="gates").items() if not k.endswith("i")}


def cifg_torch(seed: int) -> nn.LSTM:
    """torch.nn.LSTM computing the CIFG step: the input gate's rows are minus the forget gate's."""
    lstm = core.layer("lstm", seed)
    H = core.HIDDEN
    with torch.no_grad():
        for name in ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"):
            p = getattr(lstm, name)
            p[:H] = -p[H : 2 * H]  # rows i, f, g, o: i's pre-activation = -(f's), so i_t = 1 - f_t
    return lstm


def check_cifg_step(fn: Callable, seed: int = 0, verbose: bool = True) -> bool:
    """Check fn(x_t, h_prev, c_prev, params) -> (h_t, c_t) of the CIFG LSTM (i_t = 1 - f_t).

    `params` is `cifg_params()`; the reference is a torch.nn.LSTM whose input gate is 1 - f_t.
    """
    args = core.inputs(seed)
    params = cifg_params(seed)
    out, error = core.call(fn, (*args, params), "CIFG step")
    error = error or core.pair_problem(out, "CIFG step")
    if error:
        return core.report(False, error, verbose)
    h_ref, (_, c_ref) = cifg_torch(seed)(args[0][None], (args[1][None], args[2][None]))
    h_ref, c_ref = h_ref[0].detach(), c_ref[0].detach()
    dh, dc = core.diff(out[0], h_ref), core.diff(out[1], c_ref)
    if dh < core.TOL and dc < core.TOL:
        message = f"h_t and c_t match the CIFG step (max difference {max(dh, dc):.1e})."
        return core.report(True, message, verbose)
    x_t, h_prev, c_prev = args
    f_t = torch.sigmoid(x_t @ params["W_xf"] + params["b_xf"] + h_prev @ params["W_hf"] + params["b_hf"])
    g_t = torch.tanh(x_t @ params["W_xg"] + params["b_xg"] + h_prev @ params["W_hg"] + params["b_hg"])
    hint = core.first_mistake(out[1], [
        (f_t * c_prev + f_t * g_t,
         "the input gate is 1 - f_t, not f_t: c_t = f_t * c_prev + (1 - f_t) * g_t."),
        ((1 - f_t) * c_prev + f_t * g_t,
         "swapped: f_t keeps the old memory, (1 - f_t) writes the candidate."),
    ])  # fmt: skip
    if hint:
        return core.report(False, hint, verbose)
    if dc < core.TOL:
        message = f"c_t is right, h_t is off by up to {dh:.3g}: h_t = o_t * tanh(c_t)."
        return core.report(False, message, verbose)
    message = f"c_t is off by up to {dc:.3g}: check c_t = f_t * c_prev + (1 - f_t) * g_t."
    return core.report(False, message, verbose)
