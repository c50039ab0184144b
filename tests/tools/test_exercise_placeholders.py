"""Exercises a student can do (issue 26): under each coding exercise a placeholder cell that stays in the
student edition, runs as it stands and prints the checker's "Not yet"; every checker call the exercise
text writes is the one its placeholder runs; every module an exercise's text uses is imported outside
the solutions (which the student edition drops)."""

from __future__ import annotations

import contextlib
import io
import re

import pytest
import torch
from helpers_repo import NOTEBOOKS, notebook, source
from student import is_solution

TAG = "exercise-placeholder"
CALL = re.compile(r"`(exercises\.check_\w+\([^`]*\))`")


def exercises_of(path) -> list[tuple[str, str, dict | None, list[dict]]]:
    """(label, text, the placeholder cell after it or None, the cells before it) of every exercise."""
    cells = notebook(path)["cells"]
    found = []
    for k, cell in enumerate(cells):
        text = source(cell)
        if cell["cell_type"] == "markdown" and "{exercise}" in text:
            label = re.search(r":label: *(\S+)", text).group(1)
            nxt = cells[k + 1] if k + 1 < len(cells) else None
            placeholder = nxt if nxt and TAG in nxt["metadata"].get("tags", []) else None
            found.append((label, text, placeholder, cells[:k]))
    return found


CODING = [
    (p.stem, label, text, ph)
    for p in NOTEBOOKS
    for label, text, ph, _ in exercises_of(p)
    if CALL.search(text)
]


@pytest.mark.parametrize("stem, label, text, placeholder", CODING, ids=[f"{c[0]}-{c[1]}" for c in CODING])
def test_each_coding_exercise_has_a_placeholder_that_runs_its_call_and_says_not_yet(
    stem, label, text, placeholder
):
    assert placeholder is not None, f"{stem} {label}: no placeholder cell (tagged {TAG}) under the exercise"
    assert not is_solution(placeholder), "the placeholder is tagged solution: the student edition drops it"
    code = source(placeholder)
    calls = CALL.findall(text)
    assert calls[0] in code, f"{stem} {label}: the text's call {calls[0]} is not the one its placeholder runs"
    namespace = {"torch": torch}
    with contextlib.redirect_stdout(io.StringIO()):
        exec(code, namespace)
    for call in calls:  # every call the text writes, as written, after the placeholder
        said = io.StringIO()
        with contextlib.redirect_stdout(said):
            eval(call, namespace)
        assert said.getvalue().startswith("Not yet: "), f"{stem} {label}: {call} printed {said.getvalue()!r}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_module_an_exercise_text_uses_is_imported_outside_the_solutions(path):
    for label, text, _, before in exercises_of(path):
        used = set(re.findall(r"`(?:[^`]*\W)?(dataclasses|lstm_helpers)\.\w", text))
        imported = "\n".join(source(c) for c in before if c["cell_type"] == "code" and not is_solution(c))
        for module in used:
            assert re.search(rf"^import {module}\b", imported, re.M), (
                f"{path.stem} {label}: the text uses {module}.… but no cell before it outside the "
                f"solutions imports {module}: the student's call fails with a NameError"
            )
