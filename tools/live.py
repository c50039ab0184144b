"""Execute a notebook the way a reader's kernel runs it: live widgets, progress bars, moved sliders.

`run_live(path, kernel)` executes every cell with nbclient in a kernel that does not see
LSTM_BOOK_STATIC (so `lstm_helpers.widgets` builds real ipywidgets sliders and training shows
tqdm bars), then moves every slider the way a browser does: a comm "update" message to the
slider's model. The kernel's answer must be a new PNG in the image next to the slider.
Used by tools/compat.py (make compat) and tools/stalls.py.
"""

from __future__ import annotations

import asyncio
import base64
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from time import monotonic

import nbformat
from lstm_book import poll_in_slices
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError

ROOT = Path(__file__).resolve().parent.parent


PNG = b"\x89PNG\r\n\x1a\n"
SLIDERS = ("SelectionSliderModel", "IntSliderModel", "FloatSliderModel")


@dataclass
class Result:
    """One live execution: seconds per cell, the error if any, sliders moved and bars shown."""

    notebook: str
    seconds: float = 0.0
    cell_seconds: list[float] = field(default_factory=list)
    error: str = ""
    sliders: int = 0
    sliders_ok: int = 0
    slider_seconds: list[float] = field(default_factory=list)
    bars: int = 0
    figures: int = 0
    outputs: list = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.error and self.sliders_ok == self.sliders

    def summary(self) -> str:
        if self.error:
            return f"{self.seconds:.0f} s FAIL ({self.error[:80]})"
        state = "ok" if self.ok else "FAIL"
        counts = f"sliders {self.sliders_ok}/{self.sliders}, figures {self.figures}, bars {self.bars}"
        return f"{self.seconds:.0f} s {state} ({counts})"


def live_environment(patch: bool = True) -> None:
    """Make kernels started from here live: no static flag, no headless backend; steady polling."""
    os.environ.pop("LSTM_BOOK_STATIC", None)
    os.environ.pop("MPLBACKEND", None)  # a kernel with MPLBACKEND=Agg shows no figure
    if patch:
        poll_in_slices()


def _next_position(state: dict) -> dict:
    """The slider's state one step to the right (one to the left at its end)."""
    if "index" in state:  # a SelectionSlider sends its position, not its value
        index, count = state["index"], len(state.get("_options_labels", ()))
        return {"index": index + 1 if index + 1 < count else index - 1}
    value, step = state["value"], state.get("step", 1)
    return {"value": value + step if value + step <= state["max"] else value - step}


def _images_near(client: NotebookClient, slider_id: str) -> list[str]:
    """Model ids of the Image widgets in the box that holds the slider (every Image if none does)."""
    images = [k for k, s in client.widget_state.items() if s.get("_model_name") == "ImageModel"]
    for state in client.widget_state.values():
        children = state.get("children") or []
        if f"IPY_MODEL_{slider_id}" in children:
            return [k for k in images if f"IPY_MODEL_{k}" in children]
    return images


def _image_bytes(client: NotebookClient, image_id: str) -> bytes:
    buffer = client.widget_buffers.get(image_id, {}).get(("value",))
    return base64.b64decode(buffer["data"]) if buffer else b""


async def _move(client: NotebookClient, slider_id: str, timeout: float) -> tuple[bool, float]:
    """Send the slider's next position as a browser would; True if an image next to it changed to a PNG."""
    kc = client.kc
    images = _images_near(client, slider_id)
    before = {k: _image_bytes(client, k) for k in images}
    content = {"comm_id": slider_id, "data": {"method": "update", "buffer_paths": [],
                                              "state": _next_position(client.widget_state[slider_id])}}
    msg = kc.session.msg("comm_msg", content)
    start = monotonic()
    kc.shell_channel.send(msg)
    changed, deadline = False, start + timeout
    while monotonic() < deadline:
        try:
            reply = await kc.get_iopub_msg(timeout=max(0.1, deadline - monotonic()))
        except Exception:  # queue.Empty: the kernel never went idle
            break
        if reply["parent_header"].get("msg_id") != msg["header"]["msg_id"]:
            continue
        data = reply["content"].get("data", {})
        if reply["msg_type"] == "comm_msg" and reply["content"]["comm_id"] in images:
            for path, buffer in zip(data.get("buffer_paths", []), reply.get("buffers", [])):
                new = bytes(buffer)
                if path == ["value"] and new.startswith(PNG) and new != before[reply["content"]["comm_id"]]:
                    changed = True
        if reply["msg_type"] == "status" and reply["content"]["execution_state"] == "idle":
            break
    return changed, monotonic() - start


async def _execute(nb, kernel: str, cwd: Path, timeout: float, drive: bool, result: Result) -> None:
    resources = {"metadata": {"path": str(cwd)}}
    client = NotebookClient(nb, kernel_name=kernel, timeout=timeout, resources=resources)
    start = monotonic()
    async with client.async_setup_kernel():
        try:
            for index, cell in enumerate(nb.cells):
                tick = monotonic()
                await client.async_execute_cell(cell, index)
                result.cell_seconds.append(monotonic() - tick)
        except (CellExecutionError, CellTimeoutError) as error:
            text = re.sub(r"\x1b\[[0-9;]*m", "", str(error)).strip()  # no terminal colours
            result.error = text.splitlines()[-1] if text else type(error).__name__
        states = client.widget_state
        result.bars = sum(s.get("_model_name") == "FloatProgressModel" for s in states.values())
        sliders = [k for k, s in states.items() if s.get("_model_name") in SLIDERS]
        result.sliders = len(sliders)
        if drive and not result.error:
            for slider_id in sliders:
                changed, seconds = await _move(client, slider_id, timeout)
                result.sliders_ok += changed
                result.slider_seconds.append(seconds)
    result.seconds = monotonic() - start


def run_live(path: Path, kernel: str = "python3", timeout: float = 300, drive: bool = True,
             cells: list | None = None) -> Result:
    """Execute `path` live in `kernel` (its cells, or `cells` when given) and move every slider."""
    live_environment()
    nb = nbformat.read(path, as_version=4)
    if cells is not None:
        nb.cells = cells
    result = Result(path.stem)
    asyncio.run(_execute(nb, kernel, path.parent, timeout, drive, result))
    result.outputs = [cell.get("outputs", []) for cell in nb.cells]
    result.figures = count_figures(result.outputs)
    return result


def count_figures(outputs: list[list[dict]]) -> int:
    """Pictures the cells showed themselves (a matplotlib figure, an image): not the ones inside widgets.

    A kernel whose matplotlib cannot reach IPython's display shows none, without an error: matplotlib
    3.7 and 3.8 beside IPython 9.16 or newer (which dropped `backend2gui`) do exactly that.
    """
    return sum(
        any(kind in out.get("data", {}) for kind in ("image/png", "image/svg+xml"))
        for cell in outputs for out in cell if out.get("output_type") in ("display_data", "execute_result")
    )  # fmt: skip


if __name__ == "__main__":
    for name in sys.argv[1:]:
        print(name, run_live(Path(name)).summary(), flush=True)
