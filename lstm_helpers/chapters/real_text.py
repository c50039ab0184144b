"""Chapter 8, an LSTM reads real text: its settings and experiments, cached on the settings value.

- `corpus_summary()`: Python version, files and characters per split, the corpus hash.
- `live_training(s)`: a small LSTM trained from scratch for a few seconds, its loss per step.
- `ngram_probs(s)`, `ngram_table(s)`: the n-gram's probabilities and bits per character for
  n = 1 ... 8 on validation and test.
- `shipped_probs(kind)`: the shipped model's probability of every test character (cached).
- `gap_curve(closers, bins)`: mean probability of the right closer per distance bin, with counts.
- `context_curve(model, text, ks, s)`: bits per character when the model sees only the last k characters.
- `cell_states(model, text)`, `structure_features(text)`, `best_units(acts, features)`,
  `unit_html(text, values)`: a cell that tracks structure, and the text coloured by it.

Tensors are batch-first, as in `lstm_helpers.charlm`.
"""

from __future__ import annotations

import functools
import html
from dataclasses import dataclass

import numpy as np
import torch

from lstm_helpers import charlm
from lstm_helpers.checks import require_int
from lstm_helpers.train import one_thread


@dataclass(frozen=True)
class Settings:
    """Everything chapter 8 measures with, in one place."""

    ngram_orders: tuple[int, ...] = (1, 2, 3, 4, 5, 6, 7, 8)
    gap_bins: tuple[int, ...] = (1, 10, 20, 50, 100, 200, 500, 5000)  # distance bin edges, characters
    gap_chars: int = 200_000  # the first characters of the test files used for the gap curve
    context_ks: tuple[int, ...] = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000)
    context_positions: int = 256  # test positions scored at every k (the same ones for every k)
    exercise_positions: int = 128  # the context exercise (k = 1000, 2000): half the positions and time
    unit_chars: int = 20_000  # test characters over which a unit is matched with a feature
    live_hidden: int = 128  # the live model
    live_steps: int = 300
    live_batch: int = 32
    live_seq_len: int = 64
    live_lr: float = 5e-3
    live_train_chars: int = 1_000_000
    sample_prompt: str = "def parse_args(argv):\n"
    sample_chars: int = 300
    temperatures: tuple[float, ...] = (0.4, 1.0)
    seed: int = 0


SETTINGS = Settings()


def corpus_summary() -> dict:
    """What the chapter's numbers are measured on: the Python version, files, characters, hash."""
    import platform

    names = [p.name for p in charlm.stdlib_dir().glob("*.py")]
    splits = {s: (len(charlm.split_files(names, s)), len(charlm.corpus(s))) for s in charlm.SPLITS}
    return {"python": platform.python_version(), "splits": splits, "hash": charlm.corpus_hash()}


@functools.cache
def live_training(s: Settings = SETTINGS) -> tuple[charlm.CharLM, dict]:
    """An LSTM of s.live_hidden units trained from scratch for s.live_steps steps on one thread."""
    cfg = charlm.TrainConfig(steps=s.live_steps, batch_size=s.live_batch, seq_len=s.live_seq_len,
                           lr=s.live_lr, eval_every=s.live_steps, seed=s.seed)  # fmt: skip
    with one_thread():
        torch.manual_seed(s.seed)
        model = charlm.CharLM("lstm", s.live_hidden)
        valid = charlm.corpus("valid")[:50_000]
        log = charlm.fit(model, charlm.corpus("train")[: s.live_train_chars], valid, cfg, device="cpu")
    return model.eval(), log


def ngram_model(s: Settings = SETTINGS) -> charlm.NGram:
    """The n-gram counted on the training files, at the largest order of s.ngram_orders (not kept:
    its tables hold a few hundred MB)."""
    return charlm.NGram(max(s.ngram_orders), charlm.corpus("train"))


@functools.cache
def ngram_probs(s: Settings = SETTINGS) -> dict[str, np.ndarray]:
    """split -> the n-gram's probability of each character of the validation and test files,
    (len(s.ngram_orders), chars): one row per order, all from one count of the training files."""
    model = ngram_model(s)
    return {split: model.probs_by_order(charlm.corpus(split))[[n - 1 for n in s.ngram_orders]]
            for split in ("valid", "test")}  # fmt: skip


def ngram_table(s: Settings = SETTINGS) -> dict[int, tuple[float, float]]:
    """n -> (validation, test) bits per character of the interpolated Witten-Bell n-gram."""
    valid, test = (-np.log2(p).mean(1) for p in ngram_probs(s).values())
    return {n: (float(valid[k]), float(test[k])) for k, n in enumerate(s.ngram_orders)}


def best_order(s: Settings = SETTINGS) -> int:
    """The n-gram order with the lowest validation bits per character (the test files stay unseen)."""
    table = ngram_table(s)
    return min(table, key=lambda n: table[n][0])


@functools.cache
def shipped(kind: str) -> charlm.CharLM:
    return charlm.load_pretrained(kind)


@functools.cache
def shipped_probs(kind: str) -> np.ndarray:
    """The shipped model's probability of every character of the test files."""
    with one_thread():
        return shipped(kind).probs_of(charlm.corpus("test"))


def gap_curve(closers: charlm.Closers, bins: tuple[int, ...] = SETTINGS.gap_bins) -> dict:
    """Per distance bin [bins[k], bins[k+1]): the mean probability of the right closer and the count."""
    which = np.digitize(closers.distance, bins) - 1  # bin of each closer, -1 / len-1 outside
    mean, count = [], []
    for k in range(len(bins) - 1):
        inside = which == k
        count.append(int(inside.sum()))
        mean.append(float(closers.prob[inside].mean()) if inside.any() else float("nan"))
    return {"lo": list(bins[:-1]), "hi": list(bins[1:]), "mean": mean, "count": count}


@torch.no_grad()
def context_curve(model: charlm.CharLM, test: str, ks: tuple[int, ...], s: Settings = SETTINGS) -> np.ndarray:
    """Bits per character at s.context_positions test positions when the model reads only the
    last k characters before each (from a zero state), for each k in ks; (len(ks),)."""
    gen = np.random.default_rng(s.seed)
    targets = np.sort(gen.choice(np.arange(max(ks) + 1, len(test)), s.context_positions, replace=False))
    ids = charlm.encode(test)
    bits = []
    with one_thread():
        for k in ks:
            windows = torch.stack([ids[t - k : t] for t in targets])  # (positions, k)
            state = None
            for start in range(0, k, 100):  # in pieces of time: only the last output is needed
                h, state = model.eval().rnn(model.embed(windows[:, start : start + 100]), state)
            logp = torch.log_softmax(model.readout(h[:, -1]), dim=-1)  # (positions, V)
            bits.append(-logp[torch.arange(len(targets)), ids[targets]].mean().item() / np.log(2))
    return np.array(bits)


@torch.no_grad()
def cell_states(model: charlm.CharLM, snippet: str) -> np.ndarray:
    """The LSTM's cell state c_t after each character of `snippet`, read from a zero state, (len, H).

    nn.LSTM returns every h_t but only the last c_t, so the gates are recomputed from the h_t
    (gate order i, f, g, o as torch stacks them) and the belt c_t = f_t * c_{t-1} + i_t * g_t rerun.
    """
    if model.kind != "lstm":
        raise ValueError(f"model must be an LSTM CharLM, got kind={model.kind!r}")
    lstm, H = model.rnn, model.rnn.hidden_size
    with one_thread():
        x = model.embed(charlm.encode("\n" + snippet)[None, :-1])  # (1, T, E): the character before each
        h, _ = lstm(x)  # (1, T, H)
        h_prev = torch.cat([torch.zeros(1, 1, H), h[:, :-1]], dim=1)  # (1, T, H)
        z = x @ lstm.weight_ih_l0.T + lstm.bias_ih_l0 + h_prev @ lstm.weight_hh_l0.T + lstm.bias_hh_l0
        i, f = torch.sigmoid(z[0, :, :H]), torch.sigmoid(z[0, :, H : 2 * H])  # (T, H) input, forget
        g = torch.tanh(z[0, :, 2 * H : 3 * H])  # (T, H) candidate
    i, f, g = i.numpy(), f.numpy(), g.numpy()  # (T, H) each; numpy steps are cheaper than torch's
    c, out = np.zeros(H, dtype=np.float32), np.empty((len(snippet), H), dtype=np.float32)
    for t in range(len(snippet)):
        c = f[t] * c + i[t] * g[t]  # the belt: keep, then add
        out[t] = c
    return out


def structure_features(snippet: str) -> dict[str, np.ndarray]:
    """Per character t: inside a string (0/1), bracket depth, and the column in its line.

    Each describes the moment before character t is read, when the state that predicts it is
    formed: "inside" runs from the character after the opener up to and including the closer.
    """
    found = charlm.find_closers(snippet)
    inside, depth = np.zeros(len(snippet) + 1), np.zeros(len(snippet) + 1)
    for o, p, ch in zip(found.opener, found.position, found.char):
        target = inside if ch in "'\"" else depth
        target[o + 1] += 1  # from the character after the opener up to the closer
        target[p + 1] -= 1
    column = np.zeros(len(snippet))
    for t in range(1, len(snippet)):
        column[t] = 0 if snippet[t - 1] == "\n" else column[t - 1] + 1
    return {"inside a string": np.cumsum(inside)[:-1], "bracket depth": np.cumsum(depth)[:-1],
            "column": column}  # fmt: skip


def best_units(acts: np.ndarray, features: dict[str, np.ndarray]) -> dict[str, tuple[int, float]]:
    """For each feature, the unit whose activation correlates best with it: (unit, Pearson r)."""
    a = (acts - acts.mean(0)) / (acts.std(0) + 1e-9)  # (T, H) standardised
    best = {}
    for name, f in features.items():
        z = (f - f.mean()) / (f.std() + 1e-9)  # (T,)
        r = a.T @ z / len(z)  # (H,) correlation of every unit with the feature
        unit = int(np.abs(r).argmax())
        best[name] = (unit, float(r[unit]))
    return best


def unit_html(snippet: str, values: np.ndarray, label: str) -> str:
    """`snippet` as preformatted HTML, each character's background set by the unit's value:
    blue for positive, orange for negative (Okabe-Ito, colour-blind safe); the value on hover."""
    require_int("len(values)", len(values), len(snippet), len(snippet))
    scale = np.abs(values).max() + 1e-9
    spans = []
    for ch, v in zip(snippet, values):
        rgb = (0, 114, 178) if v >= 0 else (230, 159, 0)
        alpha = 0.75 * abs(v) / scale
        shown = "\u21b5\n" if ch == "\n" else html.escape(ch)
        spans.append(f'<span style="background:rgba({rgb[0]},{rgb[1]},{rgb[2]},{alpha:.2f})" '
                     f'title="{html.escape(label)}: {v:+.2f}">{shown}</span>')  # fmt: skip
    return ('<pre class="lstm-unit" style="line-height:1.5;font-size:0.85em;white-space:pre" '
            f'aria-label="{html.escape(label)}">' + "".join(spans) + "</pre>")  # fmt: skip


def example(closers: charlm.Closers, lo: int, hi: int, probs: dict[str, np.ndarray]) -> dict | None:
    """The closer with distance in [lo, hi) whose LSTM probability is the bin's median: a typical case."""
    inside = np.flatnonzero((closers.distance >= lo) & (closers.distance < hi))
    if len(inside) == 0:
        return None
    k = inside[np.argsort(probs["lstm"][closers.position[inside]])[len(inside) // 2]]
    at = int(closers.position[k])
    return {"opener": int(closers.opener[k]), "position": at, "char": closers.char[k],
            "probs": {name: float(p[at]) for name, p in probs.items()}}  # fmt: skip


def draw_example(test: str, ex: dict | None, lo: int, hi: int):
    """The text from the opener's line to the closer's line (long middles cut), and each model's
    probability of the right closer."""
    from lstm_helpers import plots

    fig, ax = plots.new_figure(figsize=(8.0, 3.6))
    ax.set_axis_off()
    ax.set(xlim=(0, 1), ylim=(0, 1))
    if ex is None:
        ax.text(0, 0.5, f"no closer at distance {lo}-{hi - 1} in the test files")
        return fig, ax
    o, p = ex["opener"], ex["position"]
    start, end = test.rfind("\n", 0, o) + 1, test.find("\n", p)
    lines = test[start : end if end >= 0 else len(test)].split("\n")
    if len(lines) > 8:
        lines = [*lines[:3], f"    ... {len(lines) - 6} more lines ...", *lines[-3:]]
    ax.text(0, 0.98, f"distance {p - o} characters (bin {lo}-{hi - 1}): the opener is on the first line, "
            f"the closer {ex['char']!r} on the last", fontsize=10, va="top")  # fmt: skip
    ax.text(0, 0.86, "\n".join(line[:100] for line in lines), family="monospace", fontsize=8, va="top")
    shown = ", ".join(f"{name} {prob:.3f}" for name, prob in ex["probs"].items())
    ax.text(0, 0.02, f"probability of the right closer: {shown}", fontsize=10, va="bottom")
    return fig, ax
