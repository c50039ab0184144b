"""Benchmarks of the book's helpers, printed as markdown tables.

    python benchmarks/bench.py            # full run (a few minutes on 2 CPU cores)
    python benchmarks/bench.py --quick    # smoke run (seconds): small sizes, one seed

1. From-scratch cells (`cells.unroll`) vs torch.nn.RNN / nn.LSTM: forward + backward time, the
   two timed in turn (interleaved) before any training starts, with the machine's load average.
2. "fluent ___": steps, sequences and seconds until solved, final accuracy; RNN and LSTM
   with forget bias 0, 1, 6, at several gaps, over seeds.
3. The adding problem (Hochreiter & Schmidhuber 1997, exp. 4) at T = 100 (benchmarks/adding.py)
   under the paper's stopping rule, five seeds, next to the paper's 74,000 sequences and 1 wrong of
   2560. T = 500 and 1000, and the 1997 network itself: `make bench-long`.
Runs are independent, so they are spread over `--jobs` processes with one thread each.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from concurrent.futures import ProcessPoolExecutor

import torch
from adding import QUICK, lstm_paper_run, print_paper_table, summary_line  # benchmarks/adding.py
from torch import nn

from lstm_helpers import cells, models, tasks, train
from lstm_helpers.chapters.experiments import SETTINGS

FLUENT_MODELS = (("rnn", None), ("lstm", 0.0), ("lstm", 1.0), ("lstm", 6.0))
FLUENT = {"hidden_size": 32, "lr": 3e-3, "batch_size": 64, "clip": 1.0}


def one_thread() -> None:
    torch.set_num_threads(1)


def seconds(fns: list, repeat: int) -> list[float]:
    """Median wall time of each fn() over `repeat` rounds, the fns timed in turn in every round.

    Interleaving spreads the machine's changing load over all of them alike; one warm-up run each.
    """
    times: list[list[float]] = [[] for _ in fns]
    for fn in fns:
        fn()
    for _ in range(repeat):
        for fn, ts in zip(fns, times):
            start = time.perf_counter()
            fn()
            ts.append(time.perf_counter() - start)
    return [statistics.median(ts) for ts in times]


def cell_speed(kind: str, H: int, T: int, batch: int, repeat: int) -> dict:
    """Forward + backward seconds of the from-scratch cell and of torch.nn over (T, batch, H)."""
    torch.manual_seed(0)
    layer = (nn.RNN if kind == "rnn" else nn.LSTM)(H, H)
    cell = (cells.RNNCell if kind == "rnn" else cells.LSTMCell).from_torch(layer)
    x = torch.randn(T, batch, H)  # (T, batch, input)
    ours, ref = seconds([lambda: unroll_last(cell, x).sum().backward(), lambda: layer(x)[0].sum().backward()],
                        repeat)  # fmt: skip
    return {"kind": kind, "H": H, "ours": ours, "torch": ref}


def unroll_last(cell, x):
    return cells.unroll(cell, x).h


def fluent_run(kind: str, forget_bias: float | None, gap: int, seed: int, steps: int) -> dict:
    task = tasks.fluent(gap=gap)
    model = models.for_task(task, kind, FLUENT["hidden_size"], seed=seed, forget_bias=forget_bias)
    hist = train.fit(model, task, steps=steps, seed=seed, lr=FLUENT["lr"], batch_size=FLUENT["batch_size"])
    return {"kind": kind, "fb": forget_bias, "gap": gap, "seed": seed, "hist": hist}


def median_or_dash(values: list, fmt: str = "{:,.0f}") -> str:
    return fmt.format(statistics.median(values)) if values else "-"


def print_cells(rows: list[dict], T: int, batch: int, load: tuple[float, float]) -> None:
    print(
        f"\n### From-scratch cells vs torch.nn (forward + backward, T = {T}, batch {batch}, CPU, 1 thread)\n"
    )
    print(f"Timed in turn, median of each; load average {load[0]:.1f} before, {load[1]:.1f} after, "
          f"on {os.cpu_count()} CPUs (other programs running slow both alike).\n")  # fmt: skip
    print("| cell | H | from scratch (ms) | torch.nn (ms) | ratio |")
    print("|---|---:|---:|---:|---:|")
    for r in rows:
        ratio = r["ours"] / r["torch"]
        print(f"| {r['kind']} | {r['H']} | {1e3 * r['ours']:.1f} | {1e3 * r['torch']:.1f} | {ratio:.2f}x |")


def print_fluent(runs: list[dict], steps: int) -> None:
    print(f"\n### fluent ___: until 99% test accuracy (at most {steps} steps, batch 64, H = 32)\n")
    print(
        "| model | gap | solved | steps (median) | sequences (median) | seconds (median) | final accuracy |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    groups: dict[tuple, list] = {}
    for r in runs:
        groups.setdefault((r["kind"], r["fb"], r["gap"]), []).append(r["hist"])
    for (kind, fb, gap), hists in groups.items():
        name = "RNN" if kind == "rnn" else f"LSTM, forget bias {fb:g}"
        ok = [h for h in hists if h.solved]
        acc = statistics.mean(h.final for h in hists)
        print(f"| {name} | {gap} | {len(ok)}/{len(hists)} | {median_or_dash([h.solved_step for h in ok])} | "
              f"{median_or_dash([h.solved_sequences for h in ok])} | "
              f"{median_or_dash([h.seconds for h in ok], '{:.1f}')} | {acc:.3f} |")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smoke run: small sizes, one seed")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes (one thread each)")
    args = parser.parse_args()
    q = args.quick
    seeds = range(1 if q else 5)
    gaps = (5,) if q else (5, 20, 50, 100, 200)
    steps, T_add = (30, QUICK.T) if q else (300, SETTINGS.adding.T)
    start = time.perf_counter()
    one_thread()
    T_cell, batch = (10, 8) if q else (100, 64)
    load = os.getloadavg()[0]
    speed = [cell_speed(k, H, T_cell, batch, 1 if q else 15) for k in ("rnn", "lstm") for H in (32, 128)]
    load = (load, os.getloadavg()[0])
    with ProcessPoolExecutor(args.jobs, initializer=one_thread) as pool:
        adding_jobs = [pool.submit(lstm_paper_run, T_add, s) for s in seeds]
        fluent_jobs = [pool.submit(fluent_run, k, fb, g, s, steps) for k, fb in FLUENT_MODELS for g in gaps
                       for s in seeds]  # fmt: skip
        fluent_runs = [j.result() for j in fluent_jobs]
        adding_runs = [j.result() for j in adding_jobs]
    print_cells(speed, T_cell, batch, load)
    print_fluent(fluent_runs, steps)
    print_paper_table(T_add, adding_runs)
    print(f"\nTotal runtime: {time.perf_counter() - start:.0f} s ({args.jobs} processes).")
    print(summary_line(T_add, adding_runs))


if __name__ == "__main__":
    main()
