"""Figures in a notebook come out sharp: SVG, and a PNG with twice the pixels shown at half size."""

from __future__ import annotations

import base64

import matplotlib
import pytest

from lstm_helpers import plots
from lstm_helpers.widgets import png_size


@pytest.fixture
def shell():
    """An IPython shell with the inline backend, as in a notebook."""
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    matplotlib.use("module://matplotlib_inline.backend_inline")
    yield shell
    InteractiveShell.clear_instance()
    matplotlib.use("Agg")


def test_book_style_shows_figures_as_svg_and_double_resolution_png(shell):
    plots.use_book_style()
    fig, ax = plots.new_figure()
    ax.plot([0, 1], [0, 1])
    data, metadata = shell.display_formatter.format(fig)
    assert data["image/svg+xml"].lstrip().startswith("<?xml") and "<svg" in data["image/svg+xml"]
    png = data["image/png"]  # base64 text or bytes, by IPython version
    width, height = png_size(png if isinstance(png, bytes) else base64.b64decode(png))
    assert (metadata["image/png"]["width"], metadata["image/png"]["height"]) == (width // 2, height // 2)
    # 7 x 3.6 inches at 100 dpi is 700 x 360 pixels, give or take the tight crop: twice that here
    assert 1200 < width < 1600 and 600 < height < 800


def test_book_style_outside_a_notebook_only_sets_the_style():
    plots.use_book_style()
    assert matplotlib.rcParams["savefig.facecolor"] == "white"
    assert matplotlib.get_backend().lower() == "agg"
