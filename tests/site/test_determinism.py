"""Deterministic pages: a chapter executed again gives the same text outputs, numbers included.

A fresh execution is compared with the one the built book holds (_build/jupyter_execute), or,
where that is missing or stale (other cells, or lstm_helpers changed since), with a second fresh
execution. Text outputs: streams, text/plain, markdown, LaTeX and HTML (embedded images and
memory addresses left out), glued values included.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from helpers_repo import BUILD, ROOT, toc_files
from lstm_book import STAMP, helpers_fingerprint
from nbclient import NotebookClient

CHECKED = ("02", "06")  # chapter numbers, as the notebooks' names start
CHAPTERS = [ROOT / f"{f}.ipynb" for f in toc_files()
            if (ROOT / f"{f}.ipynb").exists() and Path(f).name.split("-")[0] in CHECKED]  # fmt: skip
TEXT = ("text/plain", "text/markdown", "text/latex", "text/html")


def normalise(text: str) -> str:
    """Leave out what is not the page's result: embedded images, memory addresses, wall-clock times."""
    text = re.sub(r"data:image/[\w+.-]+;base64,[A-Za-z0-9+/=]+", "data:image;base64,...", text)
    text = re.sub(r" at 0x[0-9a-f]+", " at 0x...", text)
    return re.sub(r"\b\d+(?:\.\d+)?( ?(?:s|ms|µs|seconds))\b", r"(time)\1", text)  # e.g. "42 s of training"


def text_outputs(nb) -> list[tuple[int, str, str]]:
    """(cell index, kind, text) for every text output of every code cell."""
    found = []
    for index, cell in enumerate(c for c in nb.cells if c.cell_type == "code"):
        for out in cell.get("outputs", []):
            if out.output_type == "stream":
                found.append((index, out.name, normalise(out.text)))
            elif out.output_type == "error":
                found.append((index, "error", f"{out.ename}: {out.evalue}"))
            else:
                for mime in TEXT:
                    if mime in out.get("data", {}):
                        found.append((index, mime, normalise(out.data[mime])))
    return found


def execute(path: Path):
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=300, resources={"metadata": {"path": str(path.parent)}}).execute()
    return nb


def built(path: Path):
    """The book build's executed copy, if it was made from these cells and this lstm_helpers."""
    copy = BUILD / "jupyter_execute" / path.relative_to(ROOT)
    stamp = BUILD / ".jupyter_cache" / STAMP
    if not (copy.exists() and stamp.exists()):
        return None
    if stamp.read_text() != helpers_fingerprint(ROOT / "lstm_helpers"):
        return None
    nb, source = nbformat.read(copy, as_version=4), nbformat.read(path, as_version=4)
    code = [[c.source for c in n.cells if c.cell_type == "code"] for n in (nb, source)]
    return nb if code[0] == code[1] else None


def test_the_checked_chapters_are_in_the_toc():
    assert len(CHAPTERS) == len(CHECKED), f"chapters {CHECKED} should be notebooks in _toc.yml: {CHAPTERS}"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_chapter_gives_the_same_text_outputs_when_executed_again(path):
    first = built(path) or execute(path)
    again = text_outputs(execute(path))
    assert again, f"{path.name} printed nothing to compare"
    before = text_outputs(first)
    differ = [(a, b) for a, b in zip(before, again) if a != b]
    assert len(before) == len(again), f"{len(before)} text outputs, then {len(again)}"
    assert not differ, "first difference (cell, kind, text):\n{}\nthen\n{}".format(*differ[0])
