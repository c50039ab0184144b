"""benchmarks/bench.py --quick runs and prints its three markdown tables."""

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
