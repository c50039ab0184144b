"""Each notebook executed once per `make test`: nbmake runs a build copy, the book reuses its outputs.

    python tools/executed.py copy DIR    copy every notebook of notebooks/ into DIR, for nbmake --overwrite
    python tools/executed.py cache DIR   store DIR's executed copies in the book's execution cache,
                                         each under its source notebook, so the builds run nothing again

nbmake is the tool that executes every notebook in CI. The strict build (`jupyter-book build`, with
`execute_notebooks: cache`), the student edition, the PDF and the decks read the execution cache;
storing nbmake's outputs there (with the source notebook's cells, which is what the cache matches on)
means none of them executes a notebook again. The determinism check compares these outputs with the
previous build's (tests/site/test_determinism.py).
"""

from __future__ import annotations

import shutil
import sys
from datetime import datetime
from pathlib import Path

import nbformat
from bookconfig import CACHE, ROOT
from lstm_book import reset_cache_if_changed

NOTEBOOKS = ROOT / "notebooks"


def copy_notebooks(dest: Path, source: Path = NOTEBOOKS) -> list[Path]:
    """Copy every notebook of `source` into an emptied `dest`; returns the copies."""
    shutil.rmtree(dest, ignore_errors=True)
    dest.mkdir(parents=True)
    return [Path(shutil.copy2(path, dest / path.name)) for path in sorted(source.glob("*.ipynb"))]


def seconds(nb: nbformat.NotebookNode) -> float | None:
    """Wall-clock seconds from the first cell's start to the last cell's reply, as nbclient recorded them."""
    stamps = [cell.metadata.get("execution", {}) for cell in nb.cells if cell.cell_type == "code"]
    start = next((s["iopub.execute_input"] for s in stamps if "iopub.execute_input" in s), None)
    end = next((s["shell.execute_reply"] for s in reversed(stamps) if "shell.execute_reply" in s), None)
    if start is None or end is None:
        return None
    elapsed = datetime.fromisoformat(end.rstrip("Z")) - datetime.fromisoformat(start.rstrip("Z"))
    return elapsed.total_seconds()


def with_outputs(source: nbformat.NotebookNode, executed: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """`source` with the outputs of `executed`, which must hold the same code cells."""
    ours = [cell for cell in source.cells if cell.cell_type == "code"]
    theirs = [cell for cell in executed.cells if cell.cell_type == "code"]
    if [c.source for c in ours] != [c.source for c in theirs]:
        raise ValueError("executed: its code cells differ from the source notebook's (run before an edit?)")
    if any(cell.execution_count is None for cell in theirs):
        raise ValueError("executed: a code cell has no execution count (was the notebook executed?)")
    merged = nbformat.from_dict(source)
    for cell, done in zip((c for c in merged.cells if c.cell_type == "code"), theirs):
        cell.outputs, cell.execution_count = done.outputs, done.execution_count
    return merged


def cache_executed(executed_dir: Path, cache_dir: Path = CACHE, source_dir: Path = NOTEBOOKS) -> list[str]:
    """Store each executed copy in `cache_dir` under its source notebook; returns the names stored."""
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn

    reset_cache_if_changed(cache_dir, ROOT / "lstm_helpers")  # as the build does: stale outputs go
    cache = get_cache(str(cache_dir))
    stored = []
    for copy in sorted(executed_dir.glob("*.ipynb")):
        path = source_dir / copy.name
        executed = nbformat.read(copy, as_version=4)
        merged = with_outputs(nbformat.read(path, as_version=4), executed)
        data = {"execution_seconds": seconds(executed)}
        cache.cache_notebook_bundle(CacheBundleIn(merged, str(path), data=data), check_validity=False,
                                    overwrite=True)
        stored.append(copy.name)
    return stored


if __name__ == "__main__":
    command, folder = sys.argv[1], Path(sys.argv[2])
    if command == "copy":
        print(f"copied {len(copy_notebooks(folder))} notebooks into {folder}")
    elif command == "cache":
        print(f"stored {len(cache_executed(folder))} executed notebooks in {CACHE}")
    else:
        sys.exit(f"unknown command {command!r}: use copy or cache")
