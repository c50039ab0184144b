"""Interactive figures that work in a live notebook and, without a kernel, in the built website.

Every interactive figure in the book is one pure function `draw(value) -> matplotlib Figure` and
the list of values its slider takes. `SliderFigure(draw, values, ...)` then shows it

- live (a running kernel): an ipywidgets slider above the picture; moving it redraws;
- static (the built site, LSTM_BOOK_STATIC=1): every frame rendered once and embedded in the page
  with a plain HTML range input that swaps them, so the control moves the picture with no kernel
  and no outside script. On paper (the PDF edition, or a page printed from the site) a print
  stylesheet shows a grid of `PRINTED_FRAMES` frames instead, each captioned with its value: the
  frames marked `lstm-print` below, captions hidden on screen.

Frames are PNGs with `PIXEL_DENSITY` pixels per CSS pixel, shown at their nominal size, so they
stay sharp on high-density screens and on paper.

Each value is drawn at most once per session (frames are cached as PNG bytes), so work that a
value needs (training a model, say) is paid once; cache such work in `draw` with `cached`.
"""

from __future__ import annotations

import base64
import functools
import html
import io
import itertools
import json
import os
from collections.abc import Callable, Sequence

import matplotlib.pyplot as plt

_ids = itertools.count()
PIXEL_DENSITY = 2  # pixels per CSS pixel in a frame: sharp on high-density screens and in print
PRINTED_FRAMES = 6  # at most this many frames in the printed grid (fewer when the slider has fewer)


def is_static() -> bool:
    """True where no kernel will sit behind the output: the book build and the test suite."""
    return os.environ.get("LSTM_BOOK_STATIC") == "1"


def cached(fn: Callable) -> Callable:
    """Memoise `fn` for the session: a slider value that needs training trains only once."""
    return functools.lru_cache(maxsize=None)(fn)


def render(fig, dpi: int = 80) -> bytes:
    """The PNG bytes of `fig` for display at `dpi` (stored at PIXEL_DENSITY times as many pixels
    per inch, in a palette of 256 colours: a third of the bytes, the same picture for a line plot);
    the figure is closed afterwards."""
    from PIL import Image

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi * PIXEL_DENSITY)
    plt.close(fig)
    image = Image.open(buffer).convert("RGB").quantize(256, method=Image.Quantize.MEDIANCUT)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def png_size(png: bytes) -> tuple[int, int]:
    """(width, height) in pixels of a PNG, read from its header."""
    if png[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("png must be the bytes of a PNG file, got something else")
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


def printed_indices(n: int, most: int = PRINTED_FRAMES) -> list[int]:
    """Which of `n` frames the printed grid shows: all when n <= most, else `most` evenly spread
    from the first to the last."""
    if n <= most:
        return list(range(n))
    return [round(k * (n - 1) / (most - 1)) for k in range(most)]


class SliderFigure:
    """`draw(value)` behind a slider over `values`: live with ipywidgets, static as HTML frames.

    label: what the slider sets, e.g. "gap (filler words)".
    alt: the alt text of a frame, a format string with `{value}` or a function of the value.
    """

    def __init__(
        self,
        draw: Callable,
        values: Sequence,
        label: str,
        alt: str | Callable,
        start=None,
        dpi: int = 80,
    ):
        if not callable(draw):
            raise TypeError(f"draw must be a function value -> Figure, got {type(draw).__name__}")
        self.values = list(values)
        if not self.values:
            raise ValueError("values must hold at least one slider value, got none")
        if start is not None and start not in self.values:
            raise ValueError(f"start must be one of values {self.values}, got {start!r}")
        self.draw, self.label, self.alt, self.dpi = draw, label, alt, dpi
        self.start = self.values[0] if start is None else start
        self._frames: dict = {}

    def frame(self, value) -> bytes:
        """PNG bytes of `draw(value)`, drawn once per value."""
        if value not in self.values:
            raise ValueError(f"value must be one of {self.values}, got {value!r}")
        if value not in self._frames:
            self._frames[value] = render(self.draw(value), self.dpi)
        return self._frames[value]

    def alt_text(self, value) -> str:
        return self.alt(value) if callable(self.alt) else self.alt.format(value=value)

    def live(self):
        """An ipywidgets slider above an image; moving the slider shows `draw(value)`."""
        import ipywidgets

        slider = ipywidgets.SelectionSlider(
            options=self.values, value=self.start, description=self.label,
            continuous_update=False, style={"description_width": "initial"},
            layout=ipywidgets.Layout(width="95%"),
        )  # fmt: skip
        first = self.frame(self.start)
        # shown at its nominal width: the PNG has PIXEL_DENSITY pixels per screen pixel
        image = ipywidgets.Image(value=first, format="png", width=str(png_size(first)[0] // PIXEL_DENSITY))

        def show(change):
            image.value = self.frame(change["new"])

        slider.observe(show, names="value")
        return ipywidgets.VBox([slider, image])

    def static_html(self) -> str:
        """Every frame in one HTML block with a range input that swaps them (no kernel, no CDN).

        Each frame sits in a <figure> whose caption (the value) only the print stylesheet shows;
        the frames of `printed_indices` carry the class lstm-print and make the printed grid."""
        uid = f"lstm-scrubber-{next(_ids)}"
        start = self.values.index(self.start)
        labels = html.escape(json.dumps([str(v) for v in self.values]))
        printed = printed_indices(len(self.values))
        frames = "\n".join(
            self._frame_html(v, shown=k == start, printed=k in printed) for k, v in enumerate(self.values)
        )
        swap = (
            "var box=this.closest('.lstm-scrubber'), k=+this.value;"
            "box.querySelectorAll('img').forEach(function(im,j){im.style.display=j===k?'':'none';});"
            "box.querySelector('output').textContent=JSON.parse(box.dataset.labels)[k];"
        )
        return (
            f'<div class="lstm-scrubber" id="{uid}" data-labels="{labels}">\n'
            f'<label for="{uid}-range">{html.escape(self.label)}: '
            f'<output for="{uid}-range">{html.escape(str(self.start))}</output></label><br>\n'
            f'<input type="range" id="{uid}-range" min="0" max="{len(self.values) - 1}" step="1" '
            f'value="{start}" style="width:95%" oninput="{swap}">\n{frames}\n</div>'
        )

    def _frame_html(self, value, shown: bool, printed: bool) -> str:
        """The frame of `value` as <figure><img><figcaption>: the image at its nominal size (its pixels over
        PIXEL_DENSITY), the caption "label: value" hidden on screen."""
        png = self.frame(value)
        width, height = (n // PIXEL_DENSITY for n in png_size(png))
        text = html.escape(f"{self.label}: {value}")
        return (
            f'<figure class="lstm-frame{" lstm-print" if printed else ""}" style="margin:0">'
            f'<img src="data:image/png;base64,{base64.b64encode(png).decode()}" '
            f'alt="{html.escape(self.alt_text(value))}" data-value="{html.escape(str(value))}" '
            f'width="{width}" height="{height}" '
            f'style="max-width:100%;height:auto;{"" if shown else "display:none"}">'
            f'<figcaption style="display:none">{text}</figcaption></figure>'
        )

    def _repr_html_(self) -> str:
        return self.static_html()

    def _ipython_display_(self) -> None:
        from IPython.display import HTML, display

        display(HTML(self.static_html()) if is_static() else self.live())
