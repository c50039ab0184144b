"""The book's style and diagrams."""

from __future__ import annotations

import matplotlib
import pytest
from matplotlib.colors import to_rgb
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from lstm_helpers import plots


def test_palette_is_distinct_and_used_as_the_colour_cycle():
    colours = [to_rgb(c) for c in plots.PALETTE.values()]
    assert len(set(colours)) == len(colours)
    plots.use_book_style()
    cycle = [c["color"] for c in matplotlib.rcParams["axes.prop_cycle"]]
    assert cycle == list(plots.PALETTE.values())


@pytest.mark.parametrize("steps", [1, 4, 6])
def test_unrolled_rnn_draws_one_cell_per_step_plus_the_rolled_one(steps):
    fig, ax = plots.draw_unrolled_rnn(steps)
    boxes = [p for p in ax.patches if isinstance(p, FancyBboxPatch)]
    arrows = [p for p in ax.patches if isinstance(p, FancyArrowPatch)]
    assert len(boxes) == 3 * (steps + 1)  # X, cell and O for the rolled cell and each step
    assert len(arrows) == 3 + 2 * steps + (steps - 1)  # in/out arrows, the loop, h_t between steps
    labels = {t.get_text() for t in ax.texts}
    assert f"$x_{steps}$" in labels and f"$y_{steps}$" in labels
    matplotlib.pyplot.close(fig)


def test_bad_arguments_name_the_argument_and_range():
    with pytest.raises(ValueError, match=r"steps must be >= 1 and <= 8, got 0"):
        plots.draw_unrolled_rnn(0)
    with pytest.raises(ValueError, match="ncols"):
        plots.new_figure(ncols=0)
