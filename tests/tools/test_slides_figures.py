"""tools/slides.py: a figure slide carries its section's title, and the figure joins that slide."""

from __future__ import annotations

import nbformat
import pytest
from slides import shows_a_figure, title_figure_slides


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


def test_a_notebook_takes_its_outputs_from_the_execution_cache(tmp_path, monkeypatch):
    """The deck reads notebooks/ (markdown as it is now) and the outputs the cache holds for its code."""
    import slides

    # the book's build tool, in requirements.txt, not a dependency of lstm_helpers (make compat's
    # environments install the package and the test tools only)
    jupyter_cache = pytest.importorskip("jupyter_cache")

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1 + 1")])
    executed = nbformat.from_dict(nb)
    executed.cells[0].outputs = [nbformat.v4.new_output("execute_result", data={"text/plain": "2"},
                                                        execution_count=1)]  # fmt: skip
    monkeypatch.setattr(slides, "CACHE", tmp_path / "_build" / ".jupyter_cache")
    cache = jupyter_cache.get_cache(str(slides.CACHE))
    cache.cache_notebook_bundle(jupyter_cache.base.CacheBundleIn(executed, "x.ipynb"), check_validity=False)
    nb.cells.insert(0, nbformat.v4.new_markdown_cell("# Changed prose keeps the match"))
    merged = slides.with_cached_outputs(nbformat.from_dict(nb), "x.ipynb")
    assert merged.cells[1].outputs[0]["data"]["text/plain"] == "2"
    assert merged.cells[0].source.startswith("# Changed")
    nb.cells[1].source = "1 + 2"  # changed code: a cache miss, named, never a deck without outputs
    with pytest.raises(slides.CacheMiss, match=r"x\.ipynb.*make book"):
        slides.with_cached_outputs(nb, "x.ipynb")


def test_a_figure_in_the_deck_carries_the_alt_text_the_page_gives_it():
    from bs4 import BeautifulSoup
    from slides import NO_ALT, exporter, with_alt_texts

    described = cell("code", "plot()", "slide", [{"image/png": "iVBOR", "text/plain": "<Figure>"}])
    described.metadata["mystnb"] = {"image": {"alt": 'Accuracy "falls" to chance'}}
    bare = cell("code", "plot()", "slide", [{"image/png": "iVBOR", "text/plain": "<Figure>"}])
    nb = nbformat.v4.new_notebook(cells=[described, bare])
    body, _ = exporter().from_notebook_node(nb)
    alts = [img["alt"] for img in BeautifulSoup(with_alt_texts(body, nb), "html.parser")("img")]
    assert alts == ['Accuracy "falls" to chance', NO_ALT]
