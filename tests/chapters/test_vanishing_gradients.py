"""Chapter 3: the recurrent-weight-scale slider works without a browser, and the claims hold.

Recomputes the measurements the chapter quotes with its own `SETTINGS`.
"""

from __future__ import annotations

import matplotlib
import pytest
import torch
from slider_asserts import assert_live_slider_redraws, assert_static_frames_equal_draw

matplotlib.use("Agg")

from lstm_helpers import cells, gradients, tasks, widgets  # noqa: E402
from lstm_helpers.chapters import vanishing_gradients as ch3  # noqa: E402

S = ch3.SETTINGS


@pytest.fixture(scope="module")
def slider():
    return widgets.SliderFigure(ch3.draw_scale, S.sigmas, "sigma", alt="sigma {value}")


def test_moving_the_live_slider_changes_the_picture(slider):
    assert_live_slider_redraws(slider, S.sigmas[-1], ch3.draw_scale)


def test_static_form_holds_one_frame_per_scale_equal_to_draw(slider):
    assert_static_frames_equal_draw(slider, ch3.draw_scale)


def test_hand_written_jacobian_product_equals_autograd():
    cell = ch3.scaled_cell(1.0)
    x = ch3.lag_inputs()[:10]
    h = cells.unroll(cell, x).h[:, 0]
    product, ours = torch.eye(h.shape[1], dtype=torch.float64), [1.0]
    for t in range(h.shape[0] - 1, 0, -1):
        product = product @ torch.diag(1 - h[t] ** 2) @ cell.W_hh.T
        ours.append(torch.linalg.matrix_norm(product, ord=2).item())
    assert torch.allclose(torch.tensor(ours, dtype=torch.float64), gradients.jacobian_norms(cell, x))


@pytest.mark.parametrize("sigma", [s for s in S.sigmas if s <= 1.0])
def test_contracting_w_hh_vanishes_by_four_orders_at_lag_50(sigma):
    norms, bound = ch3.lag_profile(sigma)
    assert norms[50] <= 1e-4 * norms[1]
    assert (norms[1:] <= bound[1:] * (1 + 1e-9)).all()  # the Pascanu bound holds


def test_the_slider_spans_vanishing_stable_and_exploding():
    ratio = {s: (ch3.lag_profile(s)[0][50] / ch3.lag_profile(s)[0][1]).item() for s in S.sigmas}
    assert ratio[S.sigmas[0]] < 1e-20
    assert any(0.05 < r < 20 for r in ratio.values())
    assert ratio[S.sigmas[-1]] > 1e3


def test_trained_rnn_gradient_vanishes_although_sigma_max_exceeds_one():
    norms, bound = ch3.trained_lag_norms()
    assert norms[50] <= 1e-4 * norms[1]
    assert bound[1] > 1.0  # the chapter says the bound is useless here


def test_clipping_rescues_sgd():
    plain, clipped = ch3.train_sgd(0.0), ch3.train_sgd(1.0)
    assert plain["loss"][-1] > 1.386 and plain["accuracy"][0] < 0.5
    assert clipped["accuracy"][0] > 0.95 and max(clipped["grad_norm"]) > 10


def test_far_words_barely_move_the_weights_at_the_clue_position_the_data_gives():
    clue = ch3.probe_sentences().info["clue"]
    for share in ch3.step_shares().values():
        assert share[clue] < 1e-10 and share[-3:].sum() > 0.9


def test_the_lag_sentence_is_the_running_example_with_61_words():
    data = ch3.lag_sentence()
    assert data.x.shape[0] == 61 and data.sentence(0).startswith("i grew up in india")
    assert data.vocab.words[int(data.x[data.info["clue"], 0])] == tasks.COUNTRIES[0]
