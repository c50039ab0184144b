"""Chapter 3, vanishing gradients: how the gradient fades with the lag, and how it explodes.

The notebook (notebooks/03-vanishing-gradients.ipynb) and its test call these functions with
`SETTINGS` (change one with `dataclasses.replace`; caches are keyed on the settings value).

    one_unit_cell(w), one_unit_inputs()   # the one-unit RNN of the opening: h_t = tanh(w h_{t-1} + x_t)
    scaled_cell(sigma), lag_inputs()      # an RNN whose W_hh has largest singular value sigma
    lag_profile(sigma)                     # ||dh_T/dh_{T-k}|| for every lag k, and sigma ** k
    draw_scale(sigma)                      # the recurrent-weight-scale slider's frame
    trained_lag_norms()                    # ||dL/dh_{T-k}|| on chapter 2's trained RNN
    trained_history(gap=...)               # how chapter 2's RNN trained at a gap (loss, accuracy)
    step_shares(gap=...)                   # each word's share of the weight update
    train_sgd(clip)                        # plain SGD with large W_hh, clipped by hand or not

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
from lstm_helpers.checks import require_float, require_int


@dataclass(frozen=True)
class Settings:
    """Every setting of chapter 3; the chapter prints it."""

    unit_weights: tuple[float, ...] = (0.5, 0.9, 1.0, 1.1)  # the one-unit RNN's recurrent weights w
    unit_lags: tuple[int, ...] = (1, 5, 10, 20, 50)  # the lags its table shows
    unit_scale: float = 0.25  # spread of its input: one random number per word, N(0, unit_scale^2)
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


def one_unit_inputs(s: Settings = SETTINGS) -> torch.Tensor:
    """`lag_sentence` with one random number per word (the same word, the same number): (T, 1, 1) float64."""
    data = lag_sentence(s)
    gen = torch.Generator().manual_seed(s.seed)
    word_value = s.unit_scale * torch.randn(len(data.vocab), generator=gen, dtype=torch.float64)  # (V,)
    return word_value[data.x].unsqueeze(-1)  # (T, 1, 1)


def one_unit_cell(w: float) -> RNNCell:
    """A one-unit float64 tanh RNN, h_t = tanh(w h_{t-1} + x_t): W_hh = w, W_xh = 1, no biases."""
    w = require_float("w", w, -100.0, 100.0)
    cell = RNNCell(1, 1, dtype=torch.float64)
    with torch.no_grad():
        cell.W_hh.fill_(w)
        cell.W_xh.fill_(1.0)
        cell.b_xh.zero_()
        cell.b_hh.zero_()
    return cell


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


def trained_history(gap: int | None = None, s: Settings = SETTINGS) -> train.History:
    """How chapter 2's RNN trained at `gap` filler words (default: its long gap): loss, test accuracy.

    Cached in chapter 2, so the long gap's network is the one `trained_rnn` returns.
    """
    gap = s.gap if gap is None else require_int("gap", gap, 0)
    return ch2.train_rnn(gap, s.trained)[1]


def probe_sentences(s: Settings = SETTINGS) -> tasks.SequenceData:
    """Held-out sentences at chapter 2's long gap, for the trained RNN's gradients."""
    return tasks.fluent_sentences(s.n_probe, s.gap, seed=s.trained.show_seed)


def trained_lag_norms(s: Settings = SETTINGS) -> tuple[torch.Tensor, torch.Tensor]:
    """(||dL/dh_{T-k}|| for every lag k, sigma_max(W_hh) ** k) of chapter 2's RNN trained at the long gap."""
    model, data = trained_rnn(s), probe_sentences(s)
    cell, x = gradients.from_model(model, data.x)  # float64 copy, embedded inputs (T, n, embed)
    norms = gradients.grad_norms(cell, x, gradients.readout_loss(model, data.y)).flip(0)  # by lag
    return norms, gradients.pascanu_bound(cell, len(norms))


def share_sentences(n: int = 64, gap: int | None = None, s: Settings = SETTINGS) -> tasks.SequenceData:
    """The n held-out sentences `step_shares` runs on, at `gap` (default: chapter 2's long gap)."""
    gap = s.gap if gap is None else require_int("gap", gap, 0)
    return tasks.fluent_sentences(require_int("n", n, 1), gap, seed=s.trained.show_seed)


def share_model(gap: int | None = None, s: Settings = SETTINGS) -> models.SequenceModel:
    """The freshly initialised RNN `step_shares` measures (the same weights at every gap)."""
    task = tasks.fluent(s.gap if gap is None else gap)
    return models.for_task(task, "rnn", hidden_size=s.hidden_size, seed=s.seed, embed_size=s.embed_size)


def step_shares(
    trained: bool = False, n: int = 64, gap: int | None = None, s: Settings = SETTINGS
) -> dict[str, torch.Tensor]:
    """Each time step's share of dL/dW_xh and dL/dW_hh, fresh (or trained) RNN, `n` sentences at `gap`.

    gap: filler words (default: chapter 2's long gap, the one the trained RNN failed).
    """
    if trained:
        model = trained_rnn(s)
    else:
        model = share_model(gap, s)
    data = share_sentences(n, gap, s)
    cell, x = gradients.from_model(model, data.x)
    loss = gradients.readout_loss(model, data.y)
    terms = {name: gradients.step_contributions(cell, x, loss, name) for name in ("W_xh", "W_hh")}
    return {name: t / t.sum() for name, t in terms.items()}  # (T,) shares by time step


def sgd_model(s: Settings = SETTINGS) -> models.SequenceModel:
    """The RNN of the clipping runs, its W_hh scaled up to sigma_max = `s.sgd_sigma`."""
    task = tasks.fluent(s.sgd_gap)
    model = models.for_task(task, "rnn", hidden_size=s.hidden_size, seed=s.seed, embed_size=s.embed_size)
    with torch.no_grad():
        model.rnn.weight_hh_l0 *= s.sgd_sigma / gradients.sigma_max(model.rnn.weight_hh_l0)
    return model


@functools.cache
def train_sgd(clip: float, s: Settings = SETTINGS) -> dict[str, list[float]]:
    """Plain SGD on the fluent task (gap `s.sgd_gap`), W_hh scaled to sigma_max = `s.sgd_sigma`.

    clip: the largest gradient norm allowed (0: no clipping). The clipping is written out and
    equals `torch.nn.utils.clip_grad_norm_` (the chapter's cell is the same loop). Returns per step
    the loss, the gradient norm before clipping and sigma_max(W_hh) after the step, and the final
    test accuracy.
    """
    clip = require_float("clip (0: no clipping)", clip, 0.0)
    task, model = tasks.fluent(s.sgd_gap), sgd_model(s)
    params = list(model.parameters())
    stream = torch.Generator().manual_seed(s.seed)
    log: dict[str, list[float]] = {"loss": [], "grad_norm": [], "sigma_max": []}
    with train.one_thread():
        for _ in range(s.sgd_steps):
            batch = task.make(s.batch_size, stream)
            loss = nn.functional.cross_entropy(model(batch.x), batch.y)
            grads = torch.autograd.grad(loss, params)
            # ||grad L|| = sqrt(sum of (dL/dw)^2 over every weight w of the network)
            norm = torch.sqrt(sum((grad**2).sum() for grad in grads)).item()
            # grad L <- grad L * min(1, c / ||grad L||)
            scale = min(1.0, clip / norm) if clip > 0 else 1.0
            with torch.no_grad():
                for p, grad in zip(params, grads):
                    # w <- w - lr * grad L
                    p -= s.sgd_lr * scale * grad
            log["loss"].append(loss.item())
            log["grad_norm"].append(norm)
            log["sigma_max"].append(gradients.sigma_max(model.rnn.weight_hh_l0))
    log["accuracy"] = [sgd_accuracy(model, s)]
    return log


def sgd_accuracy(model: models.SequenceModel, s: Settings = SETTINGS) -> float:
    """Test accuracy of a clipping-run model on held-out sentences at gap `s.sgd_gap`."""
    task = tasks.fluent(s.sgd_gap)
    return train.evaluate(model, task.make(task.n_test, s.seed + train.TEST_SEED_OFFSET), task)
