"""Chapter 7's applications and the LSTM's relatives, with their settings in one place.

- `reber_strings(n, seed)`: the embedded Reber grammar of Hochreiter & Schmidhuber (1997),
  experiment 1, as a classification task: read "B T <Reber string> " and name the closing symbol,
  which repeats the second one (T or P) across the whole inner string. `reber()` is its `Task`.
- `drift_series(n, T, seed)`: a sensor series with one marked calibration reading near the start;
  the target is how far the last reading has drifted from it. `drift(T)` is its `Task`.
- `WordModel(kind, ...)`: token ids -> embedding -> nn.RNN / nn.LSTM / nn.GRU, stacked
  (`num_layers`) or bidirectional, read out at the last step (both directions' ends).
- `run(model, task)`: `train.fit` on one CPU thread with the chapter's `SETTINGS`.

Shapes are time-first: token ids (seq_len, n), real inputs (seq_len, n, 2).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import torch
from torch import nn

from lstm_helpers import tasks, train
from lstm_helpers.checks import require_float, require_int, require_tensor
from lstm_helpers.train import one_thread


@dataclass(frozen=True)
class Settings:
    """Chapter 7's training settings; every run uses them."""

    hidden_size: int = 32
    lr: float = 3e-3
    batch_size: int = 64
    steps: int = 150  # at most; runs stop when the task counts as solved
    eval_every: int = 10
    forget_bias: float = 4.0  # the LSTM's forget bias (chapters 4 and 6)
    drift_T: int = 50  # length of the sensor series
    drift_lr: float = 1e-2  # the drift task learns faster with a larger step
    drift_steps: int = 400
    gap: int = 50  # the "fluent ___" gap for the GRU and the bidirectional network


SETTINGS = Settings()

# the Reber grammar: state -> [(symbol, next state)], two choices each, None = the end
REBER = {
    0: [("T", 1), ("P", 2)],
    1: [("S", 1), ("X", 3)],
    2: [("T", 2), ("V", 4)],
    3: [("X", 2), ("S", None)],
    4: [("P", 3), ("V", None)],
}
SYMBOLS = ("B", "T", "P", "S", "X", "V", "E", ".")  # "." pads short strings at the end


def reber_string(gen: torch.Generator) -> list[str]:
    """One string of the (plain) Reber grammar, from B to E, each branch taken with probability 1/2."""
    out, state = ["B"], 0
    while state is not None:
        symbol, state = REBER[state][int(torch.randint(2, (1,), generator=gen))]
        out.append(symbol)
    return out + ["E"]


def reber_strings(n: int, seed: int | torch.Generator) -> tasks.SequenceData:
    """n embedded Reber strings cut before their last two symbols; target: the closing T or P.

    A string is B, T or P, a Reber string, the same T or P, E. The model reads up to the end of
    the inner string and names the symbol that must close it: the second symbol, read long ago.
    """
    require_int("n", n, 1)
    gen = tasks._generator(seed)
    vocab, labels = tasks.Vocab(list(SYMBOLS)), tasks.Vocab(["T", "P"])
    y = torch.randint(2, (n,), generator=gen)  # (n,) 0: T, 1: P
    seqs = [["B", labels.words[int(k)], *reber_string(gen)] for k in y]
    lengths = torch.tensor([len(s) for s in seqs])  # (n,)
    x = torch.full((int(lengths.max()), n), vocab.index["."])  # (T_max, n) padded with "."
    for k, s in enumerate(seqs):
        x[: len(s), k] = vocab.encode(s)
    return tasks.SequenceData(x=x, y=y, target="class", lengths=lengths, vocab=vocab, labels=labels)


def reber() -> tasks.Task:
    """The embedded Reber task: solved at 99% test accuracy; chance is 50%."""
    return tasks.Task(name="embedded Reber", maker=reber_strings, target="class")


def drift_series(n: int, T: int, seed: int | torch.Generator) -> tasks.SequenceData:
    """n sensor series of T readings in [-1, 1], one marked as the calibration (first 10 steps).

    x[:, k] = (reading, marker), marker 1 at the calibration step; target: (last - calibrated) / 2.
    """
    require_int("n", n, 1)
    require_int("T", T, 11)
    gen = tasks._generator(seed)
    reading = torch.rand(T, n, generator=gen) * 2 - 1  # (T, n)
    cal = torch.randint(10, (n,), generator=gen)  # (n,) calibration step
    marker = torch.zeros(T, n)
    marker[cal, torch.arange(n)] = 1.0
    y = (reading[-1] - reading[cal, torch.arange(n)]) / 2  # (n,) in [-1, 1]
    x = torch.stack([reading, marker], dim=-1)  # (T, n, 2)
    return tasks.SequenceData(x=x, y=y, target="value", info={"calibration": cal})


def drift(T: int = SETTINGS.drift_T) -> tasks.Task:
    """The drift task: a prediction is wrong when |error| >= 0.1; solved with at most 5% wrong."""
    require_int("T", T, 11)
    return tasks.Task(
        name=f"drift T={T}", maker=partial(drift_series, T=T), target="value", tolerance=0.1, max_wrong=0.05
    )


LAYERS = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}


class WordModel(nn.Module):
    """Token ids (seq_len, batch) -> embedding -> RNN/LSTM/GRU -> class logits (batch, n_classes).

    Bidirectional: the readout sees the forward direction at the last word and the backward
    direction at the first word, each the end of its own reading.
    """

    def __init__(
        self,
        kind: str,
        vocab_size: int,
        n_classes: int,
        hidden_size: int = 32,
        num_layers: int = 1,
        bidirectional: bool = False,
        embed_size: int = 16,
    ):
        super().__init__()
        if kind not in LAYERS:
            raise ValueError(f"kind must be one of {sorted(LAYERS)}, got {kind!r}")
        require_int("num_layers", num_layers, 1, 8)
        self.embed = nn.Embedding(require_int("vocab_size", vocab_size, 1), embed_size)
        self.rnn = LAYERS[kind](
            embed_size, require_int("hidden_size", hidden_size, 1), num_layers, bidirectional=bidirectional
        )
        self.readout = nn.Linear(
            hidden_size * (2 if bidirectional else 1), require_int("n_classes", n_classes, 2)
        )

    def forward(self, x: torch.Tensor, lengths: torch.Tensor | None = None) -> torch.Tensor:
        x = require_tensor("x (token ids, time-first)", x, (None, None))
        h, _ = self.rnn(self.embed(x))  # (seq_len, batch, directions * H)
        H = self.rnn.hidden_size
        last = h[-1] if lengths is None else h[lengths - 1, torch.arange(h.shape[1])]  # (batch, D * H)
        if self.rnn.bidirectional:
            last = torch.cat([last[:, :H], h[0, :, H:]], dim=-1)  # forward at the end, backward at the start
        return self.readout(last)


def set_keep_bias(layer: nn.LSTM | nn.GRU, value: float) -> None:
    """Bias the first layer towards keeping its state: the LSTM's forget gate, the GRU's update gate z.

    torch stacks the GRU's gates r, z, n and computes h_t = (1 - z) * n + z * h_{t-1}, so a large
    bias on z keeps h, as a large forget bias keeps the LSTM's c. Split half and half over both biases.
    """
    require_float("keep bias", value, -50.0, 50.0)
    H = layer.hidden_size
    rows = slice(H, 2 * H)  # f in i, f, g, o; z in r, z, n: both the second block
    with torch.no_grad():
        layer.bias_ih_l0[rows] = value / 2
        layer.bias_hh_l0[rows] = value / 2


def word_model(
    task: tasks.Task,
    kind: str,
    seed: int = 0,
    keep_bias: float | None = None,
    s: Settings = SETTINGS,
    **options,
) -> WordModel:
    """A seeded `WordModel` sized for a word task; `options`: num_layers, bidirectional.

    keep_bias (LSTM, GRU): start the first layer keeping its state, see `set_keep_bias`.
    """
    torch.manual_seed(require_int("seed", seed, 0))
    sample = task.make(1, 0)
    model = WordModel(kind, len(sample.vocab), len(sample.labels), s.hidden_size, **options)
    if keep_bias is not None:
        if kind == "rnn":
            raise ValueError("keep_bias needs kind='lstm' or 'gru', got kind='rnn'")
        set_keep_bias(model.rnn, keep_bias)
    return model


def run(model: nn.Module, task: tasks.Task, seed: int = 0, s: Settings = SETTINGS) -> train.History:
    """Train `model` on `task` with the chapter's settings (the drift task's own), on one CPU thread."""
    lr, steps = (s.drift_lr, s.drift_steps) if task.name.startswith("drift") else (s.lr, s.steps)
    with one_thread():
        return train.fit(
            model, task, steps=steps, seed=seed, lr=lr, batch_size=s.batch_size, eval_every=s.eval_every
        )


def n_params(model: nn.Module) -> int:
    """The number of trainable numbers in `model`."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)
