"""Chapter 8, an LSTM reads real text: its settings and experiments, cached on the settings value.

- `corpus_summary()`: Python version, files, characters and lines per split, the corpus hash.
- `live_training(s)`: a small LSTM trained from scratch for a few seconds, its loss per step.
- `step_seconds(model, s)`: the time of one training step of a model on this CPU, one thread.
- `ngram_scores(s)`, `ngram_table(s)`, `best_order(s)`: the n-gram's probabilities, bits per
  character for n = 1 ... 8 on validation and test, and how often its contexts were seen.
- `shipped_reading(kind)`: the shipped model's probability of every test character and of each
  closing character in its place (cached).
- `closer_scores(...)`, `gap_curve(...)`: the probability of the right closer, of some closer, and of
  the right one given some closer, per distance bin with bootstrap intervals.
- `context_curve(model, text, ks, s)`: bits per character when the model sees only the last k characters.
- `cell_states(model, text)`, `structure_features(text)`, `best_units(acts, features)`,
  `depth_profile(...)`, `spanning_piece(...)`, `unit_html(text, values)`: a cell that tracks
  structure, its value against the bracket depth, and the text coloured by it.

Tensors are batch-first, as in `lstm_helpers.charlm`.
"""

from __future__ import annotations

import functools
import html
import time
from dataclasses import dataclass

import numpy as np
import torch

from lstm_helpers import charlm
from lstm_helpers.checks import require_int
from lstm_helpers.train import one_thread, update

CLOSING = ")]}'\""  # every character that can close: three brackets, two quotes
FAMILIES = {"brackets": ")]}", "quotes": "'\""}  # a closer competes with the others of its family


@dataclass(frozen=True)
class Settings:
    """Everything chapter 8 measures with, in one place."""

    ngram_orders: tuple[int, ...] = (1, 2, 3, 4, 5, 6, 7, 8)
    rare_count: int = 5  # a context seen fewer times than this in training is too thin to count on
    gap_bins: tuple[int, ...] = (1, 10, 20, 50, 100, 200, 5000)  # distance bin edges, characters
    n_boot: int = 1000  # bootstrap resamples for each bin's interval
    context_ks: tuple[int, ...] = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000)
    context_positions: int = 256  # test positions scored at every k (the same ones for every k)
    exercise_positions: int = 128  # the context exercise (k = 1000, 2000): half the positions and time
    unit_chars: int = 20_000  # test characters over which a unit is matched with a feature
    piece_lines: int = 3  # the coloured piece holds a bracket spanning at least this many line breaks
    piece_chars: int = 800  # ... and at most this many characters
    live_hidden: int = 128  # the live model
    live_steps: int = 300
    live_batch: int = 32
    live_seq_len: int = 64
    live_lr: float = 5e-3
    live_train_chars: int = 1_000_000
    timed_steps: int = 3  # training steps of the shipped LSTM's size timed on this CPU
    sample_prompt: str = "def parse_args(argv):\n"
    sample_chars: int = 300
    temperatures: tuple[float, ...] = (0.4, 1.0)
    seed: int = 0


SETTINGS = Settings()


def corpus_summary() -> dict:
    """What the chapter's numbers are measured on: the Python version, files, characters and lines
    per split, the corpus hash."""
    import platform

    names = [p.name for p in charlm.stdlib_dir().glob("*.py")]
    splits = {s: (len(charlm.split_files(names, s)), len(charlm.corpus(s))) for s in charlm.SPLITS}
    lines = {s: charlm.corpus(s).count("\n") + 1 for s in charlm.SPLITS}
    return {"python": platform.python_version(), "splits": splits, "lines": lines,
            "hash": charlm.corpus_hash()}  # fmt: skip


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


def step_seconds(
    model: charlm.CharLM, s: Settings = SETTINGS, cfg: charlm.TrainConfig | None = None
) -> float:
    """Seconds per training step of `model` on this CPU, one thread: the median of s.timed_steps
    steps of cfg's windows (the shipped models' TrainConfig by default), after one step to warm up.
    The model is trained a little; pass a copy."""
    cfg = charlm.TrainConfig() if cfg is None else cfg
    batches = charlm.stream_batches(charlm.encode(charlm.corpus("valid")), cfg.batch_size, cfg.seq_len)
    opt = torch.optim.Adam(model.parameters(), lr=cfg.lr)
    times = []
    with one_thread():
        for _ in range(require_int("timed_steps", s.timed_steps, 1) + 1):
            x, y, _ = next(batches)
            start = time.perf_counter()
            logits, _ = model(x)
            loss = torch.nn.functional.cross_entropy(logits.reshape(-1, charlm.VOCAB_SIZE), y.reshape(-1))
            update(model, opt, loss, cfg.clip)
            times.append(time.perf_counter() - start)
    return float(np.median(times[1:]))


def ngram_model(s: Settings = SETTINGS) -> charlm.NGram:
    """The n-gram counted on the training files, at the largest order of s.ngram_orders (not kept:
    its tables hold a few hundred MB)."""
    return charlm.NGram(max(s.ngram_orders), charlm.corpus("train"))


@dataclass(frozen=True)
class NGramScores:
    """What the chapter reads off the n-gram, all from one count of the training files.

    valid, test: the probability of each character, (len(s.ngram_orders), chars), one row per order.
    best: the order with the lowest validation bits per character (the test files stay unseen).
    closing: at the best order, the probability of each of CLOSING at each test position, (chars, 5).
    unseen, thin: order n -> the fraction of test positions whose n - 1 characters of context were
    never seen in training / seen fewer than s.rare_count times (never included).
    """

    valid: np.ndarray
    test: np.ndarray
    best: int
    closing: np.ndarray
    unseen: dict[int, float]
    thin: dict[int, float]


@functools.cache
def ngram_scores(s: Settings = SETTINGS) -> NGramScores:
    """The n-gram's scores on the validation and test files (see `NGramScores`)."""
    model, rows = ngram_model(s), [n - 1 for n in s.ngram_orders]
    valid, test = (model.probs_by_order(charlm.corpus(split))[rows] for split in ("valid", "test"))
    best = s.ngram_orders[int(np.argmin(-np.log2(valid).mean(1)))]
    closing = model.probs_of_chars(charlm.corpus("test"), CLOSING, order=best)
    counts = {n: model.context_counts(charlm.corpus("test"), n) for n in s.ngram_orders}
    unseen = {n: float((c == 0).mean()) for n, c in counts.items()}
    thin = {n: float((c < s.rare_count).mean()) for n, c in counts.items()}
    return NGramScores(valid, test, best, closing, unseen, thin)


def ngram_table(s: Settings = SETTINGS) -> dict[int, tuple[float, float]]:
    """n -> (validation, test) bits per character of the interpolated Witten-Bell n-gram."""
    scores = ngram_scores(s)
    valid, test = -np.log2(scores.valid).mean(1), -np.log2(scores.test).mean(1)
    return {n: (float(valid[k]), float(test[k])) for k, n in enumerate(s.ngram_orders)}


def best_order(s: Settings = SETTINGS) -> int:
    """The n-gram order with the lowest validation bits per character (the test files stay unseen)."""
    return ngram_scores(s).best


@functools.cache
def shipped(kind: str) -> charlm.CharLM:
    """The shipped model of `kind` ("lstm" or "rnn"), loaded once."""
    return charlm.load_pretrained(kind)


@functools.cache
def shipped_reading(kind: str) -> tuple[np.ndarray, np.ndarray]:
    """The shipped model's probability of every character of the test files, (chars,), and of each
    of CLOSING at every position, (chars, 5): one reading."""
    with one_thread():
        return shipped(kind).read(charlm.corpus("test"), CLOSING)


def closer_scores(closers: charlm.Closers, probs: np.ndarray, closing: np.ndarray) -> dict[str, np.ndarray]:
    """Per closer: "right", the probability of the right closer; "some", of any closer of its family
    (a bracket or a quote) at that position; "which" = right / some, the right one given that one
    of its family comes. probs: (chars,), closing: (chars, len(CLOSING)) at every position."""
    at = closers.position
    family = np.array(["brackets" if c in FAMILIES["brackets"] else "quotes" for c in closers.char])
    some = np.zeros(len(at))
    for name, chars in FAMILIES.items():
        mine = family == name
        columns = [CLOSING.index(c) for c in chars]
        some[mine] = closing[at[mine]][:, columns].sum(1)
    right = probs[at]
    return {"right": right, "some": some, "which": right / some, "family": family}


def gap_curve(
    distance: np.ndarray, values: np.ndarray, bins: tuple[int, ...] = SETTINGS.gap_bins,
    n_boot: int = SETTINGS.n_boot, seed: int = SETTINGS.seed,
) -> dict[str, list]:
    """Per distance bin [bins[k], bins[k+1]): the mean of `values`, its 95% bootstrap interval
    (closers resampled with replacement n_boot times), and the count; NaN for an empty bin."""
    require_int("n_boot", n_boot, 1)
    gen = np.random.default_rng(seed)
    which = np.digitize(distance, bins) - 1  # bin of each closer, -1 / len-1 outside
    rows = []  # (mean, low, high, count) per bin
    for k in range(len(bins) - 1):
        v = values[which == k]
        if len(v) == 0:
            rows.append((float("nan"), float("nan"), float("nan"), 0))
            continue
        block = max(1, 1_000_000 // len(v))  # resamples drawn at a time: a few MB, even for a large bin
        means = np.concatenate([v[gen.integers(0, len(v), size=(min(block, n_boot - b), len(v)))].mean(1)
                                for b in range(0, n_boot, block)])  # (n_boot,)
        low, high = np.percentile(means, [2.5, 97.5])
        rows.append((float(v.mean()), float(low), float(high), len(v)))
    mean, low, high, count = (list(column) for column in zip(*rows))
    return {"lo": list(bins[:-1]), "hi": list(bins[1:]), "mean": mean, "low": low, "high": high,
            "count": count}  # fmt: skip


def context_targets(test: str, ks: tuple[int, ...], s: Settings = SETTINGS) -> np.ndarray:
    """The s.context_positions test positions `context_curve` scores (sorted, each after max(ks))."""
    gen = np.random.default_rng(s.seed)
    return np.sort(gen.choice(np.arange(max(ks) + 1, len(test)), s.context_positions, replace=False))


@torch.no_grad()
def context_curve(model: charlm.CharLM, test: str, ks: tuple[int, ...], s: Settings = SETTINGS) -> np.ndarray:
    """Bits per character at the `context_targets` positions when the model reads only the last k
    characters before each (from a zero state), for each k in ks; (len(ks),)."""
    targets = context_targets(test, ks, s)
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


def depth_profile(values: np.ndarray, depth: np.ndarray, max_depth: int = 3, s: Settings = SETTINGS) -> dict:
    """The mean of `values` at each bracket depth 0 ... max_depth (deeper counted as max_depth), with
    its 95% bootstrap interval and the count of characters: what a cell does as brackets nest."""
    capped = np.minimum(depth, require_int("max_depth", max_depth, 1))
    curve = gap_curve(capped, values, tuple(range(max_depth + 2)), s.n_boot, s.seed)
    return {"depth": curve["lo"], **{k: curve[k] for k in ("mean", "low", "high", "count")}}


def spanning_piece(snippet: str, s: Settings = SETTINGS) -> tuple[slice, int, int]:
    """A piece of `snippet` to colour: the first bracket pair whose closer comes at least
    s.piece_lines line breaks after its opener, from the line before the opener's to the line after
    the closer's, at most s.piece_chars characters. Returns (piece, opener, closer) in `snippet`."""
    found = charlm.find_closers(snippet)
    for o, p, ch in zip(found.opener, found.position, found.char):
        if ch in FAMILIES["brackets"] and snippet.count("\n", o, p) >= s.piece_lines:
            start = snippet.rfind("\n", 0, max(snippet.rfind("\n", 0, o), 0)) + 1  # the line before
            end = snippet.find("\n", snippet.find("\n", p) + 1)  # the end of the line after the closer's
            end = len(snippet) if end < 0 else end
            if end - start <= s.piece_chars:
                return slice(start, end), int(o), int(p)
    raise ValueError(f"snippet holds no bracket spanning {s.piece_lines} lines in {s.piece_chars} characters")


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


def _shown_lines(test: str, o: int, p: int, keep: int = 3) -> list[tuple[str, int | None]]:
    """The lines from the opener's to the closer's as (text, its start in `test`), long middles cut
    to one line "... n more lines ..." (start None)."""
    start, end = test.rfind("\n", 0, o) + 1, test.find("\n", p)
    lines, at = [], start
    for line in test[start : end if end >= 0 else len(test)].split("\n"):
        lines.append((line, at))
        at += len(line) + 1
    if len(lines) > 2 * keep + 2:
        lines = [*lines[:keep], (f"    ... {len(lines) - 2 * keep} more lines ...", None), *lines[-keep:]]
    return lines


def draw_example(test: str, ex: dict | None, lo: int, hi: int, width: int = 88):
    """The text from the opener's line to the closer's line (long middles cut), the opener and the
    closer marked, and a bar per model: its probability of the right closer there."""
    from matplotlib.textpath import TextPath
    from matplotlib.transforms import offset_copy

    from lstm_helpers import plots

    fig, (ax, bars) = plots.new_figure(ncols=2, figsize=(9.0, 3.4), width_ratios=(3.4, 1))
    ax.set_axis_off()
    if ex is None:
        ax.text(0, 0.5, f"no closer at distance {lo}-{hi - 1} in the test files")
        bars.set_axis_off()
        return fig, ax
    o, p = ex["opener"], ex["position"]
    title = f"distance {p - o} characters (bin {lo}-{hi - 1}): opener and closer {ex['char']!r} marked"
    ax.text(0, 1.0, title, fontsize=10, va="top", transform=ax.transAxes)
    size, line_height = 8.5, 12.0  # points
    advance = TextPath((0, 0), "M" * 40, size=size, prop={"family": "monospace"}).get_extents().width / 40
    marks = {o: plots.PALETTE["highlight"], p: plots.PALETTE["input"]}
    for row, (line, at) in enumerate(_shown_lines(test, o, p)):
        place = offset_copy(ax.transAxes, fig=fig, x=0, y=-22 - row * line_height, units="points")
        ax.text(0, 1.0, line[:width], family="monospace", fontsize=size, va="top", transform=place)
        for mark, colour in marks.items():
            if at is not None and at <= mark < at + min(len(line), width):
                spot = offset_copy(ax.transAxes, fig=fig, x=(mark - at) * advance, y=-22 - row * line_height,
                                   units="points")  # fmt: skip
                box = {"boxstyle": "square,pad=0.05", "facecolor": colour, "edgecolor": "none"}
                ax.text(0, 1.0, test[mark], family="monospace", fontsize=size, va="top", transform=spot,
                        bbox=box)  # fmt: skip
    names = list(ex["probs"])
    colours = {"n-gram": plots.PALETTE["neutral"], "rnn": plots.PALETTE["rnn"], "lstm": plots.PALETTE["lstm"]}
    bars.barh(names, [ex["probs"][n] for n in names], color=[colours.get(n, "grey") for n in names])
    for k, n in enumerate(names):
        bars.text(min(ex["probs"][n], 0.62) + 0.03, k, f"{ex['probs'][n]:.3f}", va="center", fontsize=9)
    bars.set(xlim=(0, 1), xlabel="p(right closer)")
    bars.invert_yaxis()
    return fig, ax
