"""Exercise solutions are code cells that run: every one that calls a checker passes it.

A solution is the cells tagged "solution" (tools/student.py drops them for the student edition).
Here each solution code cell that calls an `lstm_helpers.exercises` checker runs on its own, with
the checkers recorded, so a wrong solution (or a checker that accepts nothing) fails by name.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import student
import torch
from helpers_repo import NOTEBOOKS, notebook, source

from lstm_helpers import exercises

START = re.compile(r"```\{solution-start\} *(\S+)")


def solution_cells(path: Path) -> list[dict]:
    return [cell for cell in notebook(path)["cells"] if student.is_solution(cell)]


def checked_solutions() -> list[tuple[str, str]]:
    return [(path.stem, source(cell)) for path in NOTEBOOKS for cell in solution_cells(path)
            if cell["cell_type"] == "code" and "exercises.check_" in source(cell)]  # fmt: skip


def test_there_are_checked_coding_exercises():
    assert len(checked_solutions()) >= 6


@pytest.mark.parametrize("chapter, code", checked_solutions(), ids=lambda v: v[:24])
def test_solution_passes_its_checker(chapter, code, monkeypatch):
    verdicts = []
    for name in dir(exercises):
        if name.startswith("check_"):
            checker = getattr(exercises, name)

            def recorded(*args, _checker=checker, **kwargs):
                verdicts.append(_checker(*args, **kwargs))
                return verdicts[-1]

            monkeypatch.setattr(exercises, name, recorded)
    exec(code, {"torch": torch, "exercises": exercises})
    assert verdicts and all(verdicts), f"{chapter}: the solution fails its checker"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_gated_solution_is_closed_and_every_cell_of_it_tagged(path):
    inside = False
    for cell in notebook(path)["cells"]:
        text = source(cell)
        if START.match(text):
            assert not inside, f"{path.stem}: a solution starts inside another"
            inside = True
        if inside:
            assert student.is_solution(cell), f"{path.stem}: untagged cell inside a solution: {text[:60]!r}"
        if "{solution-end}" in text:
            assert inside, f"{path.stem}: solution-end without a start"
            inside = False
        if "{solution}" in text:
            assert student.is_solution(cell), f"{path.stem}: untagged solution {text[:60]!r}"
    assert not inside, f"{path.stem}: a solution is never closed"


def deck_cells(path: Path) -> list:
    return [cell for cell in notebook(path)["cells"] if student.is_deck_only(cell)]


def test_the_student_copy_keeps_exercises_and_drops_every_solution_and_deck_cell(tmp_path):
    for path in NOTEBOOKS:
        (tmp_path / path.name).write_text(path.read_text())
    removed = student.strip_notebooks(tmp_path)
    dropped = {path: len(solution_cells(path)) + len(deck_cells(path)) for path in NOTEBOOKS}
    assert removed == sum(dropped.values()) and all(solution_cells(p) and deck_cells(p) for p in NOTEBOOKS)
    for path in NOTEBOOKS:
        cells = json.loads((tmp_path / path.name).read_text())["cells"]
        text = "".join(source(cell) for cell in cells)
        assert "{exercise}" in text and "{solution" not in text
        assert not [cell for cell in cells if student.is_deck_only(cell)]
        assert len(cells) == len(notebook(path)["cells"]) - dropped[path]
