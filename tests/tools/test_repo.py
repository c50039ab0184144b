"""The repository agrees with itself: notebooks, setup cells, config, Binder and pinned requirements."""

from __future__ import annotations

import re

import pytest
from helpers_repo import NOTEBOOKS, ROOT, config, notebook, source, toc_files


def test_there_are_chapter_notebooks_and_all_are_in_the_toc():
    assert NOTEBOOKS, "no notebooks in notebooks/"
    in_toc = set(toc_files())
    for path in NOTEBOOKS:
        assert f"notebooks/{path.stem}" in in_toc, f"{path.name} is not in _toc.yml"


def test_every_toc_entry_has_a_source_file():
    for name in toc_files():
        assert (ROOT / f"{name}.md").exists() or (ROOT / f"{name}.ipynb").exists(), name


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_stored_without_outputs(path):
    for k, cell in enumerate(notebook(path)["cells"]):
        if cell["cell_type"] == "code":
            assert not cell["outputs"], f"{path.name} cell {k} has outputs"
            assert cell["execution_count"] is None, f"{path.name} cell {k} has an execution count"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_setup_cell_is_hidden_and_installs_from_this_repository(path):
    """What it does is tested end to end in test_setup_cell.py; here: hidden, and the address agrees."""
    first = notebook(path)["cells"][0]
    assert "remove-cell" in first["metadata"].get("tags", []), "the website should not show the setup cell"
    repo = re.search(r'"LSTM_BOOK_REPO", "([^"]+)"', source(first))
    assert repo and repo.group(1) == config()["repository"]["url"], "setup cell and _config.yml disagree"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_chapter_backs_its_worded_claims_in_hidden_claims_cells(path):
    claims = [c for c in notebook(path)["cells"] if "claims" in c["metadata"].get("tags", [])]
    assert claims, f"{path.name} has no cell tagged claims (lstm_helpers.prose.claim)"
    for cell in claims:
        assert cell["cell_type"] == "code" and "remove-cell" in cell["metadata"]["tags"], (
            f"{path.name}: a claims cell must be a code cell tagged remove-cell too (hidden on every page)")


def test_repository_branch_is_main():
    assert config()["repository"]["branch"] == "main"


def _requirements(path) -> dict[str, str]:
    pins = {}
    for line in path.read_text().splitlines():
        line = line.split("#")[0].strip()
        if line and not line.startswith("-"):
            name, version = line.split("==")
            pins[name.lower()] = version
    return pins


def test_binder_requirements_match_requirements_with_cpu_torch():
    local = _requirements(ROOT / "requirements.txt")
    binder = _requirements(ROOT / "binder" / "requirements.txt")
    assert set(binder) == set(local), f"different packages: {set(binder) ^ set(local)}"
    for name, version in local.items():
        if name == "torch":
            assert binder[name] == f"{version}+cpu", "Binder must install the CPU-only torch"
        else:
            assert binder[name] == version, f"{name}: {binder[name]} on Binder, {version} locally"
    text = (ROOT / "binder" / "requirements.txt").read_text()
    assert "--extra-index-url https://download.pytorch.org/whl/cpu" in text


def test_requirements_are_pinned_and_torch_is_the_local_cpu_build():
    pins = _requirements(ROOT / "requirements.txt")
    assert pins["torch"] == "2.13.0"
    assert pins["jupyter-book"].startswith("1."), "the book is built with Jupyter Book 1.x"


def test_package_keeps_loose_lower_bounds():
    text = (ROOT / "pyproject.toml").read_text()
    deps = re.search(r"dependencies = \[(.*?)\]", text, re.S).group(1)
    assert "==" not in deps and ">=" in deps
