"""Chapter 1: the notebook's own cells, run here against torch.nn and against `train.fit`.

The cells tagged "from-scratch" (the RNN step and its unrolled loop, written in the notebook) and
the cell tagged "training-loop" (the loop written in full) are executed from the notebook itself,
so these tests check the code the reader sees, not a copy of it. The hidden claims cell beside the
loop is run the same way: with the chapter's settings its sentences hold, and a longer loop makes one
false, which fails naming the sentence, as the book build would.
"""

from __future__ import annotations

import dataclasses
import math
import time

import pytest
import torch
import torch.nn.functional as F
from helpers_repo import ROOT, run_cells, run_tagged

from lstm_helpers import prose, tasks, train
from lstm_helpers.chapters import sequences_and_rnns as ch1

NOTEBOOK = ROOT / "notebooks" / "01-sequences-and-rnns.ipynb"
S = ch1.SETTINGS




def ours_from(rnn: torch.nn.RNN) -> dict[str, torch.Tensor]:
    """The notebook's weight names for a torch.nn.RNN's weights (ours are the transposes)."""
    W_xh, W_hh = rnn.weight_ih_l0.T, rnn.weight_hh_l0.T
    return {"W_xh": W_xh, "W_hh": W_hh, "b_xh": rnn.bias_ih_l0, "b_hh": rnn.bias_hh_l0}


@pytest.fixture(scope="module")
def scratch() -> dict:
    return run_tagged(NOTEBOOK, "from-scratch", {"torch": torch})


@pytest.mark.parametrize("d, H, T, batch", [(3, 5, 7, 2), (1, 4, 1, 3), (6, 2, 50, 5)])
def test_the_notebooks_rnn_equals_torch_nn_rnn(scratch, d, H, T, batch):
    torch.manual_seed(d + H + T)
    rnn = torch.nn.RNN(d, H, dtype=torch.float64)
    x = torch.randn(T, batch, d, dtype=torch.float64)
    h_0 = torch.randn(batch, H, dtype=torch.float64)  # a nonzero start, so h_0's path is checked too
    weights = ours_from(rnn)
    with torch.no_grad():
        ours = scratch["rnn_unroll"](x, h_0, **weights)
        ref, h_T = rnn(x, h_0[None])
        step = scratch["rnn_step"](x[0], h_0, **weights)
    assert ours.shape == (T, batch, H)
    assert torch.allclose(ours, ref, rtol=0, atol=1e-12)
    assert torch.allclose(ours[-1], h_T[0], rtol=0, atol=1e-12)
    assert torch.allclose(step, ref[0], rtol=0, atol=1e-12)


def test_the_notebooks_rnn_has_the_gradients_of_torch_nn_rnn(scratch):
    torch.manual_seed(1)
    rnn = torch.nn.RNN(3, 4, dtype=torch.float64)
    x = torch.randn(9, 2, 3, dtype=torch.float64)
    h_0 = torch.zeros(2, 4, dtype=torch.float64)
    weights = ours_from(rnn)
    ours = torch.autograd.grad(scratch["rnn_unroll"](x, h_0, **weights).sum(), list(rnn.parameters()))
    ref = torch.autograd.grad(rnn(x)[0].sum(), list(rnn.parameters()))
    for a, b in zip(ours, ref):
        assert torch.allclose(a, b, rtol=0, atol=1e-12)


def run_loop(s: ch1.Settings) -> dict:
    namespace = {"torch": torch, "F": F, "time": time, "tasks": tasks, "chapter": ch1, "settings": s}
    with train.one_thread():
        return run_tagged(NOTEBOOK, "training-loop", namespace)


def test_the_notebooks_loop_and_train_fit_give_the_same_losses():
    s = dataclasses.replace(S, loop_steps=25, steps=25, eval_every=5)
    loop = run_loop(s)
    _, history = ch1.fit(s)
    assert len(loop["losses"]) == 25 and len(history.loss) >= 10  # fit may stop early, once solved
    n = len(history.loss)
    assert history.loss == loop["losses"][:n]  # bit for bit: the same batches, the same steps
    assert loop["losses"][-1] < loop["losses"][0] - 0.5  # and the loop really trains


def test_a_loop_with_another_seed_gives_other_losses():
    s = dataclasses.replace(S, loop_steps=5)
    other = dataclasses.replace(s, seed=1)
    assert run_loop(s)["losses"] != run_loop(other)["losses"]


def test_the_loops_first_loss_is_a_uniform_guess_among_the_colours():
    loop = run_loop(dataclasses.replace(S, loop_steps=1))
    assert abs(loop["losses"][0] - math.log(len(tasks.SKY))) < 0.15


def test_fit_solves_the_sky_task_within_the_chapters_budget():
    model, history = ch1.fit()
    assert history.solved and history.final >= 0.99
    assert not model.training  # handed back ready to predict


def test_new_model_is_seeded_and_built_from_the_settings():
    a, b = ch1.new_model(), ch1.new_model()
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))
    assert a.rnn.hidden_size == S.hidden_size and a.embed.embedding_dim == S.embed_size
    other = ch1.new_model(dataclasses.replace(S, seed=1))
    assert not torch.equal(a.rnn.weight_hh_l0, other.rnn.weight_hh_l0)


def test_settings_are_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        S.seed = 1  # type: ignore[misc]


def test_the_sky_clue_is_followed_only_by_is():
    data = tasks.sky_sentences(3, seed=0)
    assert data.info["lag"] == 1
    assert all(data.vocab.words[int(w)] == "is" for w in data.x[-1])


def loop_and_its_claims(s: ch1.Settings) -> dict:
    """The training loop, its printout and the hidden claims cell beside it, as the page runs them."""
    namespace = {"torch": torch, "F": F, "time": time, "tasks": tasks, "train": train, "chapter": ch1,
                 "settings": s, "glue": lambda name, value: value, "seconds": prose.seconds,
                 "claim": prose.claim}  # fmt: skip
    with train.one_thread():
        return run_cells(NOTEBOOK, ["c38", "c40", "c40-claims"], namespace)


def test_the_pages_claims_hold_with_the_chapters_settings():
    loop_and_its_claims(S)  # raises ClaimError if a sentence beside the loop is false


def test_a_longer_loop_makes_the_page_fail_naming_its_sentence():
    """Train until the loss is near 0: 'the loss is still far from 0' is then false, and says so."""
    with pytest.raises(prose.ClaimError, match="the loss is still far from 0"):
        loop_and_its_claims(dataclasses.replace(S, loop_steps=400))
