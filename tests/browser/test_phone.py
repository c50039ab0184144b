"""The site on a phone (375 x 812, touch) and in the theme's dark mode, in headless Chromium.

Read from each page's one visit (browser_site.inspect): no sideways scroll with the window narrowed
to a phone's width (the layout depends on the width, not on touch or pixel density); in dark mode
(the system switched to dark) the accessibility audit passes and every figure is drawn on a light
background (the pixels of its corner, or the colour behind a transparent one). Every slider, on its
page opened once on a phone: moved by a pointer drag and by a tap, and its picture changes.
"""

from __future__ import annotations

import pytest
from browser_site import (
    PHONE_HEIGHT,
    PHONE_WIDTH,
    SITE,
    Visit,
    every_slider,
    go_to_slide,
    open_page,
    pages,
    picture,
    range_inputs,
    serve,
    width_on_a_phone,
)

PAGES = pages() if SITE.is_dir() else []
PHONE = {"viewport": {"width": PHONE_WIDTH, "height": PHONE_HEIGHT}, "is_mobile": True, "has_touch": True,
         "device_scale_factor": 2, "service_workers": "block"}  # fmt: skip


def _end_points(tab, slider: str) -> tuple[tuple[float, float], tuple[float, float]]:
    box = tab.locator(f'[id="{slider}"]').bounding_box()
    y = box["y"] + box["height"] / 2
    return (box["x"] + 4, y), (box["x"] + box["width"] - 4, y)


def drag_and_tap(tab, slider: str) -> dict:
    """The picture behind `slider` before, after a finger drags it to its other end, and after a tap
    at the end it came from."""
    tab.locator(f'[id="{slider}"]').scroll_into_view_if_needed()
    before, shot_before = picture(tab, slider)
    low, high = _end_points(tab, slider)
    start, end = (high, low) if before["value"] == before["max"] else (low, high)
    tab.mouse.move(*start)
    tab.mouse.down()
    tab.mouse.move(*end, steps=8)
    tab.mouse.up()
    tab.wait_for_timeout(100)  # let the frame swap paint
    dragged, shot_dragged = picture(tab, slider)
    tab.touchscreen.tap(*start)
    tab.wait_for_timeout(100)
    tapped, shot_tapped = picture(tab, slider)
    return {
        "before": (before, shot_before), "dragged": (dragged, shot_dragged), "tapped": (tapped, shot_tapped),
    }  # fmt: skip


def phone_visit(context, base: str, page: str) -> Visit:
    """`page` opened once on the phone, each of its sliders dragged and tapped."""
    tab, visit = open_page(context, base, page)
    try:
        for slider in range_inputs(page):
            go_to_slide(tab, base, page, slider)
            visit.sliders[slider] = drag_and_tap(tab, slider)
    finally:
        tab.close()
    return visit


@pytest.fixture(scope="module")
def on_phone(browser, base_url):
    """on_phone(page): the page's one visit on the phone, shared by the phone checks of that page."""
    context = browser.new_context(**PHONE)
    cache: dict[str, Visit] = {}

    def get(page: str) -> Visit:
        if page not in cache:
            cache[page] = phone_visit(context, base_url, page)
        return cache[page]

    yield get
    context.close()


# Read from the page's one visit (conftest.visited, the window narrowed to a phone's width), so grouped
# with the other checks of that page; the phone's sliders on that worker too.
@pytest.mark.parametrize("page", [pytest.param(p, marks=pytest.mark.xdist_group(p)) for p in PAGES])
def test_no_page_scrolls_sideways_at_a_phones_width(visited, page):
    found = visited(page).overflow
    assert found["scrollWidth"] <= found["width"] + 1, (
        f"the page is {found['scrollWidth']} px wide at {found['width']} px: {found['out']}"
    )


@pytest.mark.parametrize("wide", [False, True], ids=["fits", "too-wide"])
def test_the_width_check_catches_a_box_too_wide_for_a_phone(context, tmp_path, wide):
    """The check above on a page made here: one with a 600 px box fails, the same without it passes."""
    box = '<div style="width: 600px">a box 600 px wide</div>' if wide else ""
    head = '<meta name="viewport" content="width=device-width, initial-scale=1">'
    body = f"<main><p>Some text.</p>{box}<pre style='overflow: auto'>{'a long line ' * 20}</pre></main>"
    (tmp_path / "page.html").write_text(f"<!doctype html><html lang='en'><head>{head}</head>{body}</html>")
    with serve(tmp_path) as base:
        tab, _ = open_page(context, base, "page.html", site=tmp_path)
        found = width_on_a_phone(tab)
        tab.close()
    assert found["width"] == PHONE_WIDTH
    assert (found["scrollWidth"] > found["width"] + 1) == wide, found
    assert bool(found["out"]) == wide, found


@every_slider()
def test_a_drag_and_a_tap_move_the_slider_on_a_phone(on_phone, page, slider):
    visit = on_phone(page)
    seen = visit.sliders[slider]
    before, shot_before = seen["before"]
    dragged, shot_dragged = seen["dragged"]
    tapped, shot_tapped = seen["tapped"]
    assert dragged["value"] != before["value"], f"a drag left {slider} at {before['value']}"
    assert len(dragged["shown"]) == 1 and shot_dragged != shot_before, "the picture did not change"
    assert tapped["value"] != dragged["value"], f"a tap left {slider} at {dragged['value']}"
    assert len(tapped["shown"]) == 1 and shot_tapped != shot_dragged, "a tap did not change the picture"
    assert not visit.console_errors, visit.console_errors


# Read from the page's one visit (conftest.visited), so grouped with test_pages' checks of that page.
@pytest.mark.parametrize("page", [pytest.param(p, marks=pytest.mark.xdist_group(p)) for p in PAGES])
def test_dark_mode_keeps_figures_light_and_passes_the_audit(visited, page):
    dark = visited(page).dark
    if dark["theme"] is not None:
        assert dark["theme"] == "dark", "dark mode is not on"
    dim = [(src, lum) for src, lum in dark["figures"] if lum < 200]
    assert not dim, f"figures on a dark background (luminance < 200 of 255): {dim}"
    serious = [v for v in dark["axe"] if v["impact"] in ("serious", "critical")]
    bad = [f"{v['id']}: {n['target']} {n['summary']}" for v in serious for n in v["nodes"]]
    assert not bad, "axe-core in dark mode:\n" + "\n".join(bad)
