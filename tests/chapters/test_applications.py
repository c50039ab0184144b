"""Chapter 7 (`chapters.applications`): the embedded Reber grammar, the drift series, training."""

from __future__ import annotations

from dataclasses import replace

import pytest
import torch

from lstm_helpers import models
from lstm_helpers.chapters import applications


def legal(symbols: list[str]) -> bool:
    """Follow the Reber automaton from B to E."""
    if symbols[0] != "B" or symbols[-1] != "E":
        return False
    state = 0
    for symbol in symbols[1:-1]:
        if state is None:
            return False
        moves = dict(applications.REBER[state])
        if symbol not in moves:
            return False
        state = moves[symbol]
    return state is None


def test_reber_strings_are_legal():
    gen = torch.Generator().manual_seed(0)
    assert all(legal(applications.reber_string(gen)) for _ in range(200))


def test_embedded_reber_target_is_the_second_symbol_and_padding_follows_the_length():
    data = applications.reber_strings(64, seed=3)
    words = data.vocab.words
    for k in range(64):
        seq = [words[int(i)] for i in data.x[: data.lengths[k], k]]
        assert seq[:1] == ["B"] and legal(seq[2:])
        assert data.labels.words[int(data.y[k])] == seq[data.info["clue"]]
        assert data.info["lag"][k] == len(seq) - 1 - data.info["clue"]  # steps from the clue to the answer
        assert all(words[int(i)] == "." for i in data.x[data.lengths[k] :, k])
    assert torch.equal(applications.reber_strings(8, 1).x, applications.reber_strings(8, 1).x)


def test_a_minimum_lag_keeps_only_long_strings_and_min_lag_0_changes_nothing():
    data = applications.reber_strings(64, seed=3, min_lag=13)
    assert int(data.info["lag"].min()) >= 13
    assert torch.equal(data.info["lag"], data.lengths - 2)
    assert torch.equal(applications.reber_strings(16, 5, min_lag=0).x, applications.reber_strings(16, 5).x)
    assert int(applications.reber(min_lag=13).make(32, 0).info["lag"].min()) >= 13
    with pytest.raises(ValueError, match="min_lag"):
        applications.reber_strings(4, seed=0, min_lag=26)


def test_drift_target_is_half_the_change_since_the_marked_reading():
    data = applications.drift_series(32, T=20, seed=0)
    assert data.x.shape == (20, 32, 2)
    cal = data.x[:, :, 1].argmax(0)  # (32,)
    assert torch.equal(cal, data.info["calibration"]) and int(cal.max()) < 10
    assert torch.equal(data.info["lag"], 19 - cal)  # from the marked reading to the last one
    assert torch.equal(data.x[:, :, 1].sum(0), torch.ones(32))
    assert torch.allclose(data.y, (data.x[-1, :, 0] - data.x[cal, torch.arange(32), 0]) / 2)
    with pytest.raises(ValueError, match="T"):
        applications.drift_series(4, T=5, seed=0)


@pytest.mark.parametrize("options", [{}, {"num_layers": 2}, {"bidirectional": True}])
@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
def test_the_chapters_models_give_one_logit_row_per_sequence(kind, options):
    task = applications.reber()
    model = models.for_task(task, kind, **options)
    data = task.make(5, 0)
    assert model(data.x, data.lengths).shape == (5, 2)


def test_run_trains_with_the_given_settings():
    model = models.for_task(applications.reber(), "lstm", hidden_size=4)
    history = applications.run(model, applications.reber(), s=applications.Settings(steps=3, eval_every=1))
    assert len(history.loss) == 3


def test_the_drift_task_trains_with_its_own_settings():
    model = models.for_task(applications.drift(), "lstm", hidden_size=4)
    history = applications.run_drift(model, applications.Settings(drift_steps=2, eval_every=1))
    assert len(history.loss) == 2 and history.task.startswith("drift")


def test_the_chapters_own_gru_step_unrolled_equals_torch_nn_gru():
    """Chapter 7's GRU step as the page writes it (its solution cell), run over a sequence."""
    import json
    from pathlib import Path

    from lstm_helpers import exercises

    nb = Path(__file__).parents[2] / "notebooks" / "07-applications-and-next-steps.ipynb"
    cells = json.loads(nb.read_text())["cells"]
    code = next("".join(c["source"]) for c in cells  # the solution, not the exercise's placeholder
                if "def gru_step" in "".join(c["source"]) and "solution" in c["metadata"].get("tags", []))
    space = {"torch": torch, "exercises": exercises}
    exec(code, space)
    torch.manual_seed(5)
    gru = torch.nn.GRU(3, 7).double()
    H = 7
    p = {}
    for k, gate in enumerate("rzn"):
        rows = slice(k * H, (k + 1) * H)
        p[f"W_x{gate}"] = gru.weight_ih_l0[rows].detach().T  # (input, H)
        p[f"W_h{gate}"] = gru.weight_hh_l0[rows].detach().T  # (H, H)
        p[f"b_x{gate}"], p[f"b_h{gate}"] = gru.bias_ih_l0[rows].detach(), gru.bias_hh_l0[rows].detach()
    x = torch.randn(11, 2, 3, dtype=torch.float64)  # (T, batch, input)
    h0 = torch.randn(2, H, dtype=torch.float64)
    h = h0
    for x_t in x:
        h = space["gru_step"](x_t, h, p)
    assert torch.allclose(h, gru(x, h0[None])[1][0].detach(), atol=1e-12)


def test_stacking_compares_one_layer_with_two_at_about_the_same_parameters():
    short = replace(applications.SETTINGS, stack_seeds=(0,), steps=10)
    found = applications.stacking(short)
    assert set(found) == {1, 2}
    one, two = found[1]["params"], found[2]["params"]
    assert abs(one - two) / one < 0.05, (one, two)
    assert all(len(run["final"]) == 1 for run in found.values())
