"""exercises.core: the parameter layouts, the one loop that names a slip, the package's public names."""

import pytest
import torch

from lstm_helpers import exercises
from lstm_helpers.exercises import core


def test_params_layouts_hold_the_same_numbers():
    torch_p, gates_p = exercises.lstm_params(layout="torch"), exercises.lstm_params(layout="gates")
    assert torch_p["weight_hh"].shape == (16, 4) and gates_p["W_hg"].shape == (4, 4)
    assert torch.equal(torch_p["weight_hh"].chunk(4)[2].T, gates_p["W_hg"])
    assert set(exercises.rnn_params(layout="gates")) == {"W_xh", "W_hh", "b_xh", "b_hh"}
    with pytest.raises(ValueError, match="layout must be one of"):
        exercises.lstm_params(layout="keras")
    with pytest.raises(ValueError, match="gate must be one of"):
        exercises.check_gate(lambda x, h, p: h, "z")




def test_first_mistake_names_the_first_slip_that_matches_and_nothing_else():
    answer = torch.ones(2, 3, dtype=torch.float64)
    zeros = torch.zeros(2, 3, dtype=torch.float64)
    slips = [(zeros, "zeros"), (answer.clone(), "ones"), (answer + 1e-12, "also")]
    assert core.first_mistake(answer, slips) == "ones"  # the earlier slip is named, not the later one
    assert core.first_mistake(answer + 1e-3, slips) is None  # off by more than TOL: no slip matches


def test_every_checker_is_importable_from_the_package_as_the_notebooks_call_it():
    for name in ("check_rnn_step", "check_rnn_backward_step", "check_lstm_step", "check_gate",
                 "check_peephole_lstm_step", "check_cifg_step", "check_gru_step"):
        assert callable(getattr(exercises, name))
    for name in ("rnn_params", "lstm_params", "peephole_params", "cifg_params", "gru_params"):
        assert isinstance(getattr(exercises, name)(), dict)


def test_a_seed_below_zero_is_refused_by_name():
    with pytest.raises(ValueError, match="seed"):
        exercises.lstm_params(seed=-1)
