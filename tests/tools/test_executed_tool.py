"""tools/executed.py: nbmake's outputs stored so that the book build matches them and runs nothing."""

from __future__ import annotations

import nbformat
import pytest
from executed import cache_executed, copy_notebooks, seconds, with_outputs
from jupyter_cache import get_cache
from nbclient import NotebookClient


def small_notebook() -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# A page"), nbformat.v4.new_code_cell("x = 6 * 7"),
                nbformat.v4.new_code_cell("print(x)", metadata={"tags": ["claims"]})]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


@pytest.fixture()
def executed_copy(tmp_path):
    """A source notebook in tmp/src and its copy in tmp/run, executed as nbmake does (nbclient)."""
    source = tmp_path / "src"
    source.mkdir()
    nbformat.write(small_notebook(), source / "01-page.ipynb")
    [copy] = copy_notebooks(tmp_path / "run", source)
    nb = nbformat.read(copy, as_version=4)
    NotebookClient(nb, timeout=60).execute()
    nbformat.write(nb, copy)
    return source, copy


def test_the_cache_matches_the_source_notebook_and_gives_the_executed_outputs(executed_copy, tmp_path):
    source, copy = executed_copy
    assert cache_executed(copy.parent, tmp_path / "cache", source) == ["01-page.ipynb"]
    cache = get_cache(str(tmp_path / "cache"))
    src = nbformat.read(source / "01-page.ipynb", as_version=4)
    cache.match_cache_notebook(src)  # raises KeyError where the build would execute again
    _, merged = cache.merge_match_into_notebook(src)
    assert merged.cells[2].outputs[0].text == "42\n"
    assert merged.cells[0].source == "# A page"  # the source's markdown, not the copy's


def test_seconds_is_the_recorded_run_time(executed_copy):
    run = seconds(nbformat.read(executed_copy[1], as_version=4))
    assert run is not None and 0 <= run < 60
    assert seconds(small_notebook()) is None  # never executed: nothing recorded


def test_a_copy_executed_before_an_edit_is_refused(executed_copy):
    source, copy = executed_copy
    edited = small_notebook()
    edited.cells[1].source = "x = 6 * 9"
    with pytest.raises(ValueError, match="differ"):
        with_outputs(edited, nbformat.read(copy, as_version=4))


def test_an_unexecuted_copy_is_refused():
    with pytest.raises(ValueError, match="execution count"):
        with_outputs(small_notebook(), small_notebook())
