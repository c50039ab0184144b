"""Count notebook-execution stalls on the slider cells (the reason for book/_ext's polling patch).

nbclient sometimes notices a kernel's reply to a cell that displays ipywidgets only when the cell
timeout expires (jupyter/nbclient#312, fix proposed in #311, both open; nbconvert#2003 is the same
hang). book/_ext/lstm_book.py's `poll_in_slices` makes the client ask the socket every 0.2 s.

For each notebook of _toc.yml that shows a slider: run it once live (tools/live.py), then execute
its slider cells RUNS times in a row in that kernel, each with a short timeout. A stall is an
execution that hits the timeout or takes STALL seconds more than the median. `--unpatched` runs
without the patch, to see whether the installed nbclient/jupyter_client still need it.

    .venv/bin/python tools/stalls.py [--runs 100] [--timeout 60] [--unpatched] [notebooks...]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
from pathlib import Path
from time import monotonic

import nbformat
from compat import toc_notebooks
from live import SLIDERS, live_environment
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError

WIDGET = "application/vnd.jupyter.widget-view+json"


def slider_cells(nb, states: dict) -> list[int]:
    """Indices of the cells whose output is a slider or a box that holds one."""
    sliders = {f"IPY_MODEL_{k}" for k, s in states.items() if s.get("_model_name") in SLIDERS}
    found = []
    for index, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            model = out.get("data", {}).get(WIDGET, {}).get("model_id")
            inside = set(states.get(model, {}).get("children", []))
            if model and (f"IPY_MODEL_{model}" in sliders or sliders & inside):
                found.append(index)
                break
    return found


def mentions_a_slider(path: Path) -> bool:
    cells = nbformat.read(path, as_version=4).cells
    return any("slider" in cell.source.lower() for cell in cells if cell.cell_type == "code")


async def measure(path: Path, runs: int, timeout: float, stall: float) -> dict:
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=600, resources={"metadata": {"path": str(path.parent)}})
    async with client.async_setup_kernel():
        for index, cell in enumerate(nb.cells):
            await client.async_execute_cell(cell, index)
        cells = slider_cells(nb, client.widget_state)
        client.timeout = timeout
        seconds, timeouts = [], 0
        for _ in range(runs):
            for index in cells:
                tick = monotonic()
                try:
                    await client.async_execute_cell(nb.cells[index], index)
                except CellTimeoutError:
                    timeouts += 1
                seconds.append(monotonic() - tick)
    median = statistics.median(seconds) if seconds else 0.0
    slow = sum(s > median + stall for s in seconds)
    return {"notebook": path.stem, "cells": len(cells), "executions": len(seconds), "timeouts": timeouts,
            "stalls": max(slow, timeouts), "median_s": median, "max_s": max(seconds, default=0.0)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--timeout", type=float, default=60, help="cell timeout during the runs (s)")
    parser.add_argument("--stall", type=float, default=5, help="seconds over the median: a stall")
    parser.add_argument("--unpatched", action="store_true", help="leave nbclient's reply polling as it is")
    args = parser.parse_args()
    live_environment(patch=not args.unpatched)
    import jupyter_client
    import nbclient

    polling = "unpatched" if args.unpatched else "patched (book/_ext)"
    print(f"nbclient {nbclient.__version__}, jupyter_client {jupyter_client.__version__}, "
          f"polling {polling}, {args.runs} runs")
    total = stalls = 0
    # a notebook whose code never mentions a slider is not run at all (it would take minutes)
    paths = args.notebooks or [p for p in toc_notebooks() if mentions_a_slider(p)]
    for path in paths:
        row = asyncio.run(measure(path, args.runs, args.timeout, args.stall))
        if row["cells"]:
            total, stalls = total + row["executions"], stalls + row["stalls"]
            print(f"{row['notebook']}: {row['executions']} executions of {row['cells']} slider cell(s), "
                  f"{row['stalls']} stalls ({row['timeouts']} timeouts), median {row['median_s']:.2f} s, "
                  f"max {row['max_s']:.2f} s", flush=True)  # fmt: skip
    print(f"total: {total} executions, {stalls} stalls")
    return 1 if stalls else 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
