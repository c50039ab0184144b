"""Write a chapter notebook from a list of cells, stored without outputs.

Chapters are edited as notebooks; this small tool is for authors who generate one from a script:
`write_notebook(path, [md("..."), code("...", alt="...", caption="...")])`.
"""

from __future__ import annotations

import nbformat

SETUP = '''# Setup: make lstm_helpers importable. Colab opens this notebook without the repository,
# so install the helpers from it there; where they are installed already, this does nothing.
import importlib.util
import os
import subprocess
import sys

REPO = os.environ.get("LSTM_BOOK_REPO", "https://github.com/lstm-course/lstm-book")
if importlib.util.find_spec("lstm_helpers") is None:
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", f"git+{REPO}@main"], check=True)'''


def md(text: str, **metadata) -> nbformat.NotebookNode:
    return nbformat.v4.new_markdown_cell(text.strip("\n"), metadata=metadata)


def code(text: str, alt: str | None = None, caption: str | None = None, name: str | None = None,
         tags: list[str] | None = None) -> nbformat.NotebookNode:
    metadata: dict = {}
    if alt or caption:
        image = {"alt": alt} if alt else {}
        figure = {k: v for k, v in (("caption", caption), ("name", name)) if v}
        metadata["mystnb"] = {k: v for k, v in (("image", image), ("figure", figure)) if v}
    if tags:
        metadata["tags"] = tags
    return nbformat.v4.new_code_cell(text.strip("\n"), metadata=metadata)


def write_notebook(path: str, cells: list) -> None:
    nb = nbformat.v4.new_notebook()
    nb.cells = [code(SETUP, tags=["setup", "remove-cell"]), *cells]  # the site hides it; Colab runs it
    nb.metadata = {
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"},
    }
    for k, cell in enumerate(nb.cells):
        cell["id"] = f"c{k:02d}"  # stable ids keep diffs small when a chapter is regenerated
    nbformat.validate(nb)
    nbformat.write(nb, path)
