"""pytest setup shared by the unit tests and nbmake's notebook runs.

Notebook kernels inherit LSTM_BOOK_STATIC=1 (no progress bars, interactive figures in their
static form); kernel replies are polled in short slices (see book/_ext). MPLBACKEND is left
alone: a kernel started with MPLBACKEND=Agg would show no figure at all.
"""

import os
import sys
from pathlib import Path

os.environ.setdefault("LSTM_BOOK_STATIC", "1")
sys.path.insert(0, str(Path(__file__).parent / "book" / "_ext"))

from lstm_book import poll_in_slices  # noqa: E402

poll_in_slices()

# tests/chapters/* import the shared test helpers (helpers_repo, slider_asserts) from tests/
sys.path.insert(0, str(Path(__file__).parent / "tests"))
