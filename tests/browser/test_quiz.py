"""The questions (lstm_helpers.quiz) answered in the browser on the built site: wrong, then right, by
mouse and by keyboard, with the feedback read from the page and from its ARIA live region.

One question of each kind is taken from the built pages (the first found), so the test follows the
book: the expected feedback is the question's own data, read from the page.
"""

from __future__ import annotations

import json
import re

import pytest
from browser_site import SITE, html_of, open_page, pages
from bs4 import BeautifulSoup

KINDS = ("choice", "predict", "numeric")


def first_question_of_each_kind() -> dict[str, tuple[str, str, dict]]:
    """{kind: (page, element id, data)} for the first question of each kind in the built site."""
    found = {}
    for page in pages() if SITE.is_dir() else []:
        for div in BeautifulSoup(html_of(page), "html.parser").select("div.quiz"):
            data = json.loads(div.find("script", class_="quiz-data").string)
            found.setdefault(data["kind"], (page, div["id"], data))
    return found


FOUND = first_question_of_each_kind()


def question(kind: str) -> tuple[str, str, dict]:
    if kind not in FOUND:
        pytest.fail(f"no question of kind {kind!r} on any page of {SITE}")
    return FOUND[kind]


def feedback(tab, qid: str) -> tuple[str, str]:
    """The feedback as shown, and as the question's ARIA live region (role=status) exposes it."""
    shown = tab.locator(f"#{qid} .quiz-feedback").inner_text()
    announced = tab.locator(f"#{qid}").get_by_role("status").text_content()
    live = tab.locator(f"#{qid} .quiz-feedback").get_attribute("aria-live")
    assert live == "polite", f"the feedback of {qid} is not a polite live region"
    return shown.strip(), announced.strip()


def expect(tab, qid: str, right: bool, why: str) -> None:
    """The feedback starts with its verdict and gives `why`, on screen and in the live region. MathJax
    typesets $math$ in its own way, so only the words around the math are compared."""
    shown, announced = feedback(tab, qid)
    start = "\u2713 Right." if right else "\u2717 Not quite."
    for said in (shown, announced):
        assert said.startswith(start), f"{qid}: expected {start!r}, the page says {said!r}"
        for words in re.split(r"\$[^$]+\$", why):
            assert words.strip() in said, f"{qid}: the feedback {said!r} does not give its reason {why!r}"


def plain(text: str) -> str:
    return re.sub(r"`([^`]+)`", r"\1", text)


def check_clean(visit) -> None:
    assert not visit.outside, f"requests outside 127.0.0.1: {visit.outside}"
    assert not visit.console_errors, f"console errors: {visit.console_errors}"


@pytest.mark.parametrize("kind", ["choice", "predict"])
@pytest.mark.parametrize("device", ["mouse", "keyboard"])
def test_an_option_question_answered_wrong_then_right(context, base_url, kind, device):
    page, qid, data = question(kind)
    assert all("right" in o for o in data["options"]) and sum(o["right"] for o in data["options"]) == 1, (
        f"{qid} on {page}: no single measured answer (a prediction never revealed?)"
    )
    right = next(k for k, o in enumerate(data["options"]) if o["right"])
    wrong = next(k for k, o in enumerate(data["options"]) if not o["right"])
    tab, visit = open_page(context, base_url, page)
    try:
        buttons = tab.locator(f"#{qid} button.quiz-option")
        for k in (wrong, right):
            if device == "mouse":
                buttons.nth(k).click()
            else:
                buttons.nth(0).focus()
                for _ in range(k):
                    tab.keyboard.press("Tab")
                assert tab.evaluate("document.activeElement.closest('.quiz') !== null")
                tab.keyboard.press("Enter" if k == wrong else "Space")
            option = data["options"][k]
            expect(tab, qid, option["right"], plain(option["why"]))
            assert buttons.nth(k).get_attribute("aria-pressed") == "true"
        check_clean(visit)
    finally:
        tab.close()


@pytest.mark.parametrize("device", ["mouse", "keyboard"])
def test_a_numeric_question_answered_wrong_then_right(context, base_url, device):
    page, qid, data = question("numeric")
    too_high = data["answer"] + 10 * data["tol"] + 10 * abs(data["answer"]) + 1
    tab, visit = open_page(context, base_url, page)
    try:
        field = tab.locator(f"#{qid} form.quiz-number input")
        tries = [("not a number", False, "Type a number"), (f"{too_high:g}", False, "too high"),
                 (repr(data["answer"]), True, plain(data["why"]))]  # fmt: skip
        for typed, right, why in tries:
            field.fill("")
            if device == "mouse":
                field.click()
                field.type(typed)
                tab.locator(f"#{qid} form.quiz-number button").click()
            else:
                field.focus()
                tab.keyboard.type(typed)
                tab.keyboard.press("Enter")
            expect(tab, qid, right, why)
        for slip in data["slips"]:
            field.fill(f"{slip['value']:g}")
            field.press("Enter")
            expect(tab, qid, False, plain(slip["why"]))
        check_clean(visit)
    finally:
        tab.close()


# A notebook's output as Jupyter shows it, without the book around it: parsed with the page (classic
# Notebook, Colab's output frame), or JupyterLab's way: set as innerHTML of a detached node whose
# scripts are then replaced by fresh copies, and attached afterwards.
JUPYTERLAB = """(outputs) => {
  for (const html of outputs) {
    const host = document.createElement('div');
    host.innerHTML = html;
    host.querySelectorAll('script').forEach(old => {
      const fresh = document.createElement('script');
      for (const a of old.attributes) fresh.setAttribute(a.name, a.value);
      fresh.textContent = old.textContent;
      old.replaceWith(fresh);
    });
    document.body.appendChild(host);
  }
}"""


@pytest.mark.parametrize("how", ["parsed", "jupyterlab"])
def test_a_cell_output_answers_without_the_site(context, tmp_path, how):
    from browser_site import serve

    from lstm_helpers import quiz

    gate = quiz.choice_data("A forget gate reads 0.98?", [
        ("It is erased", False, "The gate multiplies: near 1 keeps."),
        ("It is kept", True, "98 % passes on."),
    ])  # fmt: skip
    number = quiz.numeric_data("Parameters?", 4608, 0, "lstm_params", "4(H(I+H)+2H).")
    outputs = [quiz.html_of(gate), quiz.html_of(number)]
    body = "" if how == "jupyterlab" else "\n".join(outputs)
    page = f"<!doctype html><html><head><title>t</title></head><body>{body}</body></html>"
    (tmp_path / "out.html").write_text(page)
    with serve(tmp_path) as base:
        tab, visit = open_page(context, base, "out.html", site=tmp_path)
        try:
            if how == "jupyterlab":
                tab.evaluate(JUPYTERLAB, outputs)
            gid, nid = quiz.question_id(gate), quiz.question_id(number)
            tab.locator(f"#{gid} button.quiz-option").nth(0).click()
            expect(tab, gid, False, "The gate multiplies")
            tab.locator(f"#{gid} button.quiz-option").nth(1).focus()
            tab.keyboard.press("Enter")
            expect(tab, gid, True, "98 % passes on.")
            for typed, right in (("4,6", False), ("4,608", True), ("4608", True), ("4 608", True)):
                tab.locator(f"#{nid} input").fill(typed)  # 4,6 is 4.6: a decimal comma; 4,608 thousands
                tab.locator(f"#{nid} input").press("Enter")
                expect(tab, nid, right, "4(H(I+H)+2H)." if right else "too low")
            assert tab.evaluate("document.querySelectorAll('#lstm-quiz-style').length") == 1
            check_clean(visit)
        finally:
            tab.close()
