"""Deterministic pages: a notebook executed again gives the same text outputs, numbers included.

`make notebooks` executes every notebook once (nbmake, into _executed/); this check compares
those outputs with the previous build's, kept in the execution cache (from `make book`), where that
build was made from the same cells and the same lstm_helpers (before `make notebooks` stores its own).
Nothing is executed here. Without such a
build (a first `make test` in a fresh clone, or after an edit) the check is skipped, loudly; CI runs
`make book` before `make test` so that it always compares two executions. Text outputs: streams,
text/plain, markdown, LaTeX and HTML (embedded images, memory addresses and durations left out);
cells tagged `timing` (what they print depends on the machine's speed) are left out.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from bookconfig import CACHE
from helpers_repo import NOTEBOOKS, ROOT
from jupyter_cache import get_cache
from lstm_book import STAMP, helpers_fingerprint

EXECUTED = ROOT / "_executed"  # where `make notebooks` has nbmake execute them
TEXT = ("text/plain", "text/markdown", "text/latex", "text/html")


def normalise(text: str) -> str:
    """Leave out what is not the page's result: embedded images, memory addresses, wall-clock times."""
    text = re.sub(r"data:image/[\w+.-]+;base64,[A-Za-z0-9+/=]+", "data:image;base64,...", text)
    text = re.sub(r" at 0x[0-9a-f]+", " at 0x...", text)
    text = re.sub(r"/tmp/ipykernel_\d+/\d+\.py", "<kernel cell>", text)  # where a warning names its cell
    # "42 s"; prose.seconds writes a short duration as "under 0.1 s", so "under" is part of the time;
    # the spaces before it too: a table pads " 9.80 ms" and "10.20 ms" to one width
    duration = r" *(?:\bunder )?\b\d+(?:\.\d+)?( ?(?:s|ms|µs|us|min|seconds|minutes))\b"
    return re.sub(duration, r" (time)\1", text)


def text_outputs(nb) -> list[tuple[int, str, str]]:
    """(cell index, kind, text) for every text output of every code cell (glued values are printed).

    Consecutive stream outputs of a cell are joined: how a kernel splits what a cell prints into
    messages depends on timing, not on what it printed."""
    found: list[tuple[int, str, str]] = []
    for index, cell in enumerate(c for c in nb.cells if c.cell_type == "code"):
        if "timing" in cell.metadata.get("tags", []):
            continue
        for out in cell.get("outputs", []):
            if out.output_type == "stream":
                if found and found[-1][:2] == (index, out.name):
                    found[-1] = (index, out.name, found[-1][2] + normalise(out.text))
                else:
                    found.append((index, out.name, normalise(out.text)))
            elif out.output_type == "error":
                found.append((index, "error", f"{out.ename}: {out.evalue}"))
            else:
                for mime in TEXT:
                    if mime in out.get("data", {}):
                        found.append((index, mime, normalise(out.data[mime])))
    return found


def previous_build(path: Path):
    """The previous book build's execution of these cells with this lstm_helpers, from the cache.

    (Not _build/jupyter_execute: myst-nb writes that copy without outputs when it takes a notebook
    from the cache.)"""
    stamp = CACHE / STAMP
    if not stamp.exists() or stamp.read_text() != helpers_fingerprint(ROOT / "lstm_helpers"):
        return None
    try:
        _, merged = get_cache(str(CACHE)).merge_match_into_notebook(nbformat.read(path, as_version=4))
    except KeyError:  # no execution of these cells in the cache
        return None
    return merged


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_gives_the_same_text_outputs_as_the_previous_build(path):
    fresh = EXECUTED / path.name
    if not fresh.exists():
        pytest.fail(f"{fresh} is missing: run `make notebooks` (nbmake executes into it)", pytrace=False)
    before = previous_build(path)
    if before is None:
        pytest.skip(f"DETERMINISM NOT CHECKED for {path.name}: no previous build of these cells and this "
                    "lstm_helpers to compare with (run `make book`, then `make test`)")
    again = text_outputs(nbformat.read(fresh, as_version=4))
    assert again, f"{path.name} printed nothing to compare"
    before = text_outputs(before)
    differ = [(a, b) for a, b in zip(before, again) if a != b]
    assert len(before) == len(again), f"{len(before)} text outputs, then {len(again)}"
    assert not differ, "first difference (cell, kind, text):\n{}\nthen\n{}".format(*differ[0])


def test_durations_compare_without_their_number_or_padding():
    """What a rerun may change in a duration (its digits, the padding to a column's width) is left out;
    what it may not (the words, a count) is kept."""
    first = "GRU   4,800 parameters,  9.80 ms forward\nfit: under 0.1 s, 3 runs\n"
    again = "GRU   4,800 parameters, 10.20 ms forward\nfit: 2.5 s, 3 runs\n"
    assert normalise(first) == normalise(again)
    assert normalise(first) != normalise(first.replace("4,800", "4,900"))
    assert normalise(first) != normalise(first.replace("3 runs", "4 runs"))
