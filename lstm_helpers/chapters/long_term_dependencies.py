"""Chapter 2, long-term dependencies: a tanh RNN on "fluent ___" at several gaps.

The notebook (notebooks/02-long-term-dependencies.ipynb) and its test call these functions with
`SETTINGS`; change a setting with `dataclasses.replace(SETTINGS, ...)` and pass it along: every
cache is keyed on the settings value, so a changed setting trains again.

    model, history = train_rnn(gap)       # trained once per (gap, settings)
    accuracy_by_gap()                      # {gap: test accuracy} for the slider's gaps
    draw_gap(gap)                          # the dependency-gap slider's frame

Shapes are time-first. Training runs on one CPU thread: for networks this small it is the fastest
setting, and the numbers are the same whatever the machine's core count.
"""

from __future__ import annotations

import functools
import textwrap
from dataclasses import dataclass

import torch

from lstm_helpers import models, plots, tasks, train


@dataclass(frozen=True)
class Settings:
    """Every setting of chapter 2; the chapter prints it."""

    gaps: tuple[int, ...] = (0, 5, 10, 15, 20, 50)  # the slider's values: filler words between clue and tail
    short_gap: int = 5  # the gap the chapter trains first
    long_gap: int = 50  # the "I grew up in India ..." gap
    hidden_size: int = 32  # hidden units of the RNN
    embed_size: int = 16  # size of each word's vector
    lr: float = 3e-3  # Adam's learning rate
    batch_size: int = 64  # fresh sentences per step
    steps: int = 400  # at most this many steps (stops once 99% of 512 test sentences are right)
    eval_every: int = 10  # steps between test evaluations
    n_countries: int = 4  # countries (and languages) in play; chance accuracy is 1 / n_countries
    seed: int = 0  # seeds the weights and the training sentences
    show_seed: int = 7  # seeds the sentences the chapter shows (never used for training)
    country: str = "india"  # the running example's country

    @property
    def chance(self) -> float:
        """Accuracy of a guess that ignores the clue."""
        return 1 / self.n_countries


SETTINGS = Settings()


@functools.cache
def train_rnn(gap: int, s: Settings = SETTINGS) -> tuple[models.SequenceModel, train.History]:
    """A tanh RNN trained on the fluent task with `gap` filler words, and its history."""
    task = tasks.fluent(gap, n_countries=s.n_countries)
    model = models.for_task(task, "rnn", hidden_size=s.hidden_size, seed=s.seed, embed_size=s.embed_size)
    with train.one_thread():
        history = train.fit(
            model, task, steps=s.steps, seed=s.seed, lr=s.lr, batch_size=s.batch_size, eval_every=s.eval_every
        )
    return model.eval(), history


def accuracy_by_gap(up_to: int | None = None, s: Settings = SETTINGS) -> dict[int, float]:
    """{gap: final test accuracy} for every slider gap up to `up_to` (all of them by default)."""
    return {gap: train_rnn(gap, s)[1].final for gap in s.gaps if up_to is None or gap <= up_to}


def example(gap: int, s: Settings = SETTINGS) -> tasks.SequenceData:
    """The running sentence at `gap`: "i grew up in india <gap fillers> i speak fluent" -> hindi."""
    return tasks.fluent_sentences(1, gap, seed=s.show_seed, n_countries=s.n_countries, country=s.country)


@torch.no_grad()
def predict(model: models.SequenceModel, data: tasks.SequenceData) -> tuple[list[str], torch.Tensor]:
    """The predicted language of each sentence and the model's probability for it."""
    probs = torch.softmax(model(data.x), dim=-1)  # (n, n_classes)
    p, k = probs.max(dim=-1)
    return [data.labels.words[int(j)] for j in k], p


def draw_gap(gap: int, s: Settings = SETTINGS):
    """One frame of the dependency-gap slider: the running sentence, the RNN's guess, accuracy vs gap."""
    model, _ = train_rnn(gap, s)
    data = example(gap, s)
    (guess,), (p,) = predict(model, data)
    fig, (top, ax) = plots.new_figure(nrows=2, figsize=(7.0, 4.6), gridspec_kw={"height_ratios": [1, 2]})
    top.set_axis_off()
    words, answer = data.sentence(0).split(" -> ")
    verdict = "right" if guess == answer else "wrong"
    top.text(0, 1, textwrap.fill(words + " ___", 72), va="top", fontsize=9, family="monospace")
    top.text(0, 0, f"answer: {answer}   RNN says: {guess} (p = {p:.2f}, {verdict})", fontsize=11)
    acc = accuracy_by_gap(gap, s)
    ax.plot(list(acc), list(acc.values()), marker="o", color=plots.PALETTE["rnn"], label="tanh RNN")
    ax.axhline(s.chance, ls="--", color=plots.PALETTE["neutral"], label="chance")
    ax.set(xlim=(-2, s.gaps[-1] + 2), ylim=(0, 1.05), xlabel="gap (filler words)", ylabel="test accuracy")
    ax.set_title(f"gap {gap}: accuracy {acc[gap]:.0%}")
    ax.legend(loc="upper right")
    return fig
