"""Chapter 4, the memory cell: its settings, the trained LSTM, and probes of its memory.

The chapter (notebooks/04-the-memory-cell.ipynb) and its test (tests/chapters/test_memory_cell.py)
both call these functions with `SETTINGS` (change one with `dataclasses.replace`; caches are keyed
on the settings value), so the claims the text makes are the claims the test checks.

    model, history = train_lstm()            # "fluent ___" at SETTINGS.gap
    data, run = probe(model)                  # held-out sentences, every gate and state
    scores = country_units(run, data)         # (H, n_countries): which unit keeps which country
    retention(3.0)                            # a fresh LSTM with forget bias 3: what survives
    draw_belt("forget")                       # the belt over three steps, the gates up to one stage
    fresh_jacobians()                         # fresh RNN and LSTMs: ||d state_T/d state_{T-k}|| by lag
    clue_gradients()                          # fresh RNN and LSTMs: ||dL/d state_t|| at every word

Where the country and the fillers are comes from the data (`data.info`), never from a literal.

Shapes are time-first: token ids (T, batch), states and gates (T, batch, H).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import torch
from matplotlib.patches import Circle, FancyBboxPatch

from lstm_helpers import cells, gradients, models, plots, tasks, train, widgets
from lstm_helpers.checks import require_int


@dataclass(frozen=True)
class Settings:
    """Chapter 4's settings; the notebook and its test read them from here."""

    gap: int = 50  # filler words between the country and "i speak fluent"
    hidden_size: int = 32  # H, the number of memory cells
    forget_bias: float = 4.0  # b_f at initialisation: sigmoid(4) = 0.98, keep by default
    steps: int = 300  # training budget; `fit` stops as soon as the task is solved
    seed: int = 0  # model initialisation and training data
    n_probe: int = 256  # held-out sentences used to look inside the trained cell
    probe_seed: int = 1000  # their seed, apart from the training and test seeds
    lag: int = 50  # the lag at which gradients are compared
    slider_biases: tuple = (0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0)  # the forget-gate slider's values
    lr: float = 3e-3  # Adam's learning rate
    batch_size: int = 64  # fresh sentences per step
    eval_every: int = 10  # steps between test evaluations
    n_retention: int = 32  # fresh-LSTM sentences the forget-gate slider averages over
    country: str = "india"  # the running example's country


SETTINGS = Settings()


@functools.cache
def train_lstm(s: Settings = SETTINGS):
    """(model, history): an LSTM trained on "fluent ___" with `s.gap` filler words (once per settings)."""
    task = tasks.fluent(s.gap)
    model = models.for_task(task, "lstm", hidden_size=s.hidden_size, seed=s.seed, forget_bias=s.forget_bias)
    with train.one_thread():  # the same result on every machine, whatever its number of cores
        history = train.fit(
            model, task, steps=s.steps, seed=s.seed, lr=s.lr, batch_size=s.batch_size, eval_every=s.eval_every
        )
    return model.eval(), history


def example(s: Settings = SETTINGS) -> tasks.SequenceData:
    """The running sentence: "i grew up in india <s.gap fillers> i speak fluent" -> hindi."""
    return tasks.fluent_sentences(1, s.gap, seed=s.probe_seed, country=s.country)


def run_cell(model, x: torch.Tensor) -> cells.Unrolled:
    """Every gate and state of `model`'s LSTM over token ids x (T, batch), from scratch, float64."""
    cell, inputs = gradients.from_model(model, x)
    with torch.no_grad():
        return cells.unroll(cell, inputs)


def probe(model, s: Settings = SETTINGS):
    """(data, run): `s.n_probe` held-out sentences and the model's gates and states on them."""
    data = tasks.fluent_sentences(s.n_probe, s.gap, seed=s.probe_seed)
    return data, run_cell(model, data.x)


def threshold_accuracy(v: torch.Tensor, member: torch.Tensor) -> torch.Tensor:
    """Best accuracy of one threshold on v (T, n) telling `member` (n,) from the rest, per step."""
    order = v.argsort(dim=1)
    below = member[order].float().cumsum(dim=1)  # members at or below each cut, (T, n)
    n, members = member.numel(), member.sum()
    rank = torch.arange(1, n + 1)
    above_wins = (rank - below) + (members - below)  # non-members below, members above
    below_wins = below + (n - members) - (rank - below)  # members below, non-members above
    return torch.maximum(above_wins, below_wins).max(dim=1).values / n


def country_units(run: cells.Unrolled, data: tasks.SequenceData) -> torch.Tensor:
    """(H, n_countries): how well each cell unit alone tells each country from the others.

    The score is the worst step, from the country word to the last word, of `threshold_accuracy`:
    1.0 means one threshold on c_t of that unit separates the country at every step.
    """
    c = run.c[data.info["clue"] :]  # (T - clue, n, H): from the country word to the last word
    n_countries = len(data.labels)
    return torch.tensor([
        [threshold_accuracy(c[:, :, j], data.y == k).min().item() for k in range(n_countries)]
        for j in range(c.shape[2])
    ])  # fmt: skip


def with_each_country(data, k: int) -> torch.Tensor:
    """Sentence k once per country, all else equal: token ids (T, n_countries)."""
    x = data.x[:, k : k + 1].repeat(1, len(data.labels))  # (T, n_countries)
    first = data.vocab.index[tasks.COUNTRIES[0]]  # countries have consecutive ids
    x[data.info["clue"]] = first + torch.arange(len(data.labels))
    return x


def draw_gates(data, k: int, run: cells.Unrolled, unit: int, each: cells.Unrolled):
    """Gates i, f, o and the memory c of one unit along sentence k, word by word.

    `run` holds sentence k's gates; `each` the same sentence once per country (`with_each_country`).
    """
    words = data.vocab.decode(data.x[:, k]).split() + ["___"]
    fig, axes = plots.new_figure(nrows=4, figsize=(10.0, 7.0), sharex=True)
    steps = torch.arange(len(words) - 1)
    for ax, gate, name in zip(axes, "ifo", ("input gate $i_t$", "forget gate $f_t$", "output gate $o_t$")):
        ax.plot(steps, run.gates[gate][:, k, unit], color=plots.GATE_COLOURS[gate], marker=".")
        ax.set_ylim(-1.05 if gate == "i" else -0.05, 1.05)
        ax.set_ylabel(name, rotation=0, ha="right", va="center")
    written = run.gates["i"][:, k, unit] * run.gates["g"][:, k, unit]  # what step t adds to c
    axes[0].plot(steps, written, color=plots.PALETTE["neutral"], linestyle="--", label=r"written $i_t g_t$")
    axes[0].legend(loc="lower right", fontsize=9)
    for country in range(each.c.shape[1]):
        own = bool(country == data.y[k])
        colour = plots.PALETTE["lstm"] if own else plots.PALETTE["neutral"]
        axes[3].plot(steps, each.c[:, country, unit], color=colour, linewidth=2.5 if own else 1.0,
                     label=tasks.COUNTRIES[country])  # fmt: skip
    axes[3].set_ylabel(f"memory $c_t$\n(unit {unit})", rotation=0, ha="right", va="center")
    axes[3].legend(ncols=4, loc="upper center", fontsize=9)
    axes[3].set_xticks(steps, words[:-1], rotation=90, fontsize=7)
    return fig, axes


def lstm_and_rnn_jacobians(model, s: Settings = SETTINGS):
    """(||dc_T/dc_t|| of the trained LSTM, ||dh_T/dh_t|| of a fresh RNN), by lag, on the running sentence."""
    cell, x = gradients.from_model(model, example(s).x)
    return gradients.jacobian_norms(cell, x), rnn_gradient(s)


@functools.cache
def retention(forget_bias: float | None, s: Settings = SETTINGS) -> dict:
    """What survives the gap in a fresh (untrained) LSTM whose forget gates start at `forget_bias`.

    None keeps PyTorch's default initialisation. Returns the mean forget gate over the gap
    ("per_step"), the fraction of the memory kept over the whole gap, the product of f_t
    ("over_gap", mean over units and sentences), and ||dc_T/dc_t|| by lag ("gradient").
    """
    model = models.for_task(tasks.fluent(s.gap), "lstm", hidden_size=s.hidden_size, seed=s.seed,
                            forget_bias=forget_bias)  # fmt: skip
    data = tasks.fluent_sentences(s.n_retention, s.gap, seed=s.probe_seed)
    f = run_cell(model, data.x).gates["f"][data.info["fillers"]]  # (gap, n, H): over the filler words
    cell, x = gradients.from_model(model, example(s).x)
    return {
        "per_step": f.mean().item(),
        "over_gap": f.prod(dim=0).mean().item(),
        "gradient": gradients.jacobian_norms(cell, x),
    }


@functools.cache
def rnn_gradient(s: Settings = SETTINGS) -> torch.Tensor:
    """||dh_T/dh_t|| by lag of a fresh tanh RNN on the same sentence, for reference."""
    rnn = models.for_task(tasks.fluent(s.gap), "rnn", hidden_size=s.hidden_size, seed=s.seed)
    cell, x = gradients.from_model(rnn, example(s).x)
    return gradients.jacobian_norms(cell, x)


def draw_forget_slider(forget_bias: float, s: Settings = SETTINGS):
    """One frame of the forget-gate slider: the gradient by lag and the memory kept, at this bias."""
    kept = retention(forget_bias, s)
    fig, (left, right) = plots.new_figure(ncols=2, figsize=(8.0, 3.2), width_ratios=[2, 1])
    left.semilogy(
        kept["gradient"], color=plots.PALETTE["lstm"], label=r"LSTM $\|\partial c_T/\partial c_t\|$"
    )
    left.semilogy(rnn_gradient(s), color=plots.PALETTE["rnn"], label=r"RNN $\|\partial h_T/\partial h_t\|$")
    left.axvline(s.lag, color=plots.PALETTE["neutral"], linestyle=":")
    left.set_ylim(1e-16, 1e2)
    left.set_xlabel("lag $k$ (steps back from the last word)")
    left.legend(loc="lower left", fontsize=9)
    bars = {"per step": kept["per_step"], f"over {s.gap}": kept["over_gap"]}
    right.bar(list(bars), list(bars.values()), color=plots.GATE_COLOURS["f"])
    right.set_ylim(0, 1)
    right.set_title("memory kept", fontsize=10)
    left.set_title(f"forget bias {forget_bias:g}: gradient at lag {s.lag} = {kept['gradient'][s.lag]:.1e}",
                   fontsize=10)  # fmt: skip
    return fig


def forget_slider(s: Settings = SETTINGS) -> widgets.SliderFigure:
    """The forget-gate slider: `draw_forget_slider` over `s.slider_biases`."""
    require_int("lag", s.lag, 1, s.gap + 7)
    return widgets.SliderFigure(
        functools.partial(draw_forget_slider, s=s), s.slider_biases, "forget-gate bias b_f",
        alt=lambda b: (f"Left: gradient norm along the memory cell against the lag, log scale, for a fresh "
                       f"LSTM with forget bias {b:g}, and the RNN's for reference. Right: bars of the forget "
                       f"gate's mean value per step and of the memory kept over the {s.gap}-step gap."),
        start=0.0, dpi=75,
    )  # fmt: skip


# --- the conveyor belt, drawn before the equations ---------------------------------------------

BELT_STAGES = ("belt", "forget", "input", "output")  # what `draw_belt` adds, one figure at a time
_STAGE_GATES = ("", "f", "fig", "figo")  # the gates drawn at each stage of BELT_STAGES
_STEP_WIDTH = 4.2  # width of one unrolled step in the belt figure


def _step_name(k: int) -> str:
    """The time index of unrolled step k of the belt figure, whose step 1 is t: "t-1", "t", "t+1"."""
    return "t" if k == 1 else f"t{k - 1:+d}"


_GATE_X = {"f": 0.8, "i": 1.5, "g": 2.2, "o": 2.95}  # each gate's box, from the left of its step
_GATE_LABEL = {"f": (-0.3, "right"), "i": (-0.3, "right"), "g": (0.3, "left"), "o": (0.0, "center")}


def _belt_inputs(ax, x0: float, k: int, gates: str) -> None:
    """x_t from below and h_{t-1} from the h line, joined and led up into every gate in `gates`."""
    join, bus = (x0 + 0.35, 0.45), 0.8  # where x_t meets the h line; the height of the feed line
    ax.add_patch(Circle(join, 0.06, facecolor="black", zorder=3))
    last = max(_GATE_X[name] for name in gates)
    ax.plot([join[0], join[0], x0 + last], [join[1], bus, bus], color="black", linewidth=1.2, zorder=2)
    for name in gates:  # every gate reads the same two things
        plots._arrow(ax, (x0 + _GATE_X[name], bus), (x0 + _GATE_X[name], 1.1))
    t, t_prev = _step_name(k), _step_name(k - 1)
    ax.text(x0 + 0.45, 0.62, f"$x_{{{t}}}, h_{{{t_prev}}}$", fontsize=8, va="center")


def _belt_gates(ax, x0: float, upto: int) -> None:
    """The gates of one step whose box starts at x0, up to stage index `upto` of BELT_STAGES."""
    belt, h_colour, sigma = plots.PALETTE["lstm"], plots.PALETTE["rnn"], r"$\sigma$"
    for name in _STAGE_GATES[upto]:
        x, text = _GATE_X[name], r"$\tanh$" if name == "g" else sigma
        plots._box(ax, (x0 + x, 1.35), text, plots.GATE_COLOURS[name], width=0.6, height=0.45)
        dx, align = _GATE_LABEL[name]
        ax.text(x0 + x + dx, 1.68, f"${name}$", ha=align, va="bottom", fontsize=10)
    if upto >= 1:  # forget gate: remove
        plots._arrow(ax, (x0 + 0.8, 1.6), (x0 + 0.8, 2.78), colour=plots.GATE_COLOURS["f"])
        plots._node(ax, (x0 + 0.8, 3.0), r"$\times$")
    if upto >= 2:  # input gate and candidate: add
        plots._node(ax, (x0 + 1.85, 2.2), r"$\times$")
        plots._arrow(ax, (x0 + 1.55, 1.6), (x0 + 1.73, 2.0), colour=plots.GATE_COLOURS["i"])
        plots._arrow(ax, (x0 + 2.15, 1.6), (x0 + 1.97, 2.0), colour=plots.GATE_COLOURS["g"])
        plots._arrow(ax, (x0 + 1.85, 2.44), (x0 + 1.85, 2.78), colour=plots.GATE_COLOURS["i"])
        plots._node(ax, (x0 + 1.85, 3.0), "$+$")
    if upto >= 3:  # output gate: read; h_t leaves to the next step
        plots._node(ax, (x0 + 3.55, 2.2), r"$\tanh$")
        plots._arrow(ax, (x0 + 3.55, 3.0), (x0 + 3.55, 2.44), colour=belt)
        plots._node(ax, (x0 + 3.55, 1.35), r"$\times$")
        plots._arrow(ax, (x0 + 3.55, 1.96), (x0 + 3.55, 1.59), colour=belt)
        plots._arrow(ax, (x0 + 3.25, 1.35), (x0 + 3.31, 1.35), colour=plots.GATE_COLOURS["o"])
        plots._arrow(ax, (x0 + 3.6, 1.11), (x0 + 4.1, 0.45), colour=h_colour)


def draw_belt(stage: str = "belt", steps: int = 3):
    """The memory cell as one line across `steps` unrolled steps, with the gates up to `stage`.

    `stage` is one of BELT_STAGES: "belt" (the line alone), "forget" (each step removes),
    "input" (each step adds i * g), "output" (each step reads tanh(c) out as h). Returns (fig, ax).
    """
    if stage not in BELT_STAGES:
        raise ValueError(f"stage must be one of {BELT_STAGES}, got {stage!r}")
    require_int("steps", steps, 3, 6)
    upto, belt = BELT_STAGES.index(stage), plots.PALETTE["lstm"]
    fig, ax = plots.new_figure(figsize=(2.0 + 2.6 * steps, 3.0))
    ax.set_axis_off()
    ax.set_aspect("equal")
    width = _STEP_WIDTH * steps
    for k in range(steps):
        x0 = _STEP_WIDTH * k
        ax.add_patch(FancyBboxPatch((x0 + 0.2, 0.2), _STEP_WIDTH - 0.4, 3.3, boxstyle="round,pad=0.05",
                                          facecolor="#F2F2F2", edgecolor=plots.PALETTE["neutral"], zorder=0))
        t = _step_name(k)
        ax.text(x0 + _STEP_WIDTH / 2, -0.35, f"step ${t}$: $x_{{{t}}}$", ha="center", fontsize=10)
        plots._arrow(ax, (x0 + 0.35, -0.1), (x0 + 0.35, 0.45))  # x_t in, where h_{t-1} arrives
        if upto:  # every gate is fed by x_t and h_{t-1}
            _belt_inputs(ax, x0, k, _STAGE_GATES[upto])
        _belt_gates(ax, x0, upto)
        ax.text(x0 + _STEP_WIDTH - 0.1, 3.15, f"$c_{{{t}}}$", color=belt, fontsize=11, ha="center")
    ax.plot([-0.5, width + 0.3], [3.0, 3.0], color=belt, linewidth=3.5, zorder=1)  # the belt
    plots._arrow(ax, (width + 0.2, 3.0), (width + 0.6, 3.0), colour=belt)
    ax.plot([-0.5, width + 0.3], [0.45, 0.45], color=plots.PALETTE["rnn"], linewidth=1.2, zorder=1)
    ax.text(-0.6, 3.0, "memory $c$", color=belt, fontsize=11, ha="right", va="center")
    ax.text(-0.6, 0.45, "$h$", color=plots.PALETTE["rnn"], fontsize=11, ha="right", va="center")
    ax.set_xlim(-2.2, width + 0.8)
    ax.set_ylim(-0.6, 3.7)
    return fig, ax


# --- a fair comparison: fresh models, the loss's gradient at the clue word ---------------------

FRESH = {  # the fresh models compared at the clue word: (kind, forget bias; None = torch's default)
    "rnn": ("rnn", None),
    "lstm_default": ("lstm", None),
    "lstm": ("lstm", "settings"),  # the chapter's forget bias, `Settings.forget_bias`
}


def state_gradient(model, data: tasks.SequenceData) -> torch.Tensor:
    """||dL/dh_t|| (RNN) or ||dL/dc_t|| (LSTM, in total) at every step t, (T,), float64.

    L is the model's cross entropy at the blank; the error goes back by the recursion
    (`gradients.rnn_bptt` / `gradients.lstm_bptt`), one sentence or a batch of them.
    """
    cell, x = gradients.from_model(model, data.x)
    with torch.no_grad():
        h_T = cells.unroll(cell, x).h[-1]  # (batch, H)
    h_T.requires_grad_(True)
    (g_T,) = torch.autograd.grad(gradients.readout_loss(model, data.y)(h_T), h_T)
    grad_h = torch.zeros(x.shape[0], *g_T.shape, dtype=g_T.dtype)  # (T, batch, H)
    grad_h[-1] = g_T  # the loss reads h_T only
    with torch.no_grad():
        if isinstance(cell, cells.LSTMCell):
            return gradients.lstm_bptt(cell, x, grad_h)["c"].norm(dim=(1, 2))
        return gradients.rnn_bptt(cell, x, grad_h)["h"].norm(dim=(1, 2))


def fresh_model(name: str, s: Settings = SETTINGS):
    """The fresh model `name` of FRESH, sized and seeded by `s`, for the task at `s.gap`."""
    kind, bias = FRESH[name]
    bias = s.forget_bias if bias == "settings" else bias
    task = tasks.fluent(s.gap)
    return models.for_task(task, kind, hidden_size=s.hidden_size, seed=s.seed, forget_bias=bias)


@functools.cache
def fresh_jacobians(s: Settings = SETTINGS) -> dict[str, torch.Tensor]:
    """||d state_T / d state_{T-k}|| by lag k on the running sentence, for each fresh model of FRESH.

    The state is h for the RNN and the memory c for the LSTMs; all are untrained, same size and seed.
    """
    return {
        name: gradients.jacobian_norms(*gradients.from_model(fresh_model(name, s), example(s).x))
        for name in FRESH
    }


@functools.cache
def clue_gradients(s: Settings = SETTINGS) -> dict[str, torch.Tensor]:
    """`state_gradient` on the running sentence for each fresh model of FRESH (same size and seed)."""
    return {name: state_gradient(fresh_model(name, s), example(s)) for name in FRESH}
