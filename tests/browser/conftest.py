"""The browser tests' session: the built site served on 127.0.0.1, one headless Chromium for all tests.

Chromium is Debian's (/usr/bin/chromium, installed by `make browser`), driven by Playwright for
Python; Playwright's own browser download is never used. Where the browser cannot be had, every
test here is skipped, and the run says so loudly at the end.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
from pathlib import Path

import pytest
from browser_site import (
    CHROMIUM,
    DECK_COUNTS,
    HEIGHT,
    MAX_PAGE_BYTES,
    SITE,
    WIDTH,
    inspect,
    launch,
    serve,
    site_bytes,
)

HERE = Path(__file__).resolve().parent
# Under pytest-xdist (`make browser` runs on both cores) each worker fills its own WEIGHTS and
# DECK_COUNTS; it leaves them here at its end, and the controller's summary merges them.
TALLIES = SITE.parent / ".browser-tallies"


def _why_no_browser() -> str | None:
    if not os.access(CHROMIUM, os.X_OK):
        return (
            f"BROWSER TESTS SKIPPED: no Chromium at {CHROMIUM}. Install it with "
            "`apt-get install chromium` as root (`make browser` does that when run as root)."
        )
    if importlib.util.find_spec("playwright") is None:
        return "BROWSER TESTS SKIPPED: no Playwright; .venv/bin/pip install -r requirements-browser.txt"
    return None


NO_BROWSER = _why_no_browser()
WEIGHTS: dict[str, int] = {}


def pytest_collection_modifyitems(config, items):
    if NO_BROWSER:
        for item in items:
            if HERE in Path(item.fspath).resolve().parents:
                item.add_marker(pytest.mark.skip(reason=NO_BROWSER))


def pytest_sessionstart(session):
    if not hasattr(session.config, "workerinput"):  # the controller, or a run without xdist
        shutil.rmtree(TALLIES, ignore_errors=True)


def pytest_sessionfinish(session):
    worker = getattr(session.config, "workerinput", None)
    if worker is not None and (WEIGHTS or DECK_COUNTS):
        TALLIES.mkdir(parents=True, exist_ok=True)
        tally = {"weights": WEIGHTS, "decks": DECK_COUNTS}
        (TALLIES / f"{worker['workerid']}.json").write_text(json.dumps(tally))


def _merge_tallies() -> None:
    """Fold the workers' tallies into this process's WEIGHTS and DECK_COUNTS."""
    for path in sorted(TALLIES.glob("*.json")):
        tally = json.loads(path.read_text())
        WEIGHTS.update(tally["weights"])
        for deck, row in tally["decks"].items():  # a deck's checks may have run on both workers
            mine = DECK_COUNTS.setdefault(deck, row)
            mine.update({key: value for key, value in row.items() if value != "-"})
    shutil.rmtree(TALLIES, ignore_errors=True)


def pytest_terminal_summary(terminalreporter):
    if hasattr(terminalreporter.config, "workerinput"):  # a worker's summary is not shown
        return
    write = terminalreporter.write_line
    _merge_tallies()
    if NO_BROWSER:
        write("!" * 100, red=True, bold=True)
        write(NO_BROWSER, red=True, bold=True)
        write("!" * 100, red=True, bold=True)
        return
    if WEIGHTS:
        largest = max(WEIGHTS, key=WEIGHTS.get)
        write(
            f"site {SITE}: {site_bytes() / 1e6:.1f} MB on disk; page weights (everything a page loads, "
            f"uncompressed; limit {MAX_PAGE_BYTES / 1e6:.0f} MB), largest: {largest}"
        )
        for page, size in sorted(WEIGHTS.items(), key=lambda kv: -kv[1]):
            write(f"  {size / 1e6:6.2f} MB  {page}")
    if DECK_COUNTS:
        write("decks (tests/browser/test_decks.py): slides, slides over 60 words, without notes, clipped")
        for deck, row in sorted(DECK_COUNTS.items()):
            write(f"  {deck}: " + ", ".join(f"{key} {value}" for key, value in row.items()))


@pytest.fixture(scope="session")
def base_url():
    with serve(SITE) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def context(browser):
    ctx = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT}, service_workers="block")
    yield ctx
    ctx.close()


@pytest.fixture(scope="session")
def visited(context, base_url):
    """visited(page): the page opened and inspected once per session, then shared by every check."""
    cache = {}

    def get(page: str):
        if page not in cache:
            cache[page] = inspect(context, base_url, page)
            WEIGHTS[page] = cache[page].weight
        return cache[page]

    return get
