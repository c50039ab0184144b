"""Chapter 5, the LSTM and the RNN side by side: sizes, cost per step, and both on a short gap.

The notebook (notebooks/05-lstm-vs-rnn.ipynb) calls these functions with `SETTINGS` (change one
with `dataclasses.replace`; caches are keyed on the settings value). The trained LSTM it opens is
chapter 4's (`memory_cell.train_lstm`); `truncation_runs` trains LSTMs with truncated backpropagation
through time (`gradients.Truncated`). Shapes are time-first.
"""

from __future__ import annotations

import functools
import time
from dataclasses import dataclass

import torch
from torch import nn

from lstm_helpers import gradients, models, tasks, train
from lstm_helpers.chapters import memory_cell
from lstm_helpers.checks import require_int


@dataclass(frozen=True)
class Settings:
    """Every setting of chapter 5; the chapter prints it."""

    embed_size: int = 16  # d: the size of each input vector
    hidden_size: int = 32  # H of the models the book trains
    timed_sizes: tuple[int, ...] = (32, 256)  # hidden sizes whose cost per step is timed
    timed_length: int = 100  # T of the timed sequences
    timed_batch: int = 64  # batch of the timed sequences
    repeats: int = 7  # timed runs; the best one counts
    large_length: int = 25  # T of the sequences exercise 5.5 times at H = 1024 (short: such a step is slow)
    short_gap: int = 2  # the short-gap task both models train on
    steps: int = 300  # at most this many training steps
    seed: int = 0  # weights and data
    memory: memory_cell.Settings = memory_cell.SETTINGS  # chapter 4's trained LSTM
    trunc_gap: int = 20  # the fluent task the truncation experiment trains on
    trunc_steps: int = 100  # its training budget per run
    trunc_seeds: tuple[int, ...] = (0, 1, 2)  # one run per seed and window
    trunc_forget_bias: float = 4.0  # the LSTMs of the truncation experiment start keeping


SETTINGS = Settings()


def seconds_per_step(layer: nn.Module, x: torch.Tensor, repeats: int, backward: bool = False) -> float:
    """Best wall-clock seconds per time step of `layer` over x (T, batch, d), best of `repeats` runs.

    backward=False times the forward pass alone; True times a training step's forward and backward
    pass (the gradient of the outputs' sum), then clears the layer's `.grad` (set to None).
    """
    require_int("repeats", repeats, 1)
    if x.dim() != 3:
        raise ValueError(f"x must be (T, batch, d), got shape {tuple(x.shape)}")

    def run() -> None:
        out, _ = layer(x)
        if backward:
            out.sum().backward()

    with torch.set_grad_enabled(backward):
        run()  # warm-up
        runs = []
        for _ in range(repeats):
            start = time.perf_counter()
            run()
            runs.append(time.perf_counter() - start)
    layer.zero_grad(set_to_none=True)
    return min(runs) / x.shape[0]


def step_costs(s: Settings = SETTINGS) -> dict[int, dict[str, float]]:
    """{H: {"rnn": seconds per step, "lstm": seconds per step}} on one CPU thread, forward only."""
    torch.manual_seed(s.seed)
    x = torch.randn(s.timed_length, s.timed_batch, s.embed_size)  # (T, batch, d)
    costs = {}
    with train.one_thread():
        for H in s.timed_sizes:
            costs[H] = {kind: seconds_per_step(models.make_recurrent(kind, s.embed_size, H), x, s.repeats)
                        for kind in ("rnn", "lstm")}  # fmt: skip
    return costs


@functools.cache
def short_gap_runs(s: Settings = SETTINGS) -> dict[str, train.History]:
    """{"rnn": History, "lstm": History}: both models trained on the fluent task at `s.short_gap`."""
    task = tasks.fluent(s.short_gap)
    runs = {}
    with train.one_thread():
        for kind in ("rnn", "lstm"):
            model = models.for_task(task, kind, s.hidden_size, seed=s.seed, embed_size=s.embed_size)
            runs[kind] = train.fit(model, task, steps=s.steps, seed=s.seed)
    return runs


def clue_span(data: tasks.SequenceData) -> int:
    """Steps from the clue word to the last word, the clue's own step included: the window that reaches it."""
    return data.x.shape[0] - data.info["clue"]


@functools.cache
def truncation_runs(s: Settings = SETTINGS) -> dict[tuple[int, int], train.History]:
    """{(k, seed): History}: LSTMs trained with truncated BPTT, k = half the clue's span, then all of it."""
    task = tasks.fluent(s.trunc_gap)
    span = clue_span(task.make(1, seed=0))
    runs = {}
    with train.one_thread():
        for k in (span // 2, span):
            for seed in s.trunc_seeds:
                model = models.for_task(task, "lstm", s.hidden_size, seed=seed, embed_size=s.embed_size,
                                        forget_bias=s.trunc_forget_bias)  # fmt: skip
                runs[k, seed] = train.fit(gradients.Truncated(model, k), task, steps=s.trunc_steps, seed=seed)
    return runs
