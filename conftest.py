"""pytest setup shared by the unit tests and nbmake's notebook runs.

Notebook kernels inherit LSTM_BOOK_STATIC=1 (no progress bars, interactive figures in their
static form); kernel replies are polled in short slices (see book/_ext). MPLBACKEND is left
alone: a kernel started with MPLBACKEND=Agg would show no figure at all.
"""

import os

from lstm_book import poll_in_slices  # book/_ext, on pytest's pythonpath (pyproject.toml)

os.environ.setdefault("LSTM_BOOK_STATIC", "1")

poll_in_slices()
