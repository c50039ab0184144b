"""The student edition (make student) holds no solution; the default build holds them all, collapsed."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from helpers_repo import BUILD, HTML, NOTEBOOKS, notebook, source  # noqa: E402

STUDENT = BUILD / "student" / "html"
SOLUTION = re.compile(r":::+\{solution\}[^\n]*\n(.*?)\n:::+", re.S)

if not (STUDENT / "index.html").exists():
    pytest.fail("no student edition in _build/student/html: run `make student`", pytrace=False)


def opening_words(body: str) -> str:
    """The solution's longest prose line (else code line), without math and code, cut to eight words."""
    prose, code, fenced = [], [], False
    for line in body.splitlines():
        if line.startswith("```"):
            fenced = not fenced
        elif line.strip() and not line.startswith(":"):
            (code if fenced else prose).extend(re.split(r"\$[^$]*\$|`[^`]*`", line))
    words = re.findall(r"[A-Za-z]+", max(prose or code, key=len))
    return " ".join(words[:8])


def solutions() -> list[tuple[str, str]]:
    found = []
    for path in NOTEBOOKS:
        for cell in notebook(path)["cells"]:
            if cell["cell_type"] == "markdown":
                found += [(path.stem, opening_words(b)) for b in SOLUTION.findall(source(cell))]
    return found


def text_of(root: Path, stem: str) -> str:
    soup = BeautifulSoup((root / "notebooks" / f"{stem}.html").read_text(encoding="utf-8"), "html.parser")
    return re.sub(r"\s+", " ", soup.get_text())


def count(words: str, text: str) -> int:
    return len(re.findall(r"(?:[\W_]|\d)+".join(map(re.escape, words.split())), text))  # digits sit between


@pytest.mark.parametrize("stem, words", solutions(), ids=lambda v: v[:30])
def test_solution_is_in_the_book_and_not_in_the_student_edition(stem, words):
    assert len(words.split()) >= 4, f"too few words to search for: {words!r}"
    # the words may also stand outside the solution (in the objectives, say): count them
    in_book, in_student = count(words, text_of(HTML, stem)), count(words, text_of(STUDENT, stem))
    assert in_book >= 1, f"{words!r} missing from the default build"
    assert in_student == in_book - 1, f"{words!r} is still in the student edition"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_default_build_collapses_solutions_under_their_exercise(path):
    html = (HTML / "notebooks" / f"{path.stem}.html").read_text(encoding="utf-8")
    blocks = BeautifulSoup(html, "html.parser").select("div.solution")
    assert blocks and all("dropdown" in b.get("class", []) for b in blocks)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_student_pages_and_downloads_hold_no_solution(path):
    html = (STUDENT / "notebooks" / f"{path.stem}.html").read_text(encoding="utf-8")
    soup = BeautifulSoup(html, "html.parser")
    assert soup.select("div.exercise") and not soup.select("div.solution")
    assert "colab.research.google.com" not in html, "launch buttons open notebooks with solutions"
    download = (STUDENT / "_sources" / "notebooks" / path.name).read_text()
    assert "{solution}" not in download and "{exercise}" in download
