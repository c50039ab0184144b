"""One training loop, `fit`: Adam, gradient clipping, stop when solved, seeded, any device.

    task = tasks.fluent(gap=50)
    model = models.for_task(task, "lstm", hidden_size=32, forget_bias=4.0)
    hist = train.fit(model, task, steps=300, seed=0)
    hist.solved_step, hist.test_metric[-1], hist.seconds

Every step draws a fresh batch from the task (the data stream is seeded by `seed`); every
`eval_every` steps the model is scored on a fixed test set (made from `seed + TEST_SEED_OFFSET`,
never seen in training) and training stops once the task counts as solved. The metric is
accuracy for classification and the fraction of sequences with |error| >= tolerance ("wrong",
as in Hochreiter & Schmidhuber 1997) for regression. Shapes are time-first.

A progress bar (tqdm) shows in a live session; none when LSTM_BOOK_STATIC=1 (the book build and
the tests set it), under pytest, or when output is neither a terminal nor a Jupyter kernel.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import torch
from torch import nn
from tqdm.auto import tqdm

from lstm_helpers.checks import require_float, require_int
from lstm_helpers.tasks import SequenceData, Task

TEST_SEED_OFFSET = 1_000_003  # test data comes from another seed than any training stream


@contextlib.contextmanager
def one_thread() -> Iterator[None]:
    """Run the block on one CPU thread, then restore the thread count.

    Networks this small train fastest on one thread, do not slow down when other programs share
    the CPU, and give the same numbers whatever the machine's core count.
    """
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


@dataclass
class History:
    """What happened in `fit`. Per step: `loss`, `train_metric`; per evaluation: `test_metric`.

    metric: "accuracy" (higher is better) or "wrong" (fraction with |error| >= tolerance).
    solved_step / solved_sequences: steps and sequences seen when first solved, None if never.
    """

    task: str
    metric: str
    batch_size: int
    loss: list[float] = field(default_factory=list)
    train_metric: list[float] = field(default_factory=list)
    eval_steps: list[int] = field(default_factory=list)
    test_metric: list[float] = field(default_factory=list)
    solved_step: int | None = None
    seconds: float = 0.0
    device: str = "cpu"

    @property
    def solved(self) -> bool:
        return self.solved_step is not None

    @property
    def solved_sequences(self) -> int | None:
        return None if self.solved_step is None else self.solved_step * self.batch_size

    @property
    def final(self) -> float:
        """The last test metric (accuracy, or fraction wrong)."""
        return self.test_metric[-1] if self.test_metric else float("nan")


def pick_device(device: str | torch.device | None = None) -> torch.device:
    """`device` if given, else CUDA when present, else CPU."""
    if device is not None:
        return torch.device(device)
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def show_progress() -> bool:
    """True in a live session: no bar in the built book, under pytest, or with no terminal/kernel."""
    if os.environ.get("LSTM_BOOK_STATIC") == "1" or "pytest" in sys.modules:
        return False
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    return (shell is not None and "IPKernelApp" in shell.config) or sys.stdout.isatty()


def _to(data: SequenceData, device: torch.device) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor | None]:
    lengths = None if data.lengths is None else data.lengths.to(device)
    return data.x.to(device), data.y.to(device), lengths


def score(out: torch.Tensor, y: torch.Tensor, task: Task) -> tuple[torch.Tensor, float]:
    """(loss, metric) of outputs `out` against targets `y`: accuracy, or fraction wrong."""
    if task.target == "class":
        loss = nn.functional.cross_entropy(out, y)
        return loss, (out.argmax(-1) == y).float().mean().item()
    loss = nn.functional.mse_loss(out, y)
    return loss, ((out - y).abs() >= task.tolerance).float().mean().item()


def is_solved(metric: float, task: Task) -> bool:
    """Accuracy >= task.solved_accuracy, or fraction wrong <= task.max_wrong."""
    if task.target == "class":
        return metric >= task.solved_accuracy
    return metric <= task.max_wrong


@torch.no_grad()
def evaluate(model: nn.Module, data: SequenceData, task: Task, chunk: int = 1024) -> float:
    """The task's metric of `model` on `data`, computed in chunks to bound memory."""
    model.eval()
    device = next(model.parameters()).device
    x, y, lengths = _to(data, device)
    total = 0.0
    for k in range(0, len(data), chunk):
        part = slice(k, k + chunk)
        out = model(x[:, part], None if lengths is None else lengths[part])
        total += score(out, y[part], task)[1] * y[part].shape[0]
    model.train()
    return total / len(data)


def fit(
    model: nn.Module,
    task: Task,
    steps: int = 300,
    seed: int = 0,
    batch_size: int = 64,
    lr: float = 3e-3,
    clip: float = 1.0,
    eval_every: int = 10,
    lr_decay: float = 1.0,
    device: str | None = None,
    progress: bool | None = None,
) -> History:
    """Train `model` on fresh batches of `task` with Adam until solved or `steps` steps.

    clip: max gradient norm (0 turns clipping off). lr_decay: the learning rate is multiplied
    by it at every evaluation. progress: force the bar on or off (None: `show_progress()`).
    Training runs on `device` (CUDA when present); the model is then moved back to the device it
    came on, so the cells after training run unchanged on a machine with a GPU.
    """
    if not isinstance(task, Task):
        raise TypeError(f"task must be a tasks.Task, got {type(task).__name__}")
    require_int("steps", steps, 1)
    require_int("seed", seed, 0)
    require_int("batch_size", batch_size, 1)
    require_float("lr", lr, 1e-8, 10.0)
    require_float("clip", clip, 0.0)
    require_int("eval_every", eval_every, 1)
    require_float("lr_decay", lr_decay, 0.01, 1.0)
    dev = pick_device(device)
    home = next(model.parameters()).device  # where the caller keeps the model
    model.to(dev).train()
    torch.manual_seed(seed)
    stream = torch.Generator().manual_seed(seed)
    test = task.make(task.n_test, seed + TEST_SEED_OFFSET)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    sched = torch.optim.lr_scheduler.ExponentialLR(opt, gamma=lr_decay)
    hist = History(task.name, "accuracy" if task.target == "class" else "wrong", batch_size)
    hist.device = str(dev)
    bar = tqdm(total=steps, desc=task.name, disable=not (show_progress() if progress is None else progress))
    start = time.perf_counter()
    for step in range(1, steps + 1):
        loss = _train_step(model, task, opt, stream, batch_size, clip, hist)
        bar.update(1)
        if step % eval_every == 0 or step == steps:
            hist.eval_steps.append(step)
            hist.test_metric.append(evaluate(model, test, task))
            bar.set_postfix(loss=f"{loss:.3g}", **{hist.metric: f"{hist.test_metric[-1]:.3f}"})
            sched.step()
            if is_solved(hist.test_metric[-1], task):
                hist.solved_step = step
                break
    bar.close()
    hist.seconds = time.perf_counter() - start
    model.to(home)  # trained on a GPU where there is one, handed back where it came from
    return hist


def _train_step(
    model: nn.Module,
    task: Task,
    opt: torch.optim.Optimizer,
    stream: torch.Generator,
    batch_size: int,
    clip: float,
    hist: History,
) -> float:
    """One Adam step on a fresh batch; appends the loss and the batch's metric to `hist`."""
    device = next(model.parameters()).device
    x, y, lengths = _to(task.make(batch_size, stream), device)
    loss, metric = score(model(x, lengths), y, task)
    hist.loss.append(update(model, opt, loss, clip))
    hist.train_metric.append(metric)
    return hist.loss[-1]


def update(model: nn.Module, opt: torch.optim.Optimizer, loss: torch.Tensor, clip: float) -> float:
    """One optimiser step on `loss`: zero the gradients, backpropagate, clip their norm to `clip`
    (0 turns clipping off), step. Returns the loss. Every training loop of the book steps with it."""
    opt.zero_grad()
    loss.backward()
    if clip > 0:
        nn.utils.clip_grad_norm_(model.parameters(), clip)
    opt.step()
    return loss.item()
