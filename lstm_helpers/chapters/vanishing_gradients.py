"""Chapter 3, vanishing gradients: how the gradient fades with the lag, and how it explodes.

The notebook (notebooks/03-vanishing-gradients.ipynb) and its test call these functions with
`SETTINGS` (change one with `dataclasses.replace`; caches are keyed on the settings value).

    scaled_cell(sigma), lag_inputs()      # an RNN whose W_hh has largest singular value sigma
    lag_profile(sigma)                     # ||dh_T/dh_{T-k}|| for every lag k, and sigma ** k
    draw_scale(sigma)                      # the recurrent-weight-scale slider's frame
    trained_lag_norms()                    # ||dL/dh_{T-k}|| on chapter 2's trained RNN
    step_shares()                          # each word's share of the weight update
    train_sgd(clip)                        # plain SGD with large W_hh, with or without clipping

Shapes are time-first. Training runs on one CPU thread.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import torch
from torch import nn

from lstm_helpers import gradients, models, plots, tasks, train
from lstm_helpers.cells import RNNCell
from lstm_helpers.chapters import long_term_dependencies as ch2


@dataclass(frozen=True)
class Settings:
    """Every setting of chapter 3; the chapter prints it."""

    lag_gap: int = 53  # filler words of the sentence the lag profiles run over (61 words: lags 0..60)
    sigmas: tuple[float, ...] = (0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 6.0)  # the slider's sigma_max(W_hh)
    hidden_size: int = 32  # hidden units of every RNN in the chapter
    embed_size: int = 16  # size of the random word vectors
    n_probe: int = 256  # sentences the trained RNN's gradients are averaged over
    sgd_sigma: float = 4.0  # sigma_max(W_hh) of the exploding-gradient run
    sgd_lr: float = 0.5  # its plain-SGD learning rate
    sgd_steps: int = 150  # its number of steps
    sgd_gap: int = 10  # its gap
    batch_size: int = 64  # sentences per SGD step
    seed: int = 0  # weights and data
    trained: ch2.Settings = ch2.SETTINGS  # chapter 2's runs, whose trained RNN this chapter opens

    @property
    def gap(self) -> int:
        """The gap of the trained RNN the chapter studies: chapter 2's long gap."""
        return self.trained.long_gap


SETTINGS = Settings()


def scaled_cell(sigma: float, s: Settings = SETTINGS) -> RNNCell:
    """A float64 tanh RNN cell whose W_hh has largest singular value sigma."""
    torch.manual_seed(s.seed)
    cell = RNNCell.from_torch(nn.RNN(s.embed_size, s.hidden_size, dtype=torch.float64))
    with torch.no_grad():
        cell.W_hh *= sigma / gradients.sigma_max(cell.W_hh)
    return cell


def lag_sentence(s: Settings = SETTINGS) -> tasks.SequenceData:
    """The one sentence the lag profiles run over: the running example with `s.lag_gap` fillers."""
    return tasks.fluent_sentences(1, s.lag_gap, seed=s.seed, country=s.trained.country)


def lag_inputs(s: Settings = SETTINGS) -> torch.Tensor:
    """`lag_sentence`, embedded at random: (T, 1, embed_size) float64."""
    torch.manual_seed(s.seed)
    data = lag_sentence(s)
    embed = nn.Embedding(len(data.vocab), s.embed_size, dtype=torch.float64)
    return embed(data.x).detach()  # (T, 1, embed_size)


@functools.cache
def lag_profile(sigma: float, s: Settings = SETTINGS) -> tuple[torch.Tensor, torch.Tensor]:
    """(||dh_T/dh_{T-k}||, sigma ** k) for every lag k, on `scaled_cell(sigma)`."""
    cell, x = scaled_cell(sigma, s), lag_inputs(s)
    return gradients.jacobian_norms(cell, x), gradients.pascanu_bound(cell, x.shape[0])


def draw_scale(sigma: float, s: Settings = SETTINGS):
    """One frame of the recurrent-weight-scale slider: measured Jacobian norms and the bound, by lag."""
    norms, bound = lag_profile(sigma, s)
    lags = torch.arange(len(norms))
    fig, ax = plots.new_figure()
    measured = r"measured $\|\partial h_T/\partial h_{T-k}\|$"
    ax.semilogy(lags, norms, color=plots.PALETTE["rnn"], label=measured)
    ax.semilogy(lags, bound, ls="--", color=plots.PALETTE["neutral"], label=r"bound $\sigma_{max}^k$")
    ax.set(ylim=(1e-35, 1e10), xlabel="lag $k$ (steps back from the last word)", ylabel="norm")
    ratio = (norms[50] / norms[1]).item()
    ax.set_title(rf"$\sigma_{{max}}(W_{{hh}})$ = {sigma}: lag 50 / lag 1 = {ratio:.1e}")
    ax.legend(loc="lower left")
    return fig


def trained_rnn(s: Settings = SETTINGS) -> models.SequenceModel:
    """Chapter 2's tanh RNN trained at its long gap (cached there, so trained once per settings)."""
    return ch2.train_rnn(s.gap, s.trained)[0]


def probe_sentences(s: Settings = SETTINGS) -> tasks.SequenceData:
    """Held-out sentences at chapter 2's long gap, for the trained RNN's gradients."""
    return tasks.fluent_sentences(s.n_probe, s.gap, seed=s.trained.show_seed)


def trained_lag_norms(s: Settings = SETTINGS) -> tuple[torch.Tensor, torch.Tensor]:
    """(||dL/dh_{T-k}|| for every lag k, sigma_max(W_hh) ** k) of chapter 2's RNN trained at the long gap."""
    model, data = trained_rnn(s), probe_sentences(s)
    cell, x = gradients.from_model(model, data.x)  # float64 copy, embedded inputs (T, n, embed)
    norms = gradients.grad_norms(cell, x, gradients.readout_loss(model, data.y)).flip(0)  # by lag
    return norms, gradients.pascanu_bound(cell, len(norms))


def step_shares(trained: bool = False, n: int = 64, s: Settings = SETTINGS) -> dict[str, torch.Tensor]:
    """Each time step's share of dL/dW_xh and dL/dW_hh on long-gap sentences, fresh or trained RNN."""
    task = tasks.fluent(s.gap)
    if trained:
        model = trained_rnn(s)
    else:
        model = models.for_task(task, "rnn", hidden_size=s.hidden_size, seed=s.seed, embed_size=s.embed_size)
    data = tasks.fluent_sentences(n, s.gap, seed=s.trained.show_seed)
    cell, x = gradients.from_model(model, data.x)
    loss = gradients.readout_loss(model, data.y)
    terms = {name: gradients.step_contributions(cell, x, loss, name) for name in ("W_xh", "W_hh")}
    return {name: t / t.sum() for name, t in terms.items()}  # (T,) shares by time step


@functools.cache
def train_sgd(clip: float, s: Settings = SETTINGS) -> dict[str, list[float]]:
    """Plain SGD on the fluent task (gap `s.sgd_gap`), W_hh scaled to sigma_max = `s.sgd_sigma`.

    clip: the largest gradient norm allowed (0: no clipping). Returns per step the loss and the
    gradient norm before clipping, and the final test accuracy.
    """
    task = tasks.fluent(s.sgd_gap)
    model = models.for_task(task, "rnn", hidden_size=s.hidden_size, seed=s.seed, embed_size=s.embed_size)
    with torch.no_grad():
        model.rnn.weight_hh_l0 *= s.sgd_sigma / gradients.sigma_max(model.rnn.weight_hh_l0)
    opt = torch.optim.SGD(model.parameters(), lr=s.sgd_lr)
    stream = torch.Generator().manual_seed(s.seed)
    log: dict[str, list[float]] = {"loss": [], "grad_norm": []}
    with train.one_thread():
        for _ in range(s.sgd_steps):
            batch = task.make(s.batch_size, stream)
            loss = nn.functional.cross_entropy(model(batch.x), batch.y)
            opt.zero_grad()
            loss.backward()
            norm = nn.utils.clip_grad_norm_(model.parameters(), clip if clip > 0 else float("inf"))
            opt.step()
            log["loss"].append(loss.item())
            log["grad_norm"].append(norm.item())
    test = task.make(task.n_test, s.seed + train.TEST_SEED_OFFSET)
    log["accuracy"] = [train.evaluate(model, test, task)]
    return log
