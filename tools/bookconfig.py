"""One place for what every build of the book shares: the Jupyter Book config and table of contents,
the execution cache, and the headless Chromium the PDF, the decks' checks and the browser tests start.

The student edition and the single-page (PDF) builds are the book's own `_config.yml` with its paths
made absolute (they build with `--config` from another folder) and the main build's execution
cache, so nothing runs again after `make html`. The student edition leaves out the pages for
instructors (the guide holds the exercises' answers and links to decks the edition does not ship).
"""

from __future__ import annotations

import os
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "_build" / ".jupyter_cache"
INSTRUCTOR_PAGES = ("book/instructor-guide",)  # left out of the student edition
CHROMIUM = os.environ.get("LSTM_CHROMIUM", "/usr/bin/chromium")
# --disable-background-networking & co: without them Chromium's own connections (to Google) are
# attempted, and refused on a machine without internet.
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]  # fmt: skip


def book_config(student: bool = False) -> dict:
    """The book's config for a build in another folder; `student`: the edition without solutions."""
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    sphinx = config["sphinx"]
    config["execute"]["cache"] = str(CACHE)
    config["bibtex_bibfiles"] = [str(ROOT / p) for p in config["bibtex_bibfiles"]]
    sphinx["local_extensions"] = {name: str(ROOT / p) for name, p in sphinx["local_extensions"].items()}
    sphinx["config"]["html_static_path"] = [str(ROOT / p) for p in sphinx["config"]["html_static_path"]]
    if student:
        config["title"] = f"{config['title']} (student edition)"
        # no Colab/Binder buttons: they open the repository's notebooks, which hold the solutions
        config["launch_buttons"] = {"binderhub_url": "", "colab_url": ""}
        sphinx["config"]["lstm_book_drop_solutions"] = True  # book/_ext drops every solution node
    return config


def book_toc(student: bool = False) -> dict:
    """The book's table of contents; `student`: without the pages for instructors."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    if student:
        for part in toc.get("parts", []):
            part["chapters"] = [c for c in part["chapters"] if c.get("file") not in INSTRUCTOR_PAGES]
    return toc


def write_build_files(folder: Path, student: bool = False) -> tuple[Path, Path]:
    """Write the config and the table of contents of a build made from `folder`; return their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    config, toc = folder / "_config.yml", folder / "_toc.yml"
    config.write_text(yaml.safe_dump(book_config(student), sort_keys=False))
    toc.write_text(yaml.safe_dump(book_toc(student), sort_keys=False))
    return config, toc
