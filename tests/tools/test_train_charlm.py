"""tools/train_charlm.py (`make charlm`): a short run gives the same weights and log for its seed.

The run is the script's own `train_one` (what each of its processes runs) on short slices of the
corpus, so that it takes seconds; the full run is 10,000 steps on every training file.
"""

from __future__ import annotations

import dataclasses

import pytest
import torch
import train_charlm

from lstm_helpers import charlm

SHORT = charlm.TrainConfig(steps=6, batch_size=4, seq_len=32, eval_every=3)


@pytest.fixture
def short_corpus(monkeypatch):
    """Each split cut to its first 6,000 characters; torch's thread count put back afterwards."""
    full, threads = charlm.corpus, torch.get_num_threads()
    monkeypatch.setattr(charlm, "corpus", lambda split, root=None: full(split, root)[:6000])
    yield
    torch.set_num_threads(threads)


def run(kind: str, seed: int) -> tuple[dict, dict]:
    saved, log = train_charlm.train_one(kind, dataclasses.replace(SHORT, seed=seed), "cpu")
    return saved, {key: value for key, value in log.items() if key != "seconds"}


@pytest.mark.parametrize("kind", ["lstm", "rnn"])
def test_a_short_run_is_deterministic_for_its_seed(short_corpus, kind):
    (first, first_log), (again, again_log) = run(kind, seed=0), run(kind, seed=0)
    assert first["config"] == again["config"]
    assert first["state_dict"].keys() == again["state_dict"].keys()
    for name, tensor in first["state_dict"].items():
        assert torch.equal(tensor, again["state_dict"][name]), f"{name} differs between two runs of seed 0"
    assert first_log == again_log
    assert len(first_log["valid_bpc"]) == 2 and first_log["test_bpc"] > 0  # evaluated at steps 3 and 6


def test_another_seed_gives_other_weights(short_corpus):
    (first, _), (other, _) = run("lstm", seed=0), run("lstm", seed=1)
    assert not all(torch.equal(t, other["state_dict"][n]) for n, t in first["state_dict"].items())


def test_the_rnn_is_matched_to_the_lstms_parameter_count():
    def count(kind: str, hidden: int) -> int:
        return train_charlm.n_params(charlm.CharLM(kind, hidden, train_charlm.EMBED))

    lstm = count("lstm", train_charlm.LSTM_HIDDEN)
    hidden = train_charlm.matched_hidden("rnn", lstm)
    params = [count("rnn", h) for h in (hidden - 1, hidden, hidden + 1)]
    assert abs(params[1] - lstm) == min(abs(p - lstm) for p in params)
    assert abs(params[1] - lstm) / lstm < 0.01
