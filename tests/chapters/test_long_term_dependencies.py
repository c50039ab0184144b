"""Chapter 2: the dependency-gap slider works without a browser, and the chapter's claims hold.

The notebook calls `lstm_helpers.chapters.long_term_dependencies` with its `SETTINGS`; so does
this test, so the claims are checked against the same (cached) training runs the page shows.
"""

from __future__ import annotations

import dataclasses
import math

import pytest
from slider_asserts import assert_live_slider_redraws, assert_static_frames_equal_draw

from lstm_helpers import widgets
from lstm_helpers.chapters import long_term_dependencies as ch2

S = ch2.SETTINGS


@pytest.fixture(scope="module")
def slider():
    return widgets.SliderFigure(ch2.draw_gap, S.gaps, "gap", alt="gap {value}")


def test_moving_the_live_slider_changes_the_picture(slider):
    assert_live_slider_redraws(slider, S.long_gap, ch2.draw_gap)


def test_static_form_holds_one_frame_per_gap_equal_to_draw(slider):
    assert_static_frames_equal_draw(slider, ch2.draw_gap)


def test_short_gap_is_learned_and_long_gap_is_at_chance():
    _, short = ch2.train_rnn(S.short_gap)
    _, long = ch2.train_rnn(S.long_gap)
    assert short.solved and short.final >= 0.99
    assert not long.solved and abs(long.final - S.chance) < 0.06
    assert abs(sum(long.loss[-50:]) / 50 - math.log(S.n_countries)) < 0.02  # a uniform guess


def test_the_curve_drops_from_solved_to_chance():
    accuracy = ch2.accuracy_by_gap()
    assert list(accuracy) == list(S.gaps)
    solved = [gap for gap, acc in accuracy.items() if acc > 0.9]
    at_chance = [gap for gap, acc in accuracy.items() if acc < 0.3]
    assert solved and at_chance and max(solved) < min(at_chance)


def test_a_changed_setting_trains_again_instead_of_returning_the_cached_model():
    _, default = ch2.train_rnn(S.short_gap)
    fewer = dataclasses.replace(S, steps=3, eval_every=1)
    _, short_budget = ch2.train_rnn(S.short_gap, fewer)
    assert len(short_budget.loss) == 3 and len(default.loss) > 3
    assert ch2.train_rnn(S.short_gap, fewer)[1] is short_budget  # and that run is cached in turn


def test_the_running_example_is_india():
    data = ch2.example(S.long_gap)
    assert data.sentence(0).startswith("i grew up in india") and data.sentence(0).endswith("-> hindi")
    assert data.x.shape[0] - 1 - data.info["clue"] == data.info["lag"] == S.long_gap + 3
