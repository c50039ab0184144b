"""The questions (lstm_helpers.quiz) in the built book: at least four per chapter, of the three kinds,
each answerable from the page; numeric answers are the page's own glued values; the book's pages
print an answer key, the student edition's do not."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from helpers_repo import BUILD, HTML, NOTEBOOKS, parsed

STUDENT = BUILD / "student" / "html"
EXECUTED = BUILD / "jupyter_execute" / "notebooks"
MIN_PER_CHAPTER = 4
chapters = pytest.mark.parametrize("stem", [p.stem for p in NOTEBOOKS])

if not (HTML / "index.html").exists():
    pytest.fail(f"no built site in {HTML}: run `make book`", pytrace=False)


def soup_of(root: Path, stem: str) -> BeautifulSoup:
    return parsed(root / "notebooks" / f"{stem}.html")


def questions(root: Path, stem: str) -> list[dict]:
    """The data of every question on a chapter's page, in page order."""
    return [
        json.loads(div.find("script", class_="quiz-data").string)
        for div in soup_of(root, stem).select("div.quiz")
    ]


def glued(stem: str) -> dict[str, str]:
    """{name: the text/plain of the value} the chapter glued (myst-nb's NAME.glue.json)."""
    store = json.loads((EXECUTED / f"{stem}.glue.json").read_text())
    return {name: output["data"]["text/plain"] for name, output in store.items()}


def number(text: str) -> tuple[float, float]:
    """A glued value's text as a number, and half a unit of its last digit (how far it was rounded);
    "37%" is 0.37."""
    clean = text.strip().strip("'\"").replace(",", "")
    scale = 0.01 if clean.endswith("%") else 1.0
    clean = clean.rstrip("%")
    mantissa, _, exponent = clean.lower().partition("e")
    decimals = len(mantissa.split(".")[1]) if "." in mantissa else 0
    return scale * float(clean), scale * 0.5 * 10.0 ** (int(exponent or 0) - decimals)


@chapters
def test_each_chapter_asks_at_least_four_questions_of_all_three_kinds(stem):
    found = questions(HTML, stem)
    assert len(found) >= MIN_PER_CHAPTER, f"{stem}: {len(found)} questions, at least {MIN_PER_CHAPTER} wanted"
    kinds = {q["kind"] for q in found}
    assert kinds == {"choice", "predict", "numeric"}, f"{stem}: kinds {sorted(kinds)}"


@chapters
def test_every_option_question_has_one_measured_answer_and_a_reason_for_each_option(stem):
    for q in questions(HTML, stem):
        if q["kind"] == "numeric":
            continue
        assert sum(o["right"] for o in q["options"]) == 1, f"{stem}: {q['question']!r} has no single answer"
        assert all(o["why"].strip() for o in q["options"]), f"{stem}: {q['question']!r} lacks a reason"
        if q["kind"] == "predict":
            assert q["revealed"] and q["measured"], f"{stem}: prediction {q['question']!r} never revealed"


@chapters
def test_numeric_answers_are_the_pages_glued_values(stem):
    values = glued(stem)
    for q in questions(HTML, stem):
        if q["kind"] != "numeric" or q["glued"] is None:  # None: a closed form (an exercise's answer)
            continue
        assert q["glued"] in values, (
            f"{stem}: {q['question']!r} names {q['glued']!r}, which the page never glues"
        )
        value, rounding = number(values[q["glued"]])
        assert abs(q["answer"] - value) <= rounding + 1e-12 * abs(value), (
            f"{stem}: {q['question']!r} expects {q['answer']}, the page glued {q['glued']} = {value}"
        )
        assert q["tol"] >= rounding or q["tol"] == 0, f"{stem}: tol {q['tol']} is finer than the shown value"


def key_flag(root: Path, stem: str) -> str:
    tag = soup_of(root, stem).find("script", src=re.compile(r"lstm-quiz\.js"))
    assert tag is not None, f"{stem}: the page does not load lstm-quiz.js"
    return tag["data-lstm-quiz-key"]


@chapters
def test_the_book_prints_the_key_and_the_student_edition_asks_the_same_questions_without_it(stem):
    if not (STUDENT / "index.html").exists():
        pytest.fail("no student edition in _build/student/html: run `make student`", pytrace=False)
    assert key_flag(HTML, stem) == "1"
    assert key_flag(STUDENT, stem) == "0"
    assert questions(STUDENT, stem) == questions(HTML, stem)
