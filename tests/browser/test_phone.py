"""The site on a phone (375 x 812, touch) and in the theme's dark mode, in headless Chromium.

Every page, opened once on the phone: no sideways scroll at 375 px; every slider moved by a pointer
drag and by a tap, and its picture changes. In dark mode (the system switched to dark on the page's
one visit, see browser_site.inspect) the accessibility audit passes and every figure is drawn on a
light background (the pixels of its corner, or the colour behind a transparent one).
"""

from __future__ import annotations

import pytest
from browser_site import SITE, Visit, go_to_slide, open_page, pages, picture, range_inputs

PAGES = pages() if SITE.is_dir() else []
SLIDERS = [(page, slider) for page in PAGES for slider in range_inputs(page)]
PHONE = {"viewport": {"width": 375, "height": 812}, "is_mobile": True, "has_touch": True,
         "device_scale_factor": 2, "service_workers": "block"}  # fmt: skip


# Elements that stick out of the viewport on the right, outside any box that scrolls on its own.
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const scrolls = el => { for (let a = el.parentElement; a; a = a.parentElement) {
      const s = getComputedStyle(a); if (/(auto|scroll|hidden)/.test(s.overflowX) && a !== document.body
          && a !== document.documentElement) return true; } return false; };
  const out = [...document.querySelectorAll('body *')].filter(el => {
    const r = el.getBoundingClientRect();
    return r.width && r.right > width + 1 && !scrolls(el) && el.checkVisibility();
  }).slice(0, 5);
  const name = el => el.tagName + '.' + el.className + ' ' + Math.round(el.getBoundingClientRect().right);
  return {scrollWidth: document.documentElement.scrollWidth, width, out: out.map(name)};
}"""


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
    """`page` opened once on the phone: its width read as it loads, then each slider dragged and tapped."""
    tab, visit = open_page(context, base, page)
    try:
        visit.overflow = tab.evaluate(OVERFLOW)
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


# All checks of a page on one worker (xdist_group), which opens it once on the phone and once on a desktop.
@pytest.mark.parametrize("page", [pytest.param(p, marks=pytest.mark.xdist_group(p)) for p in PAGES])
def test_no_page_scrolls_sideways_on_a_phone(on_phone, page):
    found = on_phone(page).overflow
    assert found["scrollWidth"] <= found["width"] + 1, (
        f"the page is {found['scrollWidth']} px wide at {found['width']} px: {found['out']}"
    )


@pytest.mark.parametrize(
    "page, slider", [pytest.param(p, s, marks=pytest.mark.xdist_group(p)) for p, s in SLIDERS],
    ids=[f"{p}#{s}" for p, s in SLIDERS],
)  # fmt: skip
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
