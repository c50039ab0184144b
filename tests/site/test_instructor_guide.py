"""The instructor guide: a section per chapter with its deck's link (resolving in the built site) and a
lecture plan whose tables add up to a 50-minute lecture and a 90-minute lab."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from helpers_repo import HTML, toc_files

GUIDE = HTML / "book" / "instructor-guide.html"
CHAPTERS = [Path(f).name for f in toc_files() if f.startswith("notebooks/")]

if not GUIDE.exists():
    pytest.fail("no instructor guide in the built site: run `make book`", pytrace=False)


def chapter_section(stem: str):
    """The guide's section (the h2 level) that links the chapter's deck."""
    soup = BeautifulSoup(GUIDE.read_text(encoding="utf-8"), "html.parser")
    links = [a for a in soup.select("a[href]") if a["href"].endswith(f"slides/{stem}.slides.html")]
    assert links, f"the guide links no deck for {stem}"
    return links[0], links[0].find_parent("section")


@pytest.mark.parametrize("stem", CHAPTERS)
def test_guide_links_the_chapters_deck_and_it_is_in_the_site(stem):
    link, _ = chapter_section(stem)
    target = (GUIDE.parent / link["href"]).resolve()
    assert target == (HTML / "slides" / f"{stem}.slides.html").resolve(), link["href"]
    assert target.exists(), f"{link['href']} does not resolve in the site: run `make slides`"


@pytest.mark.parametrize("stem", CHAPTERS)
def test_guide_has_a_lecture_plan_for_the_chapter(stem):
    _, section = chapter_section(stem)
    assert section is not None and section.find("h2"), f"the {stem} deck link is not in a chapter section"
    plans = [s for s in section.find_all("section") if "lecture plan" in s.find(["h3"]).get_text().lower()]
    assert plans, f"no lecture plan for {stem}"
    totals = sorted(
        sum(int(row.find("td").get_text()) for row in table.select("tbody tr"))
        for table in plans[0].find_all("table")
    )
    assert totals == [50, 90], f"lecture plan minutes add up to {totals}, not 50 (lecture) and 90 (lab)"
    assert re.search(r"misconception", section.get_text(), re.I), f"no misconceptions for {stem}"
