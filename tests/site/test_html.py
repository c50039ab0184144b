"""Checks on the built site in _build/html (run after the strict build: `make test` does both)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from helpers_repo import HTML, NOTEBOOKS, config, editable, parsed, toc_files

if not (HTML / "index.html").exists():
    pytest.fail("no built site in _build/html: run `make book` (make test builds it first)", pytrace=False)


def page(name: str) -> BeautifulSoup:
    return parsed(HTML / f"{name}.html")


@pytest.mark.parametrize("name", toc_files())
def test_every_toc_entry_has_a_page(name):
    assert (HTML / f"{name}.html").exists(), f"{name}.html was not built"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_page_links_to_colab_and_binder_on_main(path):
    repo = config()["repository"]["url"].removeprefix("https://github.com/")
    hrefs = {a["href"] for a in page(f"notebooks/{path.stem}").find_all("a", href=True)}
    colab = f"https://colab.research.google.com/github/{repo}/blob/main/notebooks/{path.name}"
    binder = f"https://mybinder.org/v2/gh/{repo}/main?urlpath=lab/tree/notebooks/{path.name}"
    assert colab in hrefs, f"no Colab link {colab}"
    assert binder in hrefs, f"no Binder link {binder}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_download_button_serves_the_notebook_itself(path):
    soup = page(f"notebooks/{path.stem}")
    target = f"_sources/notebooks/{path.name}"
    links = [a["href"] for a in soup.find_all("a", href=True) if a["href"].endswith(target)]
    assert links, "no download link to the .ipynb"
    served = (HTML / "notebooks" / links[0]).resolve()
    assert json.loads(served.read_text())["cells"], f"{served} is not a notebook"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_page_was_executed_without_tracebacks_or_warnings(path):
    soup = page(f"notebooks/{path.stem}")
    outputs = soup.select("div.cell_output")
    assert outputs, "the page shows no cell output: was the notebook executed?"
    for out in outputs:
        text = out.get_text()
        assert "Traceback" not in text, f"a traceback in the output:\n{text[:500]}"
        # a warning as Python prints one ("UserWarning: ..."); chapter 8 prints source that names warnings
        assert not re.search(r"\b\w*Warning: ", text), f"a warning in the output:\n{text[:500]}"
        assert not out.select(".stderr, .traceback"), f"stderr or a traceback in:\n{text[:500]}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_claims_cells_are_hidden(path):
    """The asserts behind the page's worded claims run in the build but never show."""
    shown = " ".join(cell.get_text() for cell in page(f"notebooks/{path.stem}").select("div.cell_input"))
    assert "claim(" not in shown, "a claims cell (lstm_helpers.prose.claim) shows on the page"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_figure_has_alt_text(path):
    images = page(f"notebooks/{path.stem}").select("div.cell_output img")
    assert images, "no figure on the page"
    for img in images:
        assert len(img.get("alt", "").split()) >= 5, f"figure {img.get('src')} needs an alt text"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_chapter_has_objectives_summary_exercises_and_solutions(path):
    soup = page(f"notebooks/{path.stem}")
    text = soup.get_text()
    assert "What you will learn" in text and "Summary" in text
    exercises = soup.select("div.exercise")
    assert len(exercises) >= 2, "a chapter needs at least two exercises"
    assert len(soup.select("div.solution")) >= len(exercises), "every exercise needs a solution"


def test_citations_resolve_to_the_bibliography():
    soup = page("notebooks/01-sequences-and-rnns")
    cites = [a for a in soup.find_all("a", href=True) if "references.html#id" in a["href"]]
    assert cites, "chapter 1 cites nothing from the bibliography"
    refs = page("book/references")
    for a in cites:
        anchor = a["href"].split("#")[1]
        assert refs.find(id=anchor), f"citation anchor {anchor} missing from the bibliography"
    assert "Hochreiter" in refs.get_text() and "Olah" in refs.get_text()


def test_rnn_check_on_the_page_reports_rounding_error_only():
    text = page("notebooks/01-sequences-and-rnns").get_text()
    diffs = [float(d) for d in re.findall(r"max diff: ([0-9.e+-]+)", text)]
    assert len(diffs) >= 2 and max(diffs) < 1e-10, diffs  # the RNN checks, the lookup, the losses


def _pages() -> list[Path]:
    return sorted(p for p in HTML.rglob("*.html") if "_static" not in p.parts)


@pytest.mark.parametrize("path", _pages(), ids=lambda p: p.relative_to(HTML).as_posix())
def test_page_needs_no_outside_script_stylesheet_or_font(path):
    soup = parsed(path)
    outside = [tag.get("src") or tag.get("href") for tag in soup.select("script[src], link[rel=stylesheet]")]
    outside = [url for url in outside if re.match(r"(https?:)?//", url)]
    assert not outside, f"loads from the internet: {outside}"


def test_math_is_typeset_by_the_sites_own_mathjax():
    soup = page("notebooks/01-sequences-and-rnns")
    src = [s["src"] for s in soup.select("script[src]") if "tex-chtml.js" in s["src"]]
    assert src, "no MathJax script on a page with math"
    served = (HTML / "notebooks" / src[0].split("?")[0]).resolve()
    assert served.is_file() and served.stat().st_size > 500_000, f"MathJax not served at {served}"
    fonts = served.parent / "output" / "chtml" / "fonts" / "woff-v2"
    assert len(list(fonts.glob("*.woff"))) > 10, "MathJax fonts missing"


@pytest.mark.parametrize("root", [HTML, HTML.parent / "student" / "html"], ids=["book", "student"])
def test_every_page_names_the_licences_and_offers_to_report_a_mistake(root):
    repo = config()["repository"]["url"]
    assert (root / "index.html").exists(), f"no build in {root}: run `make book` and `make student`"
    for name in toc_files():
        file = root / f"{name}.html"
        if not file.exists():  # the student edition leaves out the pages for instructors
            continue
        hrefs = {a["href"] for a in parsed(file).find_all("a", href=True)}
        licence = "https://creativecommons.org/licenses/by/4.0/"
        assert licence in hrefs, f"{name}: no text licence in the footer"
        assert any(h.startswith(f"{repo}/issues/new") for h in hrefs), f"{name}: no 'open issue' button"


@pytest.mark.parametrize("name", toc_files())
def test_every_glued_value_is_pasted(name):
    """A glue role left as text means a value the page names was never computed (or misspelt)."""
    soup = editable(HTML / f"{name}.html")
    for code in soup.select("code, pre"):  # a page that explains glue shows the role as code
        code.decompose()
    text = soup.get_text()
    assert "{glue:" not in text and "glue:text" not in text, f"{name}: a glue role was not pasted"
