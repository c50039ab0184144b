"""Each chapter notebook's seconds and peak memory, executed top to bottom in a fresh kernel, as a table.

    python benchmarks/notebooks.py                      # every notebook, one after another
    python benchmarks/notebooks.py notebooks/06*.ipynb  # some of them

What `make bench-notebooks` prints. The book's limits: 60 s a notebook on two CPU cores, 120 s for
the chapters that train or compare many models. Each notebook runs in its own process, which starts
the kernel, so that process's RUSAGE_CHILDREN high-water mark is the kernel's peak resident memory.
Run it on a quiet machine: the seconds stretch with the load (printed under the table).
The sliders are drawn as the book build draws them (LSTM_BOOK_STATIC=1: every frame, no live widget).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Run in a child process: execute one notebook with nbclient, print its seconds and the kernel's peak.
ONE = """
import json, resource, sys, time
import nbclient, nbformat
nb = nbformat.read(sys.argv[1], as_version=4)
start = time.perf_counter()
nbclient.NotebookClient(nb, timeout=600, kernel_name="python3",
                        resources={"metadata": {"path": sys.argv[2]}}).execute()
seconds = time.perf_counter() - start
peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # KiB on Linux: the kernel's
print(json.dumps({"seconds": seconds, "peak_mib": peak_kib / 1024}))
"""


def measure(path: Path) -> dict:
    """Execute `path` in a fresh kernel from a fresh process; its seconds and the kernel's peak MiB."""
    done = subprocess.run(
        [sys.executable, "-c", ONE, str(path), str(path.parent)],
        capture_output=True, text=True, check=False, env={**os.environ, "LSTM_BOOK_STATIC": "1"},
    )
    if done.returncode:
        raise RuntimeError(f"{path.name} failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def table(rows: list[tuple[str, dict]]) -> str:
    lines = ["| notebook | seconds | kernel's peak memory (MiB) |", "|---|---:|---:|"]
    lines += [f"| {name} | {r['seconds']:.0f} | {r['peak_mib']:,.0f} |" for name, r in rows]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("paths", nargs="*", type=Path, help="notebooks (default: all in notebooks/)")
    args = parser.parse_args()
    paths = args.paths or sorted((ROOT / "notebooks").glob("*.ipynb"))
    before = os.getloadavg()
    rows = []
    for path in paths:
        rows.append((path.stem, measure(path.resolve())))
        print(f"{path.stem}: {rows[-1][1]['seconds']:.0f} s, {rows[-1][1]['peak_mib']:,.0f} MiB", flush=True)
    print()
    print(table(rows))
    after = os.getloadavg()
    print(f"\nload average (1 min) before {before[0]:.1f}, after {after[0]:.1f}; {os.cpu_count()} CPU cores")


if __name__ == "__main__":
    main()
