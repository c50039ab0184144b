"""The decks (make slides) as a lecture room sees them: every slide of every deck in _build/slides,
all fragments shown, at a 1280 x 720 and a 1920 x 1080 screen. Nothing may be clipped (outside the
slide as reveal.js scales it, or outside the window) and nothing may scroll: what the room sees does
not depend on the screen. Each deck also carries at most 60 words on 9 slides in 10 (speaker notes
not counted) and speaker notes on every slide (counted by tools/slides.py, as `slides.py stats`
prints them). The zip of a deck opens offline from a fresh folder.
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import pytest
import slides as deck_tool
from browser_site import DECK_COUNTS, FRAMES, ROOT, serve

DECKS_DIR = Path(os.environ.get("LSTM_DECKS", ROOT / "_build" / "slides"))
DECKS = sorted(DECKS_DIR.glob("*.slides.html"))
VIEWPORTS = [(1280, 720), (1920, 1080)]

# Wait for reveal.js, MathJax and every image; then show each slide with all its fragments and
# report, per slide, the elements and text outside the slide's scaled box or the window, and the
# elements that scroll. One call per deck.
VISIT_ALL = r"""async () => {
  const sleep = ms => new Promise(r => setTimeout(r, ms));
  const frame = () => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  const revealReady = () => window.Reveal && Reveal.isReady && Reveal.isReady();
  const mathLoaded = () => window.MathJax && MathJax.startup && MathJax.startup.promise;
  for (let k = 0; k < 300 && !revealReady(); k++) await sleep(50);
  if (!revealReady()) return {error: 'reveal.js never became ready'};
  for (let k = 0; k < 300 && !mathLoaded(); k++) await sleep(50);
  if (mathLoaded()) await MathJax.startup.promise;
  await document.fonts.ready;
  await Promise.all([...document.images].map(im => im.decode().catch(() => null)));
  // MathJax's own parts clip on purpose (a stretchy bracket is a clipped strip): its box counts, not theirs
  const skip = 'aside.notes, mjx-container *, script, style';
  const name = el => [el.tagName.toLowerCase(), ...el.classList].join('.');
  const size = (w, h) => `${w}x${h}`;
  const report = [];
  const slides = Reveal.getSlides();
  for (let n = 0; n < slides.length; n++) {
    const slide = slides[n];
    const {h, v} = Reveal.getIndices(slide);
    const fragments = slide.querySelectorAll('.fragment').length;
    Reveal.slide(h, v, fragments ? fragments - 1 : undefined);
    await frame();
    const r = document.querySelector('.reveal .slides').getBoundingClientRect();
    const box = {left: Math.max(r.left, 0), top: Math.max(r.top, 0),
                 right: Math.min(r.right, innerWidth), bottom: Math.min(r.bottom, innerHeight)};
    const outside = b => b.width > 0 && b.height > 0 && (b.left < box.left - 1 || b.top < box.top - 1 ||
                                                    b.right > box.right + 1 || b.bottom > box.bottom + 1);
    const clipped = [], scrolls = [], out = new Set();  // the outermost element that is out, not its parts
    for (const el of slide.querySelectorAll('*')) {
      if (el.closest(skip)) continue;
      const style = getComputedStyle(el);
      if (style.display === 'none' || style.visibility === 'hidden') continue;
      const b = el.getBoundingClientRect();
      const at = [b.left, b.top, b.right, b.bottom].map(Math.round);
      if (outside(b) && !out.has(el.parentElement)) clipped.push(`${name(el)} [${at.join(', ')}]`);
      if (outside(b)) out.add(el);
      if ((el.scrollHeight > el.clientHeight + 1 && style.overflowY !== 'visible') ||
          (el.scrollWidth > el.clientWidth + 1 && style.overflowX !== 'visible'))
        scrolls.push(`${name(el)} scrolls (${size(el.scrollWidth, el.scrollHeight)} in ` +
                     `${size(el.clientWidth, el.clientHeight)})`);
    }
    const walker = document.createTreeWalker(slide, NodeFilter.SHOW_TEXT);
    const range = document.createRange();
    while (walker.nextNode()) {
      const node = walker.currentNode;
      if (!node.nodeValue.trim() || node.parentElement.closest(skip)) continue;
      if (getComputedStyle(node.parentElement).visibility === 'hidden') continue;
      range.selectNodeContents(node);
      const rect = range.getBoundingClientRect();
      if (outside(rect)) {
        clipped.push(`text "${node.nodeValue.trim().slice(0, 30)}"`);
        break;  // the first line cut off says where
      }
    }
    const heading = (slide.querySelector('h1, h2, h3') || slide).textContent;
    report.push({
      n: n + 1, heading: heading.replace(/¶/g, '').trim().slice(0, 60),
      clipped: clipped.slice(0, 5), more: Math.max(clipped.length - 5, 0), scrolls: scrolls.slice(0, 5),
    });
  }
  return {slides: report};
}"""


def visit(browser, url: str) -> dict[tuple[int, int], dict]:
    """Every slide of the deck at `url` at each screen size of VIEWPORTS, internet blocked: one load,
    the window resized between the walks (reveal.js scales the slides to each size)."""
    (width, height), *others = VIEWPORTS
    context = browser.new_context(viewport={"width": width, "height": height}, service_workers="block")
    found = {}
    try:
        tab = context.new_page()
        tab.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("http://127.0.0.1", "data:"))
                  else r.abort("internetdisconnected"))  # fmt: skip
        tab.goto(url, wait_until="load")
        found[width, height] = tab.evaluate(VISIT_ALL)
        for width, height in others:
            tab.set_viewport_size({"width": width, "height": height})
            tab.evaluate(FRAMES)  # the resize handled: reveal.js has laid the deck out again
            found[width, height] = tab.evaluate(VISIT_ALL)
    finally:
        context.close()
    for size, result in found.items():
        assert "error" not in result, f"{url} at {size}: {result.get('error')}"
    return found


@pytest.fixture(scope="module")
def decks_url():
    if not DECKS:
        pytest.fail("no decks in _build/slides: run `make slides`", pytrace=False)
    with serve(DECKS_DIR) as url:
        yield url


def counts(deck: Path) -> dict:
    """The deck's row of the counts printed at the end (conftest.py), in a fixed order."""
    keys = ["slides", "words>60", "no notes"] + [f"clipped {w}x{h}" for w, h in VIEWPORTS]
    return DECK_COUNTS.setdefault(deck.name.removesuffix(".slides.html"), dict.fromkeys(keys, "-"))


@pytest.fixture(scope="module")
def walked(browser, decks_url):
    """walked(deck): what `visit` saw of the deck at each size, the deck loaded once per process."""
    cache = {}

    def get(deck: Path) -> dict:
        if deck not in cache:
            cache[deck] = visit(browser, decks_url + deck.name)
        return cache[deck]

    return get


# Both sizes of a deck on the worker that loads it (xdist_group).
@pytest.mark.parametrize("width,height", VIEWPORTS, ids=lambda v: str(v))
@pytest.mark.parametrize(
    "deck", [pytest.param(d, marks=pytest.mark.xdist_group(d.name)) for d in DECKS],
    ids=lambda p: p.name.removesuffix(".slides.html"),
)  # fmt: skip
def test_no_slide_is_clipped_or_scrolls(walked, deck, width, height):
    slides = walked(deck)[width, height]["slides"]
    bad = [s for s in slides if s["clipped"] or s["scrolls"]]
    counts(deck)[f"clipped {width}x{height}"] = len(bad)
    lines = [
        f"slide {s['n']} ({s['heading']!r}): "
        + "; ".join(s["clipped"] + ([f"and {s['more']} more"] if s["more"] else []) + s["scrolls"])
        for s in bad
    ]
    where = f"{deck.name} at {width}x{height}, {len(bad)} of {len(slides)} slides"
    assert not bad, where + ":\n" + "\n".join(lines)


@pytest.mark.parametrize("deck", DECKS, ids=lambda p: p.name.removesuffix(".slides.html"))
def test_slides_are_short_and_all_have_speaker_notes(deck):
    rows = deck_tool.slide_stats(deck.read_text(encoding="utf-8"))
    wordy = [r for r in rows if r["words"] > deck_tool.MAX_WORDS]
    silent = [r for r in rows if not r["notes"]]
    counts(deck).update({"slides": len(rows), "words>60": len(wordy), "no notes": len(silent)})
    problems = [f"slide {r['slide']} ({r['heading']!r}): {r['words']} words" for r in wordy]
    problems += [f"slide {r['slide']} ({r['heading']!r}): no speaker notes" for r in silent]
    assert len(wordy) * 10 <= len(rows) and not silent, f"{deck.name}:\n" + "\n".join(problems)


TYPESET = """async () => {
  await MathJax.startup.promise;
  await document.fonts.ready;
  return document.querySelectorAll('mjx-container').length;
}"""


@pytest.mark.parametrize("deck", DECKS[:1], ids=lambda p: p.name.removesuffix(".slides.html"))
def test_zip_opens_offline_from_a_fresh_folder(browser, deck, tmp_path):
    """Unzipped anywhere, the deck opens from file:// with no network: reveal.js starts, MathJax
    typesets, and every file it asks for is in the zip."""
    archive = deck.with_name(deck.name.removesuffix(".slides.html") + ".zip")
    assert archive.exists(), f"no {archive.name}: run `make slides`"
    with zipfile.ZipFile(archive) as z:
        z.extractall(tmp_path)
    page = next(tmp_path.rglob(deck.name))
    context = browser.new_context(viewport={"width": 1280, "height": 720}, service_workers="block")
    outside, failed, errors = [], [], []
    try:
        context.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("file:", "data:"))
                      else (outside.append(r.request.url), r.abort("internetdisconnected")))  # fmt: skip
        tab = context.new_page()
        tab.on("requestfailed", lambda r: failed.append(f"{r.failure} {r.url}"))
        tab.on("console", lambda m: m.type == "error" and errors.append(m.text))
        tab.on("pageerror", lambda e: errors.append(str(e)))
        tab.goto(page.as_uri(), wait_until="load")
        tab.wait_for_function("window.Reveal && Reveal.isReady()", timeout=20_000)
        typeset = tab.evaluate(TYPESET)
        slides = tab.evaluate("Reveal.getTotalSlides()")
    finally:
        context.close()
    assert not outside, f"the unzipped deck asked the internet for {outside}"
    assert not failed and not errors, f"failed requests {failed}, errors {errors}"
    assert slides >= 6 and typeset, f"{slides} slides, {typeset} formulas typeset"
