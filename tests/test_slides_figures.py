"""tools/slides.py: a figure slide carries its section's title, and the figure joins that slide."""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))

from slides import shows_a_figure, title_figure_slides  # noqa: E402


def cell(kind: str, source: str, slide_type: str, outputs=()):
    made = nbformat.v4.new_markdown_cell(source) if kind == "md" else nbformat.v4.new_code_cell(source)
    if kind == "code":
        made.outputs = [nbformat.v4.new_output("display_data", data=data) for data in outputs]
    made.metadata["slideshow"] = {"slide_type": slide_type}
    return made


PLOT = {"image/svg+xml": "<svg></svg>", "image/png": "iVBOR", "text/plain": "<Figure>"}
SLIDER = {"text/html": '<div class="lstm-scrubber"><img src="data:image/png;base64,x"></div>'}


def test_a_figure_slide_gets_the_title_of_the_last_heading_above_it():
    cells = [
        cell("md", "# Chapter\n\nIntro.", "slide"),
        cell("md", "## The gap\n\nText.\n\n### Measured", "slide"),
        cell("code", "plot()", "slide", [PLOT]),
        cell("code", "slider", "slide", [SLIDER]),
    ]
    out = title_figure_slides(cells)
    kinds = [(c.cell_type, c.source, c.metadata["slideshow"]["slide_type"]) for c in out]
    assert kinds == [
        ("markdown", "# Chapter\n\nIntro.", "slide"),
        ("markdown", "## The gap\n\nText.\n\n### Measured", "slide"),
        ("markdown", "## Measured", "slide"),
        ("code", "plot()", "-"),
        ("markdown", "## Measured", "slide"),
        ("code", "slider", "-"),
    ]


def test_code_that_shows_no_figure_or_does_not_open_a_slide_is_left_alone():
    cells = [
        cell("md", "## Numbers", "slide"),
        cell("code", "print(1)", "slide", [{"text/plain": "1"}]),
        cell("code", "plot()", "fragment", [PLOT]),
        cell("code", "html", "slide", [{"text/html": "<table></table>"}]),
    ]
    out = title_figure_slides(cells)
    assert [c.source for c in out] == [c.source for c in cells]
    assert [c.metadata["slideshow"]["slide_type"] for c in out] == ["slide", "slide", "fragment", "slide"]


def test_shows_a_figure():
    assert shows_a_figure(cell("code", "", "slide", [PLOT]))
    assert shows_a_figure(cell("code", "", "slide", [SLIDER]))
    assert not shows_a_figure(cell("code", "", "slide", [{"text/plain": "x"}]))
    assert not shows_a_figure(cell("md", "![x](y.png)", "slide"))
