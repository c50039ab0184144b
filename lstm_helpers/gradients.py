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
- `rnn_bptt(cell, x, grad_h)` / `lstm_bptt(...)`: backpropagation through time written as the
  recursion (no autograd), every parameter's gradient by the cell's names, and dL/dx, dL/dh0, dL/dc0.
- `truncated_forward(model, x, k)`, `Truncated(model, k)`: truncated BPTT for a last-step readout;
  `input_grad_norms(model, x, y, k)`: how far back the loss's gradient reaches.

`loss` maps the last hidden state h_T (batch, H) to a scalar; by default it is h_T.sum().
"""

from __future__ import annotations

from typing import Callable

import torch
from torch import nn
from torch.func import functional_call

from lstm_helpers.cells import GATES, LSTMCell, RNNCell, unroll
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


# Backpropagation through time written by hand: the recursions that autograd runs for us.
# Time-first, as everywhere: x (T, batch, input), grad_h (T, batch, H); step t reads x[t].

RNN_PARAMS = ("W_xh", "W_hh", "b_xh", "b_hh")
LSTM_PARAMS = tuple(f"{kind}{gate}" for kind in ("W_x", "W_h", "b_x", "b_h") for gate in GATES)


def _check_bptt(cell: RNNCell | LSTMCell, kind: type, x: torch.Tensor, grad_h: torch.Tensor) -> torch.Tensor:
    if not isinstance(cell, kind):
        raise TypeError(f"cell must be a cells.{kind.__name__}, got {type(cell).__name__}")
    x = _check(cell, x)
    shape = (x.shape[0], x.shape[1], cell.hidden_size)
    return require_tensor("grad_h (T, batch, H), as x's T and batch", grad_h, shape, x.dtype)


def _initial(name: str, state: torch.Tensor | None, x: torch.Tensor, hidden_size: int) -> torch.Tensor:
    """The initial state `name`, checked to be (batch, H) in x's dtype; zeros when None."""
    if state is None:
        return x.new_zeros(x.shape[1], hidden_size)  # (batch, H)
    return require_tensor(f"{name} (batch, H)", state, (x.shape[1], hidden_size), x.dtype)


@torch.no_grad()
def rnn_bptt(
    cell: RNNCell, x: torch.Tensor, grad_h: torch.Tensor, h0: torch.Tensor | None = None
) -> dict[str, torch.Tensor]:
    """Backpropagation through time for `cells.RNNCell` over x, written as the recursion.

    grad_h[t] is the loss's own gradient at h_t (zeros where the loss does not read h_t).
    Returns dL/d(each parameter, by the cell's names), dL/dx (T, batch, input), dL/dh0 (batch, H),
    and per step "h": dL/dh_t in total and "delta": dL/da_t (a_t the pre-activation), (T, batch, H).
    """
    grad_h = _check_bptt(cell, RNNCell, x, grad_h)
    h0 = _initial("h0", h0, x, cell.hidden_size)
    h = unroll(cell, x, h0).h  # (T, batch, H)
    h_prev = torch.cat([h0[None], h[:-1]])  # (T, batch, H): h_{t-1} at step t
    g = {name: torch.zeros_like(getattr(cell, name)) for name in RNN_PARAMS}
    dx, dh, delta = torch.zeros_like(x), torch.zeros_like(h), torch.zeros_like(h)
    delta_next = torch.zeros_like(h0)  # nothing flows back from after the last step
    for t in reversed(range(x.shape[0])):
        # dh_t = grad_h_t + delta_{t+1} W_hh^T      (the loss at t, and the path through step t+1)
        dh[t] = grad_h[t] + delta_next @ cell.W_hh.T
        # delta_t = dh_t * (1 - h_t^2)               (through the tanh: tanh' = 1 - tanh^2)
        delta[t] = dh[t] * (1 - h[t] ** 2)
        # dW_xh += x_t^T delta_t,  dW_hh += h_{t-1}^T delta_t,  db_xh = db_hh += sum over the batch
        g["W_xh"] += x[t].T @ delta[t]
        g["W_hh"] += h_prev[t].T @ delta[t]
        g["b_xh"] += delta[t].sum(0)
        g["b_hh"] += delta[t].sum(0)
        # dx_t = delta_t W_xh^T
        dx[t] = delta[t] @ cell.W_xh.T
        delta_next = delta[t]
    # dh0 = delta_0 W_hh^T
    return {**g, "x": dx, "h0": delta_next @ cell.W_hh.T, "h": dh, "delta": delta}


def lstm_step_backward(
    gates: dict[str, torch.Tensor],
    c_prev: torch.Tensor,
    c_t: torch.Tensor,
    dh: torch.Tensor,
    dc: torch.Tensor,
) -> tuple[dict[str, torch.Tensor], torch.Tensor]:
    """One LSTM step backwards: (dL/d(each gate's pre-activation), dL/dc_t in total), all (batch, H).

    gates: i, f, g, o at step t; dh: dL/dh_t in total; dc: dL/dc_t from step t+1 (dc_{t+1} * f_{t+1}).
    """
    i, f, g, o = (gates[k] for k in GATES)
    tanh_c = torch.tanh(c_t)
    # dc_t = (from step t+1) + dh_t * o_t * (1 - tanh(c_t)^2)     (h_t = o_t * tanh(c_t))
    dc_t = dc + dh * o * (1 - tanh_c**2)
    # da_i = dc_t * g_t * i_t (1 - i_t)       (c_t = f_t c_{t-1} + i_t g_t; sigmoid' = s (1 - s))
    da_i = dc_t * g * i * (1 - i)
    # da_f = dc_t * c_{t-1} * f_t (1 - f_t)
    da_f = dc_t * c_prev * f * (1 - f)
    # da_g = dc_t * i_t * (1 - g_t^2)
    da_g = dc_t * i * (1 - g**2)
    # da_o = dh_t * tanh(c_t) * o_t (1 - o_t)
    da_o = dh * tanh_c * o * (1 - o)
    return {"i": da_i, "f": da_f, "g": da_g, "o": da_o}, dc_t


@torch.no_grad()
def lstm_bptt(
    cell: LSTMCell,
    x: torch.Tensor,
    grad_h: torch.Tensor,
    h0: torch.Tensor | None = None,
    c0: torch.Tensor | None = None,
) -> dict[str, torch.Tensor]:
    """Backpropagation through time for `cells.LSTMCell` over x, written as the recursion.

    grad_h[t] is the loss's own gradient at h_t (zeros where the loss does not read h_t).
    Returns dL/d(each parameter, by the cell's names W_xi ... b_ho), dL/dx, dL/dh0, dL/dc0, and
    per step "h" and "c": dL/dh_t and dL/dc_t in total, (T, batch, H).
    """
    grad_h = _check_bptt(cell, LSTMCell, x, grad_h)
    h0, c0 = _initial("h0", h0, x, cell.hidden_size), _initial("c0", c0, x, cell.hidden_size)
    run = unroll(cell, x, (h0, c0))
    h_prev, c_prev = torch.cat([h0[None], run.h[:-1]]), torch.cat([c0[None], run.c[:-1]])  # (T, batch, H)
    g = {name: torch.zeros_like(getattr(cell, name)) for name in LSTM_PARAMS}
    dx, dh, dc = torch.zeros_like(x), torch.zeros_like(run.h), torch.zeros_like(run.c)
    dh_next, dc_next = torch.zeros_like(h0), torch.zeros_like(c0)  # nothing after the last step
    for t in reversed(range(x.shape[0])):
        # dh_t = grad_h_t + (the paths from step t+1 back through h_t into its four gates)
        dh[t] = grad_h[t] + dh_next
        gates = {k: v[t] for k, v in run.gates.items()}  # i_t, f_t, g_t, o_t
        da, dc[t] = lstm_step_backward(gates, c_prev[t], run.c[t], dh[t], dc_next)
        # dc_{t-1} = dc_t * f_t       (the memory's own path: no weight matrix, no squashing)
        dc_next = dc[t] * run.gates["f"][t]
        # dh_{t-1} = sum over the gates k of da_k W_hk^T;   dx_t = sum over k of da_k W_xk^T
        dh_next = sum(da[k] @ getattr(cell, f"W_h{k}").T for k in GATES)
        dx[t] = sum(da[k] @ getattr(cell, f"W_x{k}").T for k in GATES)
        for k in GATES:  # dW_xk += x_t^T da_k,  dW_hk += h_{t-1}^T da_k,  db_xk = db_hk += sum da_k
            g[f"W_x{k}"] += x[t].T @ da[k]
            g[f"W_h{k}"] += h_prev[t].T @ da[k]
            g[f"b_x{k}"] += da[k].sum(0)
            g[f"b_h{k}"] += da[k].sum(0)
    return {**g, "x": dx, "h0": dh_next, "c0": dc_next, "h": dh, "c": dc}


# Truncated backpropagation through time, for a model read out at the last step.


def _truncated_readout(model: nn.Module, inputs: torch.Tensor, k: int) -> torch.Tensor:
    """model.readout(h_T), the gradient cut k steps back from the end; inputs (T, batch, input)."""
    cut = max(inputs.shape[0] - k, 0)  # steps 0 .. cut-1 run without gradient
    state = None
    if cut > 0:
        with torch.no_grad():
            _, state = model.rnn(inputs[:cut])  # h (and c) after step cut-1
        state = tuple(s.detach() for s in state) if isinstance(state, tuple) else state.detach()
    h, _ = model.rnn(inputs[cut:], state)  # (k, batch, H): the last k steps, with gradient
    out = model.readout(h[-1])  # (batch, n_out)
    return out.squeeze(-1) if out.shape[-1] == 1 else out


def _model_inputs(model: nn.Module, x: torch.Tensor) -> torch.Tensor:
    if not isinstance(getattr(model, "rnn", None), (nn.RNN, nn.LSTM)) or not hasattr(model, "readout"):
        raise TypeError(f"model must be a models.SequenceModel, got {type(model).__name__}")
    embed = getattr(model, "embed", None)
    return embed(x) if embed is not None else x  # (T, batch, input)


def truncated_forward(model: nn.Module, x: torch.Tensor, k: int) -> torch.Tensor:
    """A `models.SequenceModel`'s output on x with truncated BPTT: the gradient stops k steps back.

    The first T - k steps run without gradient, their state is detached and the last k steps run
    from it. The output equals model(x); only the gradient differs (k >= T: the full gradient).
    """
    inputs = _model_inputs(model, x)
    return _truncated_readout(model, inputs, require_int("k (steps the gradient flows back)", k, 1))


class Truncated(nn.Module):
    """Wrap a `models.SequenceModel` so that `train.fit` trains it with truncated BPTT (window k)."""

    def __init__(self, model: nn.Module, k: int):
        super().__init__()
        if not isinstance(getattr(model, "rnn", None), (nn.RNN, nn.LSTM)):
            raise TypeError(f"model must be a models.SequenceModel, got {type(model).__name__}")
        self.model = model
        self.k = require_int("k (steps the gradient flows back)", k, 1)

    def forward(self, x: torch.Tensor, lengths: torch.Tensor | None = None) -> torch.Tensor:
        if lengths is not None:
            raise ValueError("lengths must be None: truncation needs sequences of one length")
        return truncated_forward(self.model, x, self.k)


def input_grad_norms(
    model: nn.Module, x: torch.Tensor, y: torch.Tensor, k: int | None = None
) -> torch.Tensor:
    """||dL/d(input at step t)|| for t = 0..T-1, shape (T,): where the gradient of the loss reaches.

    L is the model's own loss (cross entropy, or MSE for one output) on x, y; k truncates as in
    `truncated_forward` (None: the full gradient). For a classifier the input is the embedded word.
    """
    inputs = _model_inputs(model, x).detach().requires_grad_(True)  # (T, batch, input)
    k = inputs.shape[0] if k is None else require_int("k (steps the gradient flows back)", k, 1)
    out = _truncated_readout(model, inputs, k)
    loss = nn.functional.mse_loss(out, y) if out.dim() == 1 else nn.functional.cross_entropy(out, y)
    (grad,) = torch.autograd.grad(loss, inputs)
    return grad.norm(dim=(1, 2)).detach()  # (T,)
