"""The student edition's notebooks run as a student meets them (issue 26): every solution removed, as
`tools/student.py strip` removes them for the download, executed top to bottom. Every exercise's
placeholder runs and prints its checker's "Not yet", and no cell after a dropped solution needs it.

It executes the chapters once more, as the student edition holds them (the book executes the full
notebooks), so it is its own tier: `make student-notebooks`, which CI runs after `make test`.
"""

from __future__ import annotations

import nbformat
import pytest
from helpers_repo import NOTEBOOKS
from nbclient import NotebookClient
from student import is_solution

TAG = "exercise-placeholder"


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_the_student_notebook_runs_top_to_bottom_and_each_placeholder_says_not_yet(path):
    nb = nbformat.read(path, as_version=4)
    nb.cells = [cell for cell in nb.cells if not is_solution(cell)]
    NotebookClient(nb, timeout=600, resources={"metadata": {"path": str(path.parent)}}).execute()
    for cell in [cell for cell in nb.cells if TAG in cell.metadata.get("tags", [])]:
        printed = "".join(out.get("text", "") for out in cell.outputs if out.output_type == "stream")
        assert printed.startswith("Not yet: "), f"{path.stem}: a placeholder printed {printed!r}"
