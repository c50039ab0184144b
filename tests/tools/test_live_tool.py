"""tools/live.py (make compat, tools/stalls.py): a moved slider counts only if the kernel redraws."""

from __future__ import annotations

import live
import nbformat
import pytest

SLIDER = """
import matplotlib.pyplot as plt
from lstm_helpers import widgets

def draw(n):
    if n == {broken}:
        raise ValueError("no picture for this value")
    fig, ax = plt.subplots(figsize=(2, 2))
    ax.plot(range(n + 2))
    return fig

widgets.SliderFigure(draw, [1, 2, 3], label="n", alt="a line through {{value}} points")
"""


@pytest.fixture
def notebook(tmp_path, monkeypatch):
    monkeypatch.setenv("LSTM_BOOK_STATIC", "1")  # run_live must drop it for the kernel

    def write(broken: int):
        path = tmp_path / f"slider{broken}.ipynb"
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(SLIDER.format(broken=broken))])
        nbformat.write(nb, path)
        return path

    return write  # monkeypatch puts conftest's LSTM_BOOK_STATIC=1 back afterwards


def test_live_run_builds_the_slider_and_a_move_redraws(notebook):
    result = live.run_live(notebook(broken=0), timeout=60)
    assert not result.error and result.sliders == 1 and result.sliders_ok == 1 and result.ok
    shown = str(result.outputs)
    assert "application/vnd.jupyter.widget-view+json" in shown and "lstm-scrubber" not in shown
    assert result.figures == 0  # the slider's pictures live in its widget, not in the cell's outputs


def test_a_live_run_counts_the_figures_a_cell_shows(tmp_path):
    """The check that catches a matplotlib whose figures never reach the page (no error is raised)."""
    code = "import matplotlib.pyplot as plt\nplt.plot([1, 2])\nplt.figure()\nplt.plot([2, 1]);"
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])
    nbformat.write(nb, tmp_path / "figures.ipynb")
    result = live.run_live(tmp_path / "figures.ipynb", timeout=60)
    assert result.ok and result.figures == 2 and "figures 2" in result.summary()


def test_a_move_that_fails_in_the_kernel_is_a_failure(notebook):
    result = live.run_live(notebook(broken=2), timeout=60)  # the slider starts at 1; a move goes to 2
    assert not result.error and result.sliders == 1
    assert result.sliders_ok == 0 and not result.ok
