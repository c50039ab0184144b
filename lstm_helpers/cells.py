"""Recurrent cells written from scratch, one line per equation, checked against torch.nn.

Shapes are time-first, as in `torch.nn.RNN` and `torch.nn.LSTM` by default: a sequence is
(seq_len, batch, input_size); one step's input `x_t` is (batch, input_size).

Weights are stored transposed with respect to torch (`W_xh` is (input_size, hidden_size)) so
each equation reads left to right as written in the book: `x_t @ W_xh + h_prev @ W_hh + b`.
The LSTM's gates come in the order i, f, g, o, the order `torch.nn.LSTM` stacks them in.

Two ways to compute the same LSTM step, equal to ~1e-16 in float64 (tests/test_cells.py):
- `LSTMCell.gates` writes each gate on its own line, four small matrix products per input: the
  equations as the book teaches them.
- `LSTMCell.step` and `unroll` (the fast path) put the four gates' weights side by side
  (`LSTMCell.stacked`, as torch.nn.LSTM stores them) and compute all four pre-activations with
  one matrix product per input; `unroll` also multiplies every step's input at once (as cuDNN does),
  leaving one product per step for h_{t-1}.
The weights themselves stay one parameter per gate and input (`W_xi`, `W_hf`, `b_xo`, ...), so
they read and write in place, carry their own `.grad`, and `named_parameters()` lists them.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from lstm_helpers.checks import require_int, require_tensor

GATES = ("i", "f", "g", "o")  # the order torch.nn.LSTM stacks its gate weights in


def _param(*shape: int, dtype: torch.dtype) -> nn.Parameter:
    return nn.Parameter(torch.zeros(*shape, dtype=dtype))


class RNNCell(nn.Module):
    """One step of the tanh RNN: h_t = tanh(x_t W_xh + b_xh + h_{t-1} W_hh + b_hh)."""

    def __init__(self, input_size: int, hidden_size: int, dtype: torch.dtype = torch.float32):
        super().__init__()
        self.input_size = require_int("input_size", input_size, 1)
        self.hidden_size = require_int("hidden_size", hidden_size, 1)
        self.W_xh = _param(input_size, hidden_size, dtype=dtype)  # (input, H)
        self.W_hh = _param(hidden_size, hidden_size, dtype=dtype)  # (H, H)
        self.b_xh = _param(hidden_size, dtype=dtype)
        self.b_hh = _param(hidden_size, dtype=dtype)
        bound = hidden_size**-0.5  # torch.nn.RNN's default: U(-1/sqrt(H), 1/sqrt(H))
        for p in self.parameters():
            nn.init.uniform_(p, -bound, bound)

    @classmethod
    def from_torch(cls, rnn: nn.RNN) -> RNNCell:
        """Copy layer 0 of a tanh `torch.nn.RNN` (with biases) into a from-scratch cell."""
        if not isinstance(rnn, nn.RNN) or rnn.nonlinearity != "tanh" or not rnn.bias:
            raise TypeError("rnn must be a torch.nn.RNN with nonlinearity='tanh' and bias=True")
        cell = cls(rnn.input_size, rnn.hidden_size, dtype=rnn.weight_ih_l0.dtype)
        with torch.no_grad():
            cell.W_xh.copy_(rnn.weight_ih_l0.T)
            cell.W_hh.copy_(rnn.weight_hh_l0.T)
            cell.b_xh.copy_(rnn.bias_ih_l0)
            cell.b_hh.copy_(rnn.bias_hh_l0)
        return cell

    def check_step(self, x_t: torch.Tensor, h_prev: torch.Tensor) -> None:
        """Raise a clear error when x_t or h_prev has the wrong shape or dtype."""
        dtype = self.W_xh.dtype
        x_t = require_tensor("x_t", x_t, (None, self.input_size), dtype)
        require_tensor("h_prev", h_prev, (x_t.shape[0], self.hidden_size), dtype)

    def forward(self, x_t: torch.Tensor, h_prev: torch.Tensor, check: bool = True) -> torch.Tensor:
        if check:  # a loop may check its first step only: shapes cannot change along a sequence
            self.check_step(x_t, h_prev)
        # h_t = tanh(x_t W_xh + b_xh + h_{t-1} W_hh + b_hh)
        h_t = torch.tanh(x_t @ self.W_xh + self.b_xh + h_prev @ self.W_hh + self.b_hh)
        return h_t


def activate(a: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """Split pre-activations (batch, 4H), stacked i, f, g, o, into the four gates: sigmoid, tanh for g."""
    a_i, a_f, a_g, a_o = a.chunk(4, dim=-1)  # each (batch, H)
    return torch.sigmoid(a_i), torch.sigmoid(a_f), torch.tanh(a_g), torch.sigmoid(a_o)


class LSTMCell(nn.Module):
    """One step of the LSTM, gate order i, f, g, o and two bias vectors, as in torch.nn.LSTM."""

    def __init__(self, input_size: int, hidden_size: int, dtype: torch.dtype = torch.float32):
        super().__init__()
        self.input_size = require_int("input_size", input_size, 1)
        self.hidden_size = require_int("hidden_size", hidden_size, 1)
        H = hidden_size
        # one input weight, one recurrent weight and two biases per gate
        self.W_xi, self.W_hi = _param(input_size, H, dtype=dtype), _param(H, H, dtype=dtype)
        self.W_xf, self.W_hf = _param(input_size, H, dtype=dtype), _param(H, H, dtype=dtype)
        self.W_xg, self.W_hg = _param(input_size, H, dtype=dtype), _param(H, H, dtype=dtype)
        self.W_xo, self.W_ho = _param(input_size, H, dtype=dtype), _param(H, H, dtype=dtype)
        self.b_xi, self.b_hi = _param(H, dtype=dtype), _param(H, dtype=dtype)
        self.b_xf, self.b_hf = _param(H, dtype=dtype), _param(H, dtype=dtype)
        self.b_xg, self.b_hg = _param(H, dtype=dtype), _param(H, dtype=dtype)
        self.b_xo, self.b_ho = _param(H, dtype=dtype), _param(H, dtype=dtype)
        bound = H**-0.5  # torch.nn.LSTM's default: U(-1/sqrt(H), 1/sqrt(H))
        for p in self.parameters():
            nn.init.uniform_(p, -bound, bound)

    @classmethod
    def from_torch(cls, lstm: nn.LSTM) -> LSTMCell:
        """Copy layer 0 of a `torch.nn.LSTM` (with biases, no projection) into a from-scratch cell."""
        if not isinstance(lstm, nn.LSTM) or not lstm.bias or lstm.proj_size:
            raise TypeError("lstm must be a torch.nn.LSTM with bias=True and proj_size=0")
        cell = cls(lstm.input_size, lstm.hidden_size, dtype=lstm.weight_ih_l0.dtype)
        # torch stacks the four gates' rows in the order i, f, g, o
        W_x = lstm.weight_ih_l0.chunk(4)
        W_h = lstm.weight_hh_l0.chunk(4)
        b_x = lstm.bias_ih_l0.chunk(4)
        b_h = lstm.bias_hh_l0.chunk(4)
        with torch.no_grad():
            for k, gate in enumerate(GATES):
                getattr(cell, f"W_x{gate}").copy_(W_x[k].T)
                getattr(cell, f"W_h{gate}").copy_(W_h[k].T)
                getattr(cell, f"b_x{gate}").copy_(b_x[k])
                getattr(cell, f"b_h{gate}").copy_(b_h[k])
        return cell

    def check_step(self, x_t: torch.Tensor, h_prev: torch.Tensor, c_prev: torch.Tensor) -> None:
        """Raise a clear error when x_t, h_prev or c_prev has the wrong shape or dtype."""
        dtype = self.W_xi.dtype
        x_t = require_tensor("x_t", x_t, (None, self.input_size), dtype)
        require_tensor("h_prev", h_prev, (x_t.shape[0], self.hidden_size), dtype)
        require_tensor("c_prev", c_prev, (x_t.shape[0], self.hidden_size), dtype)

    def gates(
        self, x_t: torch.Tensor, h_prev: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
        """The four gates (i, f, g, o) at one step, each (batch, H)."""
        # input gate: how much of the candidate to write
        i_t = torch.sigmoid(x_t @ self.W_xi + self.b_xi + h_prev @ self.W_hi + self.b_hi)
        # forget gate: how much of the old memory to keep
        f_t = torch.sigmoid(x_t @ self.W_xf + self.b_xf + h_prev @ self.W_hf + self.b_hf)
        # candidate memory: what could be written
        g_t = torch.tanh(x_t @ self.W_xg + self.b_xg + h_prev @ self.W_hg + self.b_hg)
        # output gate: how much of the memory to show as h_t
        o_t = torch.sigmoid(x_t @ self.W_xo + self.b_xo + h_prev @ self.W_ho + self.b_ho)
        return i_t, f_t, g_t, o_t

    def stacked(self) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """(W_x, W_h, b): the four gates side by side in the order i, f, g, o, for one product per input.

        W_x is (input, 4H), W_h is (H, 4H), b = b_x + b_h is (4H,): torch.nn.LSTM's weight_ih_l0.T,
        weight_hh_l0.T and bias_ih_l0 + bias_hh_l0. Built from the per-gate parameters (a copy of a
        few kilobytes), so gradients flow back to W_xi, W_hf, ...
        """
        W_x = torch.cat([self.W_xi, self.W_xf, self.W_xg, self.W_xo], dim=1)  # (input, 4H)
        W_h = torch.cat([self.W_hi, self.W_hf, self.W_hg, self.W_ho], dim=1)  # (H, 4H)
        b_x = torch.cat([self.b_xi, self.b_xf, self.b_xg, self.b_xo])  # (4H,)
        b_h = torch.cat([self.b_hi, self.b_hf, self.b_hg, self.b_ho])  # (4H,)
        return W_x, W_h, b_x + b_h

    def step(
        self, x_t: torch.Tensor, h_prev: torch.Tensor, c_prev: torch.Tensor, check: bool = True
    ) -> tuple[torch.Tensor, torch.Tensor, tuple[torch.Tensor, ...]]:
        """One step that also returns the gates (i, f, g, o): `gates`' numbers, one product per input."""
        if check:
            self.check_step(x_t, h_prev, c_prev)
        W_x, W_h, b = self.stacked()
        # the four pre-activations at once: x_t W_x + h_{t-1} W_h + b, (batch, 4H) in the order i, f, g, o
        i_t, f_t, g_t, o_t = activate(x_t @ W_x + h_prev @ W_h + b)
        # c_t = f_t * c_{t-1} + i_t * g_t   (the conveyor belt: keep some, add some)
        c_t = f_t * c_prev + i_t * g_t
        # h_t = o_t * tanh(c_t)             (read the memory out)
        h_t = o_t * torch.tanh(c_t)
        return h_t, c_t, (i_t, f_t, g_t, o_t)

    def forward(
        self, x_t: torch.Tensor, state: tuple[torch.Tensor, torch.Tensor]
    ) -> tuple[torch.Tensor, torch.Tensor]:
        h_t, c_t, _ = self.step(x_t, *state)
        return h_t, c_t


@dataclass
class Unrolled:
    """Every step of a cell run over a sequence; each tensor is (seq_len, batch, H).

    `c` and `gates` are None for an RNN cell. `gates` maps "i", "f", "g", "o" to tensors.
    """

    h: torch.Tensor
    c: torch.Tensor | None = None
    gates: dict[str, torch.Tensor] | None = None

    @property
    def final(self) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
        """The last state: h_T for an RNN, (h_T, c_T) for an LSTM."""
        return self.h[-1] if self.c is None else (self.h[-1], self.c[-1])


def unroll(
    cell: RNNCell | LSTMCell,
    x: torch.Tensor,
    state: torch.Tensor | tuple[torch.Tensor, torch.Tensor] | None = None,
) -> Unrolled:
    """Run `cell` over x of shape (seq_len, batch, input_size), keeping every state and gate.

    `state` is h_0 for an RNN cell and (h_0, c_0) for an LSTM cell; zeros when None. The same
    numbers as calling the cell step by step, computed the fast way: every step's input term in
    one matrix product, then one product with h_{t-1} per step.
    """
    if not isinstance(cell, (RNNCell, LSTMCell)):
        raise TypeError(f"cell must be an RNNCell or LSTMCell, got {type(cell).__name__}")
    x = require_tensor("x", x, (None, None, cell.input_size), x.dtype if torch.is_tensor(x) else None)
    require_int("seq_len (x.shape[0])", x.shape[0], 1)
    zeros = x.new_zeros(x.shape[1], cell.hidden_size)  # (batch, H)
    if isinstance(cell, RNNCell):
        h = zeros if state is None else state
        cell.check_step(x[0], h)  # shapes cannot change along a sequence: check the first step
        return Unrolled(h=_rnn_loop(cell, x, h))
    h, c = (zeros, zeros) if state is None else state
    cell.check_step(x[0], h, c)
    return _lstm_loop(cell, x, h, c)


def _rnn_loop(cell: RNNCell, x: torch.Tensor, h: torch.Tensor) -> torch.Tensor:
    """Every h_t, (T, batch, H): h_t = tanh((x_t W_xh + b_xh + b_hh) + h_{t-1} W_hh)."""
    T, batch, _ = x.shape
    xw = torch.addmm(cell.b_xh + cell.b_hh, x.reshape(T * batch, -1), cell.W_xh).view(T, batch, -1)
    hs = []
    for xw_t in xw.unbind(0):  # unbind, not xw[t]: its backward is one stack, not T full-size copies
        h = torch.tanh(torch.addmm(xw_t, h, cell.W_hh))  # (batch, H)
        hs.append(h)
    return torch.stack(hs)


def _lstm_loop(cell: LSTMCell, x: torch.Tensor, h: torch.Tensor, c: torch.Tensor) -> Unrolled:
    """`LSTMCell.step` over every t, with x_t W_x + b for all steps in one product."""
    T, batch, _ = x.shape
    W_x, W_h, b = cell.stacked()  # (input, 4H), (H, 4H), (4H,)
    xw = torch.addmm(b, x.reshape(T * batch, -1), W_x).view(T, batch, -1)  # (T, batch, 4H)
    hs, cs, gs = [], [], []
    for xw_t in xw.unbind(0):  # unbind, not xw[t]: its backward is one stack, not T full-size copies
        i_t, f_t, g_t, o_t = activate(torch.addmm(xw_t, h, W_h))  # each (batch, H)
        c = torch.addcmul(f_t * c, i_t, g_t)  # c_t = f_t * c_{t-1} + i_t * g_t
        h = o_t * torch.tanh(c)  # h_t = o_t * tanh(c_t)
        hs.append(h)
        cs.append(c)
        gs.append((i_t, f_t, g_t, o_t))
    gates = {name: torch.stack([step[k] for step in gs]) for k, name in enumerate(GATES)}
    return Unrolled(h=torch.stack(hs), c=torch.stack(cs), gates=gates)
