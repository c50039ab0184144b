"""benchmarks/notebooks.py: a notebook's seconds and its kernel's peak memory, in a table."""

import nbformat
import pytest

from benchmarks import notebooks


@pytest.mark.slow
def test_the_peak_is_the_kernels_and_counts_what_a_cell_holds(tmp_path):
    small, large = tmp_path / "small.ipynb", tmp_path / "large.ipynb"
    for path, mib in ((small, 0), (large, 400)):
        cell = f"import numpy as np\nx = np.ones({mib} * 2**20 // 8)\nprint(x.nbytes)"
        nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(cell)]), path)
    light, heavy = notebooks.measure(small), notebooks.measure(large)
    assert light["peak_mib"] < 300 and light["seconds"] > 0
    assert 390 <= heavy["peak_mib"] - light["peak_mib"] < 450  # the 400 MiB array, counted once
    rows = notebooks.table([("small", light), ("large", heavy)]).splitlines()
    assert len(rows) == 4 and rows[3].startswith("| large |")


def test_a_failing_notebook_is_named(tmp_path):
    path = tmp_path / "broken.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1 / 0")]), path)
    with pytest.raises(RuntimeError, match="broken.ipynb failed"):
        notebooks.measure(path)
