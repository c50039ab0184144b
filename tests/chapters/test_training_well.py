"""Chapter 10's training run and measurements: deterministic for a seed, early stopping, the far bracket."""

import dataclasses
import json
import sys

import numpy as np
import pytest
import torch

from lstm_helpers import charlm
from lstm_helpers.chapters import training_well as tw

TINY = tw.Run(hidden_size=16, embed_size=8, steps=12, eval_every=4, batch_size=4, seq_len=16,
              train_chars=5000, eval_chars=2000)  # fmt: skip


def test_a_run_is_deterministic_for_its_seed_and_differs_for_another():
    runs = [tw.train_run(TINY) for _ in range(2)]
    for key in ("loss", "train_bpc", "valid_bpc", "best_valid", "best_step"):
        assert runs[0][key] == runs[1][key]
    other = tw.train_run(dataclasses.replace(TINY, seed=1))
    assert other["loss"] != runs[0]["loss"]


def test_a_regularised_run_is_deterministic_too():
    run = dataclasses.replace(TINY, dropout=0.3, variational=True, weight_drop=0.3, weight_decay=0.1)
    assert tw.train_run(run)["loss"] == tw.train_run(run)["loss"]


def test_early_stopping_keeps_the_best_validation_model():
    log = tw.train_run(TINY, keep_model=True)
    assert log["best_valid"] == min(log["valid_bpc"])
    assert log["best_step"] == log["steps"][int(np.argmin(log["valid_bpc"]))]
    valid = charlm.corpus("valid")[: TINY.eval_chars]
    assert charlm.bits_per_char(log["model"], valid) == pytest.approx(log["best_valid"], abs=1e-6)


def test_the_model_matches_the_runs_knobs():
    model = tw.build(dataclasses.replace(TINY, num_layers=2, forget_bias=1.0))
    assert len(model.layers) == 2 and model.rnn.hidden_size == 16
    assert torch.allclose(model.rnn.bias_ih_l0[16:32], torch.ones(16))


def test_a_diverging_run_stops_and_says_so():
    log = tw.train_run(dataclasses.replace(TINY, lr=10.0, clip=0.0, steps=40))
    assert log["diverged"] or max(v for v in log["loss"] if v is not None) > 6.0


def test_far_bracket_is_the_mean_probability_of_far_closing_brackets_only():
    text = "f(" + "x" * 60 + ")\ng(y)\ns = '" + "z" * 70 + "'\n"
    probs = np.full(len(text), 0.5)
    far_paren = text.index(")")
    probs[far_paren] = 0.2
    far, curve = tw.far_bracket(object(), text, 50, probs=probs)  # the probabilities given: no model read
    assert far == pytest.approx(0.2)  # the far quote and the near bracket do not count
    assert sum(curve["count"]) == 2  # two brackets, no quote


def test_far_bracket_names_a_bad_distance():
    with pytest.raises(ValueError, match="distance"):
        tw.far_bracket(object(), "f(x)", 0, probs=np.ones(4))


def test_the_pages_variational_mask_equals_its_tested_twin():
    from helpers_repo import ROOT, run_tagged

    from lstm_helpers import regularise

    ns = run_tagged(ROOT / "notebooks" / "10-training-well.ipynb", "from-scratch",
                    {"torch": torch, "settings": tw.SETTINGS, "regularise": regularise})  # fmt: skip
    for batch, features, p in ((4, 8, 0.3), (16, 100, 0.5), (1, 3, 0.0)):
        mine = ns["my_variational_mask"](batch, features, p, torch.Generator().manual_seed(7))
        twin = regularise.variational_mask(batch, features, p, torch.Generator().manual_seed(7))
        assert torch.equal(mine, twin)
    assert torch.equal(ns["dropped"][0], ns["dropped"][0, :1].expand(5, 8))  # the page's printout: same rows


@pytest.mark.slow
def test_the_recipe_script_writes_the_same_log_twice_for_its_seeds(tmp_path, monkeypatch):
    import train_recipe

    logs = []
    for k in range(2):
        out = tmp_path / f"log{k}.json"
        argv = ["train_recipe.py", "--sweeps", "clip", "--scale", "0.02", "--out", str(out)]
        monkeypatch.setattr(sys, "argv", argv)
        train_recipe.main()
        runs = json.loads(out.read_text())["clip"]
        logs.append([{key: v for key, v in run.items() if "seconds" not in key} for run in runs])
    assert len(logs[0]) == 2 and logs[0] == logs[1]
    assert logs[0][0]["loss_per_10"] != logs[0][1]["loss_per_10"]  # the two clipping thresholds differ
