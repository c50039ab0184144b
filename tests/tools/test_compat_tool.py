"""tools/compat.py (make compat): the environments it builds are the ones pyproject.toml promises."""

from __future__ import annotations

import compat
import pytest
from helpers_repo import ROOT
from packaging.version import Version


def test_floor_pins_every_dependency_at_its_lower_bound():
    floors = compat.dependencies()
    assert set(floors) == {"torch", "numpy", "matplotlib", "ipywidgets", "tqdm"}
    pins = dict(req.split("==") for req in compat.requirements("floor") if "==" in req)
    assert pins.pop("torch") == compat.torch_pin()  # the only torch that installs here (docs/)
    assert pins == {name: floor for name, floor in floors.items() if name != "torch"}


def test_colabs_own_packages_meet_every_floor():
    """A floor above what Colab ships makes the setup cell upgrade it and ask for a restart."""
    floors = compat.dependencies()
    for name, version in compat.COLAB.items():
        if name in floors:
            assert Version(version) >= Version(floors[name]), f"{name}: floor {floors[name]}, Colab {version}"
    assert Version(compat.COLAB["ipywidgets"]) < Version("8")  # the case the floors exist for


def test_an_unknown_environment_is_refused_by_name():
    with pytest.raises(ValueError, match="env must be one of floor, colab, newest"):
        compat.requirements("colab-2019")


def test_the_notebooks_run_are_the_books_chapters_in_order():
    names = [path.stem for path in compat.toc_notebooks()]
    assert names == sorted(names) and len(names) == len(list((ROOT / "notebooks").glob("*.ipynb")))


def test_a_notebook_that_shows_fewer_figures_than_elsewhere_is_named():
    def row(env, figures):
        return {"env": env, "notebooks": {"01-a": {"figures": figures[0]}, "02-b": {"figures": figures[1]}}}

    assert compat.missing_figures([row("floor", (3, 5)), row("newest", (3, 5))]) == []
    assert compat.missing_figures([row("floor", (0, 5)), row("newest", (3, 5))]) == [
        "floor 01-a: 0 figures shown, 3 elsewhere"]
    assert compat.missing_figures([row("floor", (0, 5)), row("newest", (0, 5))]) == [
        "floor 01-a: 0 figures shown, 0 elsewhere", "newest 01-a: 0 figures shown, 0 elsewhere"]
