"""Chapter 4's claims, checked with the chapter's own settings (`memory.SETTINGS`)."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import matplotlib
import pytest
import torch

matplotlib.use("Agg")

from lstm_helpers import memory, widgets  # noqa: E402

NOTEBOOK = Path(__file__).parent.parent / "notebooks" / "04-the-memory-cell.ipynb"


@pytest.fixture(scope="module", autouse=True)
def one_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # as the chapter does: small models run fastest on one core
    yield
    torch.set_num_threads(threads)


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
    slider, image = memory.forget_slider().live().children
    before = image.value
    slider.value = 4.0
    assert image.value != before


def test_the_static_slider_holds_one_frame_per_value_equal_to_draw():
    figure = memory.forget_slider()
    frames = re.findall(r'<img src="data:image/png;base64,([^"]+)" alt="([^"]+)"', figure.static_html())
    assert len(frames) == len(memory.SETTINGS.slider_biases)
    for (data, alt), value in zip(frames, figure.values):
        assert base64.b64decode(data) == widgets.render(memory.draw_forget_slider(value), figure.dpi)
        assert f"forget bias {value:g}" in alt


def test_the_write_the_step_solution_passes_the_checker(capsys):
    cells = json.loads(NOTEBOOK.read_text())["cells"]
    text = next("".join(c["source"]) for c in cells if ":::{solution} ex-lstm-step" in "".join(c["source"]))
    block = text.split(":::{solution} ex-lstm-step")[1].split("```python")[1].split("```")[0]
    namespace: dict = {}
    exec("import torch\n" + block, namespace)
    assert namespace["exercises"].check_lstm_step(namespace["lstm_step"])
    assert "right" in capsys.readouterr().out.lower()
