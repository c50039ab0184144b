"""train.fit: learns, stops when solved, is seeded, and keeps a consistent history."""

import pytest
import torch

from lstm_helpers import models, tasks, train


@pytest.mark.slow
def test_lstm_solves_the_short_context_task_and_stops():
    task = tasks.sky()
    model = models.for_task(task, "lstm", hidden_size=16, seed=0)
    hist = train.fit(model, task, steps=300, seed=0, eval_every=5)
    assert hist.solved and hist.final >= 0.99 and hist.solved_step < 300
    assert len(hist.loss) == len(hist.train_metric) == hist.solved_step == hist.eval_steps[-1]
    assert hist.solved_sequences == hist.solved_step * 64 and hist.seconds > 0
    assert sum(hist.loss[-5:]) < sum(hist.loss[:5])
    test = task.make(task.n_test, 0 + train.TEST_SEED_OFFSET)
    assert train.evaluate(model, test, task) == hist.final


@pytest.mark.slow
def test_lstm_with_forget_bias_remembers_across_a_gap():
    task = tasks.fluent(gap=10)
    model = models.for_task(task, "lstm", hidden_size=16, seed=0, forget_bias=4.0)
    hist = train.fit(model, task, steps=200, seed=0)
    assert hist.solved and hist.metric == "accuracy"


def test_same_seed_same_history():
    task = tasks.adding(T=10)
    runs = []
    for _ in range(2):
        model = models.for_task(task, "lstm", hidden_size=4, seed=1)
        runs.append(train.fit(model, task, steps=6, seed=2, batch_size=4, eval_every=3))
    assert runs[0].loss == runs[1].loss and runs[0].test_metric == runs[1].test_metric
    assert runs[0].metric == "wrong" and not runs[0].solved and runs[0].eval_steps == [3, 6]


def test_score_counts_wrong_as_the_paper_does():
    task = tasks.adding(T=10)
    y = torch.tensor([0.5, 0.5, 0.5, 0.5])
    out = torch.tensor([0.5, 0.539, 0.45, 0.6])  # errors 0, 0.039, 0.05, 0.1
    loss, wrong = train.score(out, y, task)
    assert wrong == 0.5 and torch.isclose(loss, ((out - y) ** 2).mean())
    assert train.is_solved(0.01, task) and not train.is_solved(0.011, task)


def test_no_progress_bar_under_pytest_or_static_build(monkeypatch):
    assert not train.show_progress()
    monkeypatch.setenv("LSTM_BOOK_STATIC", "1")
    assert not train.show_progress()
    assert train.pick_device("cpu") == torch.device("cpu")
    assert train.pick_device().type == ("cuda" if torch.cuda.is_available() else "cpu")


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"steps": 0}, "steps must be >= 1"),
        ({"lr": -1.0}, "lr must lie in"),
        ({"batch_size": 0}, "batch_size"),
    ],
)
def test_bad_arguments(kwargs, message):
    task = tasks.sky()
    model = models.for_task(task, "rnn", hidden_size=4)
    with pytest.raises(ValueError, match=message):
        train.fit(model, task, **kwargs)
    with pytest.raises(TypeError, match="tasks.Task"):
        train.fit(model, "sky")


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a GPU: fit trains there and hands back")
def test_fit_trains_on_the_gpu_and_hands_the_model_back_where_it_came_from():
    task = tasks.sky()
    model = models.for_task(task, "lstm", hidden_size=8, seed=0)
    history = train.fit(model, task, steps=3, seed=0)
    assert history.device.startswith("cuda") and next(model.parameters()).device.type == "cpu"
    sample = task.make(4, 1)
    assert model(sample.x).shape == (4, len(sample.labels))  # CPU data, as the chapters' cells use


def test_update_steps_on_the_clipped_gradient():
    # reference: plain SGD, so the step is -lr times the gradient, whose norm clipping caps at `clip`
    layer = torch.nn.Linear(3, 2)
    before = [p.detach().clone() for p in layer.parameters()]
    loss = 100 * layer(torch.ones(4, 3)).sum()  # a gradient of norm far above 0.5
    assert train.update(layer, torch.optim.SGD(layer.parameters(), lr=0.1), loss, clip=0.5) == loss.item()
    step = torch.cat([(p.detach() - b).flatten() for p, b in zip(layer.parameters(), before)])
    assert step.norm().item() == pytest.approx(0.1 * 0.5, rel=1e-5)
