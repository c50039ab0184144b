"""make compat: the book in the environments students really have, built from scratch.

For each environment, from pyproject.toml's dependencies:
  floor   every dependency at its declared lower bound, installed first (as Colab has its own
          packages before the setup cell runs); then `pip install` of the package must change nothing;
  colab   the versions Google Colab's runtime shipped in 2025 (ipywidgets 7.7.1, imported at kernel
          start; numpy 2.0.2; matplotlib 3.10.0; IPython 7.34.0, ipykernel 6.17.1): installed first; again
          `pip install` of the package must change nothing;
  newest  the newest releases the registries serve that install here.
torch: only the CPU build of requirements.txt installs here without a multi-GB CUDA download, so
every environment gets that one (the floor of torch is what Colab's torch meets; see docs/compatibility.md).

In each: a fresh clone of this repository's HEAD, a plain `pip install` of it (not editable, as the
setup cell does), the unit tests, and every notebook of _toc.yml executed live (tools/live.py:
sliders built and moved, progress bars shown). Prints one table; exits 1 unless all is green.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from time import monotonic

import tomllib
import yaml
from live import ROOT, run_live

# Colab's own packages (its runtime's package list, 2025; Colab runs Python 3.12 and a CUDA torch, here
# Python 3.11 and the CPU torch of requirements.txt). Installing the package into them must upgrade nothing.
COLAB = {
    "numpy": "2.0.2", "matplotlib": "3.10.0", "ipywidgets": "7.7.1", "tqdm": "4.67.1",
    "ipykernel": "6.17.1", "ipython": "7.34.0",  # Colab's kernel side
    # Colab has jupyter-client 6.1.12, which its own server drives; nbclient, which drives the kernel
    # here, needs 7 or newer: 7.4.9 is the newest that Colab's notebook 6.5 (from ipywidgets 7) allows
    "jupyter-client": "7.4.9",
}
# environments whose packages are there before the setup cell runs: `pip install` may change nothing
PREINSTALLED = ("floor", "colab")
PACKAGES = ("torch", "numpy", "matplotlib", "ipywidgets", "tqdm", "ipykernel", "ipython", "jupyter-client")
# the tools the unit tests need besides the package; installed without changing any package above
TEST_TOOLS = ("pytest", "pyyaml", "nbformat", "nbconvert")


def toc_notebooks(root: Path = ROOT) -> list[Path]:
    """The notebooks _toc.yml lists, in its order."""
    toc = yaml.safe_load((root / "_toc.yml").read_text())
    files = [c["file"] for part in toc.get("parts", []) for c in part["chapters"]]
    return [root / f"{f}.ipynb" for f in files if (root / f"{f}.ipynb").exists()]


def dependencies(root: Path = ROOT) -> dict[str, str]:
    """pyproject.toml's dependencies as {name: lower bound}."""
    deps = tomllib.loads((root / "pyproject.toml").read_text())["project"]["dependencies"]
    bounds = {}
    for dep in deps:
        name, floor = re.fullmatch(r"\s*([A-Za-z0-9_.-]+)\s*>=\s*([^,;\s]+)\s*", dep).groups()
        bounds[name.lower()] = floor
    return bounds


def torch_pin(root: Path = ROOT) -> str:
    """requirements.txt's torch pin: the CPU build that installs here from local disk."""
    return re.search(r"^torch==(\S+)", (root / "requirements.txt").read_text(), re.M).group(1)


def requirements(env: str, root: Path = ROOT) -> list[str]:
    """What the environment has before the package is installed (floor, colab) or asks for (newest)."""
    if env == "newest":
        return [f"torch=={torch_pin(root)}", "ipykernel"]
    if env == "colab":
        return [f"torch=={torch_pin(root)}", *(f"{name}=={version}" for name, version in COLAB.items())]
    if env != "floor":
        raise ValueError(f"env must be one of floor, colab, newest; got {env!r}")
    pins = {name: f"{name}=={floor}" for name, floor in dependencies(root).items()}
    pins["torch"] = f"torch=={torch_pin(root)}"
    return [*pins.values(), "ipykernel"]


def sh(cmd: list, log, **kwargs) -> subprocess.CompletedProcess:
    log.write(f"$ {' '.join(map(str, cmd))}\n")
    log.flush()
    return subprocess.run(cmd, stdout=log, stderr=subprocess.STDOUT, text=True, **kwargs)


def freeze(python: Path) -> dict[str, str]:
    out = subprocess.run([python, "-m", "pip", "freeze", "--all"], capture_output=True, text=True).stdout
    pairs = (line.split("==", 1) for line in out.splitlines() if "==" in line)
    return {name.lower().replace("_", "-"): version for name, version in pairs}  # one spelling a name


def build(env: str, work: Path, clone: Path, log) -> dict:
    """A venv from scratch with the environment's packages, then the package from the clone."""
    prefix = work / env
    python = prefix / "bin" / "python"
    pip = [python, "-m", "pip", "install", "-q"]
    start = monotonic()
    sh([os.environ.get("PYTHON", "python3"), "-m", "venv", "--clear", prefix], log, check=True)
    sh([*pip, *requirements(env, clone)], log, check=True)
    before = freeze(python)
    sh([*pip, clone], log, check=True)  # what the setup cell does, from the clone instead of GitHub
    after = freeze(python)
    changed = sorted(f"{k} {before.get(k, '-')}->{v}" for k, v in after.items()
                     if before.get(k) != v and k != "lstm-helpers")  # fmt: skip
    constraints = work / f"{env}-constraints.txt"
    constraints.write_text("".join(f"{k}=={v}\n" for k, v in after.items() if k != "lstm-helpers"))
    sh([*pip, "-c", constraints, *TEST_TOOLS], log, check=True)
    sh([python, "-m", "ipykernel", "install", "--prefix", prefix, "--name", f"lstm-compat-{env}"], log,
       check=True)  # fmt: skip
    where = [python, "-c", "import lstm_helpers; print(lstm_helpers.__file__)"]
    found = subprocess.run(where, cwd=clone / "notebooks", capture_output=True, text=True).stdout.strip()
    assert str(prefix) in found, f"{env}: lstm_helpers imported from {found}, not from the environment"
    versions = {name: after.get(name, "-") for name in PACKAGES}
    kernel = f"lstm-compat-{env}"
    return {"changed": changed, "versions": versions, "build_s": monotonic() - start, "kernel": kernel}


def unit_tests(env: str, work: Path, clone: Path, log) -> str:
    """Run the clone's unit tests against the installed package; 'N passed' or the failure summary."""
    pytest = work / env / "bin" / "pytest"
    # the package's tests and the chapters' (the tools' tests need the build stack, not installed here);
    # importlib mode: the clone's folder is not put on sys.path, so lstm_helpers comes from the environment,
    # and the two conftest.py files (root, tests/) do not collide as one module "conftest"
    cmd = [pytest, "tests/unit", "tests/chapters", "-q", "-p", "no:cacheprovider", "--import-mode=importlib"]
    run = sh(cmd, log, cwd=clone, env={**os.environ, "LSTM_BOOK_STATIC": "1"})
    tail = (work / "compat.log").read_text().rstrip().splitlines()[-1]
    summary = re.sub(r"^=+ | in [\d.]+s.*$", "", tail)
    return summary if run.returncode == 0 else f"FAIL: {summary}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=ROOT / "_build" / "compat")
    parser.add_argument("--envs", default="floor,colab,newest")
    parser.add_argument("--skip-tests", action="store_true", help="only build and execute the notebooks")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    clone = args.work / "clone"
    rows = []
    with open(args.work / "compat.log", "w") as log:
        sh(["rm", "-rf", clone], log, check=True)
        sh(["git", "clone", "-q", ROOT, clone], log, check=True)
        for env in args.envs.split(","):
            row = {"env": env, **build(env, args.work, clone, log)}
            os.environ["JUPYTER_PATH"] = str(args.work / env / "share" / "jupyter")
            start = monotonic()
            row["tests"] = "skipped" if args.skip_tests else unit_tests(env, args.work, clone, log)
            row["tests_s"] = monotonic() - start
            row["notebooks"] = {}
            for path in toc_notebooks(clone):
                result = run_live(path, kernel=row["kernel"])
                row["notebooks"][path.stem] = {"ok": result.ok, "summary": result.summary(),
                                               "figures": result.figures}
                print(f"{env} {path.stem}: {result.summary()}", flush=True)
            rows.append(row)
    (args.work / "compat.json").write_text(json.dumps(rows, indent=1))
    print(table(rows))
    missing = missing_figures(rows)
    for line in missing:
        print(line)
    green = not missing and all(not r["changed"] or r["env"] not in PREINSTALLED for r in rows) and all(
        not r["tests"].startswith("FAIL") and all(n["ok"] for n in r["notebooks"].values()) for r in rows)
    print("compat: all green" if green else "compat: FAILED (details in _build/compat/compat.log)")
    return 0 if green else 1


def missing_figures(rows: list[dict]) -> list[str]:
    """Notebooks that showed no figure, or fewer than in another environment: a silent failure.

    Every chapter draws figures; a matplotlib that cannot reach the kernel's display raises nothing.
    """
    most: dict[str, int] = {}
    for r in rows:
        for name, nb in r["notebooks"].items():
            most[name] = max(most.get(name, 0), nb["figures"])
    return [f"{r['env']} {name}: {nb['figures']} figures shown, {most[name]} elsewhere"
            for r in rows for name, nb in r["notebooks"].items()
            if nb["figures"] < most[name] or nb["figures"] == 0]  # fmt: skip


def table(rows: list[dict]) -> str:
    """One markdown table: environment, versions, what pip changed, tests, each notebook."""
    lines = ["| environment | versions | pip install changed | build | unit tests | notebook | live run |",
             "|---|---|---|---|---|---|---|"]  # fmt: skip
    for r in rows:
        versions = ", ".join(f"{k} {v}" for k, v in r["versions"].items())
        changed = "; ".join(r["changed"]) if r["changed"] else "nothing"
        if r["env"] == "newest":
            changed = f"{len(r['changed'])} packages installed"
        first = [r["env"], versions, changed, f"{r['build_s']:.0f} s", f"{r['tests']} ({r['tests_s']:.0f} s)"]
        for k, (name, nb) in enumerate(r["notebooks"].items()):
            cells = first if k == 0 else [""] * 5
            lines.append("| " + " | ".join([*cells, name, nb["summary"]]) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
