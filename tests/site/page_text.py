"""Reading a built page as a reader does: its prose, its outputs, the papers it cites (site tests)."""

from __future__ import annotations

from bs4 import BeautifulSoup
from helpers_repo import HTML


def page(name: str) -> BeautifulSoup:
    """The built page `name` (e.g. "notebooks/04-the-memory-cell"), parsed."""
    return BeautifulSoup((HTML / f"{name}.html").read_text(encoding="utf-8"), "html.parser")


def prose(name: str) -> str:
    """The page's text outside code cells and their outputs, whitespace collapsed, straight apostrophes."""
    soup = page(name)
    for cell in soup.select("div.cell"):
        cell.decompose()
    return " ".join(soup.get_text().split()).replace("\u2019", "'")


def outputs(name: str) -> str:
    """Every cell output of the page, one after the other."""
    return "\n".join(out.get_text() for out in page(name).select("div.cell_output"))


def cited_titles(name: str) -> str:
    """The bibliography entries a page links to, as text."""
    refs = page("book/references")
    links = page(name).find_all("a", href=True)
    anchors = {a["href"].split("#")[1] for a in links if "references.html#" in a["href"]}
    return " ".join(refs.find(id=anchor).get_text() for anchor in anchors if refs.find(id=anchor))
