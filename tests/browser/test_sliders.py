"""Every interactive figure moves: pressing a key on its slider in the browser changes the picture.

The sliders are found in the built pages (every <input type="range">), so a chapter that adds one
is covered at once; each is moved on its page's one visit (conftest.visited, after the dark-mode
audit). The SliderFigure tests below check the control itself on a small page made
here, with a figure that moves and one that does not, so the check is seen to catch a dead one.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import pytest
from browser_site import every_slider, move, moved, open_page, picture, range_inputs, serve

from lstm_helpers.widgets import SliderFigure


def assert_picture_changes(slider: str, before, shot_before, after, shot_after) -> None:
    """What `moved` saw: the slider went to its other end and the one picture shown changed with it."""
    assert before["min"] != before["max"], f"slider {slider} has a single value: nothing to move"
    assert after["value"] != before["value"], f"slider {slider} did not move ({before['value']})"
    for state in (before, after):
        count = len(state["shown"])
        assert count == 1, f"slider {slider} at {state['value']} shows {count} images, not one"
    assert after["shown"][0]["src"] != before["shown"][0]["src"], "the same image is shown after the move"
    assert shot_before and shot_after and shot_before != shot_after, "the picture on screen did not change"
    if before["label"] is not None:
        assert after["label"] != before["label"], "the slider's value label did not follow"


# Moved on the page's one visit (conftest.visited), so grouped with the other checks of that page.
@every_slider()
def test_moving_the_slider_changes_the_picture(visited, page, slider):
    visit = visited(page)
    assert_picture_changes(slider, *visit.sliders[slider])
    assert not visit.outside, f"the figure asked the internet for {visit.outside}"
    assert not visit.console_errors, visit.console_errors


def _curve(value):
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.plot([0, 1], [0, value])
    ax.set_ylim(0, 3)
    return fig


@pytest.fixture
def slider_page(tmp_path, context):
    """A page made of SliderFigures, served on 127.0.0.1: one figure that moves, one that is stuck."""
    moving = SliderFigure(_curve, [1, 2, 3], label="slope", alt="A line rising with slope {value}")
    stuck = SliderFigure(lambda v: _curve(1), [1, 2, 3], label="slope", alt="A line with slope one ({value})")
    body = moving.static_html() + stuck.static_html()
    (tmp_path / "page.html").write_text(f"<!doctype html><html lang='en'><main>{body}</main></html>")
    with serve(tmp_path) as base:
        tab, visit = open_page(context, base, "page.html", site=tmp_path)
        yield tab, visit, [s for s in range_inputs("page.html", tmp_path)]
        tab.close()


def test_slider_figure_moves_offline_and_a_stuck_one_is_caught(slider_page):
    tab, visit, (moving, stuck) = slider_page
    assert_picture_changes(moving, *moved(tab, moving))
    assert not visit.outside and not visit.console_errors and not visit.failed_local
    with pytest.raises(AssertionError, match="same image|did not change"):
        assert_picture_changes(stuck, *moved(tab, stuck))


def test_slider_figure_follows_every_step(slider_page):
    tab, _, (moving, _) = slider_page
    seen = []
    for key in ("Home", "ArrowRight", "ArrowRight", "ArrowLeft"):
        move(tab, moving, key)
        state, shot = picture(tab, moving)
        assert len(state["shown"]) == 1 and state["label"] == state["shown"][0]["value"], state
        seen.append((state["value"], shot))
    assert [v for v, _ in seen] == ["0", "1", "2", "1"]
    assert seen[1][1] == seen[3][1] and len({shot for _, shot in seen}) == 3
