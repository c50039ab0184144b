"""The setup cell every notebook starts with, in one place (tests/tools/test_setup_cell.py checks it).

Colab opens a chapter without the repository: the cell installs `lstm_helpers` from it there (from
LSTM_BOOK_REPO, the public address by default, so the test can install from a local clone); where
the package is installed already, it does nothing. Notebooks tag it `setup` and `remove-cell`.
"""

SETUP = '''# Setup: make lstm_helpers importable. Colab opens this notebook without the repository,
# so install the helpers from it there; where they are installed already, this does nothing.
import importlib.util
import os
import subprocess
import sys

REPO = os.environ.get("LSTM_BOOK_REPO", "https://github.com/lstm-course/lstm-book")
if importlib.util.find_spec("lstm_helpers") is None:
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", f"git+{REPO}@main"], check=True)'''
