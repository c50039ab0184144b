"""Chapters 6 and 7 in the built site: the corrected sentences stay corrected (issues 12, 17 and 18),
the new citation resolves, the prose quotes the numbers the page printed, and the instructor guide
quotes the chapters instead of typing their numbers."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from helpers_repo import HTML  # noqa: E402
from page_text import cited_titles, outputs, page, prose  # noqa: E402, F401

if not (HTML / "index.html").exists():
    pytest.fail("no built site in _build/html: run `make book` (make test builds it first)", pytrace=False)

CH6, CH7 = "notebooks/06-experiments", "notebooks/07-applications-and-next-steps"
GUIDE = "book/instructor-guide"


FIXED = {  # sentences the issues found wrong or unsupported: none may come back
    CH6: [
        "at about four times the cost per step",  # chapter 5 prints 1.8 and 2.6; only parameters are 4x
        "stands right before the blank",  # "is" is the last word
        "the failures cost the most",  # now printed: seconds of solved and unsolved runs
        "This is chapter 2's result again",  # chapter 2 has twice the budget: said why they differ
        "solves every gap from every seed",  # now: how many runs of how many seeds, glued
        "seen a hundred steps apart",  # the marked values are 1 to ~50 steps apart, measured
        "within the paper's 74,000 sequences for most seeds",  # one seed on the page
        "the task counts as solved when at most 1% of 2560 test sequences",  # the book's rule
    ],
    CH7: [
        "first added a shortcut to an LSTM translator",  # Bahdanau et al. used gated recurrent units
        "is a little cheaper per step",  # now timed
        "Both learn it; the LSTM in fewer steps",  # now glued
        "check_lstm_step(lstm_step",  # "write the LSTM step" repeated: now a GRU step
    ],
}


@pytest.mark.parametrize("name, sentence", [(n, s) for n, sentences in FIXED.items() for s in sentences])
def test_a_corrected_sentence_does_not_come_back(name, sentence):
    assert " ".join(sentence.split()) not in prose(name)


@pytest.mark.parametrize("name", [CH6, CH7, GUIDE])
def test_no_raw_glue_role(name):
    text = page(name).get_text()
    assert "{glue:" not in text and "glue:text" not in text


def test_chapter_6_states_the_papers_stopping_rule_next_to_the_books():
    text = prose(CH6)
    assert "the book's criterion, not the 1997 paper's" in text
    assert "the 2,000 most recent training sequences were all right" in text


def test_chapter_6_quotes_its_adding_run():
    out, text = outputs(CH6), prose(CH6)
    row = re.search(r"LSTM \(this page\)\s+([\d,]+)\s+(\d+)\s+(yes|no)", out)
    assert row, "the adding table is not printed"
    assert f"{row[2]} of 2560 wrong, after {row[1]} training sequences" in text
    assert row[3] == "yes" and int(row[2]) <= 3, "the page's seed no longer reaches the paper's precision"
    spread = re.search(r"marked values (\d+) to (\d+) steps apart, the later one (\d+) to (\d+) steps", out)
    assert f"marked {spread[1]} to {spread[2]} steps apart" in text
    assert f"{spread[3]} to {spread[4]} steps before the output" in text


def test_chapter_6_prints_the_sweeps_time_split_and_says_why_chapter_2_differs():
    split = re.search(r"solved: ([\d.]+) s a run; \d+ not solved: ([\d.]+) s a run", outputs(CH6))
    assert split, "the seconds of solved and unsolved runs are not printed"
    assert "the two chapters need not break at the same gap" in prose(CH6)


def test_chapter_7_cites_chung_for_gru_against_lstm_and_times_the_gru():
    assert "gated recurrent neural networks on sequence modeling" in cited_titles(CH7).lower()
    times = dict(re.findall(r"(GRU|LSTM)\s+[\d,]+ parameters,\s+([\d.]+) ms", outputs(CH7)))
    ratio = float(times["GRU"]) / float(times["LSTM"])
    quoted = re.search(r"the GRU here took ([\d.]+) times the LSTM's time", prose(CH7))
    assert quoted and abs(float(quoted[1]) - ratio) < 0.02


def test_chapter_7_asks_for_a_gru_step_checked_against_torch():
    ch7 = page(CH7)
    assert ch7.find(id="ex-ch7-gru-step") is not None and ch7.find(id="ex-lstm-step-streaming") is None
    assert "check_gru_step" in ch7.get_text()
    assert ch7.find(id="ex-ch7-gru-time-predict") is not None


def test_the_guide_quotes_the_chapters_and_names_existing_labels():
    heading = next(h for h in page(GUIDE).find_all("h2") if "Chapter 6" in h.get_text())
    section = " ".join(heading.find_parent("section").get_text().split())
    row = re.search(r"LSTM \(this page\)\s+([\d,]+)\s+(\d+)", outputs(CH6))
    assert f"here {row[2]} of 2560 wrong after {row[1]} sequences" in section
    guide = str(page(GUIDE))
    assert "ex-lstm-step-streaming" not in guide and "ex-gru-params`" not in guide
