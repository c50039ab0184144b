"""SliderFigure: the live slider redraws, the static form carries one frame per value, equal to draw."""

from __future__ import annotations

import base64
import re

import pytest

from lstm_helpers import plots, widgets

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
    shown = re.findall(r'<img [^>]*style="max-width:100%;height:auto;"', fig.static_html())
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


def test_frames_have_twice_the_pixels_and_show_at_the_nominal_size(figure):
    """A frame drawn at dpi 80 of a 7 x 3.6 inch figure is 1120 x 576 pixels, shown at 560 x 288."""
    png = figure.frame(1.0)
    width, height = plots.STYLE["figure.figsize"]
    assert widgets.png_size(png) == (round(width * 80 * 2), round(height * 80 * 2))
    assert 'width="560" height="288"' in figure.static_html()


def test_printed_grid_spreads_its_frames_from_first_to_last():
    assert widgets.printed_indices(3) == [0, 1, 2]
    assert widgets.printed_indices(6) == list(range(6))
    assert widgets.printed_indices(8) == [0, 1, 3, 4, 6, 7]
    assert widgets.printed_indices(7, most=4) == [0, 2, 4, 6]


def test_printed_frames_are_marked_and_captioned_with_their_value():
    values = [1, 2, 3, 4, 5, 6, 7, 8]
    fig = widgets.SliderFigure(draw, values, "slope", alt="a line of slope {value}")
    frame = re.compile(r'<figure class="lstm-frame( lstm-print)?"[^>]*>.*?<figcaption[^>]*>(.*?)</fig', re.S)
    figures = frame.findall(fig.static_html())
    assert [caption for _, caption in figures] == [f"slope: {v}" for v in values]
    printed = [v for (mark, _), v in zip(figures, values) if mark]
    assert printed == [values[k] for k in widgets.printed_indices(8)]


def test_png_size_refuses_what_is_not_a_png():
    with pytest.raises(ValueError, match="png must be"):
        widgets.png_size(b"GIF89a")


def test_frames_are_small_palette_pngs_close_to_the_full_colour_render():
    """The 256-colour frame differs from matplotlib's own PNG by little: the same picture, fewer bytes."""
    import io

    import numpy as np
    from PIL import Image

    fig = draw(1.0)
    full = io.BytesIO()
    fig.savefig(full, format="png", dpi=80 * widgets.PIXEL_DENSITY)
    frame = widgets.render(fig, 80)
    ours = np.asarray(Image.open(io.BytesIO(frame)).convert("RGB"), dtype=float)
    theirs = np.asarray(Image.open(full).convert("RGB"), dtype=float)
    assert ours.shape == theirs.shape
    assert np.abs(ours - theirs).mean() < 1.0 and np.abs(ours - theirs).max() < 64
    assert len(frame) < len(full.getvalue()) / 2
