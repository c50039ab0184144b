"""Paths and readers shared by the repository and site tests."""

from __future__ import annotations

import copy
import json
import os
from functools import cache
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
# the build the site tests read: _build, or another folder (a build made with --path-output DIR
# has it in DIR/_build) named by LSTM_BOOK_BUILD
BUILD = Path(os.environ.get("LSTM_BOOK_BUILD") or ROOT / "_build")
HTML = BUILD / "html"


def config() -> dict:
    return yaml.safe_load((ROOT / "_config.yml").read_text())


def toc_files() -> list[str]:
    """Every file named in _toc.yml, root first, without suffix."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]]
    for part in toc.get("parts", []):
        files += [chapter["file"] for chapter in part["chapters"]]
    return files


@cache
def parsed(path: Path):
    """A built HTML file parsed once per test process: many checks read the same page. Shared, so
    read it only (a check that removes parts parses its own copy)."""
    from bs4 import BeautifulSoup

    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def editable(path: Path):
    """A copy of the parsed page of its own, for a check that removes parts of it before reading."""
    return copy.copy(parsed(path))


def notebook(path: Path) -> dict:
    return json.loads(path.read_text())


def source(cell: dict) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def tagged_cells(path: Path, tag: str) -> list[str]:
    """The sources of the notebook's code cells tagged `tag`, in order."""
    return [source(cell) for cell in notebook(path)["cells"]
            if cell["cell_type"] == "code" and tag in cell.get("metadata", {}).get("tags", [])]


def run_tagged(path: Path, tag: str = "from-scratch", namespace: dict | None = None) -> dict:
    """Execute the notebook's cells tagged `tag` (the code the reader sees) in `namespace`; return it.

    Tests check these cells against references, so they test the page's own code, not a copy of it.
    """
    cells = tagged_cells(path, tag)
    if not cells:
        raise LookupError(f"no code cell tagged {tag!r} in {path.name}: a cell lost its tag")
    namespace = {} if namespace is None else namespace
    for code in cells:
        exec(code, namespace)
    return namespace


def run_cells(path: Path, ids: list[str], namespace: dict) -> dict:
    """Execute the notebook's cells with these ids, in this order, in `namespace`; return it."""
    cells = {cell.get("id"): source(cell) for cell in notebook(path)["cells"]}
    missing = [i for i in ids if i not in cells]
    if missing:
        raise LookupError(f"no cell with id {missing} in {path.name}")
    for cell_id in ids:
        exec(cells[cell_id], namespace)
    return namespace
