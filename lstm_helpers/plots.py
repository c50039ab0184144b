"""The book's figure style, its colour-blind-safe palette, and the diagrams drawn with matplotlib.

Every figure in the book goes through `new_figure`, so a change of style happens in one place.
Plot helpers return `(fig, ax)`; captions and alt text live in the notebook cell's metadata.
"""

from __future__ import annotations

import matplotlib
import matplotlib.pyplot as plt
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch

from lstm_helpers.checks import require_int

# Okabe & Ito (2008): distinguishable with every common form of colour blindness.
PALETTE = {  # keyed by role; one colour per model in every figure of the book
    "rnn": "#E69F00",  # orange: the tanh RNN
    "lstm": "#0072B2",  # blue: the LSTM (with a forget bias, the book's recipe)
    "lstm_default": "#56B4E9",  # sky blue: the LSTM with PyTorch's default initialisation
    "gru": "#009E73",  # bluish green: the GRU
    "input": "#F0E442",  # yellow: an input x_t in the diagrams
    "output": "#D55E00",  # vermilion: an output in the diagrams
    "highlight": "#CC79A7",  # reddish purple: a marked position (the clue word)
    "neutral": "#555555",  # grey: chance levels, bounds, reference lines
}

BOX_COLOUR = "#56B4E9"  # sky blue: a cell's box in the diagrams

STYLE = {
    "figure.figsize": (7.0, 3.6),
    "figure.dpi": 100,
    "savefig.dpi": 100,
    "font.size": 11,
    "axes.titlesize": 12,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.prop_cycle": matplotlib.cycler(color=list(PALETTE.values())),
    "legend.frameon": False,
    "figure.facecolor": "white",  # opaque: readable on the site's dark mode too
    "savefig.facecolor": "white",
    "svg.hashsalt": "lstm-book",  # the same SVG ids on every build
}

# How a notebook shows figures: SVG (vector: sharp on any screen, on paper and projected) and a
# PNG with twice the pixels, shown at its nominal size, for whatever cannot show SVG. The site,
# the PDF and the slides pick the SVG (myst-nb's and nbconvert's order: SVG before PNG).
FIGURE_FORMATS = ("svg", "retina")


def use_book_style() -> None:
    """Apply the book's matplotlib style to every figure made after this call; in a notebook,
    also show figures as FIGURE_FORMATS."""
    plt.rcParams.update(STYLE)
    _sharp_inline_figures()


def _sharp_inline_figures() -> None:
    """Set the inline backend's formats to FIGURE_FORMATS when running in IPython with it."""
    try:
        from IPython import get_ipython
    except ImportError:
        return
    if get_ipython() is None or "inline" not in matplotlib.get_backend():
        return
    from matplotlib_inline.backend_inline import set_matplotlib_formats

    set_matplotlib_formats(*FIGURE_FORMATS)


def new_figure(ncols: int = 1, nrows: int = 1, **kwargs):
    """`plt.subplots` in the book's style; returns (fig, ax) like matplotlib."""
    require_int("ncols", ncols, 1, 6)
    require_int("nrows", nrows, 1, 6)
    use_book_style()
    return plt.subplots(nrows, ncols, layout="constrained", **kwargs)


def _box(ax, xy, text, colour, width=0.8, height=0.5):
    """A rounded box centred on `xy` with `text` inside."""
    x, y = xy
    ax.add_patch(
        FancyBboxPatch(
            (x - width / 2, y - height / 2), width, height,
            boxstyle="round,pad=0.05", facecolor=colour, edgecolor="black", linewidth=1.2,
        )
    )
    ax.text(x, y, text, ha="center", va="center", fontsize=12)


def _arrow(ax, start, end, colour="black", **kwargs):
    ax.add_patch(
        FancyArrowPatch(
            start, end, arrowstyle="-|>", mutation_scale=14, color=colour, linewidth=1.4, **kwargs
        )
    )


def draw_unrolled_rnn(steps: int = 4):
    """The RNN rolled up (one cell with a loop) and unrolled over `steps` time steps.

    Inputs x_t enter from below, outputs y_t leave on top, and the hidden state h_t is passed
    from each step to the next: the same cell, with the same weights, at every step.
    """
    require_int("steps", steps, 1, 8)
    fig, ax = new_figure(figsize=(2.0 + 1.6 * steps, 3.4))
    ax.set_axis_off()
    ax.set_aspect("equal")
    # the rolled cell on the left, with its feedback loop
    _box(ax, (0, 1), "RNN", BOX_COLOUR)
    _box(ax, (0, 0), r"$x_t$", PALETTE["input"], height=0.4)
    _box(ax, (0, 2), r"$y_t$", PALETTE["output"], height=0.4)
    _arrow(ax, (0, 0.2), (0, 0.7))
    _arrow(ax, (0, 1.3), (0, 1.8))
    _arrow(ax, (0.45, 1.1), (0.45, 0.9), connectionstyle="arc3,rad=-2.5", colour=PALETTE["rnn"])
    ax.text(0.95, 1.0, r"$h_{t-1}$", color=PALETTE["rnn"], va="center")
    ax.text(1.5, 1.0, "=", fontsize=20, ha="center", va="center")
    # the unrolled chain on the right
    for k in range(steps):
        x = 2.3 + 1.6 * k
        _box(ax, (x, 1), "RNN", BOX_COLOUR)
        _box(ax, (x, 0), f"$x_{k + 1}$", PALETTE["input"], height=0.4)
        _box(ax, (x, 2), f"$y_{k + 1}$", PALETTE["output"], height=0.4)
        _arrow(ax, (x, 0.2), (x, 0.7))
        _arrow(ax, (x, 1.3), (x, 1.8))
        if k + 1 < steps:
            _arrow(ax, (x + 0.45, 1), (x + 1.15, 1), colour=PALETTE["rnn"])
            ax.text(x + 0.8, 1.12, f"$h_{k + 1}$", color=PALETTE["rnn"], ha="center", fontsize=11)
    ax.set_xlim(-0.6, 2.9 + 1.6 * (steps - 1))
    ax.set_ylim(-0.4, 2.4)
    return fig, ax


# --- the cells drawn one step at a time (chapters 4 and 5) -------------------------------------

# the LSTM's gates, keyed by gate: forget vermilion, input and candidate green, output sky blue
GATE_COLOURS = {"f": "#D55E00", "i": "#009E73", "g": "#009E73", "o": "#56B4E9"}


def _node(ax, xy, text, colour="white"):
    """A small circle for a pointwise operation (x, +, tanh) at `xy`."""
    ax.add_patch(Circle(xy, 0.24, facecolor=colour, edgecolor="black", linewidth=1.2, zorder=3))
    ax.text(*xy, text, ha="center", va="center", fontsize=9, zorder=4)


def _body(ax, width, height, title):
    """The cell's outline, from (0, 0) to (width, height), named in its corner."""
    ax.add_patch(
        FancyBboxPatch((0, 0), width, height, boxstyle="round,pad=0.1", facecolor="#F2F2F2",
                       edgecolor=PALETTE["neutral"], linewidth=1.0, zorder=0)
    )  # fmt: skip
    ax.text(width - 0.1, 0.1, title, ha="right", va="bottom", fontsize=10, color=PALETTE["neutral"])
    ax.set_axis_off()
    ax.set_aspect("equal")


def rnn_cell_axes(ax):
    """Draw one step of the tanh RNN into `ax`: x_t and h_{t-1} in, one tanh layer, h_t out."""
    _body(ax, 3.0, 4.0, "RNN cell")
    _box(ax, (1.5, 1.6), r"$\tanh$", PALETTE["rnn"], width=0.9, height=0.5)
    _arrow(ax, (-0.9, 0.6), (1.2, 1.35), colour=PALETTE["rnn"])  # h_{t-1} in
    _arrow(ax, (1.5, -0.8), (1.5, 1.35))  # x_t in
    _arrow(ax, (1.5, 1.85), (1.5, 4.8), colour=PALETTE["rnn"])  # h_t up, to the output layer
    _arrow(ax, (1.5, 3.0), (3.9, 3.0), colour=PALETTE["rnn"])  # h_t on, to the next step
    ax.text(-0.9, 0.75, r"$h_{t-1}$", color=PALETTE["rnn"], fontsize=12)
    ax.text(1.6, -0.8, r"$x_t$", fontsize=12)
    ax.text(3.9, 3.15, r"$h_t$", color=PALETTE["rnn"], fontsize=12, ha="right")
    ax.text(1.6, 4.6, r"$h_t$", color=PALETTE["rnn"], fontsize=12)
    ax.set_xlim(-1.1, 7.9)
    ax.set_ylim(-1.0, 5.0)


def lstm_cell_axes(ax):
    """Draw one step of the LSTM into `ax`: the belt c on top, four gates below, h_t out.

    The memory c_{t-1} runs along the top (the conveyor belt): the forget gate f_t scales it
    (remove), the input gate i_t times the candidate g_t is added to it (add), and the output
    gate o_t reads tanh(c_t) out as the new short-term state h_t (read).
    """
    _body(ax, 6.0, 4.0, "LSTM cell")
    belt = PALETTE["lstm"]
    ax.plot([-0.9, 6.6], [3.4, 3.4], color=belt, linewidth=3.0, zorder=1)  # the belt c_{t-1} -> c_t
    _arrow(ax, (6.5, 3.4), (6.9, 3.4), colour=belt)
    ax.text(-0.9, 3.55, r"$c_{t-1}$", color=belt, fontsize=12)
    ax.text(6.9, 3.55, r"$c_t$", color=belt, fontsize=12, ha="right")
    _arrow(ax, (-0.9, 0.4), (0.6, 0.4), colour=PALETTE["rnn"])  # h_{t-1} in
    ax.text(-0.9, 0.55, r"$h_{t-1}$", color=PALETTE["rnn"], fontsize=12)
    _arrow(ax, (0.6, -0.8), (0.6, 0.4))  # x_t joins h_{t-1}
    ax.text(0.7, -0.8, r"$x_t$", fontsize=12)
    ax.plot([0.6, 4.4], [0.4, 0.4], color="black", linewidth=1.2)  # [h_{t-1}, x_t] to every gate
    sigma = r"$\sigma$"
    gates = {"f": (1.2, sigma), "i": (2.2, sigma), "g": (3.2, r"$\tanh$"), "o": (4.4, sigma)}
    for name, (x, text) in gates.items():
        _arrow(ax, (x, 0.4), (x, 0.95))
        _box(ax, (x, 1.2), text, GATE_COLOURS[name], width=0.7, height=0.5)
        ax.text(x - 0.42, 1.55, f"${name}_t$", ha="center", fontsize=10)
    _node(ax, (1.2, 3.4), r"$\times$")  # forget: remove
    _arrow(ax, (1.2, 1.45), (1.2, 3.18), colour=GATE_COLOURS["f"])
    _node(ax, (2.7, 2.4), r"$\times$")  # i_t * g_t
    _arrow(ax, (2.2, 1.45), (2.55, 2.22), colour=GATE_COLOURS["i"])
    _arrow(ax, (3.2, 1.45), (2.85, 2.22), colour=GATE_COLOURS["g"])
    _node(ax, (2.7, 3.4), "$+$")  # input: add
    _arrow(ax, (2.7, 2.62), (2.7, 3.18), colour=GATE_COLOURS["i"])
    _node(ax, (5.2, 2.5), r"$\tanh$")  # output: read
    _arrow(ax, (5.2, 3.4), (5.2, 2.72), colour=belt)
    _node(ax, (5.2, 1.2), r"$\times$")
    _arrow(ax, (5.2, 2.28), (5.2, 1.42), colour=belt)
    _arrow(ax, (4.75, 1.2), (4.98, 1.2), colour=GATE_COLOURS["o"])
    _arrow(ax, (5.42, 1.2), (6.9, 1.2), colour=PALETTE["rnn"])  # h_t to the next step
    _arrow(ax, (5.9, 1.2), (5.9, 4.8), colour=PALETTE["rnn"])  # h_t up, to the output layer
    ax.text(6.9, 1.35, r"$h_t$", color=PALETTE["rnn"], fontsize=12, ha="right")
    ax.text(6.0, 4.6, r"$h_t$", color=PALETTE["rnn"], fontsize=12)
    for x, word in ((1.2, "remove"), (2.7, "add"), (5.2, "read")):
        ax.text(x, 3.75, word, ha="center", fontsize=9, color=PALETTE["neutral"])
    ax.set_xlim(-1.1, 7.1)
    ax.set_ylim(-1.0, 5.0)


def draw_lstm_cell():
    """One step of the LSTM: the memory c on its belt, the four gates, the read-out h_t."""
    fig, ax = new_figure(figsize=(6.4, 4.4))
    lstm_cell_axes(ax)
    return fig, ax


def draw_rnn_and_lstm():
    """The RNN cell (left) and the LSTM cell (right) at the same scale, side by side."""
    fig, axes = new_figure(ncols=2, figsize=(10.0, 4.2), width_ratios=[1, 1.6])
    rnn_cell_axes(axes[0])
    lstm_cell_axes(axes[1])
    axes[0].set_xlim(-1.1, 4.1)
    return fig, axes
