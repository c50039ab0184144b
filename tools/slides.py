"""Build one reveal.js deck per chapter from the notebooks and the execution cache, nothing fetched online.

    python tools/slides.py build OUT_DIR [SITE_DIR] [--only NOTEBOOK...]
        decks from notebooks/*.ipynb (the markdown as it is now) with the outputs of the execution
        cache (_build/.jupyter_cache, filled by `make book`) into OUT_DIR, with reveal.js,
        require.js and MathJax copied from node_modules and book/_vendor; the same files
        are copied into SITE_DIR/slides so the website links to them. A notebook whose code
        changed since the cache was filled is an error: run `make book`.
        --only: just these notebooks (a path or the chapter's number, "03").
        Each deck also goes into NAME.zip (the deck and the files it loads: it opens offline from
        wherever it is unzipped), and OUT_DIR/index.html lists the decks with their zips and PDFs.
    python tools/slides.py pdf OUT_DIR [SITE_DIR]
        print each deck in OUT_DIR to NAME.pdf with the book's headless Chromium (reveal.js's
        ?print-pdf view: one 16:9 page per slide, every fragment shown); copied into SITE_DIR/slides.
    python tools/slides.py stats [NOTEBOOK...]
        per deck: its slides, the slides with more than 60 words, the slides without speaker notes
        (decks built in memory from the notebooks and the cache; all chapters by default).
    python tools/slides.py defaults NOTEBOOK...
        give cells that have no `slideshow` metadata a default: the setup cell, exercises and
        references are skipped, a heading starts a slide, other prose becomes speaker notes,
        a figure gets a slide of its own. Authors then adjust the metadata by hand.

Cells' `slideshow.slide_type` decides what is a slide, a fragment, skipped or a speaker note.
Code is left out of the decks (one idea per slide, no walls of code); outputs stay. Two deck-only
mechanisms leave the site and the execution cache alone: a markdown cell tagged `deck` and
`remove-cell` is shown in the deck only, and the notebook's metadata
`{"deck": {"slide_types": {"c17": "skip"}}}` overrides a cell's slide type in the deck (editing a
code cell's own metadata would make the notebook a cache miss).
"""

from __future__ import annotations

import argparse
import html
import importlib.util
import json
import os
import re
import shutil
import sys
from pathlib import Path

from bookconfig import CACHE

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
EXECUTED = ROOT / "_build" / "jupyter_execute" / "notebooks"  # the html build's .glue.json files
SLIDE_TYPES = ("slide", "subslide", "fragment", "-", "skip", "notes")
NODE = ROOT / "node_modules"
ASSETS = {  # where a deck looks for a file: where it comes from
    "reveal.js/dist": NODE / "reveal.js" / "dist",
    "reveal.js/plugin/notes": NODE / "reveal.js" / "plugin" / "notes",
    "lib/require.js": NODE / "requirejs" / "require.js",
    "lib/mathjax": ROOT / "book" / "_vendor" / "mathjax",
}


def exporter():
    from nbconvert import SlidesExporter

    return SlidesExporter(
        extra_template_basedirs=[str(ROOT / "tools" / "slides_template")],
        template_name="lstm-reveal",
        reveal_url_prefix="reveal.js",
        require_js_url="lib/require.js",
        mathjax_url="lib/mathjax/tex-chtml.js",
        reveal_theme="white",
        reveal_transition="none",
        reveal_number="c/t",
        reveal_width="1600",  # the logical 16:9 slide, scaled to the screen; the template lays it out
        reveal_height="900",
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )


ROLE = re.compile(r"\{(doc|ref|numref|term|eq)\}`([^`<]*?)\s*(?:<[^>]*>)?`")
CITE = re.compile(r"\s*\{cite(?::\w+)?\}`[^`]*`")
ADMONITION = re.compile(  # fence, title, option lines, body
    r"^(```+|:::+)\{admonition\}[ \t]*([^\n]*)\n((?::\w+:[^\n]*\n)*)(.*?)\n\1[ \t]*$", re.S | re.M
)
DIRECTIVE = re.compile(r"^(```+|:::+)\{[\w-]+\}.*?\n\1[ \t]*$", re.S | re.M)
GLUE = re.compile(r"\{glue(?::text)?\}`(?:[^`:]*::)?([\w-]+)(?::([^`]*))?`")


def glued_values(nb, path: Path | None = None) -> dict[str, str]:
    """{name: text/plain} of every value a cell stored with `glue`.

    myst-nb moves them out of the executed notebook into NAME.glue.json beside it; a notebook run
    elsewhere (nbclient, Jupyter) keeps them as outputs with "scrapbook" metadata.
    """
    values = {}
    store = None if path is None else path.with_suffix(".glue.json")
    if store is not None and store.exists():
        for name, output in json.loads(store.read_text()).items():
            values[name] = output["data"]["text/plain"]
    for cell in nb.cells:
        kept = []
        for output in cell.get("outputs", []):
            record = output.get("metadata", {}).get("scrapbook")
            if record:  # hidden on the page; the deck must not show it either
                data, prefix = output["data"], record["mime_prefix"]
                values[record["name"]] = data.get(prefix + "text/plain", data.get("text/plain"))
            else:
                kept.append(output)
        if "outputs" in cell:
            cell["outputs"] = kept
    return values


def paste_glue(text: str, values: dict[str, str]) -> str:
    """`text` with every {glue:text}`name:format` replaced by the value, formatted as the page does."""

    def value(match: re.Match) -> str:
        raw, fmt = values.get(match.group(1)), match.group(2)
        if raw is None:
            raise KeyError(f"no glued value {match.group(1)!r} in this notebook")
        if not fmt:
            return raw.strip("'\"")
        return format(float(raw) if any(c in fmt for c in "efg%") or "." in fmt else int(float(raw)), fmt)

    return GLUE.sub(value, text)


def plain_markdown(text: str) -> str:
    """MyST as reveal.js shows it: admonitions become a bold title and their body, other
    directives (exercises, solutions) are dropped, roles keep their text, citations go."""
    text = ADMONITION.sub(lambda m: f"**{m.group(2)}**\n\n{m.group(4)}", text)
    text = DIRECTIVE.sub("", text)
    text = CITE.sub("", text)
    return ROLE.sub(lambda m: m.group(2) or "", text)


def split_heading_cell(cell) -> list:
    """A heading slide keeps the heading, its first paragraph (not on the title slide), equations,
    tables, lists and bold lead lines; the rest of its prose follows as a speaker-notes cell."""
    import nbformat

    if cell.metadata.get("slideshow", {}).get("slide_type") != "slide" or not cell.source.startswith("#"):
        return [cell]
    heading, *paragraphs = cell.source.split("\n\n")
    shown, notes = [heading], []
    for k, paragraph in enumerate(paragraphs):
        lead = k == 0 and not heading.startswith("# ")
        keep = lead or paragraph.lstrip().startswith(("$$", "| ", "- ", "**"))
        (shown if keep else notes).append(paragraph)
    cell.source = "\n\n".join(shown)
    if not notes:
        return [cell]
    notes_cell = nbformat.v4.new_markdown_cell("\n\n".join(notes))
    notes_cell.metadata["slideshow"] = {"slide_type": "notes"}
    return [cell, notes_cell]


HEADING = re.compile(r"^(#{1,3})\s+(.+?)\s*#*\s*$", re.M)


def shows_a_figure(cell) -> bool:
    """True for a code cell whose output is a picture: a plot, or HTML with images (a slider)."""
    if cell.cell_type != "code":
        return False
    for output in cell.get("outputs", []):
        data = output.get("data", {})
        if "image/png" in data or "image/svg+xml" in data or "<img" in "".join(data.get("text/html", "")):
            return True
    return False


def title_figure_slides(cells: list) -> list:
    """A code cell that opens a slide with a figure gets its section's title: a heading slide
    ("## <title of the last heading above>") is put in front, and the figure joins that slide."""
    import nbformat

    titled, title = [], None
    for cell in cells:
        if cell.cell_type == "markdown" and (headings := HEADING.findall(cell.source)):
            title = headings[-1][1]
        slide_type = cell.metadata.get("slideshow", {}).get("slide_type")
        if slide_type == "slide" and title and shows_a_figure(cell):
            heading = nbformat.v4.new_markdown_cell(f"## {title}")
            heading.metadata["slideshow"] = {"slide_type": "slide"}
            cell.metadata["slideshow"] = {"slide_type": "-"}
            titled.append(heading)
        titled.append(cell)
    return titled


class CacheMiss(LookupError):
    """A notebook whose code cells are not in the execution cache: its deck would have no outputs."""


def with_cached_outputs(nb, name: str = "the notebook"):
    """The notebook `nb` with the outputs of its code cells taken from the execution cache.

    jupyter-cache matches a notebook by its code cells' source and metadata; a notebook that changed
    since `make book` filled the cache is a CacheMiss naming `name`."""
    from jupyter_cache import get_cache

    try:
        _, merged = get_cache(str(CACHE)).merge_match_into_notebook(nb)
    except KeyError:
        raise CacheMiss(
            f"{name} is not in the execution cache {CACHE} (its code changed since the cache was "
            "filled, or it was never executed): run `make book`"
        ) from None
    return merged


def deck_slide_types(nb, name: str = "the notebook") -> None:
    """Apply the notebook's metadata["deck"]["slide_types"] ({cell id: slide type}) to its cells."""
    wanted = dict(nb.metadata.get("deck", {}).get("slide_types", {}))
    for cell in nb.cells:
        if cell.get("id") in wanted:
            kind = wanted.pop(cell["id"])
            if kind not in SLIDE_TYPES:
                raise ValueError(f"{name}: deck slide type {kind!r} of cell {cell['id']}: use {SLIDE_TYPES}")
            cell.metadata["slideshow"] = {"slide_type": kind}
    if wanted:
        raise ValueError(f"{name}: metadata deck.slide_types names no cell with id {', '.join(wanted)}")


def quiz_cells(cell) -> list:
    """A code cell whose output is a question (lstm_helpers.quiz) as a clicker question: the question
    and its lettered options on a new slide, the answer on the next fragment; other cells unchanged."""
    import nbformat

    from lstm_helpers.quiz import META, slide_cells

    found = [o["metadata"][META] for o in cell.get("outputs", []) if META in o.get("metadata", {})]
    skipped = cell.metadata.get("slideshow", {}).get("slide_type") == "skip"  # an exercise's check
    if cell.cell_type != "code" or not found or skipped:
        return [cell]
    cells = []
    for data in found:
        for slide_type, text in slide_cells(data):
            new = nbformat.v4.new_markdown_cell(text)
            new.metadata["slideshow"] = {"slide_type": slide_type}
            cells.append(new)
    return cells


def copy_assets(out: Path) -> None:
    for target, source in ASSETS.items():
        if not source.exists():
            raise FileNotFoundError(f"{source} is missing: run `make book` (it installs the npm packages)")
        dest = out / target
        dest.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, dest, dirs_exist_ok=True)
        else:
            shutil.copy2(source, dest)


def chapter_notebooks(only: list[str] | None = None) -> list[Path]:
    """The chapters' notebooks; `only`: those named by path, file name or leading number ("03")."""
    notebooks = sorted(NOTEBOOKS.glob("[0-9][0-9]-*.ipynb"))
    if not only:
        return notebooks
    chosen = []
    for name in only:
        found = [p for p in notebooks if p.name == Path(name).name or p.stem.startswith(Path(name).stem)]
        if not found:
            raise FileNotFoundError(f"no chapter notebook {name!r} in {NOTEBOOKS}")
        chosen += found
    return chosen


WIDGET = "application/vnd.jupyter.widget-view+json"


def drop_live_widgets(nb, name: str = "the notebook", strict: bool = True) -> None:
    """Remove ipywidgets outputs (a live slider, a progress bar): no kernel runs behind a deck. The
    book's runs (LSTM_BOOK_STATIC=1, set by the Makefile) make none, so one in the cache means it was
    filled outside `make`: an error when `strict`, else a warning."""
    cells = [c.get("id") for c in nb.cells if any(WIDGET in o.get("data", {}) for o in c.get("outputs", []))]
    if not cells:
        return
    message = (
        f"{name}: the execution cache holds live widgets (cells {', '.join(map(str, cells))}): it was "
        "filled without LSTM_BOOK_STATIC=1, so the deck would lack its static sliders; run `make book`"
    )
    if strict:
        raise CacheMiss(message)
    print(f"WARNING: {message}", file=sys.stderr)
    for cell in nb.cells:
        if "outputs" in cell:
            cell["outputs"] = [o for o in cell["outputs"] if WIDGET not in o.get("data", {})]


def deck_notebook(path: Path, strict: bool = True):
    """The notebook at `path` as its deck shows it: outputs from the cache, glue pasted, MyST made
    plain, solutions, checks and site-only cells left out, quizzes as clicker questions.
    `strict`: a cache filled outside `make` (live widgets) is an error, else a warning."""
    import nbformat

    nb = with_cached_outputs(nbformat.read(path, as_version=4), path.name)
    drop_live_widgets(nb, path.name, strict)
    deck_slide_types(nb, path.name)
    values = glued_values(nb, EXECUTED / path.name)
    cells = []
    for cell in nb.cells:
        tags = cell.metadata.get("tags", [])
        if "solution" in tags or "claims" in tags:  # the decks show exercises, not solutions or checks
            continue
        if cell.cell_type == "markdown":
            if "remove-cell" in tags and "deck" not in tags:  # not on the page: not in the deck
                continue
            try:
                cell.source = plain_markdown(paste_glue(cell.source, values))
            except KeyError as missing:  # a glue role whose value the cached run did not store
                raise ValueError(f"{path.name}, cell {cell.get('id')}: {missing.args[0]}") from None
            cells += split_heading_cell(cell)
        else:
            cells += quiz_cells(cell)
    nb.cells = title_figure_slides(cells)
    return nb


NO_ALT = "No description has been provided for this image"  # nbconvert's alt for an image without one


def with_alt_texts(body: str, nb) -> str:
    """`body` with each figure's alt text (the cell's `mystnb.image.alt`, as on the page) instead of
    nbconvert's placeholder; nbconvert labels each cell's block `cell-id=<id>`."""
    for cell in nb.cells:
        alt = cell.metadata.get("mystnb", {}).get("image", {}).get("alt")
        if cell.cell_type != "code" or not alt:
            continue
        start = body.find(f'id="cell-id={cell.get("id")}"')
        end = body.find('id="cell-id=', start + 1)
        if start < 0:
            continue
        end = len(body) if end < 0 else end
        block = body[start:end].replace(f'alt="{NO_ALT}"', f'alt="{html.escape(alt, quote=True)}"')
        body = body[:start] + block + body[end:]
    return body


def deck_html(path: Path, strict: bool = True) -> str:
    """The deck of the notebook at `path`, as HTML (`strict`: see deck_notebook)."""
    nb = deck_notebook(path, strict)
    body, _ = exporter().from_notebook_node(nb)
    return with_alt_texts(body, nb)


def build(out: Path, site: Path | None = None, only: list[str] | None = None) -> list[Path]:
    """Write a deck per chapter notebook into `out` (and `site`/slides); return the decks.

    Every notebook is checked against the execution cache first: one miss and nothing is written."""
    pages, errors = {}, []
    for path in chapter_notebooks(only):
        try:
            pages[path] = deck_html(path)
        except CacheMiss as error:
            errors.append(str(error))
    if errors:
        raise CacheMiss("\n".join(errors) + "\nno deck was written")
    out.mkdir(parents=True, exist_ok=True)
    copy_assets(out)
    decks = []
    for path, page in pages.items():
        deck = out / f"{path.stem}.slides.html"
        deck.write_text(page, encoding="utf-8")
        write_zip(deck)
        decks.append(deck)
    write_index(out)
    if site is not None:
        shutil.copytree(out, site / "slides", dirs_exist_ok=True)
    return decks


LOCAL_REF = re.compile(r'<(?:script|link|img)\b[^>]*?\b(?:src|href)="([^"]+)"')
SCRIPT_PATH = re.compile(r"""["']([\w./-]+\.js)["']""")
CSS_REF = re.compile(r"""url\(\s*['"]?([^'")]+)['"]?\s*\)""")


def deck_assets(deck: Path) -> list[str]:
    """The files under the deck's folder that the deck loads, as paths relative to that folder: its
    scripts and style sheets, what those style sheets load (fonts), the modules require.js loads,
    and all of MathJax (it loads its fonts by URL at run time)."""
    folder, html = deck.parent, deck.read_text(encoding="utf-8")
    found = [u for u in LOCAL_REF.findall(html) if not re.match(r"(data:|https?:|//|#)", u)]
    found += [u for u in SCRIPT_PATH.findall(html) if (folder / u).is_file()]
    assets, todo = set(), [u.split("?")[0].split("#")[0] for u in found]
    while todo:
        name = todo.pop()
        if name in assets or not (folder / name).is_file():
            continue
        assets.add(name)
        if name.endswith(".css"):
            css = (folder / name).read_text(encoding="utf-8")
            base = Path(name).parent
            for ref in CSS_REF.findall(css):
                if not re.match(r"(data:|https?:|//)", ref):
                    todo.append(os.path.normpath(base / ref.split("?")[0].split("#")[0]))
    if any(name.startswith("lib/mathjax/") for name in assets):
        mathjax = [p for p in (folder / "lib" / "mathjax").rglob("*") if p.is_file()]
        assets.update(p.relative_to(folder).as_posix() for p in mathjax)
    return sorted(assets)


def write_zip(deck: Path) -> Path:
    """NAME.zip beside the deck: a folder NAME/ with the deck and the files it loads, so it opens
    offline from wherever it is unzipped (double-click the .html)."""
    import zipfile

    stem = deck.name.removesuffix(".slides.html")
    target = deck.with_name(f"{stem}.zip")
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(deck, f"{stem}/{deck.name}")
        for name in deck_assets(deck):
            archive.write(deck.parent / name, f"{stem}/{name}")
    return target


# ?print-pdf lays the deck out as one page per slide (reveal.js's print view); wait for it, for
# MathJax and for the images, then print.
PDF_READY = "document.addEventListener('pdf-ready', () => { window.lstmPdfReady = true; });"
PRINT_READY = """async () => {
  const sleep = ms => new Promise(r => setTimeout(r, ms));
  const ready = () => window.lstmPdfReady === true;
  const math = () => window.MathJax && MathJax.startup && MathJax.startup.promise;
  for (let k = 0; k < 600 && !(ready() && math()); k++) await sleep(50);
  if (!ready()) throw new Error('reveal.js did not lay out the print view');
  await MathJax.startup.promise;
  await document.fonts.ready;
  await Promise.all([...document.images].map(im => im.decode().catch(() => null)));
  await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  return Reveal.getTotalSlides();
}"""


def print_deck(browser, base: str, deck: Path) -> Path:
    """Print the deck served at `base` + its name to NAME.pdf beside it; nothing outside `base` loads."""
    from playwright.sync_api import Error as PlaywrightError

    tab = browser.new_page(viewport={"width": 1600, "height": 900})
    try:
        tab.route("**/*", lambda r: r.continue_() if r.request.url.startswith(base) else r.abort())
        tab.add_init_script(PDF_READY)  # reveal.js says when its print view is laid out
        tab.goto(f"{base}{deck.name}?print-pdf", wait_until="load")
        try:
            tab.evaluate(PRINT_READY)
        except PlaywrightError as error:  # it says what the page threw, or that it timed out
            raise RuntimeError(f"{deck.name}: no print view: {error}") from None
        pdf = deck.with_name(deck.name.removesuffix(".slides.html") + ".pdf")
        tab.pdf(path=str(pdf), print_background=True, prefer_css_page_size=True)
    finally:
        tab.close()
    return pdf


def print_pdfs(out: Path, site: Path | None = None) -> list[Path]:
    """NAME.pdf beside each deck in `out` (and in `site`/slides): reveal.js's print view printed by the
    book's headless Chromium, one 16:9 page per slide with every fragment shown."""
    from bookconfig import CHROMIUM, CHROMIUM_ARGS
    from pdf import serve

    if not os.access(CHROMIUM, os.X_OK) or importlib.util.find_spec("playwright") is None:
        print(f"WARNING: no Chromium at {CHROMIUM} or no Playwright (make browser-setup): no deck PDFs")
        return []
    from playwright.sync_api import sync_playwright

    pdfs, failed = [], []
    with serve(out) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            for deck in sorted(out.glob("*.slides.html")):  # a deck that cannot print does not stop others
                try:
                    pdfs.append(print_deck(browser, base, deck))
                except RuntimeError as error:
                    failed.append(str(error))
        finally:
            browser.close()
    if site is not None:
        for pdf in pdfs:
            shutil.copy2(pdf, site / "slides" / pdf.name)
    if failed:
        raise RuntimeError("\n".join(failed))
    return pdfs


def deck_title(deck: Path) -> str:
    """The deck's title: its first top-level heading."""
    match = re.search(r"<h1\b[^>]*>(.*?)</h1>", deck.read_text(encoding="utf-8"), re.S)
    text = re.sub(r"<a class=\"anchor-link\".*?</a>|<[^>]+>", "", match.group(1)) if match else deck.stem
    return " ".join(text.split())


def write_index(out: Path) -> Path:
    """out/index.html: every deck in `out`, with its zip and its PDF."""
    from html import escape

    rows = []
    for deck in sorted(out.glob("*.slides.html")):
        stem = deck.name.removesuffix(".slides.html")
        number = stem.split("-")[0].lstrip("0")
        rows.append(
            f'<li>Chapter {number}: <a href="{deck.name}">{escape(deck_title(deck))}</a> '
            f'(<a href="{stem}.zip">zip</a>, <a href="{stem}.pdf">PDF</a>)</li>'
        )
    page = out / "index.html"
    page.write_text(
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        "<title>Slides: one deck per chapter</title>\n"
        "<style>body { font-family: sans-serif; max-width: 48rem; margin: 2rem auto; padding: 0 1rem; "
        "line-height: 1.5; }</style>\n</head>\n<body>\n<main>\n<h1>Slides: one deck per chapter</h1>\n"
        "<p>Each deck opens in the browser (press S for the speaker view with the notes). The zip holds "
        "the deck and everything it needs: unzip it and open the .html file, no internet needed. The PDF "
        "has one page per slide.</p>\n<ul>\n" + "\n".join(rows) + "\n</ul>\n</main>\n</body>\n</html>\n",
        encoding="utf-8",
    )
    return page


def default_slide_type(cell: dict, index: int) -> str:
    text = "".join(cell["source"])
    if "claims" in cell.get("metadata", {}).get("tags", []):
        return "skip"
    if index == 0 or "{exercise}" in text or text.startswith("## References"):
        return "skip"
    if cell["cell_type"] == "markdown":
        return "slide" if text.startswith("#") else "notes"
    figure = "image" in cell.get("metadata", {}).get("mystnb", {})
    return "slide" if figure else "fragment"


def set_defaults(path: Path) -> None:
    nb = json.loads(path.read_text())
    for k, cell in enumerate(nb["cells"]):
        cell["metadata"].setdefault("slideshow", {"slide_type": default_slide_type(cell, k)})
    path.write_text(json.dumps(nb, sort_keys=True, indent=1, ensure_ascii=False) + "\n")


MAX_WORDS = 60  # a slide the room reads in the time the speaker says it
MATH = re.compile(r"\$\$.*?\$\$|\$[^$]*\$|\\\(.*?\\\)|\\\[.*?\\\]", re.S)
WORD = re.compile(r"[^\W_]+(?:['’.,-][^\W_]+)*")


def count_words(text: str) -> int:
    """Words a reader reads: runs of letters and digits ("it's", "0.25" and "1,000" are one); math
    between $ signs counts as none."""
    return len(WORD.findall(MATH.sub(" ", text)))


def slide_stats(html: str) -> list[dict]:
    """Per slide of a deck's HTML (a leaf <section>): its heading, its words without the speaker
    notes (markdown and printed outputs; pictures have none) and whether it has speaker notes."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    rows = []
    for k, section in enumerate(s for s in soup.select("div.slides section") if not s.find("section")):
        notes = " ".join(a.get_text(" ") for a in section.select("aside.notes")).strip()
        for hidden in section.select("aside.notes, script, style"):
            hidden.decompose()
        heading = section.find(["h1", "h2", "h3"])
        text = section.get_text(" ")
        title = (heading.get_text(" ") if heading else text).replace("¶", "")
        rows.append({
            "slide": k + 1,
            "heading": " ".join(title.split())[:60],
            "words": count_words(text),
            "notes": bool(notes),
        })  # fmt: skip
    return rows


def stats(notebooks: list[Path]) -> str:
    """A table per deck: slides, slides over MAX_WORDS words, slides without speaker notes."""
    lines = [f"{'deck':<36} {'slides':>6} {'>' + str(MAX_WORDS) + ' words':>10} {'no notes':>9}"]
    details = []
    for path in notebooks:
        rows = slide_stats(deck_html(path, strict=False))
        wordy = [r for r in rows if r["words"] > MAX_WORDS]
        silent = [r for r in rows if not r["notes"]]
        lines.append(f"{path.stem:<36} {len(rows):>6} {len(wordy):>10} {len(silent):>9}")
        details += [f"  {path.stem} slide {r['slide']} ({r['words']} words): {r['heading']}" for r in wordy]
        details += [f"  {path.stem} slide {r['slide']} (no notes): {r['heading']}" for r in silent]
    return "\n".join(lines + ([""] + details if details else []))


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="tools/slides.py", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    make = commands.add_parser("build", help="write the decks")
    make.add_argument("out", type=Path)
    make.add_argument("site", type=Path, nargs="?")
    make.add_argument("--only", nargs="+", metavar="NOTEBOOK", help="a path or a chapter number (03)")
    printed = commands.add_parser("pdf", help="print each deck in OUT_DIR to a PDF (headless Chromium)")
    printed.add_argument("out", type=Path)
    printed.add_argument("site", type=Path, nargs="?")
    count = commands.add_parser("stats", help="slides, wordy slides, slides without notes, per deck")
    count.add_argument("notebooks", nargs="*", metavar="NOTEBOOK")
    defaults = commands.add_parser("defaults", help="give new cells a slide type")
    defaults.add_argument("notebooks", nargs="+", type=Path, metavar="NOTEBOOK")
    args = parser.parse_args(argv)
    try:
        if args.command == "build":
            for deck in build(args.out, args.site, args.only):
                print(f"wrote {deck}")
        elif args.command == "pdf":
            for pdf in print_pdfs(args.out, args.site):
                print(f"wrote {pdf}")
        elif args.command == "stats":
            print(stats(chapter_notebooks(args.notebooks)))
        else:
            for name in args.notebooks:
                set_defaults(name)
    except (CacheMiss, ValueError, FileNotFoundError, RuntimeError) as error:
        sys.exit(f"tools/slides.py {args.command}: {error}")


if __name__ == "__main__":
    main(sys.argv[1:])
