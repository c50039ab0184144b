"""The PDF edition (make pdf, tools/pdf.py) read back with poppler-utils: pdftotext, pdfinfo, pdfimages.

What the book holds is read from its sources (_toc.yml, the notebooks' and pages' titles,
references.bib) and from the single page that was printed (its sliders), never listed here.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup
from pdf import page_texts, squash

ROOT = Path(__file__).resolve().parents[2]

PDF = ROOT / "_build" / "pdf" / "lstm-book.pdf"
STUDENT_PDF = ROOT / "_build" / "pdf" / "lstm-book-student.pdf"
SINGLE_PAGE = ROOT / "_build" / "pdf" / "book" / "_build" / "singlehtml" / "lstm-book.html"
MAX_BYTES = 30_000_000

for path in (PDF, STUDENT_PDF, SINGLE_PAGE):
    if not path.exists():
        pytest.fail(f"{path} is missing: run `make pdf`", pytrace=False)


def text_of(pdf: Path) -> str:
    return squash(" ".join(page_texts(pdf)))


TEXT = text_of(PDF)


def info(pdf: Path) -> dict[str, str]:
    out = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    return dict(line.split(":", 1) for line in out.splitlines() if ":" in line)


def title_of(source: Path) -> str:
    """The first '# ' heading of a notebook or markdown page."""
    if source.suffix == ".ipynb":
        cells = json.loads(source.read_text())["cells"]
        text = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    else:
        text = source.read_text()
    return re.search(r"^# (.+)$", text, re.M).group(1).strip()


def toc_files() -> list[tuple[Path, bool]]:
    """(source, numbered) of every page in _toc.yml, in order."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    found = [(source_of(toc["root"]), False)]
    for part in toc["parts"]:
        for chapter in part["chapters"]:
            found.append((source_of(chapter["file"]), part.get("numbered", False)))
    return found


def source_of(name: str) -> Path:
    stem = ROOT / name
    return next(p for p in (stem.with_suffix(".ipynb"), stem.with_suffix(".md")) if p.exists())


def code_text() -> str:
    """The code cells of the book's notebooks: the PDF prints them as they are, TeX in labels included."""
    cells = [c for source, _ in toc_files() if source.suffix == ".ipynb"
             for c in json.loads(source.read_text())["cells"]]  # fmt: skip
    return "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")


def test_size_and_page_count_are_printed_and_within_the_limit():
    for pdf in (PDF, STUDENT_PDF):
        pages, size = int(info(pdf)["Pages"]), pdf.stat().st_size
        print(f"\n{pdf.name}: {pages} pages, {size / 1e6:.1f} MB")
        assert 0 < size <= MAX_BYTES, f"{pdf.name} is {size / 1e6:.1f} MB, over {MAX_BYTES / 1e6:.0f} MB"
        assert pages > len(toc_files()), f"{pdf.name} has {pages} pages for {len(toc_files())} chapters"


def test_every_chapter_title_is_there_in_order_and_numbered():
    """After the contents (which lists them too), each page's title in _toc.yml order; the
    numbered part's chapters carry their numbers 1, 2, ..."""
    body = TEXT[TEXT.index("Contents") :]
    expected, number = [], 0
    for source, numbered in toc_files():
        if numbered:
            number += 1
        expected.append(f"{number}. {title_of(source)}" if numbered else title_of(source))
    in_contents, position = [], 0
    for title in expected:
        in_contents.append(body.find(squash(title)))
    missing = [t for t, i in zip(expected, in_contents) if i < 0]
    assert not missing, f"missing from the contents: {missing}"
    assert in_contents == sorted(in_contents), "the contents lists the chapters out of order"
    position = body.find(squash(expected[-1])) + 1  # the body starts after the contents' last line
    for title in expected:
        found = body.find(squash(title), position)
        assert found > 0, f"chapter {title!r} is not in the PDF after the contents (or out of order)"
        position = found


def test_the_contents_give_page_numbers():
    contents = " ".join(page_texts(PDF)[:4])
    for source, _ in toc_files()[1:]:
        title = re.escape(squash(title_of(source)))
        assert re.search(title + r"\s*\d+", squash(contents)), f"{title_of(source)!r} has no page number"


def test_the_bibliography_lists_every_reference():
    bib = (ROOT / "book" / "references.bib").read_text()
    titles = re.findall(r"^\s*title\s*=\s*[{\"](.+?)[}\"],?\s*$", bib, re.M | re.I)
    assert titles, "no titles found in references.bib"
    lower = TEXT.lower()
    for title in titles:
        plain = squash(re.sub(r"[{}]", "", title)).lower()
        assert plain in lower, f"reference {plain!r} is not in the PDF"


# TeX commands and the glyph MathJax sets for each: in the PDF's text, a typeset formula shows the glyph
GLYPHS = {r"\sigma": "σ", r"\odot": "⊙", r"\partial": "∂", r"\leq": "≤", r"\prod": "∏", r"\sum": "∑",
          r"\approx": "≈", r"\gamma": "γ", r"\lVert": "∥"}  # fmt: skip


def markdown_math() -> str:
    """Every formula ($...$, $$...$$) in the markdown of the pages in _toc.yml."""
    text = ""
    for source, _ in toc_files():
        if source.suffix == ".ipynb":
            cells = json.loads(source.read_text())["cells"]
            text += "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
        else:
            text += source.read_text()
    return "\n".join(re.findall(r"\$\$.+?\$\$|\$[^$\n]+\$", text, re.S))


def test_equations_are_typeset_not_raw_tex():
    """Each TeX command the book's formulas use shows up as its glyph; no raw TeX is left."""
    code = code_text()
    for command in (r"\begin", r"\frac", r"\odot", r"\partial", r"\sigma", r"\tanh"):
        printed, in_code = TEXT.count(command), code.count(command)
        assert printed <= in_code, f"{command}: {printed} in the PDF, {in_code} in code: raw TeX printed"
    assert "$$" not in TEXT
    math = markdown_math()
    used = {tex: glyph for tex, glyph in GLYPHS.items() if re.search(re.escape(tex) + r"(?![a-zA-Z])", math)}
    assert len(used) >= 2, f"the book's formulas use only {sorted(used)} of {sorted(GLYPHS)}"
    missing = [tex for tex, glyph in used.items() if glyph not in TEXT]
    assert not missing, f"formulas with {missing} are not typeset in the PDF"


def test_every_slider_prints_its_frames_with_their_labels():
    soup = BeautifulSoup(SINGLE_PAGE.read_text(encoding="utf-8"), "html.parser")
    sliders = soup.select("div.lstm-scrubber")
    assert sliders, "no slider in the printed page"
    texts = [squash(t) for t in page_texts(PDF)]
    for slider in sliders:
        captions = [squash(f.figcaption.get_text()) for f in slider.select("figure.lstm-print")]
        assert 4 <= len(captions) <= 6 or len(captions) == len(slider.select("figure")), captions
        pages = [next((k for k, t in enumerate(texts) if c in t), None) for c in captions]
        assert None not in pages, f"captions {captions} not all in the PDF"
        images = sum(image_count(PDF, k + 1) for k in sorted(set(pages)))
        assert images >= len(captions), f"{len(captions)} frames but {images} images on pages {pages}"


def image_count(pdf: Path, page: int) -> int:
    out = subprocess.run(["pdfimages", "-list", "-f", str(page), "-l", str(page), str(pdf)],
                         check=True, capture_output=True, text=True).stdout  # fmt: skip
    return sum(1 for line in out.splitlines()[2:] if line.split()[2:3] == ["image"])


def test_no_undefined_reference_no_traceback_no_controls():
    assert "??" not in TEXT, "an undefined reference (??) in the PDF"
    assert "Traceback (most recent call last)" not in TEXT
    for chrome in ("Launch Binder", "Open in Colab", "Skip to main content", "Ctrl+K", "Back to top"):
        assert chrome not in TEXT, f"site navigation {chrome!r} printed"


def test_the_student_edition_has_the_exercises_but_no_solutions():
    student = text_of(STUDENT_PDF)
    assert TEXT.count("Solution to Exercise") > 0, "the full edition lost its solutions"
    assert "Solution to Exercise" not in student
    guide = (ROOT / "book" / "instructor-guide.md").read_text().splitlines()[0].lstrip("# ").strip()
    assert squash(guide) in squash(TEXT), "the full edition lost the instructor guide"
    assert squash(guide) not in squash(student), "the student edition prints the instructor guide"
    assert student.count("Exercise") > 0


@pytest.mark.parametrize("pdf", [PDF, STUDENT_PDF], ids=lambda p: p.stem)
def test_the_title_page_names_both_licences(pdf):
    title_page = squash(page_texts(pdf)[0])
    assert "CC BY 4.0" in title_page and "MIT" in title_page, f"no licence on the title page: {title_page}"
