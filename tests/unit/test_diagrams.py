"""The cell diagrams of chapters 4 and 5: every gate drawn once, the belt labelled, the RNN beside."""

from __future__ import annotations

import matplotlib
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch

from lstm_helpers import plots


def texts(ax):
    return {t.get_text() for t in ax.texts}


def test_the_lstm_cell_shows_four_gates_and_the_three_belt_operations():
    fig, ax = plots.draw_lstm_cell()
    boxes = [p for p in ax.patches if isinstance(p, FancyBboxPatch)]
    assert len(boxes) == 1 + 4  # the cell's outline and one box per gate
    assert len([p for p in ax.patches if isinstance(p, Circle)]) == 5  # x, x, +, tanh, x
    labels = texts(ax)
    assert {"$f_t$", "$i_t$", "$g_t$", "$o_t$", "$c_{t-1}$", "$c_t$", "$h_{t-1}$", "$x_t$"} <= labels
    assert {"remove", "add", "read"} <= labels
    matplotlib.pyplot.close(fig)


def test_side_by_side_draws_the_rnn_cell_left_and_the_lstm_cell_right():
    fig, (left, right) = plots.draw_rnn_and_lstm()
    assert "RNN cell" in texts(left) and "$c_t$" not in texts(left)
    assert "LSTM cell" in texts(right) and "$c_t$" in texts(right)
    assert len([p for p in left.patches if isinstance(p, FancyBboxPatch)]) == 2  # outline, tanh
    matplotlib.pyplot.close(fig)


def test_gate_colours_cover_the_four_gates_from_the_palette():
    assert set(plots.GATE_COLOURS) == {"i", "f", "g", "o"}
    assert set(plots.GATE_COLOURS.values()) <= set(plots.PALETTE.values())


def test_every_gate_of_the_lstm_cell_is_fed_from_below():
    fig, ax = plots.draw_lstm_cell()
    gate_colours = {matplotlib.colors.to_hex(c) for c in plots.GATE_COLOURS.values()}
    boxes = [p.get_bbox() for p in ax.patches
             if isinstance(p, FancyBboxPatch) and matplotlib.colors.to_hex(p.get_facecolor()) in gate_colours]
    assert len(boxes) == 4
    arrows = [p._posA_posB for p in ax.patches if isinstance(p, FancyArrowPatch)]
    for box in boxes:  # an arrow rises into the middle of the box's bottom edge
        assert any(abs(b[0] - (box.x0 + box.x1) / 2) < 1e-9 and abs(b[1] - box.y0) < 0.15 and a[1] < b[1]
                   for a, b in arrows), f"the gate at x = {box.x0:.2f} has no input"
    matplotlib.pyplot.close(fig)
