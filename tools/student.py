"""The student edition: the same book with every exercise solution removed.

    python tools/student.py config DIR       write the student build's config and toc into DIR
    python tools/student.py strip DIR        remove solutions from the notebooks under DIR

A solution is the cells tagged "solution": a markdown cell with a `:::{solution}` block, or a
gated solution (`solution-start` ... code cells ... `solution-end`), every cell of it tagged.
The config and toc are `tools/bookconfig`'s for the student edition: the book's own, without
solutions, without Colab/Binder buttons and without the instructor guide, sharing the main build's
execution cache (nothing runs again). The
download button serves the notebook with its solution cells removed.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from bookconfig import write_build_files

ROOT = Path(__file__).resolve().parent.parent
TAG = "solution"


def is_solution(cell: dict) -> bool:
    """True for a cell of a solution (tagged "solution")."""
    return TAG in cell.get("metadata", {}).get("tags", [])


def is_deck_only(cell: dict) -> bool:
    """True for a cell shown only in the slide decks (tagged "deck"): the lecturer's slides and notes."""
    return "deck" in cell.get("metadata", {}).get("tags", [])


def strip_notebooks(folder: Path) -> int:
    """Remove the solution cells and the decks' cells (slides and speaker notes) of every notebook
    under `folder`; returns how many were removed."""
    removed = 0
    for path in folder.rglob("*.ipynb"):
        nb = json.loads(path.read_text())
        kept = [cell for cell in nb["cells"] if not (is_solution(cell) or is_deck_only(cell))]
        removed += len(nb["cells"]) - len(kept)
        nb["cells"] = kept
        path.write_text(json.dumps(nb, sort_keys=True, indent=1, ensure_ascii=False) + "\n")
    return removed


if __name__ == "__main__":
    command, target = sys.argv[1], Path(sys.argv[2])
    if command == "config":
        for path in write_build_files(target, student=True):
            print(f"wrote {path}")
    elif command == "strip":
        print(f"removed {strip_notebooks(target)} solution and deck cells from the notebooks under {target}")
    else:
        sys.exit(f"unknown command {command!r}: use config or strip")
