"""Chapter 5's claims, checked with the chapter's own settings (`lstm_vs_rnn.SETTINGS`)."""

from __future__ import annotations

import dataclasses
from types import SimpleNamespace

import pytest
import torch
from helpers_repo import ROOT, run_tagged

from lstm_helpers import gradients, models, tasks
from lstm_helpers.chapters import lstm_vs_rnn as chapter

CHAPTER = ROOT / "notebooks" / "05-lstm-vs-rnn.ipynb"


def scratch_cells() -> dict:
    return run_tagged(CHAPTER, "from-scratch", {"torch": torch})


def test_the_clue_span_counts_from_the_clue_word_to_the_last_word():
    data = tasks.fluent(7).make(2, seed=0)
    assert chapter.clue_span(data) == data.info["lag"] + 1 == data.x.shape[0] - data.info["clue"]


def test_the_pages_own_truncation_keeps_the_output_and_cuts_the_gradient_k_steps_back():
    truncated = scratch_cells()["truncated"]
    task = tasks.fluent(6)
    data = task.make(8, seed=1)
    model = models.for_task(task, "lstm", hidden_size=5, seed=0)
    k = 4
    assert torch.allclose(truncated(model, data.x, k), model(data.x), atol=1e-6)
    # the gradient at each word's embedding: zero before the window, autograd's own inside it
    e = model.embed(data.x).detach().requires_grad_(True)  # (T, batch, d), a gradient we can read
    same = SimpleNamespace(embed=lambda _x: e, rnn=model.rnn, readout=model.readout)
    loss = torch.nn.functional.cross_entropy(truncated(same, data.x, k), data.y)
    (grad,) = torch.autograd.grad(loss, e)
    reach = grad.norm(dim=(1, 2))
    assert (reach[:-k] == 0).all() and (reach[-k:] > 0).all()


def test_a_window_reaching_the_clue_learns_it_and_half_of_it_does_not():
    s = dataclasses.replace(chapter.SETTINGS, trunc_seeds=(0,))
    runs = chapter.truncation_runs(s)
    span = chapter.clue_span(tasks.fluent(s.trunc_gap).make(1, seed=0))
    assert set(runs) == {(span // 2, 0), (span, 0)}
    assert runs[span, 0].solved and not runs[span // 2, 0].solved
    assert runs[span // 2, 0].final > 0.3  # above chance (0.25): the untrained cell keeps a trace


def test_gradients_input_grad_norms_is_zero_beyond_the_window():
    task = tasks.fluent(5)
    data = task.make(4, seed=0)
    model = models.for_task(task, "lstm", hidden_size=4, seed=0)
    reach = gradients.input_grad_norms(model, data.x, data.y, 3)
    assert (reach[:-3] == 0).all() and (reach[-3:] > 0).all()


def test_at_the_short_gap_both_models_solve_the_task():  # the chapter says "both solve it"
    runs = chapter.short_gap_runs()
    assert runs["rnn"].solved and runs["lstm"].solved


def test_seconds_per_step_times_forward_or_a_training_step_and_leaves_no_gradient():
    layer, x = torch.nn.LSTM(3, 4), torch.randn(5, 2, 3)
    for backward in (False, True):
        seconds = chapter.seconds_per_step(layer, x, repeats=2, backward=backward)
        assert seconds > 0
        assert all(p.grad is None for p in layer.parameters())
    with pytest.raises(ValueError, match="repeats"):
        chapter.seconds_per_step(layer, x, repeats=0)
    with pytest.raises(ValueError, match=r"x must be \(T, batch, d\)"):
        chapter.seconds_per_step(layer, x[0], repeats=1)
