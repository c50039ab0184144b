"""Chapter 2: the dependency-gap slider works without a browser, and the chapter's claims hold.

The notebook calls `lstm_helpers.experiments` with its constants; so does this test, so the
claims are checked against the same (cached) training runs the page shows.
"""

from __future__ import annotations

import matplotlib
import pytest
from helpers_repo import ROOT, notebook, source
from slider_checks import assert_live_slider_redraws, assert_static_frames_equal_draw

matplotlib.use("Agg")

from lstm_helpers import experiments, widgets  # noqa: E402

NOTEBOOK = ROOT / "notebooks" / "02-long-term-dependencies.ipynb"


@pytest.fixture(scope="module")
def slider():
    return widgets.SliderFigure(experiments.draw_gap, experiments.GAPS, "gap", alt="gap {value}")


def test_the_notebook_shows_this_slider_with_the_shared_settings():
    text = "\n".join(source(c) for c in notebook(NOTEBOOK)["cells"])
    assert "widgets.SliderFigure(\n    experiments.draw_gap, experiments.GAPS" in text
    assert any("chapter-settings" in c["metadata"].get("tags", []) for c in notebook(NOTEBOOK)["cells"])


def test_moving_the_live_slider_changes_the_picture(slider):
    assert_live_slider_redraws(slider, experiments.LONG_GAP, experiments.draw_gap)


def test_static_form_holds_one_frame_per_gap_equal_to_draw(slider):
    assert_static_frames_equal_draw(slider, experiments.draw_gap)


def test_short_gap_is_learned_and_long_gap_is_at_chance():
    _, short = experiments.train_rnn(experiments.SHORT_GAP)
    _, long = experiments.train_rnn(experiments.LONG_GAP)
    assert short.solved and short.final >= 0.99
    assert not long.solved and abs(long.final - experiments.CHANCE) < 0.06
    assert abs(sum(long.loss[-50:]) / 50 - 1.386) < 0.02  # the loss of a uniform guess, ln 4


def test_the_curve_drops_from_solved_to_chance():
    accuracy = experiments.accuracy_by_gap()
    assert list(accuracy) == list(experiments.GAPS)
    solved = [gap for gap, acc in accuracy.items() if acc > 0.9]
    at_chance = [gap for gap, acc in accuracy.items() if acc < 0.3]
    assert solved and at_chance and max(solved) < min(at_chance)
