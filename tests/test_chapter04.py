"""Chapter 4's claims, checked with the chapter's own settings (`memory.SETTINGS`)."""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

from slider_checks import assert_live_slider_redraws, assert_static_frames_equal_draw  # noqa: E402

from lstm_helpers import memory, train  # noqa: E402

NOTEBOOK = Path(__file__).parent.parent / "notebooks" / "04-the-memory-cell.ipynb"


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


def test_the_write_the_step_solution_passes_the_checker(capsys):
    cells = json.loads(NOTEBOOK.read_text())["cells"]
    text = next("".join(c["source"]) for c in cells if ":::{solution} ex-lstm-step" in "".join(c["source"]))
    block = text.split(":::{solution} ex-lstm-step")[1].split("```python")[1].split("```")[0]
    namespace: dict = {}
    exec("import torch\n" + block, namespace)
    assert namespace["exercises"].check_lstm_step(namespace["lstm_step"])
    assert "right" in capsys.readouterr().out.lower()
