"""The questions in the PDF editions (make pdf): the book's PDF asks them and ends each chapter that
has them with an answer key; the student PDF asks the same questions and has no key."""

from __future__ import annotations

import re

import pytest
from helpers_repo import ROOT
from pdf import page_texts, squash

PDF = ROOT / "_build" / "pdf" / "lstm-book.pdf"  # tools/pdf.py writes both; tests/site/test_pdf.py reads them
STUDENT_PDF = ROOT / "_build" / "pdf" / "lstm-book-student.pdf"

KEY = "Answer key"


def text(path) -> str:
    if not path.exists():
        pytest.fail(f"{path} is missing: run `make pdf`", pytrace=False)
    return squash(" ".join(page_texts(path)))


def test_the_book_pdf_has_a_key_for_each_chapter_with_questions_and_the_student_pdf_none():
    book, student = text(PDF), text(STUDENT_PDF)
    asked = len(re.findall(r"Question 1\. Check yourself", book))
    assert asked >= 1, "the PDF shows no question"
    assert book.count(KEY) == asked, f"{asked} chapters ask questions, {book.count(KEY)} answer keys"
    assert student.count(KEY) == 0, "the student PDF prints the answer key"
    assert student.count("Check yourself") == book.count("Check yourself")
