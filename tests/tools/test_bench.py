"""benchmarks/bench.py --quick prints its tables; benchmarks/adding.py and the paper's stopping rule."""

import dataclasses
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks import adding  # benchmarks/adding.py
from lstm_helpers import tasks, train
from lstm_helpers.chapters import experiments
from lstm_helpers.chapters.experiments import PaperRule

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "bench.py"


def test_quick_benchmark_prints_its_tables():
    run = subprocess.run(
        [sys.executable, str(BENCH), "--quick", "--jobs", "1"], capture_output=True, text=True, timeout=300
    )
    assert run.returncode == 0, run.stderr
    out = run.stdout
    assert "| cell | H | from scratch (ms) | torch.nn (ms) | ratio |" in out
    assert "| LSTM, forget bias 6 | 5 | 1/1 |" in out  # the short gap is solved even in the smoke run
    assert "### Adding problem, T = 20, the paper's rule" in out and "Total runtime" in out
    assert out.strip().splitlines()[-1].startswith("T=20 seeds=1 stopped=")  # the summary line comes last


def first_hold(errors: list[float], batch: int, in_a_row: int = 2000) -> int | None:
    """Brute force: sequences seen at the first batch end where the paper's rule holds."""
    for end in range(batch, len(errors) + 1, batch):
        last = errors[end - in_a_row : end] if end >= in_a_row else None
        if last is not None and all(e < 0.04 for e in last) and sum(last) / in_a_row < 0.01:
            return end
    return None


def feed(rule: PaperRule, errors: list[float], batch: int) -> int | None:
    for end in range(batch, len(errors) + 1, batch):
        if rule(errors[end - batch : end]):
            return end
    return None


def test_the_paper_rule_stops_exactly_when_the_last_2000_are_right():
    errors = [0.005] * 3000
    for k in (700, 1900, 2350):  # three wrong sequences, the last at 2350
        errors[k] = 0.05
    errors += [0.005] * 2000
    rule = PaperRule()
    stop = feed(rule, errors, batch=16)
    # the last wrong one is sequence 2,351; 2,000 right ones later it is 4,351; the batch ends at 4,352
    assert stop == first_hold(errors, 16) == 4352
    assert rule.seen == stop and rule.run == stop - 2351 and rule.wrong == 0


def test_the_paper_rule_also_needs_a_mean_error_below_001():
    errors = [0.02] * 2500 + [0.001] * 2000  # all right, but the mean of 2,000 at 0.02 is too high
    stop = feed(PaperRule(), errors, batch=16)
    # after k sequences at 0.001 the mean is (0.02 (2000 - k) + 0.001 k) / 2000 < 0.01 once k >= 1053,
    # at sequence 3,553; the first batch of 16 to end after it ends at 3,568
    assert stop == first_hold(errors, 16) == 3568
    assert feed(PaperRule(), [0.039] * 5000, batch=1) is None  # right every time, mean 0.039


def test_paper_run_counts_every_sequence_of_every_batch():
    recipe = dataclasses.replace(experiments.PAPER_RECIPES[100], T=20, hidden_size=8, batch_size=5)
    run = experiments.paper_run(seed=0, r=recipe, budget=23)
    assert run.sequences == 25 and not run.stopped  # five batches of five: the budget is passed mid-batch
    assert 0 <= run.test_wrong <= run.n_test == 2560


def test_the_summary_line_counts_stopped_seeds_only():
    rows = [{"stopped": True, "sequences": 40_000, "test_wrong": 1},
            {"stopped": True, "sequences": 50_000, "test_wrong": 2},
            {"stopped": False, "sequences": 148_000, "test_wrong": 9}]  # fmt: skip
    assert adding.summary_line(100, rows) == (
        "T=100 seeds=3 stopped=2 mean_sequences=45000 mean_test_wrong=1.50 max_test_wrong=2"
    )


def test_the_budget_is_twice_the_papers_mean():
    assert {T: r.budget for T, r in experiments.PAPER_RECIPES.items()} == {100: 148_000, 500: 418_000,
                                                                          1000: 1_706_000}  # fmt: skip


@pytest.mark.parametrize("T", [500, 1000])
def test_long_sequences_follow_the_paper(T):
    data = tasks.adding_problem(200, T=T, seed=1)
    assert data.lengths.min() >= T and data.lengths.max() <= T + T // 10
    assert data.info["p1"].max() < 10 and data.info["p2"].max() <= T // 2 - 1
    assert ((data.x[..., 1] == 1).sum(0) == 2).all()


def test_paper_rule_counts_the_first_run_of_2000_right_sequences():
    hist = train.History("adding", "wrong", batch_size=16)
    hist.train_metric = [0.0] * 50 + [1 / 16] + [0.0] * 124 + [0.0] * 10  # 125 batches of 16 = 2000
    right = [m == 0 for m in hist.train_metric for _ in range(16)]
    first = next(n for n in range(2000, len(right) + 1) if all(right[n - 2000 : n]))
    assert adding.paper_rule_sequences(hist) == first == (50 + 1 + 125) * 16
    assert adding.paper_rule_sequences(hist, in_a_row=5000) is None


def test_adding_stops_at_the_papers_precision():
    task = tasks.adding(100, max_wrong=adding.MAX_WRONG / adding.N_TEST)
    assert train.is_solved(3 / 2560, task) and not train.is_solved(4 / 2560, task)
    assert train.is_solved(0.01, tasks.adding(100)) and not train.is_solved(0.011, tasks.adding(100))


def test_right_runs_count_batches_in_a_row_with_nothing_wrong():
    hist = train.History("adding", "wrong", batch_size=16)
    hist.train_metric = [0.0, 0.0, 0.5, 0.0, 0.0, 0.0, 1 / 16, 0.0]
    assert adding.right_runs(hist) == [1, 2, 0, 1, 2, 3, 0, 1]


def test_merging_a_seed_replaces_its_row_and_takes_it_off_the_not_run_list(tmp_path):
    path = tmp_path / "log.json"
    old = {"cell": "lstm", "T": 500, "seed": 1, "stopped": False, "sequences": 9}
    not_run = [{"cell": "lstm", "T": 500, "seeds": [0, 1, 2], "why": "later"},
               {"cell": "lstm", "T": 1000, "seeds": [0], "why": "later"}]  # fmt: skip
    path.write_text(json.dumps({"runs": [old], "not_run": not_run}))
    new = {**old, "stopped": True, "sequences": 47_736}
    adding.merge_log(path, [new, {**new, "seed": 0}], "python benchmarks/adding.py --T 500")
    adding.merge_log(path, [{**new, "seed": 2}], "python benchmarks/adding.py --T 500")
    log = json.loads(path.read_text())
    assert [(r["seed"], r["sequences"]) for r in log["runs"]] == [(0, 47_736), (1, 47_736), (2, 47_736)]
    assert log["not_run"] == [not_run[1]]
    assert log["commands"] == ["python benchmarks/adding.py --T 500"]


def test_the_readmes_table_is_the_shipped_logs():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    block = re.search(r"<!-- table7:[^\n]*-->\n(.*?)<!-- /table7 -->", readme, re.S)
    assert block, "README.md has no <!-- table7: ... --> <!-- /table7 --> block"
    wanted = experiments.table7_markdown(experiments.table7_rows(experiments.load_adding_log()))
    assert block.group(1).strip() == wanted, f"README.md's Table 7 block should read:\n{wanted}"
