"""A worded claim that a rerun makes false fails the build, naming its sentence.

Chapter 1 executed as the build executes it (nbclient, errors raise), with one setting changed
after its settings cell: a learning rate of 0 leaves the loop's network untrained, so the page's
sentences about its loss and accuracy no longer hold, and execution stops at the claims cell that
backs them, with a ClaimError that quotes the sentence. The claims cells themselves are hidden on
every page (tests/site) and skipped in the decks.
"""

from __future__ import annotations

import re

import nbformat
import pytest
from helpers_repo import ROOT
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

CHAPTER = ROOT / "notebooks" / "01-sequences-and-rnns.ipynb"
BREAK = "import dataclasses\nsettings = dataclasses.replace(settings, lr=0.0)  # the loop learns nothing"


def with_setting_changed(path) -> nbformat.NotebookNode:
    nb = nbformat.read(path, as_version=4)
    at = next(k for k, c in enumerate(nb.cells) if "chapter-settings" in c.metadata.get("tags", []))
    nb.cells.insert(at + 1, nbformat.v4.new_code_cell(BREAK))
    return nb


@pytest.mark.parametrize("path", [CHAPTER], ids=lambda p: p.stem)
def test_a_claim_made_false_by_a_setting_stops_execution_and_names_its_sentence(path):
    nb = with_setting_changed(path)
    client = NotebookClient(nb, timeout=300, resources={"metadata": {"path": str(path.parent)}})
    with pytest.raises(CellExecutionError) as failure:
        client.execute()
    message = str(failure.value)
    assert "ClaimError" in message and "the page says" in message, message[-2000:]
    failed = next(c for c in nb.cells if any(o.output_type == "error" for o in c.get("outputs", [])))
    assert "claims" in failed.metadata.get("tags", []), "the error came from a cell that is not a claims cell"
    sentence = re.search(r"the page says '([^']+)'", message)
    assert sentence and sentence.group(1) in failed.source, "the error does not quote the cell's sentence"
