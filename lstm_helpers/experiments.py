"""The experiments of chapters 2 and 3, with their settings in one place, cached per value.

Chapter 2 trains a tanh RNN on the "fluent ___" task at several gaps; chapter 3 measures how the
gradient fades with the lag. The notebooks and their tests call the same functions with the same
constants below, so a claim on a page is checked against the very measurement it quotes.

- `train_rnn(gap)`: a trained RNN and its `History` at that gap (trained once per session).
- `accuracy_by_gap(up_to)`: {gap: test accuracy} for the slider values up to `up_to`.
- `draw_gap(gap)`: the dependency-gap slider's frame: a sentence, the prediction, the curve so far.
- `scaled_cell(sigma)`, `lag_profile(sigma)`: an RNN whose W_hh has largest singular value `sigma`,
  and ||dh_T/dh_{T-k}|| for every lag k next to the bound sigma ** k.
- `draw_scale(sigma)`: the recurrent-weight-scale slider's frame.
- `train_sgd(clip)`: plain SGD on a network with large W_hh, with or without gradient clipping.

Shapes are time-first, as everywhere in the book. Training runs on one CPU thread: for networks
this small it is the fastest setting and it does not slow down when other programs share the CPU.
"""

from __future__ import annotations

import textwrap

import torch
from torch import nn

from lstm_helpers import gradients, models, plots, tasks, train
from lstm_helpers.cells import RNNCell
from lstm_helpers.train import one_thread
from lstm_helpers.widgets import cached

# chapter 2: the dependency-gap experiment
GAPS = (0, 5, 10, 15, 20, 50)  # the slider's values: filler words between clue and blank
SHORT_GAP, LONG_GAP = 5, 50  # the two gaps the chapter trains first
HIDDEN = 32  # hidden units of the RNN
STEPS = 400  # at most this many Adam steps of 64 sentences (stops early once solved)
LR = 3e-3  # Adam's learning rate
SEED = 0  # seeds the weights and the training data
SHOW_SEED = 7  # seeds the one sentence each slider frame shows
CHANCE = 0.25  # 4 countries: guessing is right one time in four

# chapter 3: gradients through time
LAG_T = 61  # sequence length for the lag profiles: lags 0..60
SIGMAS = (0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 6.0)  # the slider's largest singular values of W_hh
SGD_SIGMA, SGD_LR, SGD_STEPS, SGD_GAP = 4.0, 0.5, 150, 10  # the exploding-gradient run


@cached
def train_rnn(gap: int, seed: int = SEED) -> tuple[models.SequenceModel, train.History]:
    """A tanh RNN trained on the fluent task with `gap` filler words, and its history."""
    task = tasks.fluent(gap)
    model = models.for_task(task, "rnn", hidden_size=HIDDEN, seed=seed)
    with one_thread():
        history = train.fit(model, task, steps=STEPS, seed=seed, lr=LR)
    return model.eval(), history


def accuracy_by_gap(up_to: int = GAPS[-1]) -> dict[int, float]:
    """{gap: final test accuracy} for every slider gap up to `up_to`."""
    return {gap: train_rnn(gap)[1].final for gap in GAPS if gap <= up_to}


@torch.no_grad()
def predict(model: models.SequenceModel, data: tasks.SequenceData) -> tuple[list[str], torch.Tensor]:
    """The predicted language of each sentence and the model's probability for it."""
    probs = torch.softmax(model(data.x), dim=-1)  # (n, n_classes)
    p, k = probs.max(dim=-1)
    return [data.labels.words[int(j)] for j in k], p


def draw_gap(gap: int):
    """One frame of the dependency-gap slider: a sentence, the RNN's guess, accuracy vs gap so far."""
    model, _ = train_rnn(gap)
    data = tasks.fluent_sentences(1, gap, seed=SHOW_SEED)
    (guess,), (p,) = predict(model, data)
    fig, (top, ax) = plots.new_figure(nrows=2, figsize=(7.0, 4.6), gridspec_kw={"height_ratios": [1, 2]})
    top.set_axis_off()
    words, answer = data.sentence(0).split(" -> ")
    verdict = "right" if guess == answer else "wrong"
    top.text(0, 1, textwrap.fill(words + " ___", 72), va="top", fontsize=9, family="monospace")
    top.text(0, 0, f"answer: {answer}   RNN says: {guess} (p = {p:.2f}, {verdict})", fontsize=11)
    acc = accuracy_by_gap(gap)
    ax.plot(list(acc), list(acc.values()), marker="o", color=plots.PALETTE["rnn"], label="tanh RNN")
    ax.axhline(CHANCE, ls="--", color=plots.PALETTE["neutral"], label="chance")
    ax.set(xlim=(-2, GAPS[-1] + 2), ylim=(0, 1.05), xlabel="gap (filler words)", ylabel="test accuracy")
    ax.set_title(f"gap {gap}: accuracy {acc[gap]:.0%}")
    ax.legend(loc="upper right")
    return fig


def scaled_cell(sigma: float, seed: int = SEED) -> RNNCell:
    """A float64 tanh RNN cell (16 inputs, HIDDEN units) whose W_hh has largest singular value sigma."""
    torch.manual_seed(seed)
    cell = RNNCell.from_torch(nn.RNN(16, HIDDEN, dtype=torch.float64))
    with torch.no_grad():
        cell.W_hh *= sigma / gradients.sigma_max(cell.W_hh)
    return cell


def lag_inputs(seed: int = SEED) -> torch.Tensor:
    """One fluent sentence of LAG_T words, embedded at random: (LAG_T, 1, 16) float64."""
    torch.manual_seed(seed)
    data = tasks.fluent_sentences(1, LAG_T - 8, seed=seed)
    embed = nn.Embedding(len(data.vocab), 16, dtype=torch.float64)
    return embed(data.x).detach()  # (LAG_T, 1, 16)


@cached
def lag_profile(sigma: float) -> tuple[torch.Tensor, torch.Tensor]:
    """(||dh_T/dh_{T-k}||, sigma ** k) for lags k = 0..LAG_T-1, on `scaled_cell(sigma)`."""
    cell = scaled_cell(sigma)
    return gradients.jacobian_norms(cell, lag_inputs()), gradients.pascanu_bound(cell, LAG_T)


def draw_scale(sigma: float):
    """One frame of the recurrent-weight-scale slider: measured Jacobian norms and the bound, by lag."""
    norms, bound = lag_profile(sigma)
    lags = torch.arange(LAG_T)
    fig, ax = plots.new_figure()
    measured = r"measured $\|\partial h_T/\partial h_{T-k}\|$"
    ax.semilogy(lags, norms, color=plots.PALETTE["rnn"], label=measured)
    ax.semilogy(lags, bound, ls="--", color=plots.PALETTE["neutral"], label=r"bound $\sigma_{max}^k$")
    ax.set(ylim=(1e-35, 1e10), xlabel="lag $k$ (steps back from the last word)", ylabel="norm")
    ratio = (norms[50] / norms[1]).item()
    ax.set_title(rf"$\sigma_{{max}}(W_{{hh}})$ = {sigma}: lag 50 / lag 1 = {ratio:.1e}")
    ax.legend(loc="lower left")
    return fig


def trained_lag_norms(gap: int = LONG_GAP, n: int = 256) -> tuple[torch.Tensor, torch.Tensor]:
    """(||dL/dh_{T-k}|| for every lag k, sigma_max(W_hh) ** k) of the RNN trained at `gap`."""
    model, _ = train_rnn(gap)
    data = tasks.fluent_sentences(n, gap, seed=SHOW_SEED)
    cell, x = gradients.from_model(model, data.x)  # float64 copy, embedded inputs (T, n, 16)
    norms = gradients.grad_norms(cell, x, gradients.readout_loss(model, data.y)).flip(0)  # by lag
    return norms, gradients.pascanu_bound(cell, len(norms))


def step_shares(gap: int = LONG_GAP, trained: bool = False, n: int = 64) -> dict[str, torch.Tensor]:
    """Each time step's share of dL/dW_xh and dL/dW_hh on fluent sentences, for a fresh or trained RNN."""
    task = tasks.fluent(gap)
    model = train_rnn(gap)[0] if trained else models.for_task(task, "rnn", hidden_size=HIDDEN, seed=SEED)
    data = tasks.fluent_sentences(n, gap, seed=SHOW_SEED)
    cell, x = gradients.from_model(model, data.x)
    loss = gradients.readout_loss(model, data.y)
    terms = {name: gradients.step_contributions(cell, x, loss, name) for name in ("W_xh", "W_hh")}
    return {name: t / t.sum() for name, t in terms.items()}  # (T,) shares by time step


def train_sgd(clip: float, seed: int = SEED) -> dict[str, list[float]]:
    """Plain SGD on the fluent task (gap SGD_GAP), W_hh scaled to sigma_max = SGD_SIGMA.

    clip: the largest gradient norm allowed (0: no clipping). Returns per step the loss and the
    gradient norm before clipping, and the final test accuracy.
    """
    task = tasks.fluent(SGD_GAP)
    model = models.for_task(task, "rnn", hidden_size=HIDDEN, seed=seed)
    with torch.no_grad():
        model.rnn.weight_hh_l0 *= SGD_SIGMA / gradients.sigma_max(model.rnn.weight_hh_l0)
    opt = torch.optim.SGD(model.parameters(), lr=SGD_LR)
    stream = torch.Generator().manual_seed(seed)
    log: dict[str, list[float]] = {"loss": [], "grad_norm": []}
    with one_thread():
        for _ in range(SGD_STEPS):
            batch = task.make(64, stream)
            loss = nn.functional.cross_entropy(model(batch.x), batch.y)
            opt.zero_grad()
            loss.backward()
            norm = nn.utils.clip_grad_norm_(model.parameters(), clip if clip > 0 else float("inf"))
            opt.step()
            log["loss"].append(loss.item())
            log["grad_norm"].append(norm.item())
    log["accuracy"] = [train.evaluate(model, task.make(task.n_test, seed + train.TEST_SEED_OFFSET), task)]
    return log
