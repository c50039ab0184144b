"""The adding problem (Hochreiter & Schmidhuber 1997, experiment 4) at the paper's precision.

    python benchmarks/adding.py                          # T = 100, five seeds (part of make bench)
    python benchmarks/adding.py --T 500 --seeds 0 1 2    # make bench-long
    python benchmarks/adding.py --quick                  # smoke run: T = 20, one seed

Each seed trains an LSTM (`RECIPES[T]`: chapter 6's `AddingSettings`, imported from
`lstm_helpers.chapters.experiments`) on fresh sequences and prints the training sequences it
needed next to the paper's Table 7.

Two stopping rules:
- ours: every `eval_every` training sequences, score a fixed set of 2560 test sequences; stop once
  at most 3 of them are wrong (|error| >= 0.04);
- the paper's: stop once the average training error is below 0.01 and the 2,000 most recent
  training sequences were all right, then count wrong test sequences (1 of 2560 at T = 100).
  The table shows where the paper's rule held on our training stream before our rule stopped, or
  the longest run of training sequences all right (whole batches) until then.
Runs are independent, so they are spread over `--jobs` processes with one thread each.
"""

from __future__ import annotations

import argparse
import statistics
import time
from concurrent.futures import ProcessPoolExecutor

import torch

from lstm_helpers.chapters import experiments
from lstm_helpers.chapters.experiments import (
    PAPER_IN_A_ROW,
    PAPER_SEQUENCES,
    paper_rule_sequences,
    right_runs,
)

# The recipes are chapter 6's settings (lstm_helpers/chapters/experiments.py), not copies of them.
RECIPES = {100: experiments.SETTINGS.adding, 500: experiments.ADDING_T500, 20: experiments.ADDING_QUICK}
N_TEST, MAX_WRONG = experiments.ADDING.n_test, experiments.ADDING.max_wrong  # our precision: <= 3 of 2560

def one_thread() -> None:
    torch.set_num_threads(1)


def adding_run(T: int, seed: int) -> dict:
    """Train one seed of `RECIPES[T]` until <= its max_wrong of 2560 test sequences are wrong."""
    hist = experiments.adding_run("lstm", seed, RECIPES[T])
    longest = max(right_runs(hist), default=0) * hist.batch_size
    return {"T": T, "seed": seed, "hist": hist, "paper_rule": paper_rule_sequences(hist), "longest": longest}


def print_adding(runs: list[dict]) -> None:
    T = runs[0]["T"]
    r = RECIPES[T]
    paper = f"{PAPER_SEQUENCES[T]:,}" if T in PAPER_SEQUENCES else "-"
    print(f"\n### Adding problem, T = {T}: sequences until <= {MAX_WRONG} of {N_TEST} test sequences wrong\n")
    print(f"Recipe: LSTM {r}, Adam, clip 1, readout starting at 0.5.")
    print(f"Our rule: test {N_TEST} sequences every {r.eval_every:,} training sequences, stop at "
          f"<= {MAX_WRONG} wrong (|error| >= 0.04). The paper's rule: stop once the average training error "
          f"is below 0.01 and the {PAPER_IN_A_ROW:,} most recent training sequences were all right, "
          "then count test errors (1 of 2560 wrong at T = 100).\n")  # fmt: skip
    print(f"| seed | sequences to <= {MAX_WRONG}/{N_TEST} wrong | paper (1997) | paper's rule held at | "
          "seconds | wrong at the end |")  # fmt: skip
    print("|---:|---:|---:|---:|---:|---:|")
    for run in runs:
        h = run["hist"]
        budget = r.budget // h.batch_size * h.batch_size
        seqs = f"{h.solved_sequences:,}" if h.solved else f"not within {budget:,}"
        rule = f"{run['paper_rule']:,}" if run["paper_rule"] else f"not yet (longest run {run['longest']:,})"
        print(f"| {run['seed']} | {seqs} | {paper} | {rule} | {h.seconds:.0f} | "
              f"{round(h.final * N_TEST)} |")  # fmt: skip
    ok = [run["hist"].solved_sequences for run in runs if run["hist"].solved]
    within = sum(s <= PAPER_SEQUENCES.get(T, 0) for s in ok)
    median = f"{statistics.median(ok):,.0f}" if ok else "-"
    print(f"\nSolved {len(ok)}/{len(runs)} seeds, {within} within the paper's {paper}; median {median}.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--T", type=int, default=100, choices=sorted(RECIPES), help="minimum sequence length")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--jobs", type=int, default=2, help="worker processes (one thread each)")
    parser.add_argument("--quick", action="store_true", help="smoke run: T = 20, one seed")
    args = parser.parse_args()
    T, seeds = (20, [0]) if args.quick else (args.T, args.seeds)
    start = time.perf_counter()
    with ProcessPoolExecutor(args.jobs, initializer=one_thread) as pool:
        runs = list(pool.map(adding_run, [T] * len(seeds), seeds))
    print_adding(runs)
    print(f"\nAdding problem, T = {T}: {time.perf_counter() - start:.0f} s ({args.jobs} processes).")


if __name__ == "__main__":
    main()
