"""The book's figure style, its colour-blind-safe palette, and the diagrams drawn with matplotlib.

Every figure in the book goes through `new_figure`, so a change of style happens in one place.
Plot helpers return `(fig, ax)`; captions and alt text live in the notebook cell's metadata.
"""

from __future__ import annotations

import matplotlib
import matplotlib.pyplot as plt
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from lstm_helpers.checks import require_int

# Okabe & Ito (2008): distinguishable with every common form of colour blindness.
PALETTE = {
    "rnn": "#E69F00",  # orange
    "lstm": "#0072B2",  # blue
    "lstm_alt": "#56B4E9",  # sky blue
    "gru": "#009E73",  # bluish green
    "input": "#F0E442",  # yellow
    "output": "#D55E00",  # vermilion
    "highlight": "#CC79A7",  # reddish purple
    "neutral": "#555555",  # grey
}

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
}


def use_book_style() -> None:
    """Apply the book's matplotlib style to every figure made after this call."""
    plt.rcParams.update(STYLE)


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

    Inputs X_t enter from below, outputs O_t leave on top, and the hidden state h_t is passed
    from each step to the next: the same cell, with the same weights, at every step.
    """
    require_int("steps", steps, 1, 8)
    fig, ax = new_figure(figsize=(2.0 + 1.6 * steps, 3.4))
    ax.set_axis_off()
    ax.set_aspect("equal")
    # the rolled cell on the left, with its feedback loop
    _box(ax, (0, 1), "RNN", PALETTE["lstm_alt"])
    _box(ax, (0, 0), r"$X_t$", PALETTE["input"], height=0.4)
    _box(ax, (0, 2), r"$O_t$", PALETTE["output"], height=0.4)
    _arrow(ax, (0, 0.2), (0, 0.7))
    _arrow(ax, (0, 1.3), (0, 1.8))
    _arrow(ax, (0.45, 1.1), (0.45, 0.9), connectionstyle="arc3,rad=-2.5", colour=PALETTE["rnn"])
    ax.text(0.95, 1.0, r"$h_{t-1}$", color=PALETTE["rnn"], va="center")
    ax.text(1.5, 1.0, "=", fontsize=20, ha="center", va="center")
    # the unrolled chain on the right
    for k in range(steps):
        x = 2.3 + 1.6 * k
        _box(ax, (x, 1), "RNN", PALETTE["lstm_alt"])
        _box(ax, (x, 0), f"$X_{k + 1}$", PALETTE["input"], height=0.4)
        _box(ax, (x, 2), f"$O_{k + 1}$", PALETTE["output"], height=0.4)
        _arrow(ax, (x, 0.2), (x, 0.7))
        _arrow(ax, (x, 1.3), (x, 1.8))
        if k + 1 < steps:
            _arrow(ax, (x + 0.45, 1), (x + 1.15, 1), colour=PALETTE["rnn"])
            ax.text(x + 0.8, 1.12, f"$h_{k + 1}$", color=PALETTE["rnn"], ha="center", fontsize=11)
    ax.set_xlim(-0.6, 2.9 + 1.6 * (steps - 1))
    ax.set_ylim(-0.4, 2.4)
    return fig, ax
