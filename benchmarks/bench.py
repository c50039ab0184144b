"""Benchmarks of the book's helpers, printed as markdown tables.

    python benchmarks/bench.py            # full run (a few minutes on 2 CPU cores)
    python benchmarks/bench.py --quick    # smoke run (seconds): small sizes, one seed

1. From-scratch cells (`cells.unroll`) vs torch.nn.RNN / nn.LSTM: forward + backward time.
2. "fluent ___": steps, sequences and seconds until solved, final accuracy; RNN and LSTM
   with forget bias 0, 1, 6, at several gaps, over seeds.
3. The adding problem (Hochreiter & Schmidhuber 1997, exp. 4) at T = 100: sequences until at
   most 1% of 2560 test sequences are wrong (|error| >= 0.04), next to the paper's 74,000.
Runs are independent, so they are spread over `--jobs` processes with one thread each.
"""

from __future__ import annotations

import argparse
import statistics
import time
from concurrent.futures import ProcessPoolExecutor

import torch
from torch import nn

from lstm_helpers import cells, models, tasks, train

FLUENT_MODELS = (("rnn", None), ("lstm", 0.0), ("lstm", 1.0), ("lstm", 6.0))
FLUENT = {"hidden_size": 32, "lr": 3e-3, "batch_size": 64, "clip": 1.0}
# The adding recipe: negative input-gate bias as in the paper, a large forget bias so the cell
# holds X1 across ~100 steps, a readout that starts at the mean target, small batches.
ADDING = {"hidden_size": 32, "forget_bias": 5.0, "input_bias": -3.0, "lr": 1e-3, "batch_size": 16}
PAPER_SEQUENCES = {100: 74_000, 500: 209_000, 1000: 853_000}  # Table 7 of the 1997 paper


def one_thread() -> None:
    torch.set_num_threads(1)


def seconds(fn, repeat: int) -> float:
    """Median wall time of fn() over `repeat` runs, after one warm-up run."""
    fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def cell_speed(kind: str, H: int, T: int, batch: int, repeat: int) -> dict:
    """Forward + backward seconds of the from-scratch cell and of torch.nn over (T, batch, H)."""
    torch.manual_seed(0)
    layer = (nn.RNN if kind == "rnn" else nn.LSTM)(H, H)
    cell = (cells.RNNCell if kind == "rnn" else cells.LSTMCell).from_torch(layer)
    x = torch.randn(T, batch, H)  # (T, batch, input)
    ours = seconds(lambda: unroll_last(cell, x).sum().backward(), repeat)
    ref = seconds(lambda: layer(x)[0].sum().backward(), repeat)
    return {"kind": kind, "H": H, "ours": ours, "torch": ref}


def unroll_last(cell, x):
    return cells.unroll(cell, x).h


def fluent_run(kind: str, forget_bias: float | None, gap: int, seed: int, steps: int) -> dict:
    task = tasks.fluent(gap=gap)
    model = models.for_task(task, kind, FLUENT["hidden_size"], seed=seed, forget_bias=forget_bias)
    hist = train.fit(model, task, steps=steps, seed=seed, lr=FLUENT["lr"], batch_size=FLUENT["batch_size"])
    return {"kind": kind, "fb": forget_bias, "gap": gap, "seed": seed, "hist": hist}


def adding_run(T: int, seed: int, budget: int) -> dict:
    task = tasks.adding(T)
    r = ADDING
    model = models.for_task(task, "lstm", r["hidden_size"], seed=seed, forget_bias=r["forget_bias"],
                            input_bias=r["input_bias"])  # fmt: skip
    with torch.no_grad():  # start at the mean target 0.5, so training begins on the sum itself
        model.readout.weight.zero_()
        model.readout.bias.fill_(0.5)
    bs = r["batch_size"]
    hist = train.fit(model, task, steps=budget // bs, seed=seed, lr=r["lr"], batch_size=bs,
                     eval_every=max(1, 1600 // bs))  # fmt: skip
    return {"T": T, "seed": seed, "hist": hist}


def median_or_dash(values: list, fmt: str = "{:,.0f}") -> str:
    return fmt.format(statistics.median(values)) if values else "-"


def print_cells(rows: list[dict], T: int, batch: int) -> None:
    print(
        f"\n### From-scratch cells vs torch.nn (forward + backward, T = {T}, batch {batch}, CPU, 1 thread)\n"
    )
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


def print_adding(runs: list[dict], budget: int) -> None:
    T = runs[0]["T"]
    paper = f"{PAPER_SEQUENCES[T]:,}" if T in PAPER_SEQUENCES else "-"
    print(f"\n### Adding problem, T = {T}: sequences until <= 1% of 2560 test sequences are wrong\n")
    print(f"Recipe: LSTM {ADDING}, Adam, clip 1, readout starting at 0.5; budget {budget:,} sequences.\n")
    print("| seed | sequences to solve | paper (1997) | seconds | final fraction wrong |")
    print("|---:|---:|---:|---:|---:|")
    for r in runs:
        h = r["hist"]
        seqs = f"{h.solved_sequences:,}" if h.solved else f"not within {budget:,}"
        print(f"| {r['seed']} | {seqs} | {paper} | {h.seconds:.1f} | {h.final:.4f} |")
    ok = [r["hist"].solved_sequences for r in runs if r["hist"].solved]
    print(f"\nSolved {len(ok)}/{len(runs)} seeds; median {median_or_dash(ok)} sequences (paper: {paper}).")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smoke run: small sizes, one seed")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes (one thread each)")
    args = parser.parse_args()
    q = args.quick
    seeds = range(1 if q else 5)
    gaps = (5,) if q else (5, 20, 50, 100, 200)
    steps, budget, T_add = (30, 320, 20) if q else (300, 80_000, 100)
    start = time.perf_counter()
    one_thread()
    T_cell, batch = (10, 8) if q else (100, 64)
    speed = [cell_speed(k, H, T_cell, batch, 1 if q else 5) for k in ("rnn", "lstm") for H in (32, 128)]
    with ProcessPoolExecutor(args.jobs, initializer=one_thread) as pool:
        adding_jobs = [pool.submit(adding_run, T_add, s, budget) for s in seeds]
        fluent_jobs = [pool.submit(fluent_run, k, fb, g, s, steps) for k, fb in FLUENT_MODELS for g in gaps
                       for s in seeds]  # fmt: skip
        fluent_runs = [j.result() for j in fluent_jobs]
        adding_runs = [j.result() for j in adding_jobs]
    print_cells(speed, T_cell, batch)
    print_fluent(fluent_runs, steps)
    print_adding(adding_runs, budget)
    print(f"\nTotal runtime: {time.perf_counter() - start:.0f} s ({args.jobs} processes).")


if __name__ == "__main__":
    main()
