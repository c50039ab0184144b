"""Chapter 3: the recurrent-weight-scale slider works without a browser, and the claims hold.

Recomputes the measurements the chapter quotes with its own `SETTINGS`.
"""

from __future__ import annotations

import dataclasses
import math

import pytest
import torch
from helpers_repo import ROOT, notebook, run_tagged, source
from slider_asserts import assert_live_slider_redraws, assert_static_frames_equal_draw
from torch import nn

from lstm_helpers import cells, gradients, tasks, widgets
from lstm_helpers.chapters import long_term_dependencies as ch2
from lstm_helpers.chapters import vanishing_gradients as ch3

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


def test_the_clipping_story_the_chapter_tells():
    """No spike precedes the unclipped run's rise: its largest gradient is the first; sigma_max grows."""
    plain, clipped = ch3.train_sgd(0.0), ch3.train_sgd(1.0)
    chance = math.log(S.trained.n_countries)
    rise = next(t for t in range(len(plain["loss"])) if min(plain["loss"][t:]) > chance)
    assert 0 < rise < S.sgd_steps - 20
    assert max(plain["grad_norm"]) == plain["grad_norm"][0]
    assert plain["sigma_max"][-1] > 1.4 * S.sgd_sigma > 1.1 * clipped["sigma_max"][-1]
    spike = max(range(S.sgd_steps), key=clipped["grad_norm"].__getitem__)
    assert clipped["grad_norm"][spike] > plain["grad_norm"][0] and spike < S.sgd_steps - 1
    assert clipped["loss"][spike + 1] < clipped["loss"][spike]


def torch_sgd_losses(clip: float, s: ch3.Settings, steps: int) -> torch.Tensor:
    """The reference run: torch.optim.SGD with clip_grad_norm_ (0: no clipping), the chapter's data stream."""
    model, task = ch3.sgd_model(s), tasks.fluent(s.sgd_gap)
    opt = torch.optim.SGD(model.parameters(), lr=s.sgd_lr)
    stream, losses = torch.Generator().manual_seed(s.seed), []
    for _ in range(steps):
        batch = task.make(s.batch_size, stream)
        loss = nn.functional.cross_entropy(model(batch.x), batch.y)
        opt.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), clip if clip > 0 else math.inf)
        opt.step()
        losses.append(loss.item())
    return torch.tensor(losses)


def test_hand_written_clipping_equals_clip_grad_norm_with_sgd():
    """train_sgd's loop (clip and step written out) against torch.optim.SGD + clip_grad_norm_."""
    s = dataclasses.replace(S, sgd_steps=4)
    for clip in (0.0, 1.0):
        reference = torch_sgd_losses(clip, s, s.sgd_steps)
        assert torch.allclose(torch.tensor(ch3.train_sgd(clip, s)["loss"]), reference, rtol=1e-5)


def test_one_unit_cell_is_the_formula_and_every_weight_vanishes_at_lag_50():
    x = ch3.one_unit_inputs()
    assert x.shape == (61, 1, 1)
    cell = ch3.one_unit_cell(0.9)
    h = cells.unroll(cell, x).h.flatten()
    assert torch.allclose(h[1], torch.tanh(0.9 * h[0] + x[1, 0, 0]))
    lag50 = {w: gradients.jacobian_norms(ch3.one_unit_cell(w), x)[50].item() for w in S.unit_weights}
    assert all(v < 1e-3 for v in lag50.values())  # "every row vanishes", w = 1.1 included
    assert max(lag50, key=lag50.get) < max(S.unit_weights)  # the largest w does not keep the most
    with pytest.raises(TypeError, match="w must be a number"):
        ch3.one_unit_cell("1")


def test_short_gap_share_is_orders_of_magnitude_larger_than_the_long_gaps():
    long, short = ch3.step_shares(), ch3.step_shares(gap=S.trained.short_gap)
    clue_long = ch3.share_sentences().info["clue"]
    clue_short = ch3.share_sentences(gap=S.trained.short_gap).info["clue"]
    for name in ("W_xh", "W_hh"):
        assert short[name][clue_short] > 1e8 * long[name][clue_long]
        assert torch.allclose(short[name].sum(), torch.tensor(1.0, dtype=short[name].dtype))
    with pytest.raises(ValueError, match="gap"):
        ch3.step_shares(gap=-1)


def test_far_words_barely_move_the_weights_at_the_clue_position_the_data_gives():
    clue = ch3.probe_sentences().info["clue"]
    for share in ch3.step_shares().values():
        assert share[clue] < 1e-10 and share[-3:].sum() > 0.9


def test_the_lag_sentence_is_the_running_example_with_61_words():
    data = ch3.lag_sentence()
    assert data.x.shape[0] == 61 and data.sentence(0).startswith("i grew up in india")
    assert data.vocab.words[int(data.x[data.info["clue"], 0])] == tasks.COUNTRIES[0]


# The chapter's own from-scratch cells (tagged "from-scratch"), run here against torch.nn and autograd.


@pytest.fixture(scope="module")
def page():
    """The notebook's namespace after its import cell and every from-scratch cell."""
    path = ROOT / "notebooks" / "03-vanishing-gradients.ipynb"
    code = [c for c in notebook(path)["cells"] if c["cell_type"] == "code"]
    namespace: dict = {}
    exec(source(next(c for c in code if "as chapter" in source(c))), namespace)  # the import cell
    return run_tagged(path, "from-scratch", namespace)


def _rnn(d: int, H: int, seed: int = 0) -> nn.RNN:
    torch.manual_seed(seed)
    return nn.RNN(d, H, dtype=torch.float64)


def _state_grad(rnn: nn.RNN, x: torch.Tensor, h_start: torch.Tensor) -> torch.Tensor:
    """d h_T / d h_start (H_out, H_in) for torch.nn.RNN run over x from h_start (batch 1)."""
    return torch.autograd.functional.jacobian(lambda h0: rnn(x, h0[None, None])[0][-1, 0], h_start)


def test_notebook_one_unit_loop_equals_torch_nn_rnn(page):
    x = ch3.one_unit_inputs()  # (T, 1, 1)
    rnn = nn.RNN(1, 1, bias=False, dtype=torch.float64)
    for w in S.unit_weights:
        with torch.no_grad():
            rnn.weight_hh_l0.fill_(w)
            rnn.weight_ih_l0.fill_(1.0)
        h = rnn(x)[0][:, 0]  # (T, 1)
        T = len(x)
        ref = [_state_grad(rnn, x[T - k :], h[T - k - 1]).item() for k in S.unit_lags]
        ours = page["one_unit_gradients"](w, x.flatten().tolist(), S.unit_lags)
        ref = torch.tensor(ref, dtype=torch.float64)
        assert torch.allclose(torch.tensor(ours, dtype=torch.float64), ref, rtol=1e-10, atol=0)


def test_notebook_jacobian_product_equals_torch_nn_rnn(page):
    rnn, x = _rnn(16, 32), ch3.lag_inputs()[:10]
    h = rnn(x)[0][:, 0].detach()  # (T, H)
    ours = page["chain_norms"](rnn.weight_hh_l0.detach().T, h)
    T = len(x)
    ref = [1.0] + [torch.linalg.matrix_norm(_state_grad(rnn, x[T - k :], h[T - k - 1]), ord=2).item()
                   for k in range(1, T)]  # fmt: skip
    assert torch.allclose(ours, torch.tensor(ref, dtype=torch.float64), rtol=1e-10, atol=1e-14)


def test_notebook_backward_recursion_equals_torch_nn_rnn_autograd(page):
    rnn = _rnn(3, 5, seed=1)
    gen = torch.Generator().manual_seed(2)
    x = torch.randn(37, 2, 3, generator=gen, dtype=torch.float64)  # T, batch, d all different
    h0 = torch.randn(2, 5, generator=gen, dtype=torch.float64).tanh().requires_grad_(True)
    g = torch.randn(37, 2, 5, generator=gen, dtype=torch.float64)
    g[5:20] = 0  # steps the loss does not read
    (rnn(x, h0[None])[0] * g).sum().backward()
    cell = cells.RNNCell.from_torch(rnn)
    dh, delta, dW_hh = page["rnn_backward"](cell, x, g, h0.detach())
    assert torch.allclose(dW_hh, rnn.weight_hh_l0.grad.T, rtol=0, atol=1e-12)  # W_hh = weight_hh^T
    assert torch.allclose(delta[0] @ cell.W_hh.T, h0.grad, rtol=0, atol=1e-12)  # dL/dh0 = delta_1 W_hh^T
    assert torch.allclose(delta.sum((0, 1)), rnn.bias_hh_l0.grad, rtol=0, atol=1e-12)


def test_notebook_clipping_loop_equals_torch_sgd_with_clip_grad_norm(page):
    for clip in (0.0, 1.0):
        _, log = page["sgd_run"](clip, steps=4)
        assert torch.allclose(torch.tensor(log["loss"]), torch_sgd_losses(clip, S, 4), rtol=1e-5)


def test_notebook_one_copy_per_step_terms_sum_to_torch_nn_gradient(page):
    rnn, x = _rnn(16, 32, seed=3), ch3.lag_inputs()[:12]
    y = torch.randn(1, 32, generator=torch.Generator().manual_seed(4), dtype=torch.float64)
    (rnn(x)[0][-1] * y).sum().backward()
    terms = page["step_terms"](cells.RNNCell.from_torch(rnn), x, lambda h: (h * y).sum())  # (T, H, H)
    assert terms.shape == (12, 32, 32)
    assert torch.allclose(terms.sum(0), rnn.weight_hh_l0.grad.T, rtol=0, atol=1e-12)
    assert terms[0].norm() < terms[-1].norm()  # the far step's term is the smaller


def test_notebook_step_jacobian_equals_torch_nn_rnn_autograd(page):
    for H, seed in ((2, 5), (5, 6)):
        rnn = _rnn(3, H, seed=seed)
        gen = torch.Generator().manual_seed(seed)
        x_t = torch.randn(1, 1, 3, generator=gen, dtype=torch.float64)
        h_prev = torch.randn(H, generator=gen, dtype=torch.float64).tanh()
        h_t = rnn(x_t, h_prev[None, None])[0][0, 0].detach()
        ref = _state_grad(rnn, x_t, h_prev)  # (H_out, H_in)
        ours = page["step_jacobian"](rnn.weight_hh_l0.detach().T, h_t)  # the book's W_hh is weight_hh^T
        assert torch.allclose(ours, ref, rtol=0, atol=1e-12)


def test_notebook_closed_form_singular_values_equal_svdvals(page):
    gen = torch.Generator().manual_seed(7)
    rotation = torch.tensor([[0.6, -0.8], [0.8, 0.6]], dtype=torch.float64)  # sigma_1 = sigma_2 = 1
    rank_one = torch.tensor([[1.0, 2.0], [2.0, 4.0]], dtype=torch.float64)  # sigma_2 = 0
    for M in [rotation, rank_one, *torch.randn(20, 2, 2, generator=gen, dtype=torch.float64)]:
        ours = page["singular_values_2x2"](M)
        assert not ours.isnan().any()
        assert torch.allclose(ours, torch.linalg.svdvals(M), rtol=0, atol=1e-7)


def test_trained_history_is_chapter_2s_run_and_names_a_bad_gap():
    assert ch3.trained_history() is ch2.train_rnn(S.gap, S.trained)[1]  # cached there: the same run
    assert ch3.trained_history().final < 0.35  # the long gap fails: near chance (0.25)
    with pytest.raises(ValueError, match="gap"):
        ch3.trained_history(-1)
