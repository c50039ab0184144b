"""Measured numbers into the prose: `glue(name, value)` stores a value a cell computed so that the
page's text shows it with {glue:text}`name:fmt` (myst-nb), and cannot drift from the output.

Outside the book build (Colab, Binder, a plain Jupyter) myst-nb may be missing: then `glue` only
returns the value, and the notebook runs the same.
"""

from __future__ import annotations

from typing import TypeVar

T = TypeVar("T")


def glue(name: str, value: T) -> T:
    """Store `value` under `name` for the prose (not shown where the cell runs); returns `value`."""
    try:
        from myst_nb import glue as myst_glue
    except ImportError:  # not in the book build: nothing to paste into
        return value
    myst_glue(name, value, display=False)
    return value
