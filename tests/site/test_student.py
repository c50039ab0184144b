"""The student edition (make student) holds no solution; the default build holds them all, collapsed."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest
from helpers_repo import BUILD, HTML, NOTEBOOKS, editable, notebook, parsed, source

STUDENT = BUILD / "student" / "html"

if not (STUDENT / "index.html").exists():
    pytest.fail("no student edition in _build/student/html: run `make student`", pytrace=False)


def solution_labels() -> list[tuple[str, str]]:
    """(chapter, exercise label) of every solution: the label in its first cell tagged "solution"."""
    found = []
    for path in NOTEBOOKS:
        for cell in notebook(path)["cells"]:
            start = re.match(r"(?:```|:::+)\{solution(?:-start)?\} *(\S+)", source(cell))
            if "solution" in cell["metadata"].get("tags", []) and start:
                found.append((path.stem, start.group(1)))
    return found


def solution_divs(root: Path, stem: str) -> dict[str, object]:
    """{exercise label: the div.solution that answers it} on a built chapter page."""
    soup = parsed(root / "notebooks" / f"{stem}.html")
    divs = {}
    for div in soup.select("div.solution"):
        link = div.select_one("p.admonition-title a[href]")
        divs[link["href"].split("#")[-1]] = div
    return divs


def count(words: str, text: str) -> int:
    return len(re.findall(r"(?:[\W_]|\d)+".join(map(re.escape, words.split())), text))  # digits sit between


def test_every_exercise_solution_is_tagged_and_found():
    assert len(solution_labels()) >= 14, solution_labels()


@pytest.mark.parametrize("stem, label", solution_labels(), ids=lambda v: v[:30])
def test_solution_is_in_the_book_and_not_in_the_student_edition(stem, label):
    assert label in solution_divs(HTML, stem), f"no solution to {label} on the built {stem} page"
    assert label not in solution_divs(STUDENT, stem), f"the student edition still answers {label}"
    exercise = parsed(STUDENT / "notebooks" / f"{stem}.html").find(id=label)
    assert exercise is not None, f"the student edition lost the exercise {label}"


@pytest.mark.parametrize("stem, label", solution_labels(), ids=lambda v: v[:30])
def test_every_code_solution_ran_in_the_build(stem, label):
    div = solution_divs(HTML, stem)[label]
    if div.select("div.cell_input"):  # a solution with code: the build ran it and shows what it printed
        assert div.select("div.cell_output"), f"the code of the solution to {label} shows no output"
        assert "Traceback" not in div.get_text()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_default_build_collapses_solutions_under_their_exercise(path):
    blocks = parsed(HTML / "notebooks" / f"{path.stem}.html").select("div.solution")
    assert blocks and all("dropdown" in b.get("class", []) for b in blocks)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_student_pages_and_downloads_hold_no_solution(path):
    html = (STUDENT / "notebooks" / f"{path.stem}.html").read_text(encoding="utf-8")
    soup = parsed(STUDENT / "notebooks" / f"{path.stem}.html")
    assert soup.select("div.exercise") and not soup.select("div.solution")
    assert "colab.research.google.com" not in html, "launch buttons open notebooks with solutions"
    download = notebook(STUDENT / "_sources" / "notebooks" / path.name)
    assert not any("solution" in cell["metadata"].get("tags", []) for cell in download["cells"])
    text = "".join(source(cell) for cell in download["cells"])
    assert "{solution" not in text and "{exercise}" in text


def test_the_student_edition_leaves_out_the_instructor_guide():
    assert (HTML / "book" / "instructor-guide.html").exists(), "the full edition lost its instructor guide"
    assert not (STUDENT / "book" / "instructor-guide.html").exists(), "the student edition has the guide"


def local_targets(page: Path) -> set[Path]:
    """The files that the page's local links and sources point at (anchors and queries dropped)."""
    soup = parsed(page)
    targets = set()
    for tag, attr in (("a", "href"), ("link", "href"), ("img", "src"), ("script", "src")):
        for element in soup.find_all(tag, **{attr: True}):
            url = element[attr].split("#")[0].split("?")[0]
            if url and not re.match(r"^[a-z][a-z0-9+.-]*:", url, re.I):  # http:, mailto:, data: ...
                targets.add((page.parent / url).resolve())
    return targets


def test_no_link_of_the_student_edition_is_broken():
    broken = {}
    for page in STUDENT.rglob("*.html"):
        if "_static" in page.parts or "_sources" in page.parts:
            continue
        missing = [t for t in local_targets(page) if not (t.is_file() or (t / "index.html").is_file())]
        if missing:
            broken[str(page.relative_to(STUDENT))] = sorted(str(t.relative_to(STUDENT)) for t in missing)[:5]
    assert not broken, f"links to missing files in the student edition: {broken}"


@cache
def visible_text(page: Path) -> str:
    """The text a reader sees on a built page: its main part, without scripts and styles."""
    soup = editable(page)
    for hidden in soup(["script", "style"]):
        hidden.decompose()
    return re.sub(r"\s+", " ", (soup.select_one("main") or soup).get_text(" "))


def pages_of(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*.html") if not {"_static", "_sources"} & set(p.parts))


# What a page says when it promises solutions: "exercises with solutions", "a solution in a drop-down",
# "the solution of Exercise 1.3".
PROMISE = re.compile(
    r"(?:with|and) (?:worked )?solutions|solutions? in (?:a )?drop-?downs?|solution (?:of|to) exercise", re.I
)


def test_no_page_of_the_student_edition_promises_a_solution():
    """The pages both editions share (the introduction, how to use the book) say what is true of each
    ({only} student): the full edition's promise solutions under the exercises, the student edition's
    none."""
    full = visible_text(HTML / "book" / "intro.html") + visible_text(HTML / "book" / "how-to-use.html")
    assert PROMISE.search(full), "the full edition no longer says that its exercises have solutions"
    promises = {}
    for page in pages_of(STUDENT):
        found = [m.group(0) for m in PROMISE.finditer(visible_text(page))]
        if found:
            promises[str(page.relative_to(STUDENT))] = found
    assert not promises, f"student pages that promise solutions: {promises}"


def solution_sentences() -> list[tuple[str, str]]:
    """(chapter, sentence) for each sentence of eight words or more in the full edition's solutions
    (their paragraphs, not their code)."""
    found = []
    for path in NOTEBOOKS:
        for div in parsed(HTML / "notebooks" / f"{path.stem}.html").select("div.solution"):
            for paragraph in div.select("p:not(.admonition-title)"):
                text = re.sub(r"\s+", " ", paragraph.get_text(" ")).strip()
                found += [(path.stem, s) for s in re.split(r"(?<=[.!?])\s+", text) if len(s.split()) >= 8]
    return found


def test_no_sentence_of_a_solution_is_in_the_student_edition():
    """No page of the student edition (chapters, the pages around them) states a solution's sentence,
    however it got there: a solution left in, copied into the prose or into a question's feedback."""
    sentences = solution_sentences()
    assert len(sentences) >= 50, f"only {len(sentences)} sentences found in the solutions"
    student = " ".join(visible_text(page) for page in pages_of(STUDENT))
    stated = [f"{stem}: {s}" for stem, s in sentences if s in student]
    assert not stated, f"the student edition states these sentences of solutions: {stated}"
