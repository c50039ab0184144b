"""lstm_helpers.quiz: a question's data, its HTML for the page and its cells for the slides."""

from __future__ import annotations

import json

import IPython.display
import pytest
from bs4 import BeautifulSoup

from lstm_helpers import quiz

GATE = [
    ("It is erased: the gate forgets when it is near 1", False, "The gate multiplies: near 1 keeps."),
    ("It is kept almost whole", True, "`c = f * c_prev + i * g`: 98 % passes on."),
    ("It is unchanged, whatever the input", False, "The input gate still adds `i * g`."),
]


def soup_of(data: dict) -> BeautifulSoup:
    return BeautifulSoup(quiz.html_of(data), "html.parser")


def test_choice_html_is_one_quiz_div_with_its_data_and_a_live_feedback_region():
    data = quiz.choice_data("A forget gate reads 0.98. What happens to the memory?", GATE)
    soup = soup_of(data)
    outer = [el for el in soup.find_all(recursive=False) if el.name == "div"]
    assert len(outer) == 1 and "quiz" in outer[0]["class"]
    assert json.loads(outer[0].find("script", class_="quiz-data").string) == data
    buttons = outer[0].select("button.quiz-option")
    assert [b.get_text(" ", strip=True) for b in buttons][1] == "B. It is kept almost whole"
    assert all(b["type"] == "button" and b["aria-pressed"] == "false" for b in buttons)
    feedback = outer[0].select_one(".quiz-feedback")
    assert feedback["role"] == "status" and feedback["aria-live"] == "polite"
    assert outer[0]["aria-labelledby"] == outer[0].select_one(".quiz-question")["id"]


def test_text_is_escaped_and_backticks_become_code():
    data = quiz.choice_data("Is <b>x</b> `</script>` safe?", [("yes", True, "a"), ("no", False, "b")])
    soup = soup_of(data)
    question = soup.select_one(".quiz-question")
    assert question.find("b") is None and question.code.string == "</script>"
    # the JSON survives a "</script>" inside it (written as <\/script>)
    assert json.loads(soup.find("script", class_="quiz-data").string)["question"] == data["question"]


def test_dollar_math_becomes_mathjax_delimiters_and_the_div_asks_to_be_typeset():
    soup = soup_of(quiz.choice_data("Is $f_t$ near 1?", [("yes", True, "a"), ("no", False, "b")]))
    assert soup.select_one(".quiz-question").get_text() == "Is \\(f_t\\) near 1?"
    assert "mathjax_process" in soup.select_one("div.quiz")["class"]  # myst-nb pages ignore math elsewhere


def test_the_script_is_inlined_for_jupyter_and_left_out_on_request():
    data = quiz.choice_data("q?", [("a", True, "x"), ("b", False, "y")])
    assert "window.lstmQuiz" in quiz.html_of(data)
    assert "window.lstmQuiz" not in quiz.html_of(data, inline_script=False)


@pytest.mark.parametrize(
    "options, named",
    [
        ([("a", True, "x"), ("b", True, "y")], "exactly one"),
        ([("a", False, "x"), ("b", False, "y")], "exactly one"),
        ([("a", True, "x")], "options"),
        ([("a", True, "x"), ("b", False, " ")], r"options\[1\] why"),
        ([("a", True, "x"), ("b", "no", "y")], r"options\[1\]"),
    ],
)
def test_choice_refuses_bad_options_naming_them(options, named):
    with pytest.raises(ValueError, match=named):
        quiz.choice_data("q?", options)


def test_predict_has_no_answer_until_revealed_then_exactly_the_measured_one():
    data = quiz.predict_data("At gap 50, above chance?", [("yes", "why yes"), ("no", "why no")])
    assert not data["revealed"] and not any(o["right"] for o in data["options"])
    assert quiz.answer_parts(data) == ("", "")
    by_text = quiz.revealed(data, "no", "Measured 0.26 against chance 0.25.")
    by_index = quiz.revealed(data, 1, "Measured 0.26 against chance 0.25.")
    assert by_text == by_index
    assert [o["right"] for o in by_text["options"]] == [False, True] and by_text["revealed"]
    assert quiz.answer_parts(by_text) == ("Answer: B, no", "why no Measured 0.26 against chance 0.25.")
    for bad in (2, -1, True, "maybe"):
        with pytest.raises(ValueError, match="right"):
            quiz.revealed(data, bad, "m")


def test_prediction_updates_its_own_output_when_revealed(monkeypatch):
    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda *a, **k: shown.append(("display", a, k)))
    monkeypatch.setattr(IPython.display, "update_display", lambda *a, **k: shown.append(("update", a, k)))
    q = quiz.predict("Above chance at gap 50?", [("yes", "y"), ("no", "n")])
    q.reveal(0, "Measured 0.9.")
    (first, _, k1), (second, args, k2) = shown
    assert (first, second) == ("display", "update") and k1["display_id"] == k2["display_id"]
    assert k2["metadata"][quiz.META]["options"][0]["right"] is True
    assert "Measured 0.9." in args[0]["text/html"]


def test_numeric_keeps_answer_tolerance_and_slips_and_refuses_a_slip_that_would_count_as_right():
    data = quiz.numeric_data("How many?", 4608, 0, "lstm_params", "4(H(I+H)+2H)", slips=[(4480, "one bias")])
    assert (data["answer"], data["answer_text"], data["glued"]) == (4608.0, "4,608", "lstm_params")
    assert quiz.answer_parts(data) == ("Answer: 4,608", "4(H(I+H)+2H)")
    with pytest.raises(ValueError, match=r"slips\[0\]"):
        quiz.numeric_data("q?", 0.5, 0.1, "x_value", "w", slips=[(0.55, "too close")])
    bad = [({"answer": float("nan")}, "answer"), ({"tol": -1}, "tol"), ({"glued": "Bad Name"}, "glued")]
    for kwargs, named in bad:
        args = {"question": "q?", "answer": 1.0, "tol": 0.1, "glued": "x_value", "why": "w", **kwargs}
        with pytest.raises(ValueError, match=named):
            quiz.numeric_data(**args)


def test_a_closed_form_answer_needs_no_glued_name():
    data = quiz.numeric_data("Bias for f = 0.986?", 4.3, 0.05, None, "ln(f / (1 - f))")
    assert data["glued"] is None and data["answer_text"] == "4.3"


def test_numeric_html_has_a_labelled_field_and_a_submit_button():
    soup = soup_of(quiz.numeric_data("Accuracy?", 0.26, 0.01, "rnn_acc", "measured"))
    field = soup.select_one("form.quiz-number input")
    assert soup.find("label", attrs={"for": field["id"]}) is not None
    assert soup.select_one("form.quiz-number button")["type"] == "submit"


def test_slide_cells_put_the_answer_on_the_next_fragment():
    data = quiz.choice_data("A forget gate reads 0.98?", GATE)
    (kind1, question), (kind2, answer), (kind3, notes) = quiz.slide_cells(data)
    assert (kind1, kind2, kind3) == ("slide", "fragment", "notes")
    assert "A. It is erased" in question and "B. It is kept" in question and "Answer" not in question
    assert answer == "Answer: B, It is kept almost whole"
    why = next(o["why"] for o in data["options"] if o["right"])
    assert why in notes and why not in answer  # the reason is for the lecturer to say
    unrevealed = quiz.predict_data("Above chance?", [("yes", "y"), ("no", "n")])
    assert [kind for kind, _ in quiz.slide_cells(unrevealed)] == ["slide", "notes"]


def test_plain_text_lists_the_options_by_letter():
    text = quiz.text_of(quiz.choice_data("A forget gate reads 0.98?", GATE))
    assert text.splitlines()[2] == "  B. It is kept almost whole"
