"""Chapter 7, applications and next steps: two more long-gap tasks and the LSTM's relatives.

- `reber_strings(n, seed)`: the embedded Reber grammar of Hochreiter & Schmidhuber (1997),
  experiment 1, as a classification task: read "B T <Reber string> " and name the closing symbol,
  which repeats the second one (T or P) across the whole inner string. `reber()` is its `Task`.
- `drift_series(n, T, seed)`: a sensor series with one marked calibration reading near the start;
  the target is how far the last reading has drifted from it. `drift(T)` is its `Task`.
- `run(model, task)` / `run_drift(model)`: `train.fit` on one CPU thread with the chapter's
  `SETTINGS` (the drift task has its own learning rate and budget there).
- `stacking()`: one LSTM layer against two at about the same number of parameters, on the
  "fluent ___" task, over a few seeds: what a second layer buys on a long gap.

The models are the book's one family, `models.for_task(task, kind, ...)` with kind "rnn", "lstm"
or "gru", `num_layers` and `bidirectional`. Change a setting with `dataclasses.replace`.

Shapes are time-first: token ids (seq_len, n), real inputs (seq_len, n, 2).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import partial

import torch
from torch import nn

from lstm_helpers import models, tasks, train
from lstm_helpers.checks import require_int
from lstm_helpers.train import one_thread


@dataclass(frozen=True)
class Settings:
    """Every setting of chapter 7; every run uses them."""

    hidden_size: int = 32
    lr: float = 3e-3
    batch_size: int = 64
    steps: int = 150  # at most; runs stop when the task counts as solved
    eval_every: int = 10
    forget_bias: float = 4.0  # the LSTM's forget bias (chapters 4 and 6)
    reber_min_lag: int = 10  # the embedded Reber run on long strings only: every lag at least this
    drift_T: int = 50  # length of the sensor series
    drift_lr: float = 1e-2  # the drift task learns faster with a larger step
    drift_steps: int = 400
    gap: int = 50  # the "fluent ___" gap for the GRU and the bidirectional network
    short_gap: int = 5  # the short gap the GRU is also tried on
    update_bias: float = 4.0  # the GRU's update-gate bias when it starts keeping its state
    stack_hidden: int = 20  # units per layer of the two-layer LSTM: about the one-layer LSTM's parameters
    stack_seeds: tuple[int, ...] = (0, 1, 2)  # seeds of the stacking comparison
    seed: int = 0  # weights and data


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


def reber_strings(n: int, seed: int | torch.Generator, min_lag: int = 0) -> tasks.SequenceData:
    """n embedded Reber strings cut before their last two symbols; target: the closing T or P.

    A string is B, T or P, a Reber string, the same T or P, E. The model reads up to the end of
    the inner string and names the symbol that must close it: the second symbol, read long ago.
    `info["clue"]` is where that symbol stands (1) and `info["lag"]` (n,) how many steps each string
    has from it to the last symbol read, where the model answers: the inner string's length.
    `min_lag` > 0 keeps only long strings (an inner string shorter than it is drawn again); at 0 every
    string is kept, as in the 1997 paper.
    """
    require_int("n", n, 1)
    require_int("min_lag", min_lag, 0, 25)
    gen = tasks._generator(seed)
    vocab, labels = tasks.Vocab(list(SYMBOLS)), tasks.Vocab(["T", "P"])
    y = torch.randint(2, (n,), generator=gen)  # (n,) 0: T, 1: P
    seqs = []
    for k in y:
        inner = reber_string(gen)
        while len(inner) < min_lag:  # lag = len(inner): from the second symbol to the inner E
            inner = reber_string(gen)
        seqs.append(["B", labels.words[int(k)], *inner])
    lengths = torch.tensor([len(s) for s in seqs])  # (n,)
    x = torch.full((int(lengths.max()), n), vocab.index["."])  # (T_max, n) padded with "."
    for k, s in enumerate(seqs):
        x[: len(s), k] = vocab.encode(s)
    info = {"clue": 1, "lag": lengths - 1 - 1}  # the answer comes after the last symbol read
    return tasks.SequenceData(
        x=x, y=y, target="class", lengths=lengths, vocab=vocab, labels=labels, info=info
    )


def reber(min_lag: int = 0) -> tasks.Task:
    """The embedded Reber task (only strings with a lag of `min_lag` or more): solved at 99% test accuracy.

    Chance is 50%.
    """
    require_int("min_lag", min_lag, 0, 25)
    name = "embedded Reber" + (f", lag >= {min_lag}" if min_lag else "")
    return tasks.Task(name=name, maker=partial(reber_strings, min_lag=min_lag), target="class")


def drift_series(n: int, T: int, seed: int | torch.Generator) -> tasks.SequenceData:
    """n sensor series of T readings in [-1, 1], one marked as the calibration (first 10 steps).

    x[:, k] = (reading, marker), marker 1 at the calibration step; target: (last - calibrated) / 2.
    `info["calibration"]` (n,) is the marked step and `info["lag"]` (n,) how many steps lie between it
    and the last reading, where the model answers.
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
    return tasks.SequenceData(x=x, y=y, target="value", info={"calibration": cal, "lag": T - 1 - cal})


def drift(T: int = SETTINGS.drift_T) -> tasks.Task:
    """The drift task: a prediction is wrong when |error| >= 0.1; solved with at most 5% wrong."""
    require_int("T", T, 11)
    return tasks.Task(
        name=f"drift T={T}", maker=partial(drift_series, T=T), target="value", tolerance=0.1, max_wrong=0.05
    )


def run(model: nn.Module, task: tasks.Task, s: Settings = SETTINGS) -> train.History:
    """Train `model` on `task` with the chapter's settings, on one CPU thread."""
    with one_thread():
        return train.fit(
            model, task, steps=s.steps, seed=s.seed, lr=s.lr, batch_size=s.batch_size, eval_every=s.eval_every
        )


def run_drift(model: nn.Module, s: Settings = SETTINGS) -> train.History:
    """Train `model` on the drift task with its own learning rate and budget (it learns faster)."""
    with one_thread():
        return train.fit(
            model, drift(s.drift_T), steps=s.drift_steps, seed=s.seed, lr=s.drift_lr,
            batch_size=s.batch_size, eval_every=s.eval_every,
        )  # fmt: skip


def stacking(s: Settings = SETTINGS) -> dict[int, dict]:
    """LSTMs of 1 layer (s.hidden_size units) and 2 layers (s.stack_hidden each) on the fluent task at
    gap s.gap, forget bias s.forget_bias, one run per seed of s.stack_seeds.

    Returns {layers: {"params": n, "steps": [step solved, or None, per seed], "final": [accuracy]}}.
    """
    task = tasks.fluent(s.gap)
    found = {}
    for layers, hidden in ((1, s.hidden_size), (2, s.stack_hidden)):
        steps, final = [], []
        for seed in s.stack_seeds:
            model = models.for_task(task, "lstm", hidden, seed=seed, num_layers=layers,
                                    forget_bias=s.forget_bias)  # fmt: skip
            history = run(model, task, replace(s, seed=seed))
            steps.append(history.solved_step if history.solved else None)
            final.append(history.final)
        found[layers] = {"params": models.n_params(model), "steps": steps, "final": final}
    return found
