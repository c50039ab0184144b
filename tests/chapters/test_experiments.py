"""Chapter 6 (`lstm_helpers.chapters.experiments`): its conclusions recomputed with its own settings,
and the helpers behind its tables and figure."""

from __future__ import annotations

import dataclasses
import importlib
import importlib.util
from pathlib import Path

import pytest
import torch

from lstm_helpers import train
from lstm_helpers.chapters import experiments as sweeps

ROOT = Path(__file__).parent.parent.parent
SEEDS = (0, 1, 2, 3, 4)
S = sweeps.SETTINGS
RNN, LSTM = sweeps.model_name("rnn", None), sweeps.model_name("lstm", 4.0)


@pytest.fixture(scope="module")
def runs():
    two = dataclasses.replace(S, models=(("rnn", None), ("lstm", 4.0)))
    return sweeps.sweep(two, gaps=(S.short_gap, S.long_gap), seeds=SEEDS)


def accuracies(runs, name, gap):
    return [run.final for run in runs[name, gap]]


def test_the_lstm_with_the_chapters_forget_bias_solves_the_long_gap_on_4_of_5_seeds(runs):
    assert ("lstm", 4.0) in S.models
    assert sum(a >= 0.95 for a in accuracies(runs, LSTM, S.long_gap)) >= 4


def test_the_rnn_is_within_10_points_of_chance_at_the_long_gap_on_every_seed(runs):
    assert all(abs(a - S.chance) <= 0.10 for a in accuracies(runs, RNN, S.long_gap))


def test_both_solve_the_short_gap(runs):
    assert min(accuracies(runs, LSTM, S.short_gap)) >= 0.95
    assert sum(a >= 0.9 for a in accuracies(runs, RNN, S.short_gap)) >= 4


def test_the_benchmark_trains_the_chapters_settings(monkeypatch):
    monkeypatch.syspath_prepend(str(ROOT / "benchmarks"))
    spec = importlib.util.spec_from_file_location("bench", ROOT / "benchmarks" / "bench.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    assert bench.SETTINGS is sweeps.SETTINGS
    adding = importlib.import_module("adding")  # benchmarks/adding.py, imported by bench.py
    assert adding.RECIPES[S.adding.T] is S.adding  # the chapter's object, not a copy
    assert adding.RECIPES[500] is sweeps.ADDING_T500
    assert sweeps.ADDING_T500 == dataclasses.replace(S.adding, T=500, forget_bias=7.0, lr_decay=0.98,
                                                     eval_every=3200, budget=240_000)  # fmt: skip
    assert adding.PAPER_SEQUENCES[S.adding.T] == sweeps.PAPER["sequences"] <= S.adding.budget
    assert adding.MAX_WRONG / adding.N_TEST == S.adding.max_wrong_fraction == 3 / 2560


def history(final: float, solved_step: int | None = None, batch: int = 64) -> train.History:
    return train.History("t", "accuracy", batch, test_metric=[final], solved_step=solved_step, seconds=1.0)


def test_model_names():
    assert sweeps.model_name("rnn", None) == "RNN"
    assert sweeps.model_name("lstm", None) == "LSTM, default init"
    assert sweeps.model_name("lstm", 4.0) == "LSTM, forget bias 4"


def test_summary_gives_mean_spread_and_solved_count():
    runs = {("RNN", 5): [history(0.9), history(1.0, 10), history(0.5)]}
    (row,) = sweeps.summary(runs)
    assert row["mean"] == pytest.approx(0.8)
    assert (row["low"], row["high"], row["solved"], row["seeds"]) == (0.5, 1.0, 1, 3)


def test_draw_sweep_draws_one_line_per_model_and_chance():
    names = ("RNN", "LSTM, forget bias 4")
    runs = {(name, g): [history(0.5), history(0.7)] for name in names for g in (5, 50)}
    fig, ax = sweeps.draw_sweep(runs)
    assert len(ax.lines) == 3
    assert ax.get_ylabel() == "test accuracy"


def test_a_tiny_sweep_runs_every_model_gap_and_seed():
    tiny = dataclasses.replace(sweeps.SETTINGS, steps=2, eval_every=1)
    runs = sweeps.sweep(tiny, gaps=(1,), seeds=(0, 1))
    assert set(runs) == {(sweeps.model_name(k, b), 1) for k, b in tiny.models}
    assert all(len(histories) == 2 for histories in runs.values())


def test_gap_run_names_a_wrong_gap():
    with pytest.raises(ValueError, match="gap"):
        sweeps.gap_run("rnn", None, -1, 0)


def test_adding_model_starts_at_the_mean_target_with_the_recipes_biases():
    model = sweeps.adding_model("lstm", seed=0)
    x = torch.randn(20, 3, 2)
    assert torch.allclose(model(x), torch.full((3,), 0.5))
    H = model.rnn.hidden_size
    bias = model.rnn.bias_ih_l0 + model.rnn.bias_hh_l0  # gates i, f, g, o
    assert torch.allclose(bias[:H], torch.full((H,), S.adding.input_bias))
    assert torch.allclose(bias[H : 2 * H], torch.full((H,), S.adding.forget_bias))
    sweeps.adding_model("rnn", seed=0)  # no gate biases for the RNN


def test_adding_row_counts_the_papers_way():
    solved = dataclasses.replace(history(0.004, 100, 16), metric="wrong")
    assert sweeps.adding_row("x", solved) == {"model": "x", "sequences": 1600, "solved": True, "wrong": 10,
                                              "seconds": 1.0}  # fmt: skip
    failed = sweeps.adding_row("y", dataclasses.replace(history(0.8, None, 128), metric="wrong"))
    assert failed["sequences"] == (S.adding.budget // 128) * 128 and not failed["solved"]


def test_first_within_finds_the_first_test_under_a_fraction():
    hist = dataclasses.replace(history(0.0, None, 16), metric="wrong")
    hist.eval_steps, hist.test_metric = [100, 200, 300, 400], [0.5, 0.009, 0.02, 0.001]
    assert sweeps.first_within(hist, 0.01) == 200 * 16
    assert sweeps.first_within(hist, 3 / 2560) == 400 * 16
    assert sweeps.first_within(hist, 0.0) is None


def test_table7_rows_count_failed_seeds_and_mark_what_was_not_run():
    def run(seed, stopped, sequences, wrong, seconds):
        return {"cell": "lstm", "T": 100, "seed": seed, "stopped": stopped, "sequences": sequences,
                "test_wrong": wrong, "seconds": seconds}  # fmt: skip

    log = {"runs": [run(0, True, 40_000, 1, 5), run(1, True, 50_000, 3, 5), run(2, False, 148_000, 40, 9)]}
    rows = {(r["T"], r["model"]): r for r in sweeps.table7_rows(log)}
    lstm = rows[100, sweeps.LOG_CELLS[0][1]]
    assert (lstm["seeds"], lstm["stopped"], lstm["mean"], lstm["low"], lstm["high"]) == (3, 2, 45_000, 40_000,
                                                                                         50_000)  # fmt: skip
    assert (lstm["mean_wrong"], lstm["max_wrong"], lstm["seconds"]) == (2, 3, 19)  # without the failed seed
    assert not rows[500, sweeps.LOG_CELLS[0][1]]["run"] and not rows[100, sweeps.LOG_CELLS[1][1]]["run"]
    assert sweeps.row_text(lstm) == (
        "2 of 3 seeds stopped (1 failed: not within 148,000 sequences), after 45,000 training sequences on "
        "average (40,000 to 50,000), with 2.0 wrong test sequences of 2560 on average (at most 3)"
    )
    assert sweeps.row_text(rows[500, sweeps.LOG_CELLS[0][1]]) == "not run"


def test_the_shipped_adding_log_keeps_to_the_papers_rule():
    log = sweeps.load_adding_log()
    for run in log["runs"]:
        budget = 2 * sweeps.PAPER_SEQUENCES[run["T"]]
        assert run["sequences"] <= budget + 16  # stopped in time, or counted as failed at the budget
        if run["stopped"]:
            assert run["longest_run"] >= sweeps.PAPER_IN_A_ROW
        assert 0 <= run["test_wrong"] <= 2560


def test_paper_recipes_budget_is_twice_table_7():
    for T, recipe in sweeps.PAPER_RECIPES.items():
        assert recipe.T == T and recipe.budget == 2 * sweeps.PAPER_SEQUENCES[T]


def test_the_table_and_the_sentence_beside_the_paper_come_from_the_same_rows():
    def run(T, seed, sequences, wrong):
        return {"cell": "lstm", "T": T, "seed": seed, "stopped": True, "sequences": sequences,
                "test_wrong": wrong, "seconds": 1}  # fmt: skip

    log = {"runs": [run(100, 0, 37_000, 1), run(100, 1, 37_000, 2), run(500, 0, 104_500, 4)]}
    rows = sweeps.table7_rows(log)
    assert sweeps.versus_paper(rows) == (
        "At T = 100 and 500 it stopped after 50% and 50% of the paper's mean number of training sequences, "
        "and erred on 1.5 and 4.0 of the 2,560 test sequences on average, where the paper erred on 1 and 0")
    assert sweeps.versus_paper(sweeps.table7_rows({"runs": []})) == ""
    table = sweeps.table7_markdown(rows).splitlines()
    assert table[2].startswith("| 100 | 74,000, 1 | 2 of 2 seeds: 37,000 (37,000-37,000), 1.5 (at most 2) |")
    assert table[3].startswith("| 500 | 209,000, 0 | 1 of 1 seeds: 104,500 (104,500-104,500), 4.0 (at most")
    assert table[4] == "| 1000 | 853,000, 1 | not run | not run |"
