"""Chapter 4's claims, checked with the chapter's own settings (`memory_cell.SETTINGS`)."""

from __future__ import annotations

import dataclasses

import matplotlib
import pytest
import torch
from helpers_repo import ROOT, run_tagged
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch
from slider_asserts import assert_live_slider_redraws, assert_static_frames_equal_draw

from lstm_helpers import cells, gradients, plots, tasks, train
from lstm_helpers.chapters import memory_cell as memory
from lstm_helpers.checks import compare


@pytest.fixture(scope="module", autouse=True)
def one_thread():
    with train.one_thread():  # as the chapter does: small models run fastest on one core
        yield


@pytest.fixture(scope="module")
def trained(one_thread):
    model, history = memory.train_lstm()
    return model, history


def test_the_lstm_solves_the_long_gap(trained):
    _, history = trained
    assert history.final >= 0.95


def test_one_cell_unit_separates_a_country_across_the_whole_gap(trained):
    data, run = memory.probe(trained[0])
    scores = memory.country_units(run, data)
    assert scores.shape == (memory.SETTINGS.hidden_size, 4)
    assert scores.max() >= 0.95


def test_fresh_against_fresh_only_the_forget_bias_keeps_the_jacobian_at_the_country_word():
    lag = memory.example().info["lag"]  # the country word, steps back from the last word
    norms = {name: v[lag].item() for name, v in memory.fresh_jacobians().items()}
    assert norms["rnn"] < 1e-10 and norms["lstm_default"] < 1e-10  # both lose it
    assert norms["lstm"] >= 1e6 * max(norms["rnn"], norms["lstm_default"])
    assert norms["lstm"] > 1  # the indirect roads add to the belt's


def test_fresh_jacobians_are_the_retention_and_rnn_gradients_of_the_same_fresh_models():
    fresh = memory.fresh_jacobians()
    assert torch.equal(fresh["rnn"], memory.rnn_gradient())
    assert torch.equal(fresh["lstm"], memory.retention(memory.SETTINGS.forget_bias)["gradient"])
    assert torch.equal(fresh["lstm_default"], memory.retention(None)["gradient"])


def test_a_default_forget_gate_forgets_and_a_high_one_keeps():
    default, high = memory.retention(None), memory.retention(4.0)
    assert default["over_gap"] < 1e-6 < 0.1 < high["over_gap"]
    assert default["gradient"][50] < 1e-6 < 0.1 < high["gradient"][50]


def test_moving_the_forget_slider_changes_the_picture():
    assert_live_slider_redraws(memory.forget_slider(), 4.0, memory.draw_forget_slider)


def test_the_static_slider_holds_one_frame_per_value_equal_to_draw():
    figure = memory.forget_slider()
    alts = assert_static_frames_equal_draw(figure, memory.draw_forget_slider)
    assert all(f"forget bias {value:g}" in alt for alt, value in zip(alts, figure.values))


def test_country_positions_come_from_the_data_whatever_the_head_words():
    data = tasks.fluent_sentences(3, gap=4, seed=0, head="when young i grew up in")
    x = memory.with_each_country(data, 1)  # sentence 1 once per country
    clue = data.info["clue"]
    assert clue == 6
    assert [data.vocab.words[int(k)] for k in x[clue]] == list(tasks.COUNTRIES[:4])
    others = [t for t in range(x.shape[0]) if t != clue]
    assert (x[others] == data.x[others, 1:2]).all()  # every other word is left as it was


def test_retention_follows_a_changed_setting():
    short = dataclasses.replace(memory.SETTINGS, gap=10)
    # fewer steps to survive: more of the memory is kept
    assert memory.retention(4.0, short)["over_gap"] > memory.retention(4.0)["over_gap"]


# --- issue 12/13: the belt drawn first, the fair comparison, the page's own from-scratch cells ---


CHAPTER = ROOT / "notebooks" / "04-the-memory-cell.ipynb"


def test_the_belt_is_drawn_over_three_steps_and_each_stage_adds_the_next_gate():
    drawn = {stage: memory.draw_belt(stage) for stage in memory.BELT_STAGES}
    labels = [t.get_text() for t in drawn["belt"][1].texts if t.get_text().startswith("step")]
    assert len(labels) == 3
    patches = [len(ax.patches) for _, ax in drawn.values()]
    assert patches == sorted(set(patches)), "each stage must add shapes to the one before"
    with pytest.raises(ValueError, match="stage"):
        memory.draw_belt("peephole")
    with pytest.raises(ValueError, match="steps"):
        memory.draw_belt(steps=2)


def test_every_gate_of_the_belt_is_fed_from_below_by_x_t_and_h_prev():
    gate_colours = {matplotlib.colors.to_hex(c) for c in plots.GATE_COLOURS.values()}
    for stage, gates in zip(memory.BELT_STAGES, ("", "f", "fig", "figo")):
        fig, ax = memory.draw_belt(stage)
        shapes = [p for p in ax.patches if isinstance(p, FancyBboxPatch)]
        boxes = [p.get_bbox() for p in shapes if matplotlib.colors.to_hex(p.get_facecolor()) in gate_colours]
        assert len(boxes) == 3 * len(gates), stage  # three steps, each with the stage's gates
        arrows = [p._posA_posB for p in ax.patches if isinstance(p, FancyArrowPatch)]
        for box in boxes:  # an arrow rises into the middle of the box's bottom edge
            fed = [(a, b) for a, b in arrows
                   if abs(b[0] - (box.x0 + box.x1) / 2) < 1e-9 and abs(b[1] - box.y0) < 0.1 and a[1] < b[1]]
            assert fed, f"{stage}: the gate at x = {box.x0:.2f} has no input"
        labels = {t.get_text() for t in ax.texts}
        assert not gates or {"$x_{t}, h_{t-1}$", "$x_{t+1}, h_{t}$"} <= labels, stage
        matplotlib.pyplot.close(fig)


def test_the_state_gradient_by_the_recursion_equals_autograd():
    data = memory.example()
    for name in ("rnn", "lstm"):
        model = memory.fresh_model(name)
        cell, x = gradients.from_model(model, data.x)
        h = c = torch.zeros(1, cell.hidden_size, dtype=torch.float64)
        states = []
        for x_t in x:  # autograd through the from-scratch cell, keeping every state
            if name == "rnn":
                h = cell(x_t, h)
                states.append(h)
            else:
                h, c = cell(x_t, (h, c))
                states.append(c)
        loss = gradients.readout_loss(model, data.y)(h)
        reference = torch.stack([g.norm() for g in torch.autograd.grad(loss, states)])
        assert compare(name, memory.state_gradient(model, data), reference) < 1e-10


def test_fresh_against_fresh_only_the_high_forget_bias_carries_the_clue():
    clue = memory.example().info["clue"]
    ratio = {k: (v[clue] / v[-1]).item() for k, v in memory.clue_gradients().items()}
    assert ratio["rnn"] < 1e-8 and ratio["lstm_default"] < 1e-8
    assert ratio["lstm"] > 0.1


def scratch_cells(path) -> dict:
    """Run the notebook's cells tagged "from-scratch" (its own code) and return their names."""
    return run_tagged(path, "from-scratch", {"torch": torch, "cells": cells, "gradients": gradients,
                                             "compare": compare})


def test_the_pages_own_lstm_step_equals_torch_lstm():
    ns = scratch_cells(CHAPTER)
    torch.manual_seed(7)
    reference = torch.nn.LSTM(4, 6, dtype=torch.float64)
    p = cells.LSTMCell.from_torch(reference)
    x = torch.randn(9, 3, 4, dtype=torch.float64)
    h0, c0 = torch.randn(2, 3, 6, dtype=torch.float64)
    h, c, hs = h0, c0, []
    for x_t in x:
        h, c = ns["lstm_step"](x_t, h, c, p)
        hs.append(h)
    h_ref, (_, c_ref) = reference(x, (h0[None], c0[None]))
    assert (torch.stack(hs) - h_ref).abs().max() < 1e-12
    assert (c - c_ref[0]).abs().max() < 1e-12


def test_the_pages_own_lstm_backward_equals_autograd_weights_included():
    ns = scratch_cells(CHAPTER)
    torch.manual_seed(3)
    cell = cells.LSTMCell(2, 5, dtype=torch.float64)
    x, grad_h = torch.randn(30, 4, 2, dtype=torch.float64), torch.randn(30, 4, 5, dtype=torch.float64)
    h = c = torch.zeros(4, 5, dtype=torch.float64)
    hs, cs = [], []
    for x_t in x:
        h, c = cell(x_t, (h, c))
        hs.append(h)
        cs.append(c)
    dcs, dW = ns["lstm_backward"](cell, x, grad_h)
    assert sorted(dW) == sorted(f"W_{s}{k}" for s in "xh" for k in "ifgo")
    *reference, = torch.autograd.grad((torch.stack(hs) * grad_h).sum(), cs + [getattr(cell, n) for n in dW])
    assert (dcs - torch.stack(reference[: len(cs)])).abs().max() < 1e-10
    for name, ref in zip(dW, reference[len(cs) :]):
        assert dW[name].shape == ref.shape and (dW[name] - ref).abs().max() < 1e-10, name
