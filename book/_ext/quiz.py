"""Sphinx extension: ships the questions' script and style (lstm_helpers/static) with every page.

A question is a notebook cell's output (lstm_helpers.quiz): a <div class="quiz"> with its data.
This extension adds lstm_helpers/static to the static files and links lstm-quiz.js and lstm-quiz.css
in every page, so the site answers the questions with no kernel and no network. The script tag says
whether this build prints an answer key at the end of each chapter (data-lstm-quiz-key): yes for the
book and its PDF, no for the student edition (`lstm_book_drop_solutions = True`, set by
tools/bookconfig.py), whose questions still give instant feedback.
"""

from __future__ import annotations

from pathlib import Path

STATIC = Path(__file__).resolve().parents[2] / "lstm_helpers" / "static"
SCRIPT, STYLE = "lstm-quiz.js", "lstm-quiz.css"


def with_key(config) -> bool:
    """True when this build prints the answer key (every build but the student edition)."""
    return not getattr(config, "lstm_book_drop_solutions", False)


def _on_config_inited(app, config) -> None:
    if str(STATIC) not in [str(p) for p in config.html_static_path]:
        config.html_static_path.append(str(STATIC))


def _on_builder_inited(app) -> None:
    app.add_css_file(STYLE)
    app.add_js_file(SCRIPT, **{"data-lstm-quiz-key": "1" if with_key(app.config) else "0"})


def setup(app):
    app.connect("config-inited", _on_config_inited)
    app.connect("builder-inited", _on_builder_inited)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
