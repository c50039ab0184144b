"""Build one reveal.js deck per chapter from the executed notebooks, with nothing fetched online.

    python tools/slides.py build OUT_DIR [SITE_DIR]
        decks from _build/jupyter_execute/notebooks (written by the book build) into OUT_DIR,
        with reveal.js, require.js, jQuery and MathJax copied from node_modules and book/_vendor;
        the same files are copied into SITE_DIR/slides so the website links to them.
    python tools/slides.py defaults NOTEBOOK...
        give cells that have no `slideshow` metadata a default: the setup cell, exercises and
        references are skipped, a heading starts a slide, other prose becomes speaker notes,
        a figure gets a slide of its own. Authors then adjust the metadata by hand.

Cells' `slideshow.slide_type` decides what is a slide, a fragment, skipped or a speaker note.
Code is left out of the decks (one idea per slide, no walls of code); outputs stay.
"""

from __future__ import annotations

import json
import re
import shutil
import sys
from pathlib import Path

from bookconfig import CACHE

ROOT = Path(__file__).resolve().parent.parent
EXECUTED = ROOT / "_build" / "jupyter_execute" / "notebooks"
NODE = ROOT / "node_modules"
ASSETS = {  # where a deck looks for a file: where it comes from
    "reveal.js/dist": NODE / "reveal.js" / "dist",
    "reveal.js/plugin/notes": NODE / "reveal.js" / "plugin" / "notes",
    "lib/require.js": NODE / "requirejs" / "require.js",
    "lib/jquery.min.js": NODE / "jquery" / "dist" / "jquery.min.js",
    "lib/mathjax": ROOT / "book" / "_vendor" / "mathjax",
}


def exporter():
    from nbconvert import SlidesExporter

    return SlidesExporter(
        extra_template_basedirs=[str(ROOT / "tools" / "slides_template")],
        template_name="lstm-reveal",
        reveal_url_prefix="reveal.js",
        require_js_url="lib/require.js",
        jquery_url="lib/jquery.min.js",
        mathjax_url="lib/mathjax/tex-chtml.js",
        reveal_theme="white",
        reveal_transition="none",
        reveal_number="c/t",
        reveal_width="1600",  # a larger logical slide, scaled to the screen: smaller text, room for figures
        reveal_height="900",
        reveal_scroll=True,  # a slide taller than the screen scrolls instead of being cut off
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
        for output in cell.get("outputs", []):
            record = output.get("metadata", {}).get("scrapbook")
            if record:
                data = output["data"]
                plain = data.get(record["mime_prefix"] + "text/plain", data.get("text/plain"))
                values[record["name"]] = plain
                output["data"] = {}  # hidden on the page; the deck must not show it either
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


def with_cached_outputs(nb):
    """The executed notebook `nb`, its outputs taken from the execution cache when it has none.

    myst-nb 1.4 writes _build/jupyter_execute/<name>.ipynb without outputs when a rebuild takes the
    notebook from the cache (sphinx_.py writes the notebook it read, not the merged one), so a deck
    built after such a rebuild lost every figure. The cache holds the outputs of the same cells."""
    if any(cell.get("outputs") for cell in nb.cells):
        return nb
    from jupyter_cache import get_cache

    try:
        _, merged = get_cache(str(CACHE)).merge_match_into_notebook(nb)
    except KeyError:  # not in the cache: the notebook as it is
        return nb
    return merged


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


def build(out: Path, site: Path | None = None) -> list[Path]:
    """Write a deck per executed chapter notebook into `out` (and `site`/slides); return the decks."""
    import nbformat

    notebooks = sorted(EXECUTED.glob("*.ipynb"))
    if not notebooks:
        raise FileNotFoundError(f"no executed notebooks in {EXECUTED}: run `make book` first")
    out.mkdir(parents=True, exist_ok=True)
    copy_assets(out)
    decks = []
    for path in notebooks:
        nb = with_cached_outputs(nbformat.read(path, as_version=4))
        values = glued_values(nb, path)
        cells = []
        for cell in nb.cells:
            tags = cell.metadata.get("tags", [])
            if "solution" in tags or "claims" in tags:  # the decks show exercises, not solutions or checks
                continue
            if cell.cell_type == "markdown":
                cell.source = plain_markdown(paste_glue(cell.source, values))
                cells += split_heading_cell(cell)
            else:
                cells += quiz_cells(cell)
        nb.cells = title_figure_slides(cells)
        body, _ = exporter().from_notebook_node(nb)
        deck = out / f"{path.stem}.slides.html"
        deck.write_text(body, encoding="utf-8")
        decks.append(deck)
    if site is not None:
        shutil.copytree(out, site / "slides", dirs_exist_ok=True)
    return decks


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


if __name__ == "__main__":
    command, args = sys.argv[1], sys.argv[2:]
    if command == "build":
        site = Path(args[1]) if len(args) > 1 else None
        for deck in build(Path(args[0]), site):
            print(f"wrote {deck}")
    elif command == "defaults":
        for name in args:
            set_defaults(Path(name))
    else:
        sys.exit(f"unknown command {command!r}: use build or defaults")
