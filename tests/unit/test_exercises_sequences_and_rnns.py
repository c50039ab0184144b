"""exercises.sequences_and_rnns (chapter 1): a right RNN step passes; each classic slip is named."""

import pytest
import torch

from lstm_helpers import exercises


def rnn_step(transpose=True, bias=True, act=torch.tanh):
    def fn(x_t, h_prev, p):
        W_hh = p["weight_hh"].T if transpose else p["weight_hh"]
        a = x_t @ p["weight_ih"].T + h_prev @ W_hh + p["bias_hh"] + (p["bias_ih"] if bias else 0)
        return act(a)

    return fn


@pytest.mark.parametrize(
    "fn, ok, message",
    [
        (rnn_step(), True, "matches torch.nn.RNN"),
        (rnn_step(act=lambda a: a), False, "apply tanh"),
        (rnn_step(transpose=False), False, "used transposed"),
        (rnn_step(bias=False), False, "bias_ih (b_xh) is missing"),
        (rnn_step(act=torch.sigmoid), False, "h_t is off by up to"),
    ],
)
def test_rnn_checker(fn, ok, message, capsys):
    assert exercises.check_rnn_step(fn) is ok
    assert message in capsys.readouterr().out
