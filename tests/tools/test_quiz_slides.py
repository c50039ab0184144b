"""tools/slides.py on a question's cell: a clicker question, the answer on the next fragment."""

from __future__ import annotations

import nbformat
from bs4 import BeautifulSoup
from slides import exporter, quiz_cells

from lstm_helpers import quiz


def question_cell(data: dict):
    cell = nbformat.v4.new_code_cell("quiz.choice(...)", metadata={"tags": ["remove-input"]})
    output = nbformat.v4.new_output("display_data", data=quiz.bundle(data), metadata={quiz.META: data})
    cell.outputs = [output]
    return cell


GATE = quiz.choice_data(
    "A forget gate reads 0.98. What happens to the memory?",
    [("It is erased", False, "The gate multiplies."), ("It is kept", True, "98 % passes on.")],
)


def test_a_question_cell_becomes_a_slide_an_answer_fragment_and_notes():
    slide, answer, notes = quiz_cells(question_cell(GATE))
    assert (slide.cell_type, slide.metadata["slideshow"]["slide_type"]) == ("markdown", "slide")
    assert "A. It is erased" in slide.source and "B. It is kept" in slide.source
    assert answer.metadata["slideshow"]["slide_type"] == "fragment"
    assert answer.source == "Answer: B, It is kept"
    assert notes.metadata["slideshow"]["slide_type"] == "notes" and "98 % passes on." in notes.source


def test_other_cells_pass_unchanged():
    plot = nbformat.v4.new_code_cell("plot()")
    plot.outputs = [nbformat.v4.new_output("display_data", data={"text/plain": "<Figure>"})]
    assert quiz_cells(plot) == [plot]


def test_the_deck_shows_the_answer_only_on_a_fragment():
    nb = nbformat.v4.new_notebook()
    nb.cells = quiz_cells(question_cell(GATE))
    body, _ = exporter().from_notebook_node(nb)
    soup = BeautifulSoup(body, "html.parser")
    fragments = soup.select(".fragment")
    assert len(fragments) == 1 and "Answer: B" in fragments[0].get_text()
    assert "window.lstmQuiz" not in body  # no interactive copy in the deck
    question = soup.find(string=lambda s: s and "What happens to the memory?" in s)
    assert question is not None and question.find_parent(class_="fragment") is None


def test_a_question_cell_marked_skip_stays_out_of_the_deck():
    cell = question_cell(GATE)
    cell.metadata["slideshow"] = {"slide_type": "skip"}  # an exercise's check: exercises are not in the decks
    assert quiz_cells(cell) == [cell]
