"""`make screenshots`: each chapter page of the built site at 1280 px wide, into _build/screenshots/.

Served on 127.0.0.1 and opened in headless Chromium with the internet blocked, as the browser tests
do. A chapter is a page built from a notebook. For every slider on a page one more picture shows
the figure after the slider was moved to its other end.
"""

from __future__ import annotations

import sys
from pathlib import Path

from browser_site import (
    HEIGHT,
    SITE,
    WIDTH,
    launch,
    move,
    notebook_source,
    open_page,
    pages,
    range_inputs,
    serve,
)


def main(out: Path) -> int:
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    chapters = [page for page in pages() if notebook_source(page)]
    if not chapters:
        print(f"no chapter pages in {SITE}: run `make book` first", file=sys.stderr)
        return 1
    with serve(SITE) as base, sync_playwright() as playwright:
        browser = launch(playwright)
        context = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT})
        for page in chapters:
            tab, visit = open_page(context, base, page)
            name = Path(page).stem
            tab.screenshot(path=out / f"{name}.png", full_page=True)
            print(f"{out / (name + '.png')}  (blocked outside requests: {len(visit.outside)})")
            for slider in range_inputs(page):
                box = tab.locator(f'[id="{slider}"]').locator("xpath=..")
                move(tab, slider, "End")
                box.screenshot(path=out / f"{name}--{slider}-end.png")
                print(f"{out / (name + '--' + slider + '-end.png')}")
            tab.close()
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else SITE.parent / "screenshots"))
