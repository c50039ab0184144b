"""Chapter 6's conclusions, recomputed with the chapter's own settings (`sweeps.SETTINGS`, `ADDING`)."""

from __future__ import annotations

import dataclasses
import importlib.util
import json
from pathlib import Path

import pytest

from lstm_helpers import sweeps

ROOT = Path(__file__).parent.parent
NOTEBOOK = ROOT / "notebooks" / "06-experiments.ipynb"
SEEDS = (0, 1, 2, 3, 4)
S = sweeps.SETTINGS
RNN, LSTM = sweeps.model_name("rnn", None), sweeps.model_name("lstm", 4.0)


@pytest.fixture(scope="module")
def runs():
    two = dataclasses.replace(S, models=(("rnn", None), ("lstm", 4.0)))
    return sweeps.sweep(two, gaps=(S.short_gap, S.long_gap), seeds=SEEDS)


def accuracies(runs, name, gap):
    return [h.final for h in runs[name, gap]]


def test_the_lstm_with_the_chapters_forget_bias_solves_the_long_gap_on_4_of_5_seeds(runs):
    assert ("lstm", 4.0) in S.models
    assert sum(a >= 0.95 for a in accuracies(runs, LSTM, S.long_gap)) >= 4


def test_the_rnn_is_within_10_points_of_chance_at_the_long_gap_on_every_seed(runs):
    assert all(abs(a - S.chance) <= 0.10 for a in accuracies(runs, RNN, S.long_gap))


def test_both_solve_the_short_gap(runs):
    assert min(accuracies(runs, LSTM, S.short_gap)) >= 0.95
    assert sum(a >= 0.9 for a in accuracies(runs, RNN, S.short_gap)) >= 4


def test_the_chapter_uses_the_benchmarks_adding_recipe():
    spec = importlib.util.spec_from_file_location("bench", ROOT / "benchmarks" / "bench.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    r = sweeps.ADDING
    ours = {"hidden_size": r.hidden_size, "forget_bias": r.forget_bias, "input_bias": r.input_bias,
            "lr": r.lr, "batch_size": r.batch_size}  # fmt: skip
    assert ours == bench.ADDING
    assert bench.PAPER_SEQUENCES[r.T] == sweeps.PAPER["sequences"] == r.budget


def test_the_notebook_runs_the_settings_tested_here():
    text = "".join("".join(c["source"]) for c in json.loads(NOTEBOOK.read_text())["cells"])
    for call in ("sweeps.sweep()", 'sweeps.adding_run("lstm"', 'sweeps.adding_run("rnn"'):
        assert call in text, call
