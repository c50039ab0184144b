"""The built site as a student meets it: served on 127.0.0.1, opened in headless Chromium, no internet.

Shared by the browser tests (conftest.py) and `make screenshots` (screenshots.py). Everything here
works on any built site: the pages are found in the build folder, never listed by hand.

LSTM_SITE=/path/to/html points the tests at another build (a throwaway copy, say).
"""

from __future__ import annotations

import contextlib
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

from bookconfig import CHROMIUM, CHROMIUM_ARGS

ROOT = Path(__file__).resolve().parents[2]
SITE = Path(os.environ.get("LSTM_SITE", ROOT / "_build" / "html")).resolve()
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
WIDTH, HEIGHT = 1280, 900
PHONE_WIDTH, PHONE_HEIGHT = 375, 812
# Folders that hold no page of the book: assets, and vendored libraries (reveal.js's speaker-notes
# popup is the library's own page, not ours).
NOT_PAGES = {"_static", "_sources", "_images", "_vendor", "reveal.js", "node_modules"}
MAX_PAGE_BYTES = 5_000_000
# per deck: slides, slides over 60 words, slides without notes, clipped slides (test_decks.py fills it)
DECK_COUNTS: dict[str, dict] = {}

# axe-core findings we cannot fix on our side, each as (rule, CSS selector of the element, why).
# An element is let off only for that one rule; every other rule and element still counts.
AXE_EXCLUSIONS = [
    (
        "label-content-name-mismatch", ".theme-switch-button",
        "pydata-sphinx-theme's colour-mode button is named 'Color mode' (aria-label) and shows only "
        "a Font Awesome icon, whose SVG <title> (Light / Dark / System Settings) axe counts as "
        "visible text. Nothing textual is visible, so speech users are not misled; changing it "
        "means overriding the theme's template.",
    ),
]  # fmt: skip
REDIRECT = re.compile(r'<meta\s+http-equiv="refresh"\s+content="\d+;\s*url=([^"]+)"', re.I)


def pages(site: Path = SITE) -> list[str]:
    """Every HTML page of the built site, as a path relative to its root ("book/intro.html")."""
    return sorted(
        p.relative_to(site).as_posix()
        for p in site.rglob("*.html")
        if not NOT_PAGES.intersection(p.relative_to(site).parts)
    )


def every_slider(site: Path = SITE):
    """A test parametrized over (page, slider) for every slider of the built site, each grouped with
    its page's other checks (pytest-xdist's loadgroup runs them on the worker that visits the page)."""
    import pytest

    built = pages(site) if site.is_dir() else []
    found = [(page, slider) for page in built for slider in range_inputs(page, site)]
    params = [pytest.param(page, slider, marks=pytest.mark.xdist_group(page)) for page, slider in found]
    return pytest.mark.parametrize("page, slider", params, ids=[f"{page}#{slider}" for page, slider in found])


def html_of(page: str, site: Path = SITE) -> str:
    return (site / page).read_text(encoding="utf-8")


def redirect_target(page: str, site: Path = SITE) -> str | None:
    """The page a meta-refresh page (index.html) sends the reader to, relative to the site root."""
    m = REDIRECT.search(html_of(page, site)[:2000])
    if not m:
        return None
    return os.path.normpath(os.path.join(os.path.dirname(page), m.group(1))).replace(os.sep, "/")


def notebook_source(page: str, site: Path = SITE) -> str | None:
    """"notebooks/01-x.ipynb" when the page was built from a notebook (its .ipynb is served in
    _sources), else None."""
    src = Path(page).with_suffix(".ipynb").as_posix()
    return src if (site / "_sources" / src).is_file() else None


def range_inputs(page: str, site: Path = SITE) -> list[str]:
    """The ids of the slider controls (<input type="range">) on a page, read from its HTML."""
    return [
        m.group(1)
        for tag in re.findall(r"<input\b[^>]*>", html_of(page, site))
        if re.search(r'type="range"', tag) and (m := re.search(r'\bid="([^"]+)"', tag))
    ]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serve(site: Path = SITE):
    """`python -m http.server` over the built site on a free port of 127.0.0.1; yields its base URL."""
    port = free_port()
    log = open(os.devnull, "w")  # noqa: SIM115 (closed below)
    proc = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", str(site)],
        stdout=log, stderr=log,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}/"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base, timeout=1).close()
                break
            except OSError:
                if proc.poll() is not None:
                    raise RuntimeError(f"http.server exited with {proc.returncode}") from None
                time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        log.close()


def launch(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)


def is_local(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("data", "blob", "about") or parts.hostname == "127.0.0.1"


# Wait until MathJax (when the page loads it) has typeset the page and its fonts are in.
WAIT_FOR_MATH = """async () => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) await MathJax.startup.promise;
  await document.fonts.ready;
}"""

# What the checks need from the live page, read in one go after scripts and MathJax have run.
INSPECT = r"""() => {
  const main = document.querySelector('main') || document.body;
  // Code shows TeX on purpose; reveal.js's .aria-status is a screen-reader copy of the current slide.
  const skip = 'pre, code, .highlight, script, style, mjx-container, .MathJax, textarea, .aria-status';
  const walker = document.createTreeWalker(main, NodeFilter.SHOW_TEXT);
  const chunks = [];
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (!node.parentElement.closest(skip)) chunks.push(node.nodeValue);
  }
  const math = [...document.querySelectorAll('.math')];
  return {
    url: location.href,
    text: chunks.join(''),
    math: math.length,
    untypeset: math.filter(m => !m.querySelector('mjx-container')).map(m => m.textContent.slice(0, 80)),
    mjx: document.querySelectorAll('mjx-container').length,
    images: [...document.querySelectorAll('img')].map(im => ({
      src: im.getAttribute('src').slice(0, 80), alt: im.getAttribute('alt'),
      figure: !!im.closest('article, .reveal .slides, .lstm-scrubber, .animation'),
    })),
    links: [...document.querySelectorAll('a[href]')].map(a => ({href: a.href, raw: a.getAttribute('href')})),
    launch: [...document.querySelectorAll('.dropdown-launch-buttons a[href]')].map(a => a.href),
    widgets: document.querySelectorAll(
      'script[type="application/vnd.jupyter.widget-view+json"], .jupyter-widgets').length,
  };
}"""


# axe-core over the whole page; each violating element is reported unless its rule and selector
# are in AXE_EXCLUSIONS.
AUDIT = """async (exclusions) => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  const letOff = (rule, target) => {
    const el = target.length === 1 ? document.querySelector(target[0]) : null;
    return !!el && exclusions.some(([r, sel]) => r === rule && el.matches(sel));
  };
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.filter(n => !letOff(v.id, n.target)).map(n => ({
      target: n.target.join(' '), html: n.html.slice(0, 200),
      summary: n.failureSummary.replace(/\\s+/g, ' ').slice(0, 300),
    })),
  })).filter(v => v.nodes.length);
}"""


# What each figure shows behind its content: the corner pixel when opaque, else the colour the
# page paints behind the image. Returned as [src, luminance 0-255].
FIGURE_BACKGROUNDS = """async () => {
  const lum = (r, g, b) => 0.2126 * r + 0.7152 * g + 0.0722 * b;
  const figures = [...document.querySelectorAll('article img, .lstm-scrubber img')]
      .filter(im => im.checkVisibility() && im.naturalWidth > 50);
  const out = [];
  for (const im of figures) {
    await im.decode().catch(() => {});
    const c = document.createElement('canvas');
    c.width = im.naturalWidth; c.height = im.naturalHeight;
    const g = c.getContext('2d'); g.drawImage(im, 0, 0);
    const [r, gg, b, a] = g.getImageData(2, 2, 1, 1).data;
    let value = lum(r, gg, b);
    if (a < 250) {
      const m = getComputedStyle(im).backgroundColor.match(/[\\d.]+/g).map(Number);
      value = m.length > 3 && m[3] === 0 ? 0 : lum(m[0], m[1], m[2]);
    }
    out.push([im.getAttribute('src').slice(0, 60), Math.round(value)]);
  }
  return out;
}"""


# Two animation frames: a resize or a style change has been laid out and painted.
FRAMES = "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"

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

# The CSS transitions running now (the theme fades colours when the mode changes), finished.
TRANSITIONS_DONE = """() => Promise.all(document.getAnimations()
  .filter(a => a instanceof CSSTransition).map(a => a.finished.catch(() => null)))"""


@dataclass
class Visit:
    """One page opened in the browser with every request outside 127.0.0.1 blocked."""

    page: str
    url: str = ""
    console_errors: list = field(default_factory=list)
    failed_local: list = field(default_factory=list)
    outside: list = field(default_factory=list)
    bytes_by_url: dict = field(default_factory=dict)
    dom: dict = field(default_factory=dict)
    axe: list = field(default_factory=list)
    dark: dict = field(default_factory=dict)  # theme, figure backgrounds and axe-core in dark mode
    sliders: dict = field(default_factory=dict)  # per slider: the pictures before and after moving it
    overflow: dict = field(default_factory=dict)  # in a phone's width: how wide the page is against it

    @property
    def weight(self) -> int:
        return sum(self.bytes_by_url.values())


def open_page(context, base: str, page: str, visit: Visit | None = None, site: Path = SITE):
    """A new tab on `page`, blocked from the internet, recording into `visit`; waits for math."""
    visit = visit or Visit(page)
    tab = context.new_page()

    def route(route):
        if is_local(route.request.url):
            route.continue_()
        else:
            visit.outside.append(route.request.url)
            route.abort("internetdisconnected")

    def on_response(response):
        if not is_local(response.url) or response.url.startswith("data:"):
            return
        if response.status >= 400:
            visit.failed_local.append(f"{response.status} {response.url}")
        length = response.headers.get("content-length")
        visit.bytes_by_url[response.url] = int(length) if length else 0

    def on_failed(request):
        if is_local(request.url) and not request.url.startswith("data:"):
            visit.failed_local.append(f"{request.failure} {request.url}")

    tab.route("**/*", route)
    tab.on("console", lambda m: m.type == "error" and visit.console_errors.append(f"{m.text} @ {m.location}"))
    tab.on("pageerror", lambda e: visit.console_errors.append(f"uncaught: {e}"))
    tab.on("response", on_response)
    tab.on("requestfailed", on_failed)
    target = redirect_target(page, site)
    tab.goto(base + page, wait_until="load")
    if target:  # index.html: a meta refresh to the first page
        tab.wait_for_url(base + target)
        tab.wait_for_load_state("load")
    tab.evaluate(WAIT_FOR_MATH)
    tab.wait_for_load_state("networkidle")
    visit.url = tab.url
    return tab, visit


def inspect(context, base: str, page: str) -> Visit:
    """Open `page` and read everything the per-page checks need, the axe-core audit included; then
    switch the system to dark mode, as a reader's computer does at dusk (the theme follows it), and
    read the figures' backgrounds and the audit again; narrow the window to a phone's width and read
    how wide the page is; last, move each slider to its other end. One load and one typesetting for
    all of it."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    tab, visit = open_page(context, base, page)
    exclusions = [[rule, selector] for rule, selector, _ in AXE_EXCLUSIONS]
    try:
        visit.dom = tab.evaluate(INSPECT)
        tab.add_script_tag(path=str(AXE))
        visit.axe = tab.evaluate(AUDIT, exclusions)
        tab.emulate_media(color_scheme="dark")
        themed = tab.locator("html[data-theme]").count() > 0
        if themed:  # pydata-sphinx-theme listens for the change; a deck has no theme to switch
            with contextlib.suppress(PlaywrightTimeout):
                tab.wait_for_function("document.documentElement.dataset.theme === 'dark'", timeout=5000)
        tab.evaluate(TRANSITIONS_DONE)  # the theme fades its colours: audit the colours it ends on
        visit.dark = {
            "theme": tab.evaluate("document.documentElement.dataset.theme") if themed else None,
            "figures": tab.evaluate(FIGURE_BACKGROUNDS),
            "axe": tab.evaluate(AUDIT, exclusions),
        }
        visit.overflow = width_on_a_phone(tab)
        for slider in range_inputs(page):  # last: on a deck, going to the slider's slide moves away
            go_to_slide(tab, base, page, slider)
            visit.sliders[slider] = moved(tab, slider)
    finally:
        tab.close()
    return visit


def width_on_a_phone(tab) -> dict:
    """OVERFLOW with the window narrowed to a phone's width, then widened back to where it was."""
    size = tab.viewport_size
    tab.set_viewport_size({"width": PHONE_WIDTH, "height": PHONE_HEIGHT})
    tab.evaluate(FRAMES)
    found = tab.evaluate(OVERFLOW)
    tab.set_viewport_size(size)
    tab.evaluate(FRAMES)
    return found


def slide_of(page: str, slider: str, site: Path = SITE) -> str:
    """A reveal.js deck shows one slide at a time: the URL hash ("#/h/v") of the slide with `slider`."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html_of(page, site), "html.parser")
    section = soup.find(id=slider).find_parent("section")
    for h, top in enumerate(soup.select("div.slides > section")):
        nested = top.find_all("section", recursive=False)
        if section is top or section in nested:
            return f"#/{h}" + (f"/{nested.index(section)}" if section in nested else "")
    raise AssertionError(f"{slider} is on no slide of {page}")


def go_to_slide(tab, base: str, page: str, slider: str) -> None:
    """On a deck, show the slide that holds `slider`; on a page, nothing to do."""
    if tab.locator("div.reveal").count():
        tab.goto(base + page + slide_of(page, slider))
        tab.wait_for_timeout(500)


def moved(tab, slider: str) -> tuple[dict, bytes | None, dict, bytes | None]:
    """The picture before and after moving `slider` to its other end with the keyboard."""
    before, shot_before = picture(tab, slider)
    move(tab, slider, "Home" if before["value"] == before["max"] else "End")
    after, shot_after = picture(tab, slider)
    return before, shot_before, after, shot_after


@cache
def ids_in(path: Path) -> frozenset:
    """Every anchor an URL fragment can land on in a served HTML file (id= and <a name=>)."""
    text = path.read_text(encoding="utf-8", errors="replace")
    found = re.findall(r'\sid="([^"]*)"', text) + re.findall(r'<a\s[^>]*\bname="([^"]*)"', text)
    return frozenset(unquote(f) for f in found)


def local_target(url: str, site: Path = SITE) -> tuple[Path, str]:
    """The file an URL on the local server serves, and its fragment."""
    parts = urlsplit(url)
    path = site / unquote(parts.path).lstrip("/")
    if path.is_dir():
        path = path / "index.html"
    return path, unquote(parts.fragment)


# The picture an interactive figure shows now: its container (a SliderFigure's div.lstm-scrubber
# or matplotlib's to_jshtml div.animation), the images in it that are displayed, the control's value.
SHOWN = """(id) => {
  const input = document.getElementById(id);
  const box = input.closest('.lstm-scrubber, .animation') || input.parentElement;
  const shown = [...box.querySelectorAll('img')].filter(im => im.checkVisibility());
  const out = box.querySelector('output');
  return {
    value: input.value, min: input.min, max: input.max,
    label: out ? out.textContent : null,
    shown: shown.map(im => ({src: im.src, value: im.dataset.value ?? null, alt: im.alt})),
  };
}"""


def picture(tab, input_id: str) -> tuple[dict, bytes | None]:
    """What the figure behind the slider `input_id` shows, and a screenshot of the shown image."""
    state = tab.evaluate(SHOWN, input_id)
    shot = None
    if len(state["shown"]) == 1:
        box = tab.locator(f'[id="{input_id}"]').locator(
            "xpath=ancestor::div[contains(@class, 'lstm-scrubber') or contains(@class, 'animation')][1]"
        )
        image = box.locator("img").filter(visible=True) if box.count() else None
        if image is not None and image.count() == 1:
            shot = image.screenshot()
    return state, shot


def move(tab, input_id: str, key: str = "End") -> None:
    """Move the slider the way a reader does with the keyboard: focus it, press `key`."""
    control = tab.locator(f'[id="{input_id}"]')
    control.scroll_into_view_if_needed()
    control.focus()
    control.press(key)
    tab.wait_for_timeout(100)  # let the frame swap paint


def site_bytes(site: Path = SITE) -> int:
    return sum(p.stat().st_size for p in site.rglob("*") if p.is_file())
