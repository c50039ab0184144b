"""SliderFigure: the live slider redraws, the static form carries one frame per value, equal to draw."""

from __future__ import annotations

import base64
import re

import matplotlib
import pytest

matplotlib.use("Agg")

from lstm_helpers import plots, widgets  # noqa: E402

calls: list[float] = []


def draw(value: float):
    calls.append(value)
    fig, ax = plots.new_figure()
    ax.plot([0, 1], [0, value])
    ax.set_title(f"slope {value}")
    return fig


@pytest.fixture
def figure():
    calls.clear()
    return widgets.SliderFigure(draw, [0.5, 1.0, 2.0], "slope", alt="a line of slope {value}")


def test_moving_the_live_slider_changes_the_picture(figure):
    slider, image = figure.live().children
    before = image.value
    slider.value = 2.0
    assert image.value != before
    assert image.value == widgets.render(draw(2.0))


def test_each_value_is_drawn_once_per_session(figure):
    slider, _ = figure.live().children
    for value in (1.0, 0.5, 1.0, 2.0, 0.5):
        slider.value = value
    assert sorted(calls) == [0.5, 1.0, 2.0]


def test_static_form_holds_one_frame_per_value_equal_to_draw(figure):
    page = figure.static_html()
    frames = re.findall(r'<img src="data:image/png;base64,([^"]+)" alt="([^"]+)"', page)
    assert len(frames) == 3
    for (data, alt), value in zip(frames, figure.values):
        assert base64.b64decode(data) == widgets.render(draw(value))
        assert alt == f"a line of slope {value}"
    assert 'type="range"' in page and 'max="2"' in page and "oninput=" in page


def test_static_form_shows_only_the_start_frame():
    fig = widgets.SliderFigure(draw, [1, 2, 3], "x", alt="frame {value}", start=2)
    shown = re.findall(r'<img [^>]*style="max-width:100%;"', fig.static_html())
    assert len(shown) == 1 and 'data-value="2"' in shown[0]


def test_display_is_static_in_the_book_build(monkeypatch, figure):
    monkeypatch.setenv("LSTM_BOOK_STATIC", "1")
    assert widgets.is_static()
    monkeypatch.setenv("LSTM_BOOK_STATIC", "0")
    assert not widgets.is_static()


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="values must hold at least one"):
        widgets.SliderFigure(draw, [], "x", alt="")
    with pytest.raises(ValueError, match="start must be one of"):
        widgets.SliderFigure(draw, [1, 2], "x", alt="", start=5)
    with pytest.raises(TypeError, match="draw must be a function"):
        widgets.SliderFigure(None, [1], "x", alt="")
    with pytest.raises(ValueError, match="value must be one of"):
        widgets.SliderFigure(draw, [1, 2], "x", alt="").frame(3)
