"""Every page of the built site, opened in headless Chromium from 127.0.0.1 with the internet blocked.

Each page is opened once (see conftest.visited); every check below reads what that visit saw.
The pages are whatever the build produced: a new chapter is covered without touching this file.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
import yaml
from browser_site import (
    MAX_PAGE_BYTES,
    ROOT,
    SITE,
    ids_in,
    local_target,
    notebook_source,
    pages,
    redirect_target,
)

if not (SITE / "index.html").exists():
    pytest.fail(f"no built site in {SITE}: run `make book` (make test builds it first)", pytrace=False)

PAGES = pages()
# A page is opened and inspected once per process (`visited`); under pytest-xdist's loadgroup (make
# browser) all checks of one page go to the same worker, and the pages are shared between the workers.
every_page = pytest.mark.parametrize(
    "page", [pytest.param(page, marks=pytest.mark.xdist_group(page)) for page in PAGES]
)

# TeX that MathJax should have turned into math: $...$, $$, \( \[ and \begin{...} left in the text.
RAW_TEX = re.compile(r"\$\$|\\\(|\\\[|\\begin\{|\$[^\s$](?:[^$\n]*[^\s$\\])?\$")
# Alt texts that name the file or the object, not what the figure shows.
NO_DESCRIPTION = re.compile(r"^(<Figure size .*>|image|figure|plot|png|graph|.*\.(png|svg|jpe?g|gif))$", re.I)


def repo_and_branch() -> tuple[str, str]:
    config = yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]
    return config["url"].removeprefix("https://github.com/").rstrip("/"), config.get("branch", "master")


# What a page may not do, as (what the visit records, what the failure says). Routing blocks every
# request not to 127.0.0.1: none may even be attempted.
PROBLEMS = [
    ("console_errors", "console errors"),
    ("failed_local", "failed requests to 127.0.0.1"),
    ("outside", "requests outside 127.0.0.1 (blocked)"),
]


@every_page
@pytest.mark.parametrize("problem, what", PROBLEMS, ids=[p for p, _ in PROBLEMS])
def test_page_loads_cleanly_and_offline(visited, page, problem, what):
    found = getattr(visited(page), problem)
    assert not found, f"{what}:\n" + "\n".join(found)


@every_page
def test_every_formula_is_typeset(visited, page):
    dom = visited(page).dom
    raw = sorted({m.group(0) for m in RAW_TEX.finditer(dom["text"])})
    assert not raw, f"raw TeX left on the page: {raw[:10]}"
    assert not dom["untypeset"], f"{len(dom['untypeset'])} formulas not typeset, e.g. {dom['untypeset'][:3]}"
    if dom["math"]:
        assert dom["mjx"] >= dom["math"], f"{dom['math']} formulas but {dom['mjx']} MathJax outputs"


@every_page
def test_every_figure_says_what_it_shows(visited, page):
    for image in visited(page).dom["images"]:
        alt = (image["alt"] or "").strip()
        assert alt, f"image {image['src']} has no alt text"
        if image["figure"]:
            assert len(alt.split()) >= 4 and not NO_DESCRIPTION.match(alt), (
                f"figure {image['src']}: alt text {alt!r} does not say what the figure shows"
            )


@every_page
def test_internal_links_and_anchors_resolve(visited, page, base_url):
    visit = visited(page)
    links = [link["href"] for link in visit.dom["links"]]
    if redirect_target(page):
        links.append(base_url + redirect_target(page))
    broken = []
    for href in links:
        if not href.startswith(base_url):
            continue
        path, fragment = local_target(href)
        if not path.is_file():
            broken.append(f"{href}: no such file")
        elif fragment.startswith("/"):  # "#/3": a route inside a reveal.js deck, not an anchor
            continue
        elif fragment and path.suffix == ".html" and fragment not in ids_in(path):
            broken.append(f"{href}: no anchor #{fragment} in {path.relative_to(SITE)}")
    assert not broken, "broken internal links:\n" + "\n".join(sorted(set(broken)))


@every_page
def test_colab_and_binder_links_open_this_pages_notebook(visited, page):
    repo, branch = repo_and_branch()
    dom = visited(page).dom
    notebook = notebook_source(redirect_target(page) or page)
    colab = re.compile(rf"https://colab\.research\.google\.com/github/{repo}/blob/{branch}/(.+\.ipynb)")
    binder = re.compile(rf"https://mybinder\.org/v2/gh/{repo}/{branch}(?:\?urlpath=lab/tree/(.+\.ipynb))?")
    for href in {link["href"] for link in dom["links"]}:
        host = urlsplit(href).hostname or ""
        form = colab if host.endswith("colab.research.google.com") else binder if "mybinder" in host else None
        if form is None:
            continue
        m = form.fullmatch(href)
        assert m, f"{href} is not {form.pattern}"
        if m.group(1):
            assert (SITE / "_sources" / m.group(1)).is_file(), f"{href} opens a notebook the book lacks"
    if notebook:
        assert set(dom["launch"]) >= {
            f"https://colab.research.google.com/github/{repo}/blob/{branch}/{notebook}",
            f"https://mybinder.org/v2/gh/{repo}/{branch}?urlpath=lab/tree/{notebook}",
        }, f"launch buttons {dom['launch']} do not open {notebook} on {branch}"
    else:
        assert not dom["launch"], f"a page without a notebook has launch buttons {dom['launch']}"


@every_page
def test_no_serious_or_critical_accessibility_violation(visited, page):
    bad = [v for v in visited(page).axe if v["impact"] in ("serious", "critical")]
    report = [
        f"{v['id']} ({v['impact']}): {v['help']}\n    {n['target']}: {n['html']}\n    {n['summary']}"
        for v in bad
        for n in v["nodes"]
    ]
    assert not bad, "axe-core:\n" + "\n".join(report)


@every_page
def test_page_weighs_under_5_mb(visited, page):
    visit = visited(page)
    weight, top = visit.weight, sorted(visit.bytes_by_url.items(), key=lambda kv: -kv[1])[:5]
    assert weight < MAX_PAGE_BYTES, f"{weight / 1e6:.2f} MB; heaviest: {top}"


@every_page
def test_interactive_figures_need_no_kernel(visited, page):
    """An embedded ipywidget shows its first value and never moves without a kernel: use SliderFigure."""
    assert not visited(page).dom["widgets"], "an ipywidgets widget on the page: dead without a kernel"
