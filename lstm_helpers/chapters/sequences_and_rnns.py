"""Chapter 1, sequences and RNNs: a small RNN on "the color of the sky is ___", trained two ways.

The notebook (notebooks/01-sequences-and-rnns.ipynb) writes the RNN step, the unrolled loop and one
training loop in its own cells; this module holds the settings they use and the pieces the notebook
and its test must build identically:

    model = new_model()        # the sky task's RNN, seeded: the same initial weights every time
    model, history = fit()     # train.fit on it: the notebook's loop plus stopping, evaluation, progress

Shapes are time-first. The chapter runs on one CPU thread (`torch.set_num_threads(1)` in its
imports, `train.one_thread()` here): networks this small train fastest so, and the loop and `fit`
then add their numbers in the same order, so that their losses agree to the last bit.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from lstm_helpers import models, tasks, train


@dataclass(frozen=True)
class Settings:
    """Every setting of chapter 1; the chapter prints it."""

    trace_input: int = 8  # input size d of the RNN whose memory is measured
    trace_hidden: int = 32  # its hidden size H
    trace_steps: int = 30  # steps the trace of X_1 is followed for
    trace_batch: int = 256  # random sequences the trace is averaged over
    trace_eps: float = 1e-6  # the size of the nudge to X_1
    hidden_size: int = 16  # hidden units of the sky task's RNN
    embed_size: int = 16  # size of each word's vector
    lr: float = 3e-3  # Adam's learning rate
    clip: float = 1.0  # largest gradient norm a step may take
    batch_size: int = 64  # fresh sentences per step
    loop_steps: int = 40  # steps of the training loop written in the notebook
    steps: int = 300  # train.fit's budget (it stops once 99% of 512 test sentences are right)
    eval_every: int = 10  # steps between train.fit's test evaluations
    seed: int = 0  # seeds the weights and the training sentences


SETTINGS = Settings()


def new_model(s: Settings = SETTINGS) -> models.SequenceClassifier:
    """A fresh RNN for the sky task: embedding -> tanh RNN -> readout of the last state, seeded."""
    task = tasks.sky()
    model = models.for_task(task, "rnn", hidden_size=s.hidden_size, seed=s.seed, embed_size=s.embed_size)
    assert isinstance(model, models.SequenceClassifier)
    return model


@functools.cache
def fit(s: Settings = SETTINGS) -> tuple[models.SequenceClassifier, train.History]:
    """`new_model(s)` trained by `train.fit` on the sky task with the settings `s`, and its history."""
    model = new_model(s)
    with train.one_thread():
        history = train.fit(
            model, tasks.sky(), steps=s.steps, seed=s.seed, batch_size=s.batch_size, lr=s.lr, clip=s.clip,
            eval_every=s.eval_every,
        )  # fmt: skip
    return model.eval(), history
