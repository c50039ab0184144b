"""Small sequence models over `torch.nn.RNN` / `torch.nn.LSTM`, with a readout at the last step.

- `SequenceClassifier(kind, vocab_size, n_classes, hidden_size)`: embedding -> RNN/LSTM -> logits.
- `SequenceRegressor(kind, input_size, hidden_size)`: real inputs -> RNN/LSTM -> one value.
- `for_task(task, kind, ...)`: the right one of the two for a `tasks.Task`.

`kind` is "rnn" (tanh) or "lstm". Shapes are time-first: x is (seq_len, batch) token ids or
(seq_len, batch, input_size) reals. `forget_bias` sets b_if + b_hf, the forget gate's bias, so a
fresh LSTM starts by keeping its memory (sigmoid(4) = 0.98); `input_bias` does the same for the
input gate (negative: write rarely, as Hochreiter & Schmidhuber 1997 did). The recurrent layer is
`model.rnn`, so `cells.LSTMCell.from_torch(model.rnn)` gives the same network from scratch.
"""

from __future__ import annotations

import torch
from torch import nn

from lstm_helpers.checks import require_float, require_int, require_tensor
from lstm_helpers.tasks import Task

KINDS = ("rnn", "lstm")
GATE_SLICE = {"i": 0, "f": 1, "g": 2, "o": 3}  # torch.nn.LSTM stacks gates i, f, g, o


def make_recurrent(kind: str, input_size: int, hidden_size: int) -> nn.RNN | nn.LSTM:
    """A one-layer time-first tanh `nn.RNN` or `nn.LSTM`, with torch's default initialisation."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    require_int("input_size", input_size, 1)
    require_int("hidden_size", hidden_size, 1)
    layer = nn.RNN if kind == "rnn" else nn.LSTM
    return layer(input_size, hidden_size)


def set_gate_bias(lstm: nn.LSTM, gate: str, value: float) -> None:
    """Set one gate's biases so that b_i{gate} + b_h{gate} = value (split half and half)."""
    if gate not in GATE_SLICE:
        raise ValueError(f"gate must be one of {tuple(GATE_SLICE)}, got {gate!r}")
    H = lstm.hidden_size
    rows = slice(GATE_SLICE[gate] * H, (GATE_SLICE[gate] + 1) * H)
    with torch.no_grad():
        lstm.bias_ih_l0[rows] = value / 2
        lstm.bias_hh_l0[rows] = value / 2


class SequenceModel(nn.Module):
    """Shared part: the recurrent layer, gate biases, and the readout of h at the last step."""

    def __init__(
        self,
        kind: str,
        input_size: int,
        hidden_size: int,
        n_out: int,
        forget_bias: float | None,
        input_bias: float | None,
    ):
        super().__init__()
        self.kind = kind
        self.rnn = make_recurrent(kind, input_size, hidden_size)
        self.readout = nn.Linear(hidden_size, n_out)
        for gate, bias in (("f", forget_bias), ("i", input_bias)):
            if bias is None:
                continue
            if kind != "lstm":
                raise ValueError(f"{gate} gate bias needs kind='lstm', got kind={kind!r}")
            set_gate_bias(self.rnn, gate, require_float(f"{gate} gate bias", bias, -50.0, 50.0))

    def last_hidden(self, inputs: torch.Tensor, lengths: torch.Tensor | None) -> torch.Tensor:
        """h at each sequence's last step, (batch, H); `lengths` picks it for padded sequences."""
        h, _ = self.rnn(inputs)  # (seq_len, batch, H)
        if lengths is None:
            return h[-1]
        require_tensor("lengths", lengths, (inputs.shape[1],))
        return h[lengths.to(h.device) - 1, torch.arange(h.shape[1], device=h.device)]


class SequenceClassifier(SequenceModel):
    """Token ids (seq_len, batch) -> embedding -> RNN/LSTM -> class logits (batch, n_classes)."""

    def __init__(
        self,
        kind: str,
        vocab_size: int,
        n_classes: int,
        hidden_size: int = 32,
        embed_size: int = 16,
        forget_bias: float | None = None,
        input_bias: float | None = None,
    ):
        require_int("vocab_size", vocab_size, 1)
        require_int("n_classes", n_classes, 2)
        require_int("embed_size", embed_size, 1)
        super().__init__(kind, embed_size, hidden_size, n_classes, forget_bias, input_bias)
        self.embed = nn.Embedding(vocab_size, embed_size)

    def forward(self, x: torch.Tensor, lengths: torch.Tensor | None = None) -> torch.Tensor:
        x = require_tensor("x (token ids, time-first)", x, (None, None))
        if x.dtype != torch.long:
            raise TypeError(f"x must hold token ids of dtype torch.int64, got {x.dtype}")
        e = self.embed(x)  # (seq_len, batch, embed)
        return self.readout(self.last_hidden(e, lengths))  # (batch, n_classes)


class SequenceRegressor(SequenceModel):
    """Reals (seq_len, batch, input_size) -> RNN/LSTM -> one value per sequence (batch,)."""

    def __init__(
        self,
        kind: str,
        input_size: int = 2,
        hidden_size: int = 32,
        forget_bias: float | None = None,
        input_bias: float | None = None,
    ):
        super().__init__(kind, input_size, hidden_size, 1, forget_bias, input_bias)

    def forward(self, x: torch.Tensor, lengths: torch.Tensor | None = None) -> torch.Tensor:
        size = self.rnn.input_size
        x = require_tensor(f"x (seq_len, batch, {size})", x, (None, None, size))
        if not x.is_floating_point():
            raise TypeError(f"x must be a floating-point tensor, got {x.dtype}")
        return self.readout(self.last_hidden(x, lengths)).squeeze(-1)  # (batch,)


def for_task(
    task: Task,
    kind: str,
    hidden_size: int = 32,
    seed: int = 0,
    forget_bias: float | None = None,
    input_bias: float | None = None,
    embed_size: int = 16,
) -> SequenceModel:
    """A fresh model sized for `task` (a classifier for word tasks, a regressor otherwise), seeded.

    embed_size is used by word tasks only; the seed fixes the initial weights.
    """
    if not isinstance(task, Task):
        raise TypeError(f"task must be a tasks.Task, got {type(task).__name__}")
    torch.manual_seed(require_int("seed", seed, 0))
    sample = task.make(1, 0)
    if task.target == "class":
        return SequenceClassifier(
            kind,
            len(sample.vocab),
            len(sample.labels),
            hidden_size,
            forget_bias=forget_bias,
            input_bias=input_bias,
            embed_size=embed_size,
        )
    return SequenceRegressor(kind, sample.x.shape[-1], hidden_size, forget_bias, input_bias)
