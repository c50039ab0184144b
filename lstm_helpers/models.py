"""The book's one family of sequence models: RNN, LSTM or GRU layers with a readout at the last step.

- `SequenceClassifier(kind, vocab_size, n_classes, ...)`: embedding -> recurrent layers -> logits.
- `SequenceRegressor(kind, input_size, ...)`: real inputs -> recurrent layers -> one value.
- `for_task(task, kind, ...)`: the right one of the two for a `tasks.Task`, seeded.

`kind` is "rnn" (tanh), "lstm" or "gru"; `num_layers` stacks layers and `bidirectional` adds a
second reading from the end (the readout then sees the forward direction at the last step and the
backward direction at the first, each the end of its own reading). Shapes are time-first: x is
(seq_len, batch) token ids or (seq_len, batch, input_size) reals.

Gate biases start a layer keeping its state: `forget_bias` sets the LSTM's b_if + b_hf (sigmoid(4)
= 0.98: keep the memory), `input_bias` its input gate (negative: write rarely, as Hochreiter &
Schmidhuber 1997 did) and `update_bias` the GRU's update gate z (h_t = (1 - z) n + z h_{t-1}, so a
large bias keeps h). The recurrent layer is `model.rnn`, so `cells.LSTMCell.from_torch(model.rnn)`
gives the same one-layer network from scratch.
"""

from __future__ import annotations

import torch
from torch import nn

from lstm_helpers.checks import require_float, require_int, require_tensor
from lstm_helpers.tasks import Task

LAYERS = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}
KINDS = tuple(LAYERS)
# the order torch stacks the gates' rows in: LSTM i, f, g, o; GRU r, z, n
GATE_SLICE = {"lstm": {"i": 0, "f": 1, "g": 2, "o": 3}, "gru": {"r": 0, "z": 1, "n": 2}}
BIAS_GATE = {"forget_bias": ("lstm", "f"), "input_bias": ("lstm", "i"), "update_bias": ("gru", "z")}


def make_recurrent(
    kind: str, input_size: int, hidden_size: int, num_layers: int = 1, bidirectional: bool = False
) -> nn.RNN | nn.LSTM | nn.GRU:
    """Time-first tanh `nn.RNN`, `nn.LSTM` or `nn.GRU` layers with torch's default initialisation."""
    if kind not in LAYERS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    require_int("input_size", input_size, 1)
    require_int("hidden_size", hidden_size, 1)
    require_int("num_layers", num_layers, 1, 8)
    return LAYERS[kind](input_size, hidden_size, num_layers, bidirectional=bool(bidirectional))


def set_gate_bias(layer: nn.LSTM | nn.GRU, gate: str, value: float) -> None:
    """Set one gate's biases in every layer and direction so that b_i{gate} + b_h{gate} = value."""
    kind = "lstm" if isinstance(layer, nn.LSTM) else "gru" if isinstance(layer, nn.GRU) else None
    if kind is None:
        raise TypeError(f"layer must be a torch.nn.LSTM or torch.nn.GRU, got {type(layer).__name__}")
    if gate not in GATE_SLICE[kind]:
        raise ValueError(f"gate must be one of {tuple(GATE_SLICE[kind])} for {kind}, got {gate!r}")
    H = layer.hidden_size
    rows = slice(GATE_SLICE[kind][gate] * H, (GATE_SLICE[kind][gate] + 1) * H)
    with torch.no_grad():
        for name, bias in layer.named_parameters():
            if name.startswith("bias_"):  # bias_ih_l0, bias_hh_l0, ..., bias_hh_l1_reverse: half each
                bias[rows] = value / 2


class SequenceModel(nn.Module):
    """Shared part: the recurrent layers, gate biases, and the readout of h at the last step."""

    def __init__(
        self,
        kind: str,
        input_size: int,
        hidden_size: int,
        n_out: int,
        num_layers: int = 1,
        bidirectional: bool = False,
        **gate_biases: float | None,
    ):
        super().__init__()
        self.kind = kind
        self.rnn = make_recurrent(kind, input_size, hidden_size, num_layers, bidirectional)
        self.readout = nn.Linear(hidden_size * (2 if bidirectional else 1), n_out)
        for name, bias in gate_biases.items():
            if name not in BIAS_GATE:
                raise TypeError(f"unknown gate bias {name!r}: use one of {tuple(BIAS_GATE)}")
            if bias is None:
                continue
            needs, gate = BIAS_GATE[name]
            if kind != needs:
                raise ValueError(f"{name} needs kind={needs!r}, got kind={kind!r}")
            set_gate_bias(self.rnn, gate, require_float(name, bias, -50.0, 50.0))

    def last_hidden(self, inputs: torch.Tensor, lengths: torch.Tensor | None) -> torch.Tensor:
        """h at each sequence's last step, (batch, H) (both directions' ends: (batch, 2H))."""
        h, _ = self.rnn(inputs)  # (seq_len, batch, directions * H)
        if lengths is None:
            last = h[-1]
        else:
            require_tensor("lengths", lengths, (inputs.shape[1],))
            last = h[lengths.to(h.device) - 1, torch.arange(h.shape[1], device=h.device)]
        if self.rnn.bidirectional:  # forward at its last step, backward at the first word
            H = self.rnn.hidden_size
            last = torch.cat([last[:, :H], h[0, :, H:]], dim=-1)
        return last


class SequenceClassifier(SequenceModel):
    """Token ids (seq_len, batch) -> embedding -> RNN/LSTM/GRU -> class logits (batch, n_classes)."""

    def __init__(
        self,
        kind: str,
        vocab_size: int,
        n_classes: int,
        hidden_size: int = 32,
        embed_size: int = 16,
        num_layers: int = 1,
        bidirectional: bool = False,
        **gate_biases: float | None,
    ):
        require_int("vocab_size", vocab_size, 1)
        require_int("n_classes", n_classes, 2)
        require_int("embed_size", embed_size, 1)
        super().__init__(kind, embed_size, hidden_size, n_classes, num_layers, bidirectional, **gate_biases)
        self.embed = nn.Embedding(vocab_size, embed_size)

    def forward(self, x: torch.Tensor, lengths: torch.Tensor | None = None) -> torch.Tensor:
        x = require_tensor("x (token ids, time-first)", x, (None, None))
        if x.dtype != torch.long:
            raise TypeError(f"x must hold token ids of dtype torch.int64, got {x.dtype}")
        e = self.embed(x)  # (seq_len, batch, embed)
        return self.readout(self.last_hidden(e, lengths))  # (batch, n_classes)


class SequenceRegressor(SequenceModel):
    """Reals (seq_len, batch, input_size) -> RNN/LSTM/GRU -> one value per sequence (batch,)."""

    def __init__(
        self,
        kind: str,
        input_size: int = 2,
        hidden_size: int = 32,
        num_layers: int = 1,
        bidirectional: bool = False,
        **gate_biases: float | None,
    ):
        super().__init__(kind, input_size, hidden_size, 1, num_layers, bidirectional, **gate_biases)

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
    embed_size: int = 16,
    num_layers: int = 1,
    bidirectional: bool = False,
    **gate_biases: float | None,
) -> SequenceModel:
    """A fresh model sized for `task` (a classifier for word tasks, a regressor otherwise), seeded.

    gate_biases: forget_bias, input_bias (LSTM) or update_bias (GRU). embed_size is used by word
    tasks only; the seed fixes the initial weights.
    """
    if not isinstance(task, Task):
        raise TypeError(f"task must be a tasks.Task, got {type(task).__name__}")
    torch.manual_seed(require_int("seed", seed, 0))
    sample = task.make(1, 0)
    shape = {"num_layers": num_layers, "bidirectional": bidirectional, **gate_biases}
    if task.target == "class":
        n_words, n_classes = len(sample.vocab), len(sample.labels)
        return SequenceClassifier(kind, n_words, n_classes, hidden_size, embed_size, **shape)
    return SequenceRegressor(kind, sample.x.shape[-1], hidden_size, **shape)


def n_params(model: nn.Module) -> int:
    """The number of trainable numbers in `model`."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)
