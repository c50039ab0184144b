"""Every exercise solution that calls an `lstm_helpers.exercises` checker really passes it."""

from __future__ import annotations

import re

import pytest
import torch
from helpers_repo import NOTEBOOKS, notebook, source

from lstm_helpers import exercises

SOLUTION = re.compile(r":::+\{solution\}.*?\n(.*?)\n:::+", re.S)
PYTHON = re.compile(r"```python\n(.*?)```", re.S)


def checked_solutions() -> list[tuple[str, str]]:
    found = []
    for path in NOTEBOOKS:
        for cell in notebook(path)["cells"]:
            if cell["cell_type"] != "markdown":
                continue
            for block in SOLUTION.findall(source(cell)):
                found += [(path.stem, code) for code in PYTHON.findall(block) if "exercises.check_" in code]
    return found


def test_there_are_checked_coding_exercises():
    assert checked_solutions(), "no solution calls an exercises checker"


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
