"""The book as a PDF: a single-page build of the book, printed by headless Chromium. Nothing is downloaded.

    python tools/pdf.py build OUT.pdf [--student] [--print-only]
        1. write a Jupyter Book config for the single-page build (the book's own, with its paths made
           absolute and the main build's execution cache, so nothing runs again after `make html`;
           --student: the student edition's, without solutions);
        2. build the book with Sphinx's `singlehtml` builder into _build/pdf/<edition>/;
        3. open that page in Debian's Chromium (Playwright drives it, as in the browser tests), open
           every dropdown, add a title page and a table of contents, and print it with the print
           stylesheet of book/assets/lstm-book.css (no navigation, sliders as a grid of frames);
        4. fill in the table of contents with the page numbers of that first print and print it again,
           in the same tab (the page is loaded and its math typeset once).
        --print-only: skip steps 1-2, print the single page built last time, with the stylesheets of
        book/assets as they are now (to tune the print rules without building again).

Why this route and not Jupyter Book's LaTeX builder: see docs/decisions.md (measured there). In short, the
browser is already installed for the tests, the PDF shows what the site shows (MathJax, SVG figures,
the slider frames), and the LaTeX route needs 2.3 GB of TeX Live and drops the sliders' HTML.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import yaml
from bookconfig import CHROMIUM, CHROMIUM_ARGS, ROOT, book_config, write_build_files

MARGIN = {"top": "18mm", "bottom": "18mm", "left": "16mm", "right": "16mm"}
FOOTER = (
    '<div style="font-size:10px;width:100%;padding:0 16mm;display:flex;justify-content:space-between;'
    'color:#555"><span>{title}</span><span><span class="pageNumber"></span> / '
    '<span class="totalPages"></span></span></div>'
)


def single_page(student: bool = False) -> Path:
    """Build the book (or the student edition) as one HTML page; returns the page's path."""
    edition = "student" if student else "book"
    work = ROOT / "_build" / "pdf" / edition
    config, toc = write_build_files(work, student)
    command = [
        str(Path(sys.executable).parent / "jupyter-book"), "build", str(ROOT), "--config", str(config),
        "--toc", str(toc), "--path-output", str(work), "--builder", "singlehtml",
        "-W", "-n", "--keep-going",
    ]  # fmt: skip
    subprocess.run(command, check=True)
    # The page is written as <root>.html (index.html redirects to it), but its links to _static and
    # _images are relative to the build's top folder: a copy there finds them.
    root = yaml.safe_load((ROOT / "_toc.yml").read_text())["root"]
    site = work / "_build" / "singlehtml"
    page = site / "lstm-book.html"
    shutil.copyfile(site / f"{root}.html", page)
    return page


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@contextlib.contextmanager
def serve(folder: Path):
    """`folder` over HTTP on a free port of 127.0.0.1 (MathJax loads its fonts by URL); yields the URL."""
    handler = functools.partial(_Quiet, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


# Before printing: open every dropdown (solutions, hidden cells), join the printed lines of a cell
# into one block (a cell that glues between two prints has one output per print, each in its own box),
# start each page of the book (a section after Sphinx's <span id="document-...">) on a new sheet, and
# put a title page and a table of contents in front. The title page ends with the licence line of the
# site's footer (our own HTML, _config.yml's html.extra_footer). The contents lists the first page's title,
# every page's title and every numbered section ("1.2 ..."), with a slot for the page number that
# FILL_PAGES writes in before the second print.
PREPARE = r"""([title, author, edition, licence]) => {
  document.querySelectorAll('details').forEach(d => d.open = true);
  document.querySelectorAll('#jb-print-docs-body').forEach(e => e.remove());  // the theme's own, one page's
  document.querySelectorAll('div.output.stream').forEach(out => {
    const before = out.previousElementSibling;
    if (!before || !before.matches('div.output.stream')) return;
    before.querySelector('pre').append(...out.querySelector('pre').childNodes);
    out.remove();
  });
  const main = document.querySelector('article.bd-article') || document.querySelector('main');
  const name = h => h.textContent.replace(/[#¶]\s*$/, '').replace(/\s+/g, ' ').trim();
  const entry = (h, level) => ({level, id: h.closest('section').id, text: name(h)});
  const first = main.querySelector('section h1');
  const entries = first ? [entry(first, 'chapter')] : [];
  document.querySelectorAll('span[id^="document-"]').forEach(span => {
    const doc = span.nextElementSibling;
    if (!doc || doc.tagName !== 'SECTION') return;
    doc.classList.add('lstm-chapter');
    const heads = [...doc.querySelectorAll('h2, h3')];
    if (heads.length) entries.push(entry(heads[0], 'chapter'));
    heads.slice(1).filter(h => h.tagName === 'H3' && /^\d+\.\d+\.? /.test(name(h)))
      .forEach(h => entries.push(entry(h, 'section')));
  });
  const esc = s => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const toc = entries.map((e, k) =>
    `<li class="lstm-toc-${e.level}"><a href="#${e.id}">${esc(e.text)}</a>` +
    `<span class="lstm-toc-page"></span></li>`).join('');
  const front = document.createElement('div');
  front.innerHTML =
    `<section class="lstm-title-page"><p class="lstm-title">${esc(title)}</p>` +
    `<p class="lstm-edition">${esc(edition)}</p><p class="lstm-author">${esc(author)}</p>` +
    `${licence}</section>` +
    `<nav class="lstm-toc"><p class="lstm-toc-title">Contents</p><ol>${toc}</ol></nav>`;
  main.prepend(front);
  return entries.map(e => e.text);
}"""

# After the first print: each entry's page number into its slot of the contents.
FILL_PAGES = """(pages) => {
  document.querySelectorAll('.lstm-toc-page').forEach((slot, k) => { slot.textContent = pages[k] || ''; });
}"""

WAIT_FOR_MATH = """async () => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) await MathJax.startup.promise;
  await document.fonts.ready;
}"""


def print_book(
    page: Path, out: Path, title: str, author: str, edition: str, licence: str = ""
) -> tuple[list[str], list[int]]:
    """Print `page` to `out` with a title page (`licence`: a line of HTML) and contents, twice in one
    tab: the second print has the page numbers of the first in its contents. Returns the contents'
    entries and their pages."""
    from playwright.sync_api import sync_playwright

    with serve(page.parent) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            tab = browser.new_page(viewport={"width": 1000, "height": 1400})
            tab.route("**/*", lambda r: r.continue_() if _is_local(r.request.url) else r.abort())
            tab.goto(base + page.name, wait_until="load")
            tab.evaluate(WAIT_FOR_MATH)
            tab.emulate_media(media="print", color_scheme="light")
            entries = tab.evaluate(PREPARE, [title, author, edition, licence])
            tab.wait_for_load_state("networkidle")
            footer = FOOTER.format(title=title.replace("<", "&lt;"))
            options = dict(
                path=str(out), format="A4", margin=MARGIN, print_background=True,
                display_header_footer=True, header_template="<span></span>", footer_template=footer,
            )  # fmt: skip
            # The first print only finds the pages: without the outline (bookmarks) and the tags for
            # screen readers it lays out the same pages a third faster (build() checks that they match).
            tab.pdf(**options, outline=False, tagged=False)
            numbers = pages_of(entries, page_texts(out))
            tab.evaluate(FILL_PAGES, numbers)
            tab.pdf(**options, outline=True, tagged=True)
        finally:
            browser.close()
    return entries, numbers


def _is_local(url: str) -> bool:
    return url.startswith(("http://127.0.0.1", "data:", "blob:", "about:"))


def page_texts(pdf: Path) -> list[str]:
    """The text of each page of `pdf` (pdftotext; pages are separated by form feeds)."""
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True)
    return text.stdout.split("\f")


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def pages_of(entries: list[str], texts: list[str]) -> list[int]:
    """The page (1-based) where each entry of the contents appears as a heading, searched in order
    after the contents: from the page that starts with "Contents" to the first that lists the last
    entry."""
    squashed = [squash(t) for t in texts]
    start = next((k for k, t in enumerate(squashed) if t.startswith("Contents")), None)
    last = squash(entries[-1])
    end = next((k for k in range(start or 0, len(squashed)) if last in squashed[k]), None)
    if start is None or end is None:
        raise ValueError("no page starts with the contents, or none lists its last entry")
    found, page = [], end + 1
    for entry in entries:
        head = squash(entry)[:30]  # a long heading may wrap; its start is enough to find it
        hit = next((k for k in range(page, len(squashed)) if head in squashed[k]), None)
        if hit is None:
            raise ValueError(f"entry {entry!r} of the contents is on no page after page {page}")
        found.append(hit + 1)
        page = hit
    return found


def build(out: Path, student: bool = False, print_only: bool = False) -> Path:
    """The whole route: single-page build (unless `print_only`), first print, page numbers, second print."""
    if not Path(CHROMIUM).exists():
        raise FileNotFoundError(f"no Chromium at {CHROMIUM}: run `make browser-setup` (apt-get, as root)")
    if shutil.which("pdftotext") is None:
        raise FileNotFoundError("no pdftotext: apt-get install poppler-utils")
    started = time.monotonic()
    config = book_config(student)
    edition_dir = ROOT / "_build" / "pdf" / ("student" if student else "book")
    page = edition_dir / "_build" / "singlehtml" / "lstm-book.html" if print_only else single_page(student)
    if print_only:
        for sheet in (ROOT / "book" / "assets").glob("*.css"):
            shutil.copyfile(sheet, page.parent / "_static" / sheet.name)
    built = time.monotonic()
    edition = "Student edition, without solutions" if student else "Full edition, with solutions"
    licence = config.get("html", {}).get("extra_footer", "")  # the site's footer line, on the title page
    args = (config["title"], config.get("author", ""), edition, licence)
    out.parent.mkdir(parents=True, exist_ok=True)
    entries, numbers = print_book(page, out, *args)
    if pages_of(entries, page_texts(out)) != numbers:  # the numbers are on the contents page only
        raise RuntimeError("the page numbers moved between the two prints")
    done = time.monotonic()
    print(
        f"wrote {out}: {len(page_texts(out)) - 1} pages, {out.stat().st_size / 1e6:.1f} MB; "
        f"single-page build {built - started:.0f} s, two prints {done - built:.0f} s"
    )
    return out


if __name__ == "__main__":
    if len(sys.argv) < 3 or sys.argv[1] != "build":
        sys.exit("usage: python tools/pdf.py build OUT.pdf [--student] [--print-only]")
    build(Path(sys.argv[2]), student="--student" in sys.argv[3:], print_only="--print-only" in sys.argv[3:])
