"""The PDF edition (make pdf, tools/pdf.py) read back with poppler-utils: pdftotext, pdfinfo, pdfimages.

What the book holds is read from its sources (_toc.yml, the notebooks' and pages' titles,
references.bib) and from the single page that was printed (its sliders), never listed here.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import numpy as np
import pytest
import yaml
from bs4 import BeautifulSoup
from pdf import MARGIN, page_texts, squash
from PIL import Image

from lstm_helpers.widgets import PIXEL_DENSITY

ROOT = Path(__file__).resolve().parents[2]

PDF = ROOT / "_build" / "pdf" / "lstm-book.pdf"
STUDENT_PDF = ROOT / "_build" / "pdf" / "lstm-book-student.pdf"
SINGLE_PAGE = ROOT / "_build" / "pdf" / "book" / "_build" / "singlehtml" / "lstm-book.html"
STUDENT_PAGE = ROOT / "_build" / "pdf" / "student" / "_build" / "singlehtml" / "lstm-book.html"
MAX_BYTES = 30_000_000
TEXT_WIDTH_IN = (210 - sum(float(MARGIN[side].removesuffix("mm")) for side in ("left", "right"))) / 25.4  # A4

for path in (PDF, STUDENT_PDF, SINGLE_PAGE, STUDENT_PAGE):
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


EDITIONS = {"book": (PDF, SINGLE_PAGE), "student": (STUDENT_PDF, STUDENT_PAGE)}


@pytest.mark.parametrize("pdf, page", EDITIONS.values(), ids=EDITIONS.keys())
def test_every_slider_prints_every_frame_as_wide_as_the_text(pdf, page):
    """Every frame of every slider is on paper: its caption (the slider's label and the frame's value)
    in the PDF's text, and its image on the caption's page, printed as wide as the text. In the
    two-column grid of before, one frame in seven was missing and the frames' 9-point labels printed
    at about 4 points; at the text's width they print at their drawn size or near it."""
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    sliders = soup.select("div.lstm-scrubber")
    assert sliders, "no slider in the printed page"
    texts = [squash(t) for t in page_texts(pdf)]
    for slider in sliders:
        frames = slider.select("figure")
        captions = [squash(f.figcaption.get_text()) for f in frames]
        assert len(captions) == len(json.loads(slider["data-labels"])), captions
        pages = [next((k + 1 for k, t in enumerate(texts) if c in t), None) for c in captions]
        missing = [c for c, k in zip(captions, pages) if k is None]
        assert not missing, f"slider frames {missing} are not in {pdf.name}"
        pixels = int(frames[0].img["width"]) * PIXEL_DENSITY  # the frame's PNG width
        widths = [w for k in sorted(set(pages)) for w in printed_widths(pdf, k, pixels)]
        assert len(widths) >= len(frames), f"{len(frames)} frames but {len(widths)} images on pages {pages}"
        narrow = [round(w, 2) for w in widths if w < 0.95 * TEXT_WIDTH_IN]
        assert not narrow, f"{captions[0]!r}: frames {narrow} in wide, the text {TEXT_WIDTH_IN:.2f} in"


def printed_widths(pdf: Path, page: int, pixels: int) -> list[float]:
    """The printed width in inches of each image `pixels` wide on `page` (pdfimages: pixels / x-ppi)."""
    out = subprocess.run(["pdfimages", "-list", "-f", str(page), "-l", str(page), str(pdf)],
                         check=True, capture_output=True, text=True).stdout  # fmt: skip
    rows = [line.split() for line in out.splitlines()[2:]]
    return [int(r[3]) / float(r[12]) for r in rows if r[2] == "image" and int(r[3]) == pixels]


# The code boxes' grey (the theme's #f5f5f5 prints as 244 of 255), and what counts as an empty box:
# a band of that grey across most of the text, at least 3 mm tall, with nothing printed in it.
BOX_GREY, EMPTY_MM, DPI = (236, 250), 3.0, 50


def box_bands(gray: np.ndarray) -> list[tuple[int, int, int]]:
    """(top, height, printed pixels) of each run of rows that lie inside a tinted box spanning more than
    60% of the page: rows whose tint reaches from the box's left edge to its right edge; printed pixels
    are the darker ones between those edges."""
    tint = (gray >= BOX_GREY[0]) & (gray <= BOX_GREY[1])
    spans = []
    for row in tint:
        xs = np.flatnonzero(row)
        inside = len(xs) and xs[-1] - xs[0] > 0.6 * len(row) and row[xs[0] : xs[0] + 3].all()
        spans.append((xs[0], xs[-1]) if inside and row[xs[-1] - 2 : xs[-1] + 1].all() else None)
    bands, y = [], 0
    while y < len(spans):
        if spans[y] is None:
            y += 1
            continue
        top = y
        while y < len(spans) and spans[y] is not None:
            y += 1
        left, right = max(s[0] for s in spans[top:y]), min(s[1] for s in spans[top:y])
        bands.append((top, y - top, int((gray[top:y, left + 3 : right - 2] < BOX_GREY[0]).sum())))
    return bands


@pytest.mark.parametrize("pdf", [PDF, STUDENT_PDF], ids=lambda p: p.stem)
def test_no_code_box_is_empty_on_any_page(pdf, tmp_path):
    """Each page rendered (pdftoppm, grey, 50 dpi): no code or output box shows its frame without a
    line of code in it. Such frames are what a box leaves behind when its code moves on to the next
    page; the student PDF had 35 of them, 4 to 152 mm tall, before the print rules kept cells whole."""
    subprocess.run(["pdftoppm", "-r", str(DPI), "-gray", str(pdf), str(tmp_path / "p")], check=True)
    empty = []
    for number, image in enumerate(sorted(tmp_path.glob("p-*.pgm")), start=1):
        gray = np.asarray(Image.open(image), dtype=int)
        for top, height, printed in box_bands(gray):
            if printed == 0 and height >= EMPTY_MM / 25.4 * DPI:
                mm = (round(top * 25.4 / DPI), round(height * 25.4 / DPI))
                empty.append(f"page {number}, {mm[0]} mm down, {mm[1]} mm tall")
    assert not empty, f"empty code boxes in {pdf.name}: {empty}"


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
