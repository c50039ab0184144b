"""The slide decks (make slides): one per chapter, offline, with figures and speaker notes, no errors."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from helpers_repo import BUILD, HTML, NOTEBOOKS, notebook, source

SLIDES = BUILD / "slides"

if not SLIDES.exists():
    pytest.fail("no decks in _build/slides: run `make slides` (make book builds them)", pytrace=False)


def deck(path: Path) -> BeautifulSoup:
    file = SLIDES / f"{path.stem}.slides.html"
    assert file.exists(), f"no deck for {path.name}"
    return BeautifulSoup(file.read_text(encoding="utf-8"), "html.parser")


def words(text: str, n: int = 6) -> str:
    """The first n words of `text`, without math, inline code and glue roles (the deck shows their value)."""
    # math, inline code, glue roles (the deck shows their value) and numbers such as 2e-16 carry no words
    plain = re.sub(r"\$[^$]*\$|\{glue[^}]*\}`[^`]*`|`[^`]*`|\d[\d.]*e[+-]?\d+", " ", text)
    return " ".join(re.findall(r"[A-Za-z]+", plain)[:n])


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_deck_has_six_slides_figures_and_no_errors(path):
    soup = deck(path)
    slides = [s for s in soup.select("div.slides section") if not s.find("section")]
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
    cells = notebook(path)["cells"]
    notes = [source(c) for c in cells if c["metadata"].get("slideshow", {}).get("slide_type") == "notes"]
    assert notes, f"{path.name} has no speaker notes"
    soup = deck(path)
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
    for url in urls:
        assert not re.match(r"(https?:)?//", url), f"loads {url} from the internet"
        assert (SLIDES / url).exists() or (SLIDES / f"{url}").with_suffix(".js").exists(), f"missing {url}"
    assert (HTML / "slides" / f"{path.stem}.slides.html").exists(), "the site does not carry the deck"
