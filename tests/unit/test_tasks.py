"""tasks: deterministic per seed, targets right by direct recomputation, arguments checked."""

import pytest
import torch

from lstm_helpers import tasks


def test_same_seed_same_data_other_seed_other_data():
    for make in (
        lambda s: tasks.fluent_sentences(64, gap=5, seed=s),
        lambda s: tasks.sky_sentences(64, seed=s),
        lambda s: tasks.adding_problem(64, T=30, seed=s),
    ):
        a, b, c = make(3), make(3), make(4)
        assert torch.equal(a.x, b.x) and torch.equal(a.y, b.y)
        assert not torch.equal(a.x, c.x)


def test_fluent_target_is_the_language_of_the_country():
    data = tasks.fluent_sentences(200, gap=7, seed=0)
    assert data.x.shape == (7 + 8, 200) and data.x.dtype == torch.long
    clue, fillers = data.info["clue"], data.info["fillers"]
    for k in range(200):
        words = data.vocab.decode(data.x[:, k]).split()
        assert words[:clue] == tasks.HEAD.split() and words[-3:] == tasks.TAIL.split()
        assert all(w in tasks.FILLERS for w in words[fillers]) and len(words[fillers]) == 7
        language = tasks.LANGUAGES[tasks.COUNTRIES.index(words[clue])]
        assert data.labels.words[int(data.y[k])] == language
    assert data.sentence(0).endswith("-> " + data.labels.words[int(data.y[0])])
    assert set(data.y.tolist()) == {0, 1, 2, 3}  # 4 countries by default, all drawn


def test_sky_clue_is_followed_only_by_is():
    data = tasks.sky_sentences(100, seed=1)
    answers = dict(tasks.SKY)
    assert data.info["lag"] == 1  # "is" is the last word, the clue the one before it
    for k in range(100):
        words = data.vocab.decode(data.x[:, k]).split()
        assert words[-1] == "is" and data.labels.words[int(data.y[k])] == answers[words[data.info["clue"]]]


def test_the_notes_example_comes_first():
    assert (tasks.COUNTRIES[0], tasks.LANGUAGES[0]) == ("india", "hindi")
    data = tasks.fluent_sentences(3, gap=4, seed=0, country="india")
    assert data.sentence(0).startswith("i grew up in india ") and data.sentence(0).endswith(" -> hindi")
    with pytest.raises(ValueError, match="country must be one of"):
        tasks.fluent_sentences(3, gap=4, seed=0, country="italy")  # the 5th country, only 4 in play


@pytest.mark.parametrize("head", ["i grew up in", "when young i grew up in", "born in"])
def test_layout_follows_the_head_words(head):
    data = tasks.fluent_sentences(16, gap=6, seed=2, head=head)
    clue = data.info["clue"]
    assert clue == len(head.split()) and data.info["lag"] == 6 + 3
    for k in range(16):
        words = data.vocab.decode(data.x[:, k]).split()
        assert words[clue] in tasks.COUNTRIES and words[clue + 1] in tasks.FILLERS
        assert words[data.info["fillers"]] == words[clue + 1 : clue + 7]
        assert len(words) - 1 - clue == data.info["lag"]


def test_head_words_must_not_be_fillers():
    with pytest.raises(ValueError, match="head must not use"):
        tasks.fluent_sentences(2, gap=3, seed=0, head="in a small town")


def recompute_adding(x, lengths):
    """The paper's target from the raw inputs, one sequence at a time."""
    out = []
    for k in range(x.shape[1]):
        marked = [t for t in range(int(lengths[k])) if x[t, k, 1] == 1.0]
        assert len(marked) == 2
        out.append(0.5 + sum(float(x[t, k, 0]) for t in marked) / 4)
    return torch.tensor(out)


@pytest.mark.parametrize("T", [4, 21, 100])
def test_adding_problem_follows_the_paper(T):
    data = tasks.adding_problem(500, T=T, seed=2)
    x, lengths = data.x, data.lengths
    assert x.shape == (T + T // 10, 500, 2)
    assert lengths.min() >= T and lengths.max() <= T + T // 10
    assert torch.allclose(data.y, recompute_adding(x, lengths).to(data.y.dtype))
    assert x[..., 0].abs().max() <= 1 and (data.y >= 0).all() and (data.y <= 1).all()
    p1, p2 = data.info["p1"], data.info["p2"]
    assert (p1 != p2).all() and p1.max() < min(10, T // 2 - 1) and p2.max() <= T // 2 - 1
    cols = torch.arange(500)
    last = x[lengths - 1, cols, 1]
    assert (last == -1).all()  # the final pair is never marked
    first = x[0, :, 1]
    assert ((first == -1) | ((first == 1) & (x[0, :, 0] == 0))).all()  # a marked first pair counts 0
    pad = torch.arange(x.shape[0])[:, None] >= lengths  # (T_max, n)
    assert (x[pad] == 0).all()
    marker = x[..., 1]
    assert ((marker == 0) | (marker.abs() == 1)).all() and ((marker == 1).sum(0) == 2).all()


def test_adding_fixed_length_and_spread_of_first_marker():
    data = tasks.adding_problem(2000, T=100, seed=0, vary_length=False)
    assert data.x.shape == (100, 2000, 2) and (data.lengths == 100).all()
    assert set(data.info["p1"].tolist()) == set(range(10))
    assert data.info["p2"].max() == 49  # the first T/2 - 1 unmarked pairs reach position 49


def test_vocab_round_trip_and_errors():
    words, labels = tasks.fluent_vocab()
    sentence = "i grew up in spain and then i speak fluent"
    assert words.decode(words.encode(sentence)) == sentence
    with pytest.raises(ValueError, match="outside the vocabulary"):
        words.encode("i grew up in atlantis")


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: tasks.fluent_sentences(10, gap=-1, seed=0), "gap must be >= 0"),
        (lambda: tasks.fluent_sentences(0, gap=3, seed=0), "n must be >= 1"),
        (
            lambda: tasks.fluent_sentences(10, gap=3, seed=0, n_countries=9),
            "n_countries must be >= 2 and <= 8",
        ),
        (lambda: tasks.sky_sentences(10, seed=-2), "seed must be >= 0"),
        (lambda: tasks.adding_problem(10, T=3, seed=0), "T .*must be >= 4"),
        (lambda: tasks.adding(T=2), "T .*must be >= 4"),
        (lambda: tasks.fluent(gap=-5), "gap must be >= 0"),
    ],
)
def test_bad_arguments_name_the_argument_and_range(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_task_makes_the_same_data_as_the_function():
    task = tasks.fluent(gap=4)
    assert torch.equal(task.make(8, 5).x, tasks.fluent_sentences(8, gap=4, seed=5).x)
    assert tasks.adding(50).n_test == 2560 and tasks.adding(50).target == "value"
