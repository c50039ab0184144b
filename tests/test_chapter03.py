"""Chapter 3: the recurrent-weight-scale slider works without a browser, and the claims hold.

Recomputes the measurements the chapter quotes, with the same settings (`lstm_helpers.experiments`).
"""

from __future__ import annotations

import matplotlib
import pytest
import torch
from helpers_repo import ROOT, notebook, source
from slider_checks import assert_live_slider_redraws, assert_static_frames_equal_draw

matplotlib.use("Agg")

from lstm_helpers import cells, experiments, gradients, widgets  # noqa: E402

NOTEBOOK = ROOT / "notebooks" / "03-vanishing-gradients.ipynb"


@pytest.fixture(scope="module")
def slider():
    return widgets.SliderFigure(experiments.draw_scale, experiments.SIGMAS, "sigma", alt="sigma {value}")


def test_the_notebook_shows_this_slider():
    text = "\n".join(source(c) for c in notebook(NOTEBOOK)["cells"])
    assert "widgets.SliderFigure(\n    experiments.draw_scale, experiments.SIGMAS" in text


def test_moving_the_live_slider_changes_the_picture(slider):
    assert_live_slider_redraws(slider, experiments.SIGMAS[-1], experiments.draw_scale)


def test_static_form_holds_one_frame_per_scale_equal_to_draw(slider):
    assert_static_frames_equal_draw(slider, experiments.draw_scale)


def test_hand_written_jacobian_product_equals_autograd():
    cell = experiments.scaled_cell(1.0)
    x = experiments.lag_inputs()[:10]
    h = cells.unroll(cell, x).h[:, 0]
    product, ours = torch.eye(h.shape[1], dtype=torch.float64), [1.0]
    for t in range(h.shape[0] - 1, 0, -1):
        product = product @ torch.diag(1 - h[t] ** 2) @ cell.W_hh.T
        ours.append(torch.linalg.matrix_norm(product, ord=2).item())
    assert torch.allclose(torch.tensor(ours, dtype=torch.float64), gradients.jacobian_norms(cell, x))


@pytest.mark.parametrize("sigma", [s for s in experiments.SIGMAS if s <= 1.0])
def test_contracting_w_hh_vanishes_by_four_orders_at_lag_50(sigma):
    norms, bound = experiments.lag_profile(sigma)
    assert norms[50] <= 1e-4 * norms[1]
    assert (norms[1:] <= bound[1:] * (1 + 1e-9)).all()  # the Pascanu bound holds


def test_the_slider_spans_vanishing_stable_and_exploding():
    ratio = {s: (experiments.lag_profile(s)[0][50] / experiments.lag_profile(s)[0][1]).item()
             for s in experiments.SIGMAS}  # fmt: skip
    assert ratio[experiments.SIGMAS[0]] < 1e-20
    assert any(0.05 < r < 20 for r in ratio.values())
    assert ratio[experiments.SIGMAS[-1]] > 1e3


def test_trained_rnn_gradient_vanishes_although_sigma_max_exceeds_one():
    norms, bound = experiments.trained_lag_norms(experiments.LONG_GAP)
    assert norms[50] <= 1e-4 * norms[1]
    assert bound[1] > 1.0  # the chapter says the bound is useless here


def test_clipping_rescues_sgd_and_far_words_barely_move_the_weights():
    plain, clipped = experiments.train_sgd(0.0), experiments.train_sgd(1.0)
    assert plain["loss"][-1] > 1.386 and plain["accuracy"][0] < 0.5
    assert clipped["accuracy"][0] > 0.95 and max(clipped["grad_norm"]) > 10
    shares = experiments.step_shares(experiments.LONG_GAP)
    for share in shares.values():
        assert share[4] < 1e-10 and share[-3:].sum() > 0.9  # the country word is word 5
