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
