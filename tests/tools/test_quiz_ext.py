"""book/_ext/quiz.py in a small Sphinx build: the questions' script and style are shipped with the
pages, and the script says whether this edition prints an answer key (the student edition does not)."""

from __future__ import annotations

import re

import pytest
from sphinx.cmd.build import build_main

from lstm_helpers import quiz

CONF = """
extensions = ["quiz"]
def setup(app):  # book/_ext/lstm_book.py registers it in the book
    app.add_config_value("lstm_book_drop_solutions", False, "env")
"""


def build(tmp_path, student: bool) -> str:
    data = quiz.choice_data("A forget gate reads 0.98?", [("erased", False, "x"), ("kept", True, "y")])
    raw = "\n".join("   " + line for line in quiz.html_of(data, inline_script=False).splitlines())
    src = tmp_path / "src"
    src.mkdir()
    (src / "conf.py").write_text(CONF)
    (src / "index.rst").write_text(f"Chapter\n=======\n\n.. raw:: html\n\n{raw}\n")
    out = tmp_path / "html"
    flags = ["-D", "lstm_book_drop_solutions=1"] if student else []
    assert build_main(["-q", "-W", "-b", "html", *flags, str(src), str(out)]) == 0
    assert (out / "_static" / "lstm-quiz.js").read_text() == (quiz.STATIC / "lstm-quiz.js").read_text()
    assert (out / "_static" / "lstm-quiz.css").is_file()
    return (out / "index.html").read_text()


@pytest.mark.parametrize("student, key", [(False, "1"), (True, "0")])
def test_pages_load_the_quiz_script_with_the_editions_key_flag(tmp_path, student, key):
    page = build(tmp_path, student)
    scripts = re.findall(r"<script[^>]*lstm-quiz\.js[^>]*>", page)
    assert len(scripts) == 1 and f'data-lstm-quiz-key="{key}"' in scripts[0]
    assert re.search(r'<link[^>]*href="_static/lstm-quiz\.css', page)
    assert 'class="quiz quiz-choice' in page
