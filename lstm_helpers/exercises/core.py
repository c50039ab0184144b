"""What every checker shares: the small random case, the student's call, shape checks and the verdict.

A case is float64, batch 5, input 3, hidden 4 (distinct sizes, so a transposed result shows in its
shape). `first_mistake` is the one loop that names a slip: it compares the student's answer with the
answer each classic slip would give and returns the first slip that matches.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Callable

import torch
from torch import nn

from lstm_helpers.cells import LSTMCell, RNNCell
from lstm_helpers.checks import require_int

BATCH, INPUT, HIDDEN = 5, 3, 4  # distinct sizes, so a transposed result shows in its shape
TOL = 1e-8  # float64: a right answer differs by ~1e-16
LAYOUTS = ("torch", "gates")


def layer(kind: str, seed: int) -> nn.RNN | nn.LSTM:
    """A seeded float64 `torch.nn.RNN` (kind "rnn") or `torch.nn.LSTM` (kind "lstm"), input 3, hidden 4."""
    torch.manual_seed(require_int("seed", seed, 0))
    return (nn.RNN if kind == "rnn" else nn.LSTM)(INPUT, HIDDEN).double()


def params_of(module: nn.RNN | nn.LSTM, layout: str) -> dict[str, torch.Tensor]:
    """A layer's parameters by name: torch's own ("torch") or `cells`' per-gate names ("gates")."""
    if layout not in LAYOUTS:
        raise ValueError(f"layout must be one of {LAYOUTS}, got {layout!r}")
    if layout == "torch":
        return {k.removesuffix("_l0"): v.detach().clone() for k, v in module.named_parameters()}
    cell = RNNCell.from_torch(module) if isinstance(module, nn.RNN) else LSTMCell.from_torch(module)
    return {k: v.detach().clone() for k, v in cell.named_parameters()}


def rnn_params(seed: int = 0, layout: str = "torch") -> dict[str, torch.Tensor]:
    """Parameters of a small tanh RNN (input 3, hidden 4, float64) in the given layout."""
    return params_of(layer("rnn", seed), layout)


def lstm_params(seed: int = 0, layout: str = "torch") -> dict[str, torch.Tensor]:
    """Parameters of a small LSTM (input 3, hidden 4, float64, gates i, f, g, o) in the given layout."""
    return params_of(layer("lstm", seed), layout)


def inputs(seed: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(x_t, h_prev, c_prev) for one step: (batch, input), (batch, H), (batch, H), float64, seeded."""
    gen = torch.Generator().manual_seed(seed + 1)
    x_t = torch.randn(BATCH, INPUT, generator=gen, dtype=torch.float64)  # (batch, input)
    h_prev = torch.randn(BATCH, HIDDEN, generator=gen, dtype=torch.float64).tanh()  # (batch, H)
    c_prev = torch.randn(BATCH, HIDDEN, generator=gen, dtype=torch.float64)  # (batch, H)
    return x_t, h_prev, c_prev


def call(fn: Callable, args: tuple, what: str) -> tuple[object, str | None]:
    """Call the student's fn; return (result, None) or (None, a message saying what it raised)."""
    try:
        return fn(*args), None
    except Exception as err:  # the student's code may raise anything: report it
        message = f"your {what} raised {type(err).__name__}: {err}"
        if "cannot be multiplied" in str(err) or "size mismatch" in str(err):
            message += (". torch.nn stores each weight as (out, in): multiply by its transpose, "
                        '`x_t @ params["weight_ih"].T` (and `.T` on weight_hh), or pass layout="gates" '
                        "for (in, out) matrices.")  # fmt: skip
        return None, message


def shape_problem(name: str, out: object, dtype: torch.dtype = torch.float64) -> str | None:
    """What is wrong with the type, shape or dtype of one returned (batch, H) tensor, or None."""
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


def pair_problem(out: object, what: str, names: tuple[str, str] = ("h_t", "c_t")) -> str | None:
    """What is wrong with a returned pair of (batch, H) tensors, or None."""
    if not (isinstance(out, (tuple, list)) and len(out) == 2):
        return f"your {what} should return a pair ({', '.join(names)}), got {type(out).__name__}"
    return shape_problem(names[0], out[0]) or shape_problem(names[1], out[1])


def close(a: torch.Tensor, b: torch.Tensor) -> bool:
    """Equal to float64 precision (a right answer differs by ~1e-16)."""
    return diff(a, b) < TOL


def diff(a: torch.Tensor, b: torch.Tensor) -> float:
    """The largest absolute difference between two tensors."""
    return (a.detach() - b.detach()).abs().max().item()


def first_mistake(answer: torch.Tensor, slips: Iterable[tuple[torch.Tensor, str]]) -> str | None:
    """The message of the first slip whose result equals the student's answer, or None.

    `slips` pairs what a classic slip computes with the hint that names it, most specific first.
    """
    for result, message in slips:
        if close(answer, result):
            return message
    return None


def report(ok: bool, message: str, verbose: bool) -> bool:
    """Print the verdict (when verbose) and return it."""
    if verbose:
        print(("Right! " if ok else "Not yet: ") + message)
    return ok
