"""One place for what every build of the book shares: the Jupyter Book config, the execution cache,
and the headless Chromium the PDF, the decks' checks and the browser tests start.

The student edition and the single-page (PDF) builds are the book's own `_config.yml` with its paths
made absolute (they build with `--config` from another folder) and the main build's execution
cache, so nothing runs again after `make html`.
"""

from __future__ import annotations

import os
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "_build" / ".jupyter_cache"
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
