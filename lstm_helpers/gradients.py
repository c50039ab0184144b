"""How gradients travel back through time: measured norms and the Pascanu et al. (2013) bound.

All probes run a from-scratch cell (`cells.RNNCell` / `cells.LSTMCell`) over a time-first
sequence x of shape (T, batch, input_size), and use autograd on the intermediate states.

- `grad_norms(cell, x, loss)`: ||dL/dh_t|| (RNN) or ||dL/dc_t|| (LSTM) for every t = 0..T-1.
- `jacobian_norms(cell, x)`: ||ds_T/ds_t||_2 along the chain, indexed by lag k = T-1-t (k=0: 1).
- `pascanu_bound(W_hh, lags)`: (gamma * sigma_max(W_hh)) ** lag, gamma = 1 for tanh, an upper
  bound on the RNN's ||dh_T/dh_t|| (Pascanu, Mikolov & Bengio 2013).
- `step_contributions(cell, x, loss, "W_hh")`: the norm of each step's term of dL/dW, the terms
  summing to the full gradient: how much the words far from the blank move a weight.
- `from_model(model, x)` and `readout_loss(model, y)` probe a trained `models.SequenceModel`.

`loss` maps the last hidden state h_T (batch, H) to a scalar; by default it is h_T.sum().
"""

from __future__ import annotations

from typing import Callable

import torch
from torch import nn
from torch.func import functional_call

from lstm_helpers.cells import LSTMCell, RNNCell
from lstm_helpers.checks import require_int, require_tensor

Loss = Callable[[torch.Tensor], torch.Tensor]


def _check(cell: RNNCell | LSTMCell, x: torch.Tensor) -> torch.Tensor:
    if not isinstance(cell, (RNNCell, LSTMCell)):
        raise TypeError(f"cell must be an RNNCell or LSTMCell, got {type(cell).__name__}")
    dtype = next(cell.parameters()).dtype
    x = require_tensor("x (T, batch, input_size)", x, (None, None, cell.input_size), dtype)
    require_int("T (x.shape[0])", x.shape[0], 1)
    return x


def run_states(
    cell: RNNCell | LSTMCell, x: torch.Tensor, wrt: str = "auto"
) -> tuple[torch.Tensor, list[torch.Tensor]]:
    """Run the cell over x; return h_T and the list of states s_t (h_t, or c_t for wrt="c")."""
    x = _check(cell, x)
    wrt = ("c" if isinstance(cell, LSTMCell) else "h") if wrt == "auto" else wrt
    if wrt not in ("h", "c") or (wrt == "c" and isinstance(cell, RNNCell)):
        raise ValueError(f"wrt must be 'h' or 'auto' for an RNN, 'h', 'c' or 'auto' for an LSTM, got {wrt!r}")
    h = c = x.new_zeros(x.shape[1], cell.hidden_size)  # (batch, H)
    states = []
    for t, x_t in enumerate(x):
        if isinstance(cell, RNNCell):
            h = cell(x_t, h, check=t == 0)
        else:
            h, c, _ = cell.step(x_t, h, c, check=t == 0)
        states.append(h if wrt == "h" else c)
    return h, states


def grad_norms(
    cell: RNNCell | LSTMCell, x: torch.Tensor, loss: Loss | None = None, wrt: str = "auto"
) -> torch.Tensor:
    """||dL/ds_t|| for t = 0..T-1, shape (T,); s is h for an RNN, c for an LSTM ("auto")."""
    h_T, states = run_states(cell, x, wrt)
    L = h_T.sum() if loss is None else loss(h_T)
    grads = torch.autograd.grad(L, states)  # T tensors (batch, H)
    return torch.stack([g.norm() for g in grads]).detach()  # (T,)


def jacobian_norms(cell: RNNCell | LSTMCell, x: torch.Tensor, wrt: str = "auto") -> torch.Tensor:
    """||ds_T/ds_t||_2 (spectral norm) for lag k = T-1-t = 0..T-1, shape (T,); x needs batch 1."""
    require_int("batch (x.shape[1]; one sequence at a time)", x.shape[1] if x.dim() == 3 else 0, 1, 1)
    _, states = run_states(cell, x, wrt)
    H = states[-1].shape[-1]
    rows = torch.eye(H, dtype=x.dtype).unsqueeze(1)  # (H, 1, H): one backward pass per row
    jac = torch.autograd.grad(states[-1], states, grad_outputs=rows, is_grads_batched=True)
    norms = torch.stack([torch.linalg.matrix_norm(J[:, 0, :], ord=2) for J in jac])  # (T,) by t
    return norms.flip(0).detach()  # by lag


def sigma_max(W: torch.Tensor) -> float:
    """The largest singular value of a matrix (its spectral norm)."""
    W = require_tensor("W", W, (None, None))
    return torch.linalg.matrix_norm(W.detach(), ord=2).item()


def pascanu_bound(W_hh: torch.Tensor | RNNCell, lags: int | torch.Tensor, gamma: float = 1.0) -> torch.Tensor:
    """(gamma * sigma_max(W_hh)) ** lag for each lag: bounds ||dh_T/dh_{T-lag}|| of a tanh RNN.

    lags: an int n (lags 0..n-1) or a tensor of lags. gamma bounds |f'|: 1 for tanh.
    """
    W = W_hh.W_hh if isinstance(W_hh, RNNCell) else W_hh
    lag = torch.arange(require_int("lags", lags, 1)) if isinstance(lags, int) else lags
    return (gamma * sigma_max(W)) ** lag.double()


def step_contributions(
    cell: RNNCell | LSTMCell, x: torch.Tensor, loss: Loss | None = None, param: str = "W_hh"
) -> torch.Tensor:
    """||step t's term of dL/d(param)|| for t = 0..T-1, shape (T,); the terms sum to dL/d(param).

    Each step gets its own copy of the weights, so autograd splits the gradient by step.
    Shares: out / out.sum(). `param` is a cell parameter name: "W_hh", "W_hf", "W_xi", ...
    """
    x = _check(cell, x)
    names = dict(cell.named_parameters())
    if param not in names:
        raise ValueError(f"param must be one of {sorted(names)}, got {param!r}")
    copies = [names[param].detach().clone().requires_grad_(True) for _ in x]  # one per step
    h = c = x.new_zeros(x.shape[1], cell.hidden_size)  # (batch, H)
    for x_t, W_t in zip(x, copies):
        args = (x_t, h) if isinstance(cell, RNNCell) else (x_t, (h, c))
        out = functional_call(cell, {**names, param: W_t}, args)
        h, c = (out, c) if isinstance(cell, RNNCell) else out
    L = h.sum() if loss is None else loss(h)
    grads = torch.autograd.grad(L, copies)
    return torch.stack([g.norm() for g in grads]).detach()  # (T,)


def from_model(model: nn.Module, x: torch.Tensor) -> tuple[RNNCell | LSTMCell, torch.Tensor]:
    """(from-scratch float64 cell, float64 inputs) equal to a `models.SequenceModel` on x.

    For a classifier, the inputs are the embedded tokens, (T, batch, embed_size).
    """
    rnn = getattr(model, "rnn", None)
    if not isinstance(rnn, (nn.RNN, nn.LSTM)):
        raise TypeError(f"model must be a models.SequenceModel, got {type(model).__name__}")
    rnn64 = type(rnn)(rnn.input_size, rnn.hidden_size).double()
    rnn64.load_state_dict({k: v.detach().cpu() for k, v in rnn.state_dict().items()})
    cell = RNNCell.from_torch(rnn64) if isinstance(rnn, nn.RNN) else LSTMCell.from_torch(rnn64)
    embed = getattr(model, "embed", None)
    with torch.no_grad():
        inputs = embed(x.to(embed.weight.device)) if embed is not None else x  # (T, batch, in)
    return cell, inputs.detach().cpu().double()


def readout_loss(model: nn.Module, y: torch.Tensor) -> Loss:
    """The model's own loss at the last step (cross entropy, or MSE for one output), in float64."""
    W = model.readout.weight.detach().cpu().double()
    b = model.readout.bias.detach().cpu().double()

    def loss(h_T: torch.Tensor) -> torch.Tensor:
        out = nn.functional.linear(h_T, W, b)  # (batch, n_out)
        if W.shape[0] == 1:
            return nn.functional.mse_loss(out.squeeze(-1), y.double())
        return nn.functional.cross_entropy(out, y)

    return loss
