"""The LSTM of 1997 (Hochreiter & Schmidhuber), written from the paper: no forget gate.

    nets = Nets1997(seeds=[0, 1, 2])            # one network per seed, trained side by side
    out = nets.forward(x, lengths)              # x: (T_max, n_nets, 2) -> outputs (n_nets,)
    grads = nets.backward(targets)              # the paper's truncated gradient of 1/2 (out - target)^2
    result = fit_1997(T=100, seeds=[0], stop=make_rule)   # online training under a stopping rule

The architecture of the paper's experiment 4 (the adding problem): 2 inputs, 2 memory blocks of 2
cells each, 1 output unit that sees only the cells. Each block has an input gate and an output gate
and no forget gate, so a cell's state adds what its input gate lets in and never decays: the
constant error carousel,

    s_c(t) = s_c(t-1) + y_in(t) g(net_c(t)),    y_c(t) = y_out(t) h(s_c(t)),

with g in [-2, 2], h in [-1, 1] and every other unit logistic. Cells and gates read the inputs, the
previous outputs of all cells and gates, and a bias: 8 units x 11 weights, plus 4 + 1 for the output
unit, 93 weights as in the paper's Table 7. Weights start uniform in [-0.1, 0.1]; the two input
gates' biases start at -3 and -6, the paper's remedy for state drift.

The gradient is the paper's truncated one: error reaches a unit's net input and stops there, except
along the carousel s_c, so the derivatives ds_c/dw can be carried forward in time (as the paper's
appendix does) and the weights change after every sequence, learning rate 0.5. Arrays are numpy,
float64, with a leading axis over independent networks (one per seed): the same arithmetic as one
network, run for several at once. Shapes are time-first: x is (T_max, n_nets, 2).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import torch

from lstm_helpers import tasks
from lstm_helpers.checks import require_int

N_IN, N_BLOCKS, CELLS_PER_BLOCK = 2, 2, 2
N_CELLS = N_BLOCKS * CELLS_PER_BLOCK  # 4
N_HIDDEN = N_CELLS + 2 * N_BLOCKS  # cells, input gates, output gates: 8 units
N_Z = N_IN + N_HIDDEN + 1  # what every hidden unit reads: inputs, all 8 previous outputs, a bias
BLOCK = np.repeat(np.arange(N_BLOCKS), CELLS_PER_BLOCK)  # cell j belongs to block BLOCK[j]
MEMBER = np.eye(N_BLOCKS)[BLOCK]  # (cells, blocks): 1 where a cell is in a block
INPUT_GATE_BIAS = (-3.0, -6.0)  # the paper's initial input-gate biases, one per block
LEARNING_RATE = 0.5  # the paper's learning rate for experiment 4
INIT_RANGE = 0.1  # weights start uniform in [-0.1, 0.1]
# columns of W: cell inputs 0-3, input gates 4-5, output gates 6-7; rows of W: z = (x, y_prev, 1)
CELLS, IN_GATES, OUT_GATES = slice(0, 4), slice(4, 6), slice(6, 8)


def sigmoid(a: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-a))


def g(a: np.ndarray) -> np.ndarray:
    """The cell input squashing, range [-2, 2]: 4 sigmoid(a) - 2."""
    return 4.0 * sigmoid(a) - 2.0


def h(s: np.ndarray) -> np.ndarray:
    """The cell output squashing, range [-1, 1]: 2 sigmoid(s) - 1."""
    return 2.0 * sigmoid(s) - 1.0


def n_weights() -> int:
    """Weights of one network: 8 hidden units read 11 values each, the output unit 4 cells + a bias."""
    return N_HIDDEN * N_Z + N_CELLS + 1


def step(
    W: np.ndarray, x_t: np.ndarray, y_prev: np.ndarray, s_prev: np.ndarray
) -> tuple[np.ndarray, np.ndarray, dict]:
    """One time step of the 1997 hidden layer for n networks at once.

    W: (n, 11, 8); x_t: (n, 2); y_prev: (n, 8) outputs of cells and gates at t-1; s_prev: (n, 4).
    Returns y_t (n, 8) = (y_c, y_in, y_out), s_t (n, 4) and the step's parts, for the gradient.
    """
    z = np.concatenate([x_t, y_prev, np.ones((len(x_t), 1))], axis=1)  # (n, 11)
    net = np.einsum("ni,nij->nj", z, W)  # (n, 8)
    y_in, y_out = sigmoid(net[:, IN_GATES]), sigmoid(net[:, OUT_GATES])  # (n, 2) each
    s = s_prev + y_in[:, BLOCK] * g(net[:, CELLS])  # the constant error carousel: add, never decay
    y_c = y_out[:, BLOCK] * h(s)  # (n, 4)
    parts = {"z": z, "net": net, "y_in": y_in, "y_out": y_out, "s": s}
    return np.concatenate([y_c, y_in, y_out], axis=1), s, parts


class Nets1997:
    """n independent networks of the paper's experiment 4, one per seed, with their weights.

    W: (n, 11, 8) weights into cells and gates; w_out: (n, 4) and b_out: (n,) of the output unit.
    """

    def __init__(self, seeds: Sequence[int]):
        if len(seeds) == 0:
            raise ValueError("seeds must name at least one seed, got none")
        self.seeds = [require_int("seed", s, 0) for s in seeds]
        rngs = [np.random.default_rng(s) for s in self.seeds]
        self.W = np.stack([r.uniform(-INIT_RANGE, INIT_RANGE, (N_Z, N_HIDDEN)) for r in rngs])
        self.w_out = np.stack([r.uniform(-INIT_RANGE, INIT_RANGE, N_CELLS) for r in rngs])
        self.b_out = np.array([r.uniform(-INIT_RANGE, INIT_RANGE) for r in rngs])
        self.W[:, -1, IN_GATES] = INPUT_GATE_BIAS  # the bias row: input gates start closed
        self._last: dict = {}

    def forward(self, x: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        """Outputs (rows,) at each sequence's last step; x: (T_max, rows, 2), lengths: (rows,).

        rows = n_nets * k: network i reads rows i*k .. i*k + k - 1 (k sequences each, k >= 1).
        Carries ds_c/dw forward (the truncated gradient): for cell j, P[:, :, j] = ds_j/dW[:, :, j] and
        P[:, :, 4 + j] = ds_j/dW[:, :, its input gate].
        """
        rows = x.shape[1]
        if rows % len(self.W):
            raise ValueError(f"x must hold k sequences for each of the {len(self.W)} networks, got {rows}")
        k = rows // len(self.W)
        W = np.repeat(self.W, k, axis=0)  # (rows, 11, 8): each row with its network's weights
        y, s = np.zeros((rows, N_HIDDEN)), np.zeros((rows, N_CELLS))
        P = np.zeros((rows, N_Z, 2 * N_CELLS))  # ds_j/dW of cell j's input (j) and of its input gate (4 + j)
        z_last = np.zeros((rows, N_Z))
        shortest = int(lengths.min())
        for t in range(int(lengths.max())):
            y_new, s_new, p = step(W, x[t], y, s)
            sig_c = (g(p["net"][:, CELLS]) + 2.0) / 4.0  # sigmoid of the cell inputs
            y_in_c = p["y_in"][:, BLOCK]
            d_in = (p["y_in"] * (1.0 - p["y_in"]))[:, BLOCK]  # the input gate's sigmoid', per cell
            inc = np.concatenate([y_in_c * 4.0 * sig_c * (1.0 - sig_c), (4.0 * sig_c - 2.0) * d_in], axis=1)
            if t < shortest:  # every sequence is still running
                P += p["z"][:, :, None] * inc[:, None, :]
                y, s, z_last = y_new, s_new, p["z"]
            else:  # a sequence that has ended stays as it was
                live = (t < lengths)[:, None]  # (rows, 1)
                P += (p["z"] * live)[:, :, None] * inc[:, None, :]
                y, s = np.where(live, y_new, y), np.where(live, s_new, s)
                z_last = np.where(live, p["z"], z_last)
        y_c = y[:, CELLS]
        w_out, b_out = np.repeat(self.w_out, k, axis=0), np.repeat(self.b_out, k)
        out = sigmoid(np.einsum("nj,nj->n", y_c, w_out) + b_out)
        self._last = {"z": z_last, "y_out": y[:, OUT_GATES], "s": s, "y_c": y_c, "out": out, "P": P,
                      "k": k, "w_out": w_out}  # fmt: skip
        return out

    def backward(self, targets: np.ndarray) -> dict[str, np.ndarray]:
        """The truncated gradient of E = 1/2 (out - target)^2 for the last `forward`, summed per network."""
        L = self._last
        out, y_c, y_out, s, z = L["out"], L["y_c"], L["y_out"], L["s"], L["z"]
        delta = (out - targets) * out * (1.0 - out)  # (rows,) at the output unit's net input
        d_yc = delta[:, None] * L["w_out"]  # (rows, 4)
        d_yout = (d_yc * h(s)) @ MEMBER  # (rows, 2): each output gate gathers its block's cells
        sig_s = (h(s) + 1.0) / 2.0
        d_s = d_yc * y_out[:, BLOCK] * 2.0 * sig_s * (1.0 - sig_s)  # (rows, 4) into the carousel
        dW = np.zeros((len(out), N_Z, N_HIDDEN))
        dW[:, :, CELLS] = L["P"][:, :, :N_CELLS] * d_s[:, None, :]
        dW[:, :, IN_GATES] = (L["P"][:, :, N_CELLS:] * d_s[:, None, :]) @ MEMBER
        dW[:, :, OUT_GATES] = z[:, :, None] * (d_yout * y_out * (1.0 - y_out))[:, None, :]
        grads = {"W": dW, "w_out": delta[:, None] * y_c, "b_out": delta}
        n = len(self.W)
        return {key: v.reshape((n, L["k"]) + v.shape[1:]).sum(1) for key, v in grads.items()}

    def learn(self, grads: dict[str, np.ndarray], lr: float = LEARNING_RATE) -> None:
        """One plain gradient step, as in the paper (no momentum, no clipping)."""
        self.W -= lr * grads["W"]
        self.w_out -= lr * grads["w_out"]
        self.b_out -= lr * grads["b_out"]


@dataclass
class Run1997:
    """One seed's training: sequences seen, whether the rule held, test errors of `n_test`."""

    seed: int
    T: int
    stopped: bool
    sequences: int
    test_wrong: int | None = None
    n_test: int = 2560
    seconds: float = 0.0
    longest_run: int = 0
    progress: list[tuple[int, int]] = field(default_factory=list)  # (sequences, wrong of the last 2000)


def fit_1997(
    T: int,
    seeds: Sequence[int],
    stop: Callable[[], Callable[[np.ndarray], bool]],
    budget: int,
    batch: int = 1,
    lr: float = LEARNING_RATE,
    n_test: int = 2560,
    log: Callable[[str], None] | None = None,
    log_every: int = 8_000,
) -> list[Run1997]:
    """Train one network per seed by gradient descent until `stop` holds, then test it.

    batch: sequences per weight change (1, the paper: a change after every sequence; k > 1 adds up
    the gradients of k sequences, the same step per sequence, k times fewer Python loops).
    stop() makes a fresh rule per seed: rule(errors) -> True once it holds (fed |error| in order,
    before the weights change). Each seed reads its own stream (`tasks.adding_problem`, seeded by
    `seed`) and stops at `budget` sequences if its rule never holds. Then `n_test` fresh sequences
    are scored (wrong when |error| >= 0.04).
    """
    require_int("T", T, 4)
    require_int("budget", budget, 1)
    require_int("batch", batch, 1)
    nets = Nets1997(seeds)
    n = len(nets.seeds)
    rules = [stop() for _ in range(n)]
    streams = [torch.Generator().manual_seed(s) for s in nets.seeds]
    runs = [Run1997(seed=s, T=T, stopped=False, sequences=0, n_test=n_test) for s in nets.seeds]
    active = np.ones(n, dtype=bool)
    start = time.perf_counter()
    seen = 0
    while active.any() and seen < budget:
        x, lengths, y = _draw(streams, batch, T)
        out = nets.forward(x, lengths)
        grads = nets.backward(y)
        err = np.abs(out - y).reshape(n, batch)
        seen += batch
        for i in np.flatnonzero(active):
            if rules[i](err[i]):
                active[i], runs[i].stopped = False, True  # stops with the weights that met the rule
            runs[i].sequences = seen
        keep = active.astype(float)  # a stopped network keeps its weights
        nets.learn({key: v * keep.reshape((-1,) + (1,) * (v.ndim - 1)) for key, v in grads.items()}, lr)
        if seen % log_every < batch:
            for i in range(n):
                runs[i].progress.append((runs[i].sequences, getattr(rules[i], "wrong", -1)))
            if log is not None:
                log(f"1997 T={T} seen={seen:,} active={int(active.sum())} "
                    f"wrong_of_last_2000={[getattr(r, 'wrong', -1) for r in rules]} "
                    f"t={time.perf_counter() - start:.0f}s")  # fmt: skip
    seconds = time.perf_counter() - start
    x, lengths, y = _draw([torch.Generator().manual_seed(s + 1_000_003) for s in nets.seeds], n_test, T)
    wrong = (np.abs(nets.forward(x, lengths) - y) >= 0.04).reshape(n, n_test).sum(1)
    for i, run in enumerate(runs):
        run.test_wrong, run.seconds = int(wrong[i]), seconds
        run.longest_run = getattr(rules[i], "longest", 0)
    return runs


def _draw(streams: list[torch.Generator], k: int, T: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """k adding sequences from each stream, network-major: x (T_max, n * k, 2), lengths, targets."""
    data = [tasks.adding_problem(k, T, st) for st in streams]
    x = np.concatenate([d.x.double().numpy() for d in data], axis=1)
    lengths = np.concatenate([d.lengths.numpy() for d in data])
    return x, lengths, np.concatenate([d.y.double().numpy() for d in data])
