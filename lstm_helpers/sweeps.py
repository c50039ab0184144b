"""Chapter 6's experiments with their settings in one place: the gap sweep and the adding problem.

The chapter (notebooks/06-experiments.ipynb) and its test (tests/test_chapter06.py) call these
functions with `SETTINGS` and `ADDING`, so a claim on the page is checked with the settings that
produced it.

    runs = sweeps.sweep()                        # {(model name, gap): [History per seed]}
    rows = sweeps.summary(runs)                  # mean, lowest and highest accuracy per cell
    fig, ax = sweeps.draw_sweep(runs)            # accuracy against gap, spread over seeds
    hist = sweeps.adding_run("lstm", seed=0)     # the adding problem, T = 100, the paper's way

Shapes are time-first, as everywhere in the book. Training runs on one CPU thread.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass

import torch

from lstm_helpers import models, plots, tasks, train
from lstm_helpers.checks import require_int
from lstm_helpers.train import one_thread


@dataclass(frozen=True)
class Settings:
    """The gap sweep: every model trained at every gap from every seed."""

    gaps: tuple[int, ...] = (5, 10, 20, 50)  # filler words between the country and the blank
    seeds: tuple[int, ...] = (0, 1, 2)  # the notebook's seeds (the test uses five)
    models: tuple[tuple[str, float | None], ...] = (("rnn", None), ("lstm", None), ("lstm", 4.0))
    hidden_size: int = 32  # units of every recurrent layer
    lr: float = 3e-3  # Adam's learning rate
    batch_size: int = 64  # fresh sentences per step
    steps: int = 200  # at most this many steps (stops early once 99% of 512 test sentences are right)
    eval_every: int = 20  # steps between test evaluations
    short_gap: int = 5  # the "sky is blue"-like end of the sweep
    long_gap: int = 50  # the "I grew up in India ..." end
    chance: float = 0.25  # four countries


@dataclass(frozen=True)
class AddingRecipe:
    """The adding problem (1997, experiment 4) the way `benchmarks/bench.py` trains it."""

    T: int = 100  # minimum sequence length (lengths T .. T + T/10)
    hidden_size: int = 32
    forget_bias: float = 5.0  # keep X1 across ~100 steps from the start
    input_bias: float = -3.0  # write rarely, as the paper's negative input-gate biases
    lr: float = 1e-3
    batch_size: int = 16
    budget: int = 74_000  # training sequences: the paper's figure for T = 100
    rnn_batch_size: int = 128  # the RNN sees the same budget in larger batches (time)


SETTINGS = Settings()
ADDING = AddingRecipe()
PAPER = {"T": 100, "sequences": 74_000, "wrong": 1, "n_test": 2560}  # Table 7, Hochreiter & Schmidhuber 1997


def model_name(kind: str, forget_bias: float | None) -> str:
    """A readable name: "RNN", "LSTM, default init", "LSTM, forget bias 4"."""
    if kind == "rnn":
        return "RNN"
    return "LSTM, default init" if forget_bias is None else f"LSTM, forget bias {forget_bias:g}"


def gap_run(
    kind: str, forget_bias: float | None, gap: int, seed: int, s: Settings = SETTINGS
) -> train.History:
    """Train one model on "fluent ___" with `gap` filler words from `seed`; return its history."""
    require_int("gap", gap, 0)
    task = tasks.fluent(gap)
    model = models.for_task(task, kind, s.hidden_size, seed=seed, forget_bias=forget_bias)
    with one_thread():
        return train.fit(
            model, task, steps=s.steps, seed=seed, lr=s.lr, batch_size=s.batch_size, eval_every=s.eval_every
        )


def sweep(
    s: Settings = SETTINGS, gaps: tuple[int, ...] | None = None, seeds: tuple[int, ...] | None = None
) -> dict[tuple[str, int], list[train.History]]:
    """{(model name, gap): [History for each seed]} for every model in `s.models`."""
    runs: dict[tuple[str, int], list[train.History]] = {}
    for kind, bias in s.models:
        for gap in gaps or s.gaps:
            runs[model_name(kind, bias), gap] = [
                gap_run(kind, bias, gap, seed, s) for seed in seeds or s.seeds
            ]
    return runs


def summary(runs: dict[tuple[str, int], list[train.History]]) -> list[dict]:
    """One row per (model, gap): mean, lowest and highest final accuracy, seeds solved, seconds."""
    rows = []
    for (name, gap), hists in runs.items():
        acc = [h.final for h in hists]
        rows.append(
            {
                "model": name,
                "gap": gap,
                "mean": statistics.mean(acc),
                "low": min(acc),
                "high": max(acc),
                "solved": sum(h.solved for h in hists),
                "seeds": len(hists),
                "seconds": sum(h.seconds for h in hists),
            }
        )
    return rows


def print_summary(rows: list[dict]) -> None:
    """The summary as an aligned text table."""
    print(f"{'model':<20} {'gap':>4} {'mean':>6} {'lowest':>7} {'highest':>8} {'solved':>7}")
    for r in rows:
        print(
            f"{r['model']:<20} {r['gap']:>4} {r['mean']:6.1%} {r['low']:7.1%} {r['high']:8.1%} "
            f"{r['solved']:>3}/{r['seeds']}"
        )


COLOURS = {"RNN": "rnn", "LSTM, default init": "lstm_alt"}


def draw_sweep(runs: dict[tuple[str, int], list[train.History]], s: Settings = SETTINGS):
    """Accuracy against gap per model: mean line, band from lowest to highest seed, seed dots."""
    fig, ax = plots.new_figure()
    for name in dict.fromkeys(n for n, _ in runs):
        gaps = [g for n, g in runs if n == name]
        acc = torch.tensor([[h.final for h in runs[name, g]] for g in gaps])  # (gaps, seeds)
        colour = plots.PALETTE[COLOURS.get(name, "lstm")]
        ax.plot(gaps, acc.mean(1), marker="o", color=colour, label=name)
        ax.fill_between(gaps, acc.min(1).values, acc.max(1).values, color=colour, alpha=0.2)
        for k in range(acc.shape[1]):
            ax.scatter(gaps, acc[:, k], s=10, color=colour, alpha=0.6)
    ax.axhline(s.chance, ls="--", color=plots.PALETTE["neutral"], label="chance")
    ax.set(xscale="log", ylim=(0, 1.05), xlabel="gap (filler words, log scale)", ylabel="test accuracy")
    ax.set_xticks(list(s.gaps), [str(g) for g in s.gaps])
    ax.legend(loc="center left")
    return fig, ax


def adding_model(kind: str, seed: int, r: AddingRecipe = ADDING) -> models.SequenceModel:
    """The recipe's model: gate biases for the LSTM, and a readout that starts at the mean 0.5."""
    biases = {"forget_bias": r.forget_bias, "input_bias": r.input_bias} if kind == "lstm" else {}
    model = models.for_task(tasks.adding(r.T), kind, r.hidden_size, seed=seed, **biases)
    with torch.no_grad():  # start at the mean target, so training begins on the sum itself
        model.readout.weight.zero_()
        model.readout.bias.fill_(0.5)
    return model


def adding_run(kind: str, seed: int, r: AddingRecipe = ADDING) -> train.History:
    """Train on the adding problem until at most 1% of 2560 test sequences are wrong, or `r.budget`."""
    batch = r.batch_size if kind == "lstm" else r.rnn_batch_size
    every = 1600 if kind == "lstm" else 16_000  # sequences between tests; the RNN is tested less often
    model = adding_model(kind, seed, r)
    with one_thread():
        return train.fit(
            model,
            tasks.adding(r.T),
            steps=r.budget // batch,
            seed=seed,
            lr=r.lr,
            batch_size=batch,
            eval_every=max(1, every // batch),
        )


def adding_row(name: str, hist: train.History, r: AddingRecipe = ADDING) -> dict:
    """The paper's way: training sequences used, and wrong predictions (|error| >= 0.04) of 2560."""
    used = hist.solved_sequences if hist.solved else (r.budget // hist.batch_size) * hist.batch_size
    wrong = round(hist.final * PAPER["n_test"])
    return {"model": name, "sequences": used, "solved": hist.solved, "wrong": wrong, "seconds": hist.seconds}
