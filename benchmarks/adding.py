"""The adding problem (Hochreiter & Schmidhuber 1997, experiment 4), next to the paper's Table 7.

    python benchmarks/adding.py --rule paper --T 100 --seeds 0 1 2 3 4   # the paper's rule (make bench)
    python benchmarks/adding.py --rule paper --cell 1997 --T 100          # the 1997 cell itself
    python benchmarks/adding.py --rule paper --T 500 --log lstm_helpers/weights/adding-log.json
    python benchmarks/adding.py --rule ours --T 100                        # the chapter's older rule
    python benchmarks/adding.py --quick                                    # smoke run: T = 20, one seed

The paper's rule (`experiments.PaperRule`): training stops once the 2,000 most recent training
sequences were all right (|error| < 0.04) and their mean absolute error is below 0.01; then 2,560
fresh test sequences are scored. Every training sequence seen counts, whatever the batch size. A
seed that has not stopped within twice the paper's mean counts as failed.

`--cell lstm` trains the modern LSTM (`experiments.PAPER_RECIPES[T]`, Adam, batches of 8);
`--cell 1997` the paper's own network (`lstm_helpers.lstm1997`: no forget gate, 93 weights, online
gradient descent with the truncated gradient, learning rate 0.5), all seeds side by side in one
process. `--log` merges every finished seed into a JSON file as soon as it finishes, so a long run
that is stopped keeps what it measured. The last line printed is

    T=100 seeds=5 stopped=S mean_sequences=M mean_test_wrong=W max_test_wrong=X

with S the seeds that stopped within the budget, and M, W, X over those seeds.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import torch

from lstm_helpers import lstm1997
from lstm_helpers.chapters import experiments
from lstm_helpers.chapters.experiments import (
    PAPER_IN_A_ROW,
    PAPER_RECIPES,
    PAPER_SEQUENCES,
    PaperRule,
    paper_rule_sequences,
    right_runs,
)

# The recipes are chapter 6's settings (lstm_helpers/chapters/experiments.py), not copies of them.
RECIPES = {100: experiments.SETTINGS.adding, 500: experiments.ADDING_T500, 20: experiments.ADDING_QUICK}
N_TEST, MAX_WRONG = experiments.ADDING.n_test, experiments.ADDING.max_wrong  # our precision: <= 3 of 2560
PAPER_WRONG = {100: 1, 500: 0, 1000: 1}  # Table 7: wrong test sequences of 2560
QUICK = dataclasses.replace(PAPER_RECIPES[100], T=20)  # the smoke run's recipe
QUICK_BUDGET = 3200


def one_thread() -> None:
    torch.set_num_threads(1)


def adding_run(T: int, seed: int) -> dict:
    """Our older rule: train one seed of `RECIPES[T]` until <= max_wrong of 2560 test sequences are wrong."""
    hist = experiments.adding_run("lstm", seed, RECIPES[T])
    longest = max(right_runs(hist), default=0) * hist.batch_size
    return {"T": T, "seed": seed, "hist": hist, "paper_rule": paper_rule_sequences(hist), "longest": longest}


def print_adding(runs: list[dict]) -> None:
    """The table of our older rule (at most 3 of 2560 wrong on a fixed test set)."""
    T = runs[0]["T"]
    r = RECIPES[T]
    paper = f"{PAPER_SEQUENCES[T]:,}" if T in PAPER_SEQUENCES else "-"
    print(f"\n### Adding problem, T = {T}: sequences until <= {MAX_WRONG} of {N_TEST} test sequences wrong\n")
    print(f"Recipe: LSTM {r}, Adam, clip 1, readout starting at 0.5. Test {N_TEST} sequences every "
          f"{r.eval_every:,} training sequences, stop at <= {MAX_WRONG} wrong.\n")  # fmt: skip
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


def log_line(msg: str) -> None:
    print(time.strftime("%H:%M:%S ") + msg, file=sys.stderr, flush=True)


def lstm_paper_run(T: int, seed: int) -> dict:
    """One seed of the modern LSTM under the paper's rule, as a plain dict (for the log)."""
    recipe, budget = (QUICK, QUICK_BUDGET) if T == QUICK.T else (PAPER_RECIPES[T], None)
    run = experiments.paper_run(seed, recipe, budget=budget, log=log_line)
    row = dataclasses.asdict(run)
    row.update(cell="lstm", recipe=dataclasses.asdict(recipe), budget=budget or recipe.budget)
    return row


def cell1997_runs(T: int, seeds: list[int], batch: int = 1, log=log_line) -> list[dict]:
    """Every seed of the 1997 network under the paper's rule, side by side in this process."""
    budget = QUICK_BUDGET if T == QUICK.T else 2 * PAPER_SEQUENCES[T]
    rows = []
    for run in lstm1997.fit_1997(T, seeds, PaperRule, budget=budget, batch=batch, log=log):
        row = dataclasses.asdict(run)
        row.update(cell="1997", budget=budget, batch=batch)
        rows.append(row)
    return rows


def merge_log(path: Path, rows: list[dict], command: str | None = None) -> None:
    """Put `rows` into the JSON log at `path`, replacing earlier rows of the same cell, T and seed.

    Their seeds leave the log's "not_run" list, and `command` (what ran them) joins its "commands"."""
    log = json.loads(path.read_text()) if path.exists() else {"runs": []}
    keys = {(r["cell"], r["T"], r["seed"]) for r in rows}
    log["runs"] = [r for r in log["runs"] if (r["cell"], r["T"], r["seed"]) not in keys] + rows
    log["runs"].sort(key=lambda r: (r["cell"], r["T"], r["seed"]))
    not_run = []
    for entry in log.get("not_run", []):
        seeds = [seed for seed in entry["seeds"] if (entry["cell"], entry["T"], seed) not in keys]
        if seeds:
            not_run.append({**entry, "seeds": seeds})
    log["not_run"] = not_run
    if command and command not in log.setdefault("commands", []):
        log["commands"].append(command)
    log["rule"] = (f"stop once the {PAPER_IN_A_ROW:,} most recent training sequences were all right "
                   "(|error| < 0.04), their mean |error| < 0.01; then 2,560 test sequences")  # fmt: skip
    log["machine"] = f"{os.cpu_count()} CPUs, one thread per seed"
    path.write_text(json.dumps(log, indent=1) + "\n")


def command_line() -> str:
    """How this run was started, for the log, with the log's own path left out."""
    args = sys.argv[1:]
    if "--log" in args:
        at = args.index("--log")
        args[at + 1 : at + 2] = ["..."]
    return " ".join(["python benchmarks/adding.py", *args])


def summary_line(T: int, rows: list[dict]) -> str:
    """The last line: seeds, how many stopped within the budget, and their mean sequences and wrong counts."""
    done = [r for r in rows if r["stopped"]]
    mean_seq = f"{statistics.mean(r['sequences'] for r in done):.0f}" if done else "-"
    mean_wrong = f"{statistics.mean(r['test_wrong'] for r in done):.2f}" if done else "-"
    max_wrong = max((r["test_wrong"] for r in done), default="-")
    return (f"T={T} seeds={len(rows)} stopped={len(done)} mean_sequences={mean_seq} "
            f"mean_test_wrong={mean_wrong} max_test_wrong={max_wrong}")  # fmt: skip


def print_paper_table(T: int, rows: list[dict]) -> None:
    """Each seed under the paper's rule, beside the paper's row of Table 7."""
    cell = "the modern LSTM"
    if rows[0]["cell"] == "1997":
        cell = f"the 1997 network (lstm_helpers.lstm1997), {rows[0]['batch']} sequence(s) per weight change"
    print(f"\n### Adding problem, T = {T}, the paper's rule: {cell}\n")
    print("| seed | stopped | training sequences | wrong of 2560 | seconds |")
    print("|---:|---|---:|---:|---:|")
    if T in PAPER_SEQUENCES:
        print(f"| paper (Table 7) | yes | {PAPER_SEQUENCES[T]:,} (mean) | {PAPER_WRONG[T]} | - |")
    for r in rows:
        seqs = f"{r['sequences']:,}" if r["stopped"] else f"failed: not within {r['budget']:,}"
        print(f"| {r['seed']} | {'yes' if r['stopped'] else 'no'} | {seqs} | {r['test_wrong']} | "
              f"{r['seconds']:.0f} |")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rule", choices=("paper", "ours"), default="paper")
    parser.add_argument("--cell", choices=("lstm", "1997"), default="lstm")
    parser.add_argument("--T", type=int, default=100, choices=(100, 500, 1000), help="shortest length")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--jobs", type=int, default=2, help="worker processes (one thread each)")
    parser.add_argument("--batch", type=int, default=1,
                        help="1997 cell: sequences per weight change (1, the paper's online learning)")
    parser.add_argument("--log", type=Path, help="JSON log to merge every finished seed into")
    parser.add_argument("--quick", action="store_true", help="smoke run: T = 20, one seed")
    args = parser.parse_args()
    T, seeds = (QUICK.T, [0]) if args.quick else (args.T, args.seeds)
    start = time.perf_counter()
    if args.rule == "ours":
        if T not in RECIPES:
            parser.error(f"--rule ours has recipes for T in {sorted(RECIPES)}, got {T}")
        with ProcessPoolExecutor(args.jobs, initializer=one_thread) as pool:
            print_adding(list(pool.map(adding_run, [T] * len(seeds), seeds)))
        print(f"\nAdding problem, T = {T}: {time.perf_counter() - start:.0f} s ({args.jobs} processes).")
        return
    if args.cell == "1997":
        one_thread()
        rows = cell1997_runs(T, seeds, args.batch)
        if args.log:
            merge_log(args.log, rows, command_line())
    else:
        rows = []
        with ProcessPoolExecutor(args.jobs, initializer=one_thread) as pool:
            for row in pool.map(lstm_paper_run, [T] * len(seeds), seeds):
                rows.append(row)
                if args.log:
                    merge_log(args.log, [row], command_line())
    print_paper_table(T, rows)
    print(f"\nAdding problem, T = {T}, cell {args.cell}: {time.perf_counter() - start:.0f} s "
          f"({1 if args.cell == '1997' else args.jobs} processes).")  # fmt: skip
    print(summary_line(T, rows))


if __name__ == "__main__":
    main()
