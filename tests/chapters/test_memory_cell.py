"""Chapter 4's claims, checked with the chapter's own settings (`memory_cell.SETTINGS`)."""

from __future__ import annotations

import dataclasses

import matplotlib
import pytest

matplotlib.use("Agg")

from slider_asserts import assert_live_slider_redraws, assert_static_frames_equal_draw  # noqa: E402

from lstm_helpers import tasks, train  # noqa: E402
from lstm_helpers.chapters import memory_cell as memory  # noqa: E402


@pytest.fixture(scope="module", autouse=True)
def one_thread():
    with train.one_thread():  # as the chapter does: small models run fastest on one core
        yield


@pytest.fixture(scope="module")
def trained(one_thread):
    model, history = memory.train_lstm()
    return model, history


def test_the_lstm_solves_the_long_gap(trained):
    _, history = trained
    assert history.final >= 0.95


def test_one_cell_unit_separates_a_country_across_the_whole_gap(trained):
    data, run = memory.probe(trained[0])
    scores = memory.country_units(run, data)
    assert scores.shape == (memory.SETTINGS.hidden_size, 4)
    assert scores.max() >= 0.95


def test_the_gradient_along_c_beats_the_rnn_along_h_by_100_at_lag_50(trained):
    lstm_grad, rnn_grad = memory.lstm_and_rnn_jacobians(trained[0])
    lag = memory.SETTINGS.lag
    assert lag == 50
    assert lstm_grad[lag] >= 100 * rnn_grad[lag]


def test_a_default_forget_gate_forgets_and_a_high_one_keeps():
    default, high = memory.retention(None), memory.retention(4.0)
    assert default["over_gap"] < 1e-6 < 0.1 < high["over_gap"]
    assert default["gradient"][50] < 1e-6 < 0.1 < high["gradient"][50]


def test_moving_the_forget_slider_changes_the_picture():
    assert_live_slider_redraws(memory.forget_slider(), 4.0, memory.draw_forget_slider)


def test_the_static_slider_holds_one_frame_per_value_equal_to_draw():
    figure = memory.forget_slider()
    alts = assert_static_frames_equal_draw(figure, memory.draw_forget_slider)
    assert all(f"forget bias {value:g}" in alt for alt, value in zip(alts, figure.values))


def test_country_positions_come_from_the_data_whatever_the_head_words():
    data = tasks.fluent_sentences(3, gap=4, seed=0, head="when young i grew up in")
    x = memory.with_each_country(data, 1)  # sentence 1 once per country
    clue = data.info["clue"]
    assert clue == 6
    assert [data.vocab.words[int(k)] for k in x[clue]] == list(tasks.COUNTRIES[:4])
    others = [t for t in range(x.shape[0]) if t != clue]
    assert (x[others] == data.x[others, 1:2]).all()  # every other word is left as it was


def test_retention_follows_a_changed_setting():
    short = dataclasses.replace(memory.SETTINGS, gap=10)
    # fewer steps to survive: more of the memory is kept
    assert memory.retention(4.0, short)["over_gap"] > memory.retention(4.0)["over_gap"]
