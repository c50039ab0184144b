"""Checkers for the student's own gate and cell functions: they print right, or what is wrong and where.

Each checker calls the student's function on a small random case (float64, batch 5, input 3,
hidden 4), compares with a reference (`cells`, `torch.nn`, autograd), prints one verdict and returns
True or False. Shapes are time-first elsewhere in the book; one step is (batch, size).

One module per chapter holds that chapter's checkers; `core` holds what they share (the case, the
call, shape checks, `first_mistake` that names a slip, the verdict). Every checker is importable from
here, as the notebooks use them (`exercises.check_lstm_step(...)`):

    check_rnn_step(fn)             ch. 1  sequences_and_rnns   fn(x_t, h_prev, params) -> h_t
    check_rnn_backward_step(fn)    ch. 3  vanishing_gradients  fn(h_prev, h_t, grad_h_t, delta_next, params)
                                                               -> (delta_t, dW_hh_t), against autograd
    check_lstm_step(fn)            ch. 4  memory_cell          fn(x_t, h_prev, c_prev, params) -> (h_t, c_t)
    check_gate(fn, "f")            ch. 4, 6  memory_cell       fn(x_t, h_prev, params) -> f_t
    check_forget_grads(fn)         ch. 4  memory_cell          fn(x_t, h_prev, c_prev, dh_t, dc_next, params)
                                                               -> (dW_xf, dW_hf), against autograd
    check_peephole_lstm_step(fn)   ch. 5  lstm_vs_rnn          with peephole_params()
    check_cifg_step(fn)            ch. 5  lstm_vs_rnn          with cifg_params()
    check_gru_step(fn)             ch. 7  applications         with gru_params()

`params` is a dict of tensors, in one of two layouts (`layout=`):
- "torch" (default): the names and shapes of `torch.nn.RNN` / `nn.LSTM` layer 0 without "_l0":
  weight_ih (G*H, input), weight_hh (G*H, H), bias_ih (G*H,), bias_hh (G*H,), with the LSTM's
  four gates stacked in the order i, f, g, o. Use `x_t @ params["weight_ih"].T`.
- "gates": the names of `cells.LSTMCell` / `cells.RNNCell`: W_xi (input, H), W_hi (H, H),
  b_xi, b_hi, ..., W_xh, W_hh, b_xh, b_hh. Use `x_t @ params["W_xi"]`.
Get them with `lstm_params()` / `rnn_params()` to try your function by hand.
"""

from lstm_helpers.exercises.applications import check_gru_step, gru_params
from lstm_helpers.exercises.core import BATCH, HIDDEN, INPUT, LAYOUTS, TOL, lstm_params, rnn_params
from lstm_helpers.exercises.lstm_vs_rnn import (
    check_cifg_step,
    check_peephole_lstm_step,
    cifg_params,
    peephole_params,
)
from lstm_helpers.exercises.memory_cell import check_forget_grads, check_gate, check_lstm_step
from lstm_helpers.exercises.sequences_and_rnns import check_rnn_step
from lstm_helpers.exercises.vanishing_gradients import check_rnn_backward_step

__all__ = [
    "BATCH", "HIDDEN", "INPUT", "LAYOUTS", "TOL",
    "check_cifg_step", "check_forget_grads", "check_gate", "check_gru_step", "check_lstm_step",
    "check_peephole_lstm_step", "check_rnn_backward_step", "check_rnn_step",
    "cifg_params", "gru_params", "lstm_params", "peephole_params", "rnn_params",
]  # fmt: skip
