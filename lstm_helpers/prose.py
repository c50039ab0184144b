"""Measured numbers and worded claims into the prose.

`glue(name, value)` stores a value a cell computed so that the page's text shows it with
{glue:text}`name:fmt` (myst-nb), and cannot drift from the output. `claim(holds, sentence)` backs a
sentence that describes an output in words ("falls", "the opposite sign"): it raises, naming the
sentence, when a rerun makes it false. Claims live in hidden code cells tagged `claims` (and
`remove-cell`), next to the computation, so a false sentence fails the build.

`seconds(value)` writes a measured duration for a sentence, rounded by its size ("under 0.1 s",
"0.4 s", "12 s", "3.5 min"), so that a fast run never reads "0.0 seconds".

Outside the book build (Colab, Binder, a plain Jupyter) myst-nb may be missing: then `glue` only
returns the value, and the notebook runs the same.
"""

from __future__ import annotations

import math
from typing import TypeVar

T = TypeVar("T")


def glue(name: str, value: T, fmt: str | None = None) -> T:
    """Store `value` under `name` for the prose (not shown where the cell runs); returns `value`.

    fmt: a format spec (".2f", ",d"): the prose then gets `format(value, fmt)`, the same text in
    every place that pastes it, with no spec to repeat ({glue:text}`name`).
    """
    shown = value if fmt is None else format(value, fmt)  # a bad spec fails here, in every environment
    try:
        from myst_nb import glue as myst_glue
    except ImportError:  # not in the book build: nothing to paste into
        return value
    myst_glue(name, shown, display=False)
    return value


class ClaimError(AssertionError):
    """A sentence of the page that its own measurement no longer supports."""


def claim(holds: object, sentence: str, measured: object = None) -> None:
    """Raise ClaimError naming `sentence` (and what was `measured`) unless `holds` is true."""
    if not sentence.strip():
        raise ValueError("sentence: give the page's words that this check backs, not an empty string")
    if not holds:
        detail = "" if measured is None else f"\nmeasured: {measured}"
        raise ClaimError(f"the page says {sentence!r}, but its measurement disagrees{detail}")


def seconds(value: float) -> str:
    """A duration in words, rounded by its size: "under 0.1 s", "0.4 s", "12 s", "3.5 min".

    A run on a fast machine can take a few milliseconds; "0.0 s" would read as no time at all.
    """
    number = isinstance(value, (int, float)) and not isinstance(value, bool)
    if not number or not math.isfinite(value) or value < 0:
        raise ValueError(f"value: a duration in seconds, a finite number >= 0, got {value!r}")
    if value < 0.1:
        return "under 0.1 s"
    if round(value, 1) < 10:
        return f"{value:.1f} s"
    if round(value) < 120:
        return f"{value:.0f} s"
    return f"{value / 60:.1f} min"
