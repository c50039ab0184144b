"""The setup cell, end to end, as Colab runs it.

A fresh environment that has the book's dependencies but not lstm_helpers runs a chapter's first
cells (the setup cell, then the chapter's imports) with the repository address (LSTM_BOOK_REPO)
pointed at a local clone: the package installs, nothing else changes, and the imports work. With
the package present, every chapter's setup cell installs nothing.
"""

from __future__ import annotations

import subprocess
import sys
import sysconfig
from pathlib import Path

import nbformat
import nbtool
import pytest
from helpers_repo import ROOT, toc_files
from nbclient import NotebookClient

CHAPTERS = [ROOT / f"{f}.ipynb" for f in toc_files() if (ROOT / f"{f}.ipynb").exists()]
KERNEL = "lstm-setup-cell-test"


def _first_cells(path: Path) -> list:
    """The notebook's setup cell and the code cell after it (the chapter's imports)."""
    code = [cell for cell in nbformat.read(path, as_version=4).cells if cell.cell_type == "code"]
    return code[:2]


def _run(cells: list, cwd: Path) -> list:
    nb = nbformat.v4.new_notebook(cells=cells)
    resources = {"metadata": {"path": str(cwd)}}
    NotebookClient(nb, kernel_name=KERNEL, timeout=300, allow_errors=True, resources=resources).execute()
    return nb.cells


def _installed(python: Path) -> dict[str, str]:
    out = subprocess.run([python, "-m", "pip", "list", "--format=freeze"], capture_output=True, text=True)
    return dict(line.split("==", 1) for line in out.stdout.splitlines() if "==" in line)


def _deps_without_the_package(work: Path) -> Path:
    """A folder of links to this venv's packages, lstm_helpers (and its editable finder) left out."""
    deps = work / "deps"
    deps.mkdir()
    for entry in Path(sysconfig.get_paths()["purelib"]).iterdir():
        if not entry.name.lower().replace("-", "_").startswith(("lstm_helpers", "__editable__")):
            (deps / entry.name).symlink_to(entry)
    return deps


@pytest.fixture(scope="module")
def fresh(tmp_path_factory):
    """Clone, fresh venv, kernel; then the first chapter's first cells run there once."""
    assert _first_cells(CHAPTERS[0])[0].source == nbtool.SETUP, "the notebooks need tools/nbtool.SETUP first"
    work = tmp_path_factory.mktemp("setup-cell")
    repo, env = work / "repo", work / "env"
    subprocess.run(["git", "clone", "-q", ROOT, repo], check=True)
    subprocess.run(["git", "-C", repo, "checkout", "-q", "-B", "main"], check=True)  # the cell installs @main
    # no pip or setuptools of its own: one copy of each, from the linked packages, as in Colab
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", env], check=True)
    python = env / "bin" / "python"
    purelib = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             capture_output=True, text=True, check=True).stdout.strip()  # fmt: skip
    Path(purelib, "book_deps.pth").write_text(f"{_deps_without_the_package(work)}\n")
    subprocess.run([python, "-m", "ipykernel", "install", "--prefix", env, "--name", KERNEL], check=True,
                   capture_output=True)  # fmt: skip
    patch = pytest.MonkeyPatch()
    patch.setenv("JUPYTER_PATH", str(env / "share" / "jupyter"))
    patch.setenv("LSTM_BOOK_REPO", f"file://{repo}")
    before = _installed(python)
    cells = _run(_first_cells(CHAPTERS[0]), cwd=work)
    yield {"python": python, "purelib": Path(purelib), "work": work, "before": before,
           "after": _installed(python), "cells": cells}  # fmt: skip
    patch.undo()


def test_setup_cell_is_the_standard_one_and_reads_the_repository_from_the_environment():
    assert "LSTM_BOOK_REPO" in nbtool.SETUP
    for path in CHAPTERS:
        assert _first_cells(path)[0].source == nbtool.SETUP, (
            f"{path.name}: the first cell is not tools/nbtool.SETUP; put it at the top of every notebook")


def test_fresh_environment_has_the_dependencies_but_not_the_package(fresh):
    assert "lstm-helpers" not in fresh["before"] and "lstm_helpers" not in fresh["before"]
    for name in ("torch", "numpy", "matplotlib", "ipywidgets", "tqdm"):
        assert name in fresh["before"], f"{name} missing from the fresh environment"


def test_setup_cell_installs_the_package_and_changes_nothing_else(fresh):
    before, after = fresh["before"], fresh["after"]
    added = {k for k in after if k not in before}
    changed = {k for k in before if after.get(k) != before[k]}
    assert added == {"lstm-helpers"} or added == {"lstm_helpers"}, f"installed {sorted(added)}"
    assert not changed, f"the setup cell changed {sorted(changed)}"
    assert (fresh["purelib"] / "lstm_helpers" / "__init__.py").exists(), "not installed into the environment"


def test_chapter_imports_work_after_the_install(fresh):
    for cell in fresh["cells"]:
        errors = [out for out in cell.outputs if out.output_type == "error"]
        assert not errors, errors


def test_setup_cell_installs_nothing_when_the_package_is_present(fresh):
    """Every chapter's setup cell and imports, one kernel for all (a kernel start costs seconds)."""
    init = fresh["purelib"] / "lstm_helpers" / "__init__.py"
    stamp = init.stat().st_mtime_ns
    firsts = [_first_cells(path) for path in CHAPTERS]
    cells = _run([cell for pair in firsts for cell in pair], cwd=fresh["work"])
    assert _installed(fresh["python"]) == fresh["after"]
    assert init.stat().st_mtime_ns == stamp, "the package was installed again"
    for k, cell in enumerate(cells):
        errors = [out for out in cell.outputs if out.output_type == "error"]
        assert not errors, f"{CHAPTERS[k // 2].name}: {errors}"
