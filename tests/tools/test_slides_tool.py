"""tools/slides.py: MyST markup turned into what reveal.js can show."""

from __future__ import annotations

import pytest
import slides
from slides import default_slide_type, plain_markdown, split_heading_cell


def test_admonition_becomes_a_bold_title_and_its_body():
    text = "```{admonition} What you will learn\n:class: tip\n- one\n- two\n```\nafter"
    assert plain_markdown(text) == "**What you will learn**\n\n- one\n- two\nafter"


def test_exercises_are_dropped_and_roles_keep_their_text():
    text = ":::{exercise}\n:label: x\nDo it.\n:::\n"
    text += "See {doc}`chapter 3 <03-x>` and {ref}`ex-1` {cite:p}`olah2015`."
    assert plain_markdown(text) == "\nSee chapter 3 and ex-1."


def test_default_slide_types():
    heading = {"cell_type": "markdown", "source": "## Summary\n\n- a", "metadata": {}}
    prose = {"cell_type": "markdown", "source": "Some words.", "metadata": {}}
    figure = {"cell_type": "code", "source": "plot()", "metadata": {"mystnb": {"image": {"alt": "a"}}}}
    exercise = {"cell_type": "markdown", "source": ":::{exercise}\nx\n:::", "metadata": {}}
    assert [default_slide_type(c, 1) for c in (heading, prose, figure, exercise)] == [
        "slide", "notes", "slide", "skip",
    ]  # fmt: skip
    assert default_slide_type(heading, 0) == "skip"  # the setup cell


def test_heading_slide_keeps_lead_equations_and_lists_and_moves_prose_to_notes():
    import nbformat

    text = "## Idea\n\nLead sentence.\n\n$$x = 1$$\n\nA long explanation.\n\n- a point"
    cell = nbformat.v4.new_markdown_cell(text, metadata={"slideshow": {"slide_type": "slide"}})
    slide, notes = split_heading_cell(cell)
    assert slide.source == "## Idea\n\nLead sentence.\n\n$$x = 1$$\n\n- a point"
    assert notes.source == "A long explanation." and notes.metadata["slideshow"]["slide_type"] == "notes"
    title = nbformat.v4.new_markdown_cell("# Title\n\nIntro.")
    title.metadata["slideshow"] = {"slide_type": "slide"}
    assert [c.source for c in split_heading_cell(title)] == ["# Title", "Intro."]


def test_glued_numbers_are_pasted_as_the_page_formats_them():
    values = {"steps": "100", "accuracy": "0.271484375", "sentences": "6400"}
    text = "in {glue:text}`steps` steps ({glue:text}`sentences:,`), {glue:text}`accuracy:.1%` right"
    assert slides.paste_glue(text, values) == "in 100 steps (6,400), 27.1% right"
    assert slides.paste_glue("{glue:text}`/notebooks/02-x.ipynb::steps`", values) == "100"
    with pytest.raises(KeyError, match="missing"):
        slides.paste_glue("{glue:text}`missing`", values)


def cached_notebook(tmp_path, monkeypatch, nb):
    """`nb` written to tmp_path/01-x.ipynb and put in a fresh execution cache as it is (outputs and all)."""
    import nbformat

    jupyter_cache = pytest.importorskip("jupyter_cache")
    monkeypatch.setattr(slides, "CACHE", tmp_path / "cache")
    cache = jupyter_cache.get_cache(str(slides.CACHE))
    path = tmp_path / "01-x.ipynb"
    nbformat.write(nb, path)
    bundle = jupyter_cache.base.CacheBundleIn(nb, str(path))
    cache.cache_notebook_bundle(bundle, check_validity=False, overwrite=True)
    return path


def test_deck_only_cells_and_slide_types_from_the_notebook_metadata(tmp_path, monkeypatch):
    import nbformat

    def md(text, slide_type, tags=()):
        return nbformat.v4.new_markdown_cell(text, metadata={"slideshow": {"slide_type": slide_type},
                                                             "tags": list(tags)})  # fmt: skip

    code = nbformat.v4.new_code_cell("print('hi')", metadata={"slideshow": {"slide_type": "skip"}})
    code.id = "c03"
    code.outputs = [nbformat.v4.new_output("stream", name="stdout", text="printed\n")]
    nb = nbformat.v4.new_notebook(cells=[
        md("# Title", "slide"),
        md("Only in the deck.", "notes", ["deck", "remove-cell"]),
        md("Only on the page? No: on neither.", "slide", ["remove-cell"]),
        code,
    ])  # fmt: skip
    nb.metadata["deck"] = {"slide_types": {"c03": "fragment"}}
    path = cached_notebook(tmp_path, monkeypatch, nb)
    deck = slides.deck_notebook(path)
    assert [c.source for c in deck.cells] == ["# Title", "Only in the deck.", "print('hi')"]
    assert deck.cells[2].metadata["slideshow"]["slide_type"] == "fragment"
    html = slides.deck_html(path)
    assert "printed" in html and "Only in the deck." in html and "on neither" not in html

    nb.metadata["deck"] = {"slide_types": {"c99": "skip"}}  # an id no cell has
    with pytest.raises(ValueError, match=r"01-x\.ipynb.*c99"):
        slides.deck_notebook(cached_notebook(tmp_path, monkeypatch, nb))
    nb.metadata["deck"] = {"slide_types": {"c03": "hidden"}}  # not a slide type
    with pytest.raises(ValueError, match=r"01-x\.ipynb.*hidden.*c03"):
        slides.deck_notebook(cached_notebook(tmp_path, monkeypatch, nb))


def test_stats_count_visible_words_and_speaker_notes_per_leaf_slide():
    long = "word " * 70
    html = f"""<div class="slides">
      <section><section><h1>Title</h1><p>one two three</p><aside class="notes">say it</aside></section>
               <section><h2>Math</h2><p>$a + b = c$ is 0.25 of it's 1,000</p></section></section>
      <section><h2>Long</h2><pre>{long}</pre><img src="x.png"></section>
    </div>"""
    rows = slides.slide_stats(html)
    assert [(r["heading"], r["words"], r["notes"]) for r in rows] == [
        ("Title", 4, True), ("Math", 6, False), ("Long", 71, False),
    ]  # fmt: skip


def test_zip_holds_the_deck_and_only_the_files_it_loads(tmp_path):
    import zipfile

    files = {
        "reveal.js/dist/reveal.js": "", "reveal.js/dist/theme/white.css": "@import url(./fonts/f.css);",
        "reveal.js/dist/theme/fonts/f.css": "src: url('./f.woff'), url('./f.eot?#iefix');",
        "reveal.js/dist/theme/fonts/f.woff": "", "reveal.js/dist/theme/fonts/f.eot": "",
        "reveal.js/dist/unused.js": "", "lib/mathjax/tex-chtml.js": "", "lib/mathjax/fonts/m.woff": "",
    }  # fmt: skip
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    deck = tmp_path / "01-x.slides.html"
    deck.write_text(
        '<link rel="stylesheet" href="reveal.js/dist/theme/white.css"><script src="lib/mathjax/tex-chtml.js">'
        '</script><script>require(["reveal.js/dist/reveal.js"])</script><a href="https://example.org">x</a>'
        '<h1>The title<a class="anchor-link" href="#t">¶</a></h1>'
    )
    with zipfile.ZipFile(slides.write_zip(deck)) as z:
        names = sorted(z.namelist())
    assert names == sorted(f"01-x/{n}" for n in [deck.name, *files] if n != "reveal.js/dist/unused.js")
    index = slides.write_index(tmp_path).read_text()
    assert all(f'href="01-x.{ext}"' in index for ext in ("slides.html", "zip", "pdf"))
    assert "The title</a>" in index


def test_a_live_widget_in_the_cache_is_an_error_or_dropped_with_a_warning(capsys):
    """The book's runs (LSTM_BOOK_STATIC=1) show sliders as static HTML; a live ipywidget in the cache
    means it was filled outside make, and its text ("VBox(children=...)") must not reach a deck."""
    import nbformat

    widget = {slides.WIDGET: {"model_id": "x"}, "text/plain": "VBox(children=(...))"}
    code = nbformat.v4.new_code_cell("slider()")
    code.id = "c07"
    code.outputs = [nbformat.v4.new_output("display_data", data=widget),
                    nbformat.v4.new_output("stream", name="stdout", text="kept\n")]  # fmt: skip
    nb = nbformat.v4.new_notebook(cells=[code])
    with pytest.raises(slides.CacheMiss, match=r"01-x\.ipynb.*c07.*LSTM_BOOK_STATIC"):
        slides.drop_live_widgets(nb, "01-x.ipynb")
    slides.drop_live_widgets(nb, "01-x.ipynb", strict=False)
    assert [o["output_type"] for o in nb.cells[0].outputs] == ["stream"]
    assert "c07" in capsys.readouterr().err
