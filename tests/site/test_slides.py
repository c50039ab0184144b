"""The slide decks (make slides): one per chapter, offline, with figures and speaker notes, no errors;
each also as a zip that opens offline and as a PDF with a page per slide."""

from __future__ import annotations

import re
import subprocess
import zipfile
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from helpers_repo import BUILD, HTML, NOTEBOOKS, editable, notebook, parsed, source

SLIDES = BUILD / "slides"

if not SLIDES.exists():
    pytest.fail("no decks in _build/slides: run `make slides` (make book builds them)", pytrace=False)


def deck_file(path: Path) -> Path:
    file = SLIDES / f"{path.stem}.slides.html"
    assert file.exists(), f"no deck for {path.name}"
    return file


def deck(path: Path) -> BeautifulSoup:
    return parsed(deck_file(path))


def words(text: str, n: int = 6) -> str:
    """The first n words of `text`, without math, inline code and glue roles (the deck shows their value)."""
    # math, inline code, glue roles (the deck shows their value) and numbers such as 2e-16 carry no words
    plain = re.sub(r"\$[^$]*\$|\{glue[^}]*\}`[^`]*`|`[^`]*`|\d[\d.]*e[+-]?\d+", " ", text)
    return " ".join(re.findall(r"[A-Za-z]+", plain)[:n])


def in_deck(cell: dict) -> bool:
    """False for what the deck leaves out: solutions, checks, markdown on neither page nor deck."""
    tags = cell["metadata"].get("tags", [])
    site_only = cell["cell_type"] == "markdown" and "remove-cell" in tags and "deck" not in tags
    return not ({"solution", "claims"} & set(tags) or site_only)


def leaf_slides(soup: BeautifulSoup) -> list:
    return [s for s in soup.select("div.slides section") if not s.find("section")]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_deck_has_six_slides_figures_and_no_errors(path):
    soup = deck(path)
    slides = leaf_slides(soup)
    assert len(slides) >= 6, f"{len(slides)} slides"
    assert soup.select("section img"), "no figure in the deck"
    text = soup.get_text()
    assert "Traceback" not in text and not soup.select('[data-mime-type="application/vnd.jupyter.stderr"]')
    assert not soup.select(".jp-RenderedText[data-mime-type*=error]"), "an error output in the deck"
    assert "{glue" not in text, "a glue role reached the deck unpasted"
    assert "{solution" not in text, "a solution reached the deck"
    assert "claim(" not in text, "a claims cell reached the deck"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_speaker_notes_survive_into_the_deck(path):
    cells = [c for c in notebook(path)["cells"] if in_deck(c)]
    notes = [source(c) for c in cells if c["metadata"].get("slideshow", {}).get("slide_type") == "notes"]
    assert notes, f"{path.name} has no speaker notes"
    soup = editable(deck_file(path))  # its code is dropped below
    for code in soup.select("aside.notes code"):  # words() drops `code` from the source: drop it here too
        code.decompose()
    asides = " ".join(a.get_text(" ") for a in soup.select("aside.notes"))
    asides = words(asides, n=100_000)
    for note in notes:
        # up to the first glued value: a pasted value (a duration such as "under 0.1 s") adds words
        lead = words(re.split(r"\{glue", note)[0])
        if len(lead.split()) >= 3:
            assert lead in asides, f"speaker note {lead!r} is missing"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_deck_needs_nothing_from_the_internet_and_is_in_the_site(path):
    soup = deck(path)
    urls = [t.get("src") or t.get("href") for t in soup.select("script[src], link[href]")]
    urls += re.findall(r'"([^"]+\.js)"', " ".join(s.get_text() for s in soup.select("script:not([src])")))
    assert urls
    for url in [u for u in urls if not u.startswith("data:")]:  # a data: URL is its own content
        assert not re.match(r"(https?:)?//", url), f"loads {url} from the internet"
        assert (SLIDES / url).exists() or (SLIDES / f"{url}").with_suffix(".js").exists(), f"missing {url}"
    assert (HTML / "slides" / f"{path.stem}.slides.html").exists(), "the site does not carry the deck"


def local(url: str) -> bool:
    return not re.match(r"(https?:|//|data:|mailto:|#)", url)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_zip_opens_from_a_fresh_folder_with_everything_the_deck_loads(path, tmp_path):
    archive = SLIDES / f"{path.stem}.zip"
    assert archive.exists(), f"no {archive.name} in _build/slides"
    assert (HTML / "slides" / archive.name).exists(), "the site does not carry the zip"
    with zipfile.ZipFile(archive) as z:
        z.extractall(tmp_path)
    folder = tmp_path / path.stem
    html = (folder / f"{path.stem}.slides.html").read_text(encoding="utf-8")
    soup = BeautifulSoup(html, "html.parser")
    tags = soup.find_all(lambda t: t.has_attr("src") or t.has_attr("href"))
    refs = [(t.name, t.get("src") or t.get("href")) for t in tags]
    # a link in the text (<a>) may point online; nothing the deck loads may
    online = [url for name, url in refs if re.match(r"(https?:)?//", url) and name != "a"]
    assert not online, f"the deck loads from the internet: {online}"
    wanted = [url for _, url in refs if local(url)]
    inline = " ".join(s.get_text() for s in soup.select("script:not([src])"))
    wanted += re.findall(r'"([\w./-]+\.js)"', inline)  # what require.js loads
    missing = [url for url in wanted if not (folder / url.split("?")[0].split("#")[0]).is_file()]
    assert not missing, f"{archive.name} lacks {missing}"


def title_objective(path: Path) -> str:
    """The first objective on the deck's title slide, from the notebook: the first list item of the
    first heading cell the deck shows (its slide type, or the notebook's deck.slide_types)."""
    nb = notebook(path)
    override = nb["metadata"].get("deck", {}).get("slide_types", {})
    for cell in nb["cells"]:
        kind = override.get(cell.get("id"), cell["metadata"].get("slideshow", {}).get("slide_type"))
        text = source(cell)
        if cell["cell_type"] == "markdown" and in_deck(cell) and kind != "skip" and text.startswith("# "):
            items = re.findall(r"^\s*[-*] (.+)$", text, re.M)
            assert items, f"{path.name}: the title slide lists no objectives"
            return items[0]
    raise AssertionError(f"{path.name}: no title cell in the deck")


def letters(text: str) -> str:
    return " ".join(re.findall(r"[A-Za-z]+", text)).lower()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_pdf_has_a_page_per_slide_and_opens_on_the_objectives(path):
    pdf = SLIDES / f"{path.stem}.pdf"
    assert pdf.exists(), f"no {pdf.name} in _build/slides"
    assert (HTML / "slides" / pdf.name).exists(), "the site does not carry the PDF"
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    assert pages == len(leaf_slides(deck(path))), f"{pages} pages for {len(leaf_slides(deck(path)))} slides"
    width, height = map(float, re.search(r"Page size:\s+([\d.]+) x ([\d.]+)", info).groups())
    assert abs(width / height - 16 / 9) < 0.01, f"page {width} x {height} is not 16:9"
    first = subprocess.run(["pdftotext", "-f", "1", "-l", "1", str(pdf), "-"], capture_output=True,
                           text=True, check=True).stdout  # fmt: skip
    # the objective's words up to its first math, code or glued value (their glyphs print otherwise)
    objective = letters(re.split(r"[$`{]", title_objective(path))[0])
    assert len(objective.split()) >= 3, f"{path.name}: the first objective starts with math: {objective!r}"
    assert objective in letters(first), f"page 1 of {pdf.name} lacks the first objective {objective!r}"


def test_index_lists_every_deck_with_its_zip_and_pdf():
    index = BeautifulSoup((SLIDES / "index.html").read_text(encoding="utf-8"), "html.parser")
    links = {a["href"] for a in index.select("a[href]")}
    for path in NOTEBOOKS:
        for name in (f"{path.stem}.slides.html", f"{path.stem}.zip", f"{path.stem}.pdf"):
            assert name in links, f"slides/index.html does not link {name}"
    assert (HTML / "slides" / "index.html").exists(), "the site does not carry slides/index.html"
