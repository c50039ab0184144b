"""Checks every chapter's interactive figure must pass, without a browser (see lstm_helpers.widgets)."""

from __future__ import annotations

import base64
import re
from collections.abc import Callable

from lstm_helpers import widgets

FRAME = re.compile(r'<img src="data:image/png;base64,([^"]+)" alt="([^"]+)"')


def assert_live_slider_redraws(figure: widgets.SliderFigure, value, draw: Callable) -> None:
    """Setting the live slider to `value` shows a new picture, and it is `draw(value)`."""
    slider, image = figure.live().children
    before = image.value
    slider.value = value
    assert image.value != before, f"moving the slider to {value} left the picture as it was"
    assert image.value == widgets.render(draw(value), figure.dpi)


def assert_static_frames_equal_draw(figure: widgets.SliderFigure, draw: Callable) -> list[str]:
    """The static form holds one frame per value, each equal to `draw(value)`; returns the alt texts."""
    page = figure.static_html()
    frames = FRAME.findall(page)
    assert len(frames) == len(figure.values), f"{len(frames)} frames for {len(figure.values)} values"
    assert f'max="{len(figure.values) - 1}"' in page and 'type="range"' in page
    for (data, _), value in zip(frames, figure.values):
        assert base64.b64decode(data) == widgets.render(draw(value), figure.dpi), f"frame {value} differs"
    return [alt for _, alt in frames]
