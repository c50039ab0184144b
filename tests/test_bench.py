"""benchmarks/bench.py --quick runs and prints its three markdown tables; benchmarks/adding.py's rules."""

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[1] / "benchmarks" / "bench.py"


def test_quick_benchmark_prints_its_tables():
    run = subprocess.run(
        [sys.executable, str(BENCH), "--quick", "--jobs", "1"], capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, run.stderr
    out = run.stdout
    assert "| cell | H | from scratch (ms) | torch.nn (ms) | ratio |" in out
    assert "| LSTM, forget bias 6 | 5 | 1/1 |" in out  # the short gap is solved even in the smoke run
    assert "### Adding problem, T = 20" in out and "Total runtime" in out


def load_adding():
    sys.path.insert(0, str(BENCH.parent))
    try:
        import adding  # benchmarks/adding.py
    finally:
        sys.path.pop(0)
    return adding


def test_paper_rule_counts_the_first_run_of_2000_right_sequences():
    from lstm_helpers import train

    adding = load_adding()
    hist = train.History("adding", "wrong", batch_size=16)
    hist.train_metric = [0.0] * 50 + [1 / 16] + [0.0] * 124 + [0.0] * 10  # 125 batches of 16 = 2000
    # brute force over sequences: the first step whose 2000 most recent sequences were all right
    right = [m == 0 for m in hist.train_metric for _ in range(16)]
    first = next(n for n in range(2000, len(right) + 1) if all(right[n - 2000 : n]))
    assert adding.paper_rule_sequences(hist) == first == (50 + 1 + 125) * 16
    assert adding.paper_rule_sequences(hist, in_a_row=5000) is None


def test_adding_stops_at_the_papers_precision():
    from lstm_helpers import tasks, train

    adding = load_adding()
    task = tasks.adding(100, max_wrong=adding.MAX_WRONG / adding.N_TEST)
    assert train.is_solved(3 / 2560, task) and not train.is_solved(4 / 2560, task)
    assert train.is_solved(0.01, tasks.adding(100)) and not train.is_solved(0.011, tasks.adding(100))


def test_right_runs_count_batches_in_a_row_with_nothing_wrong():
    from lstm_helpers import train

    adding = load_adding()
    hist = train.History("adding", "wrong", batch_size=16)
    hist.train_metric = [0.0, 0.0, 0.5, 0.0, 0.0, 0.0, 1 / 16, 0.0]
    assert adding.right_runs(hist) == [1, 2, 0, 1, 2, 3, 0, 1]
