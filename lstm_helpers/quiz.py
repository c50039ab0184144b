"""Questions with instant feedback, written once in a notebook cell and shown wherever the book is read.

Three kinds, each one call in a code cell (tagged `remove-input`, so the page shows the question only):

    quiz.choice(question, [(text, right, why), ...])      multiple choice; every option says why
    quiz.numeric(question, answer, tol, glued=name, ...)   a number, right within `tol`; `answer` is the
                                                            value the page glues under `name` (None:
                                                            a closed form, an exercise's answer)
    q = quiz.predict(question, [(text, why), ...])         asked before the cell that measures it;
    q.reveal(right, measured)                               after it: the measurement picks the answer

Each call displays one output with three forms of the same data:
- text/html: a <div class="quiz"> with the question, its data as JSON and a script (static/lstm-quiz.js,
  inlined) that gives instant feedback in Jupyter, JupyterLab and Colab. On the website the book's
  extension (book/_ext/quiz.py) ships the same script and CSS; nothing is fetched.
- text/plain: the question and its options, for a terminal;
and the data itself in the output's metadata (key "lstm_quiz"), for the slides (a clicker question, the
answer on the next fragment: `slide_cells`) and for tests (a custom mime type would make myst-nb warn).
`predict` updates its own output when `reveal` runs (an IPython display id), so the executed notebook
(and so the page) holds the measured answer in the question that asked for a prediction.
"""

from __future__ import annotations

import hashlib
import html
import json
import math
import re
from functools import cache
from pathlib import Path
from typing import Any

META = "lstm_quiz"  # the output metadata key that holds the data
STATIC = Path(__file__).resolve().parent / "static"
LETTERS = "ABCDEFGHIJ"
KINDS = {"choice": "multiple choice", "predict": "predict, then look", "numeric": "type a number"}
CODE = re.compile(r"`([^`]+)`")
MATH = re.compile(r"\$([^$\n]+?)\$")


@cache
def _asset(name: str) -> str:
    return (STATIC / name).read_text(encoding="utf-8")


def _text(value: object, name: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{name}: give a non-empty string, got {value!r}")
    return value.strip()


def _inline(text: str) -> str:
    """Escaped HTML; `code` in backticks becomes <code>; $...$ becomes \\(...\\), which MathJax typesets
    on the site (its default delimiters)."""
    escaped = CODE.sub(lambda m: f"<code>{m.group(1)}</code>", html.escape(text, quote=False))
    return MATH.sub(lambda m: f"\\({m.group(1)}\\)", escaped)


def _plain(text: str) -> str:
    return CODE.sub(lambda m: m.group(1), text)


def _number_text(value: float) -> str:
    return f"{int(value):,}" if float(value).is_integer() and abs(value) < 1e15 else f"{value:.4g}"


def _options(options: list, form: str, fields: tuple[str, ...]) -> list[dict[str, Any]]:
    """`options` checked as 2 to len(LETTERS) tuples in `form`, as dicts of their `fields` (texts
    checked, "right" kept as given)."""
    if not isinstance(options, (list, tuple)) or not 2 <= len(options) <= len(LETTERS):
        raise ValueError(f"options: give 2 to {len(LETTERS)} {form} tuples, got {options!r}")
    parsed = []
    for k, option in enumerate(options):
        if not isinstance(option, (list, tuple)) or len(option) != len(fields):
            raise ValueError(f"options[{k}]: give {form}, got {option!r}")
        parsed.append({name: value if name == "right" else _text(value, f"options[{k}] {name}")
                       for name, value in zip(fields, option)})  # fmt: skip
    return parsed


def choice_data(question: str, options: list) -> dict[str, Any]:
    """The data of a multiple-choice question; `options` are (text, right, why) with exactly one right."""
    question = _text(question, "question")
    parsed = _options(options, "(text, right, why)", ("text", "right", "why"))
    for k, option in enumerate(parsed):
        if not isinstance(option["right"], bool):
            raise ValueError(f"options[{k}]: right must be True or False, got {option['right']!r}")
    rights = sum(o["right"] for o in parsed)
    if rights != 1:
        raise ValueError(f"options: exactly one option must be right (True), got {rights}")
    return {"kind": "choice", "question": question, "options": parsed}


def predict_data(question: str, options: list) -> dict[str, Any]:
    """The data of a prediction before the measurement: (text, why) options, none marked right yet."""
    question = _text(question, "question")
    parsed = [{**o, "right": False} for o in _options(options, "(text, why)", ("text", "why"))]
    return {"kind": "predict", "question": question, "options": parsed, "revealed": False, "measured": ""}


def revealed(data: dict[str, Any], right: int | str, measured: str) -> dict[str, Any]:
    """`data` of a prediction with the option the measurement picked (its index or its text) marked right."""
    texts = [o["text"] for o in data["options"]]
    if isinstance(right, str):
        if right not in texts:
            raise ValueError(f"right: one of the options {texts}, got {right!r}")
        right = texts.index(right)
    if isinstance(right, bool) or not isinstance(right, int) or not 0 <= right < len(texts):
        raise ValueError(f"right: an option's index 0..{len(texts) - 1} or its text, got {right!r}")
    options = [{**o, "right": k == right} for k, o in enumerate(data["options"])]
    return {**data, "options": options, "revealed": True, "measured": _text(measured, "measured")}


def numeric_data(
    question: str,
    answer: float,
    tol: float,
    glued: str | None,
    why: str,
    hint: str = "",
    slips: list | None = None,
) -> dict[str, Any]:
    """The data of a numeric question: right when |typed - answer| <= tol; `slips` are (value, why)
    pairs that a known mistake gives, named when typed. `glued`: the name the page glues `answer`
    under (a measurement), or None for a closed form the cell computes (an exercise's answer)."""
    question, why = _text(question, "question"), _text(why, "why")
    number = isinstance(answer, (int, float)) and not isinstance(answer, bool)
    if not number or not math.isfinite(answer):
        raise ValueError(f"answer: a finite number (the glued value), got {answer!r}")
    if not isinstance(tol, (int, float)) or isinstance(tol, bool) or not math.isfinite(tol) or tol < 0:
        raise ValueError(f"tol: a finite number >= 0, got {tol!r}")
    if glued is not None and (not isinstance(glued, str) or not re.fullmatch(r"[a-z][a-z0-9_]*", glued)):
        raise ValueError(f"glued: the snake_case name the page glues the answer under, got {glued!r}")
    parsed = []
    for k, slip in enumerate(slips or []):
        if not isinstance(slip, (list, tuple)) or len(slip) != 2 or not isinstance(slip[0], (int, float)):
            raise ValueError(f"slips[{k}]: give (value, why), got {slip!r}")
        if abs(slip[0] - answer) <= tol:
            raise ValueError(f"slips[{k}]: {slip[0]} is within tol of the answer {answer}: it is right")
        parsed.append({"value": float(slip[0]), "why": _text(slip[1], f"slips[{k}] why")})
    return {
        "kind": "numeric", "question": question, "answer": float(answer), "tol": float(tol),
        "answer_text": _number_text(float(answer)), "tol_text": _number_text(float(tol)),
        "glued": glued, "why": why, "hint": hint.strip(), "slips": parsed,
    }  # fmt: skip


def question_id(data: dict[str, Any]) -> str:
    """A stable id for the question's elements: a hash of its kind and text."""
    return "quiz-" + hashlib.sha1(f"{data['kind']}:{data['question']}".encode()).hexdigest()[:10]


def html_of(data: dict[str, Any], inline_script: bool = True) -> str:
    """The question as HTML: <div class="quiz">, its JSON data, and (`inline_script`) the script and CSS
    that answer it where the book's site is not around it (Jupyter, Colab)."""
    qid = question_id(data)
    payload = json.dumps(data, ensure_ascii=False).replace("</", "<\\/")
    parts = [
        # mathjax_process: the site's MathJax skips notebook pages except where asked (myst-nb)
        f'<div class="quiz quiz-{data["kind"]} mathjax_process" id="{qid}" role="group"'
        f' aria-labelledby="{qid}-q">',
        f'<script type="application/json" class="quiz-data">{payload}</script>',
        f'<p class="quiz-title"><span class="quiz-number-label"></span>Check yourself'
        f'<span class="quiz-kind">: {KINDS[data["kind"]]}</span></p>',
        f'<p class="quiz-question" id="{qid}-q">{_inline(data["question"])}</p>',
    ]
    if data["kind"] == "numeric":
        parts.append(
            f'<form class="quiz-number" action="#"><label for="{qid}-in">Your answer</label>'
            f'<input id="{qid}-in" type="text" inputmode="decimal" autocomplete="off" spellcheck="false">'
            f'<button type="submit">Check</button></form>'
        )
    else:
        parts.append('<div class="quiz-options">')
        for k, option in enumerate(data["options"]):
            parts.append(
                f'<button type="button" class="quiz-option" aria-pressed="false">'
                f'<span class="quiz-letter">{LETTERS[k]}.</span>{_inline(option["text"])}</button>'
            )
        parts.append("</div>")
    parts.append('<p class="quiz-feedback" role="status" aria-live="polite"></p>')
    parts.append("</div>")
    if inline_script:
        css = json.dumps(_asset("lstm-quiz.css")).replace("</", "<\\/")
        parts.append(
            f"<script>{_asset('lstm-quiz.js')}\n;window.lstmQuiz.addStyle({css});"
            "(function (s) { var q = s && s.previousElementSibling;"
            " if (q) window.lstmQuiz.init(q); else window.lstmQuiz.initAll(); })"
            "(document.currentScript);</script>"
        )
    return "\n".join(parts)


def text_of(data: dict[str, Any]) -> str:
    """The question as plain text: the question, then lettered options or 'Answer: a number'."""
    lines = [f"Check yourself ({KINDS[data['kind']]}): {_plain(data['question'])}"]
    if data["kind"] == "numeric":
        lines.append("Answer: a number")
    else:
        lines += [f"  {LETTERS[k]}. {_plain(o['text'])}" for k, o in enumerate(data["options"])]
    return "\n".join(lines)


def answer_parts(data: dict[str, Any]) -> tuple[str, str]:
    """(the answer, why) in markdown: the slides show the answer on the next fragment and put the
    reason in the speaker notes; ("", "") for a prediction not yet measured."""
    if data["kind"] == "numeric":
        within = f" (within {data['tol_text']})" if data["tol"] else ""
        return f"Answer: {data['answer_text']}{within}", data["why"]
    right = [k for k, o in enumerate(data["options"]) if o["right"]]
    if not right:
        return "", ""
    option = data["options"][right[0]]
    measured = f" {data['measured']}" if data.get("measured") else ""
    return f"Answer: {LETTERS[right[0]]}, {option['text']}", f"{option['why']}{measured}"


def bundle(data: dict[str, Any]) -> dict[str, Any]:
    """The display data of a question: HTML and plain text."""
    return {"text/html": html_of(data), "text/plain": text_of(data)}


def _show(data: dict[str, Any], display_id: str | None = None, update: bool = False) -> None:
    from IPython.display import display, update_display

    if update:
        update_display(bundle(data), raw=True, metadata={META: data}, display_id=display_id)
    else:
        display(bundle(data), raw=True, metadata={META: data}, display_id=display_id)


def choice(question: str, options: list) -> None:
    """Show a multiple-choice question; `options` are (text, right, why): one right, each with why."""
    _show(choice_data(question, options))


def numeric(question: str, answer: float, tol: float, glued: str | None, why: str, hint: str = "",
            slips: list | None = None) -> None:
    """Show a numeric question whose right answer is `answer` (the value glued as `glued`, or None for a
    closed form) within `tol`."""
    _show(numeric_data(question, answer, tol, glued, why, hint, slips))


class Prediction:
    """A question shown before its measurement; `reveal` marks the option the measurement picked."""

    def __init__(self, question: str, options: list):
        self.data = predict_data(question, options)
        self.display_id = question_id(self.data) + "-display"
        _show(self.data, self.display_id)

    def reveal(self, right: int | str, measured: str) -> None:
        """Mark option `right` (index or text) as the measured answer; `measured` says what was measured."""
        self.data = revealed(self.data, right, measured)
        _show(self.data, self.display_id, update=True)


def predict(question: str, options: list) -> Prediction:
    """Show a prediction question; options are (text, why); call `.reveal(...)` after the measurement."""
    return Prediction(question, options)


def slide_cells(data: dict[str, Any]) -> list[tuple[str, str]]:
    """The question as a clicker slide: [(slide_type, markdown)], the question on a new slide, the
    answer alone on the next fragment (short enough to read from the back row), and the reason in
    the speaker notes, with the prompt to take a vote first."""
    question = [f"**Check yourself** ({KINDS[data['kind']]})", "", data["question"], ""]
    if data["kind"] == "numeric":
        question.append("Your answer: ____")
    else:
        question += [f"{LETTERS[k]}. {o['text']}  " for k, o in enumerate(data["options"])]
    answer, why = answer_parts(data)
    if not answer:  # a prediction not yet measured: nothing to reveal
        return [("slide", "\n".join(question)),
                ("notes", "Take a vote and write the counts down: the page measures it next.")]  # fmt: skip
    return [("slide", "\n".join(question)), ("fragment", answer),
            ("notes", f"Take a vote (hands or letters) before revealing the answer. Why: {why}")]  # fmt: skip
