"""Chapter 9, from the LSTM to attention, measured: its settings and experiments, cached on the settings.

- `seq2seq_model(attention)`, `shipped_seq2seq(attention, seed)`: the encoder-decoders of the chapter
  (shipped weights trained by `make attention`).
- `length_curves(s)`: exact-match accuracy against source length, without and with attention, per seed.
- `live_seq2seq(s)`: one small encoder-decoder trained in the page for a few seconds.
- `step_costs(s)`: seconds and memory to write one more character as the context grows: the LSTM, the
  Transformer recomputing its whole window, the Transformer with a key-value cache.
- `race_model(kind)`, `race_models()`, `race_log()`: the LSTM and the Transformer of equal size, fresh
  or trained for equal steps on chapter 8's corpus (shipped).
- `window_seconds(model, s)`: one training step (forward and backward) on windows of 128 characters.

Tensors are batch-first.
"""

from __future__ import annotations

import functools
import json
import time
from dataclasses import dataclass

import numpy as np
import torch

from lstm_helpers import charlm, seq2seq, transformer
from lstm_helpers.models import n_params
from lstm_helpers.train import one_thread


@dataclass(frozen=True)
class Settings:
    """Everything chapter 9 measures with, in one place."""

    s2s_hidden: int = 32  # encoder and decoder units; small, so that one state is a real bottleneck
    s2s_embed: int = 16
    s2s_steps: int = 3000  # shipped models (tools/train_seq2seq.py)
    s2s_batch: int = 64
    s2s_lr: float = 1e-2
    s2s_seeds: tuple[int, ...] = (0, 1, 2)
    train_max: int = 12  # sources of length 1 ... train_max in training
    test_lengths: tuple[int, ...] = (2, 4, 6, 8, 10, 12, 14, 16, 20)  # beyond train_max: unseen lengths
    test_n: int = 500  # unseen sources per length
    tf_s2s_shape: tuple[int, int, int, int] = (64, 2, 4, 128)  # reversal Transformer: d, blocks, heads, d_ff
    tf_s2s_steps: int = 2000
    tf_s2s_lr: float = 1e-3
    live_steps: int = 300  # the encoder-decoder trained in the page
    live_max: int = 5
    cost_contexts: tuple[int, ...] = (16, 32, 64, 128, 256, 512)  # characters already read
    cost_repeats: int = 20  # steps timed per context (the fastest is kept)
    window_batch: int = 8  # windows of 128 characters in one timed training step
    gap_chars: int = 60_000  # the first characters of the test files used for the gap curve
    gap_bins: tuple[int, ...] = (1, 10, 32, 64, 128, 100_000)  # distance bin edges; 128: the window
    seed: int = 0


SETTINGS = Settings()


def seq2seq_model(attention: bool, s: Settings = SETTINGS) -> seq2seq.EncoderDecoder:
    """A fresh encoder-decoder of the chapter's size."""
    return seq2seq.EncoderDecoder(s.s2s_hidden, s.s2s_embed, attention)


@functools.cache
def _shipped_seq2seq_states() -> dict:
    return torch.load(charlm.WEIGHTS / "seq2seq-reversal.pt", map_location="cpu", weights_only=True)


def shipped_seq2seq(attention: bool, seed: int, s: Settings = SETTINGS) -> seq2seq.EncoderDecoder:
    """The shipped encoder-decoder trained from `seed`, in eval mode."""
    model = seq2seq_model(attention, s)
    model.load_state_dict(_shipped_seq2seq_states()[f"{'attention' if attention else 'plain'}-{seed}"])
    return model.eval()


def reversal_transformer(s: Settings = SETTINGS) -> transformer.CharTransformer:
    """A fresh causal Transformer for reversal, with positions for the longest test source."""
    d_model, n_layers, n_heads, d_ff = s.tf_s2s_shape
    return transformer.CharTransformer(d_model, n_layers, n_heads, d_ff, context=2 * max(s.test_lengths) + 1)


def shipped_reversal_transformer(seed: int, s: Settings = SETTINGS) -> transformer.CharTransformer:
    """The shipped reversal Transformer trained from `seed`, in eval mode."""
    model = reversal_transformer(s)
    saved = torch.load(charlm.WEIGHTS / "seq2seq-transformer.pt", map_location="cpu", weights_only=True)
    model.load_state_dict(saved[f"transformer-{seed}"])
    return model.eval()


@functools.cache
def length_curves(s: Settings = SETTINGS) -> dict[str, np.ndarray]:
    """"plain" / "attention" / "transformer" -> exact-match accuracy (seeds, lengths) on s.test_n
    unseen sources."""
    out = {}
    with one_thread():
        for name, attention in (("plain", False), ("attention", True)):
            out[name] = np.array([[seq2seq.exact_match(shipped_seq2seq(attention, seed, s), L, s.test_n)
                                   for L in s.test_lengths] for seed in s.s2s_seeds])  # fmt: skip
        tfs = [shipped_reversal_transformer(seed, s) for seed in s.s2s_seeds]
        out["transformer"] = np.array([[transformer_exact_match(tf, L, s.test_n) for L in s.test_lengths]
                                       for tf in tfs])  # fmt: skip
    return out


@functools.cache
def live_seq2seq(s: Settings = SETTINGS) -> tuple[seq2seq.EncoderDecoder, list[float]]:
    """An encoder-decoder with attention trained in the page on short sources: (model, loss per step)."""
    with one_thread():
        torch.manual_seed(s.seed)
        model = seq2seq_model(True, s)
        losses = seq2seq.fit(model, s.live_steps, (1, s.live_max), s.seed, s.s2s_batch, s.s2s_lr)
    return model.eval(), losses


# --- the race on chapter 8's corpus -------------------------------------------------------------

TF_SHAPE = {"d_model": 96, "n_layers": 3, "n_heads": 4, "context": 128}  # the Transformer facing the LSTM
LSTM_SHAPE = {"kind": "lstm", "hidden_size": 256, "embed_size": 32}  # chapter 8's shipped LSTM


def matched_ff(target: int) -> int:
    """The feed-forward width whose TF_SHAPE Transformer has the parameter count closest to `target`."""

    def size(ff: int) -> int:
        return n_params(transformer.CharTransformer(d_ff=ff, **TF_SHAPE))

    return min(range(8, 2048, 8), key=lambda ff: abs(size(ff) - target))


def race_model(kind: str) -> torch.nn.Module:
    """A fresh model of the race from the current torch seed: "lstm" (chapter 8's shape) or
    "transformer" (TF_SHAPE, its feed-forward width matched to the LSTM's parameter count)."""
    if kind == "lstm":
        return charlm.CharLM(**LSTM_SHAPE)
    if kind != "transformer":
        raise ValueError(f"kind must be 'lstm' or 'transformer', got {kind!r}")
    return transformer.CharTransformer(d_ff=matched_ff(n_params(charlm.CharLM(**LSTM_SHAPE))), **TF_SHAPE)



@functools.cache
def race_models() -> dict[str, torch.nn.Module]:
    """The Transformer and the LSTM trained for equal steps by `make attention`, in eval mode."""
    saved = torch.load(charlm.WEIGHTS / "equal-steps-lstm.pt", map_location="cpu", weights_only=True)
    lstm = charlm.CharLM(**saved["config"])
    lstm.load_state_dict(saved["state_dict"])
    tf = transformer.load(charlm.WEIGHTS / "equal-steps-transformer.pt")
    return {"transformer": tf, "lstm": lstm.eval()}


def race_log() -> dict:
    """The log tools/train_transformer.py wrote next to the race's weights."""
    return json.loads((charlm.WEIGHTS / "equal-steps-log.json").read_text())


# --- the cost of one more character -------------------------------------------------------------


def _seconds(fn, repeats: int) -> float:
    """The fastest of `repeats` runs of fn(): what other programs on a shared machine add is left out."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return float(min(times))


@torch.no_grad()
def step_costs(lstm: charlm.CharLM, tf: transformer.CharTransformer, s: Settings = SETTINGS) -> dict:
    """For each context length n in s.cost_contexts: the fastest seconds to write character n + 1,
    and the numbers each model keeps from one character to the next (its memory).

    LSTM: one step from its (h, c). Transformer, no cache: the whole window of n + 1 characters read
    again (its positions stop at `tf.context`, so longer contexts are read with a fresh, wider position
    table: the cost is what matters here, not the prediction). Transformer, cache: one step reading
    the n stored keys and values of every block.
    """
    wide = transformer.CharTransformer(**{**tf.config, "context": max(s.cost_contexts) + 1}).eval()
    gen = torch.Generator().manual_seed(s.seed)
    out = {"context": list(s.cost_contexts), "lstm": [], "full": [], "cache": [], "lstm_floats": [],
           "full_floats": [], "cache_floats": []}  # fmt: skip
    with one_thread():
        for n in s.cost_contexts:
            ids = torch.randint(0, charlm.VOCAB_SIZE, (1, n + 1), generator=gen)
            _, state = lstm(ids[:, :n])
            x_next = ids[:, n:]  # (1, 1) the character written next
            out["lstm"].append(_seconds(functools.partial(lstm, x_next, state), s.cost_repeats))
            out["full"].append(_seconds(functools.partial(wide, ids), s.cost_repeats))
            cache = None
            for t in range(n):
                _, cache = wide.step(ids[:, t], cache)
            out["cache"].append(_seconds(functools.partial(wide.step, ids[:, n], cache), s.cost_repeats))
            out["lstm_floats"].append(sum(x.numel() for x in state))
            out["cache_floats"].append(sum(k.numel() + v.numel() for k, v in cache))
            out["full_floats"].append(ids.numel())  # no state: only the characters, all read again
    return {k: np.array(v) for k, v in out.items()}


def window_seconds(model: torch.nn.Module, s: Settings = SETTINGS, repeats: int = 5) -> float:
    """The fastest seconds of one forward and backward pass over s.window_batch windows of 128
    characters, on one thread: the work of one training step, without the optimiser."""
    gen = torch.Generator().manual_seed(s.seed)
    x = torch.randint(0, charlm.VOCAB_SIZE, (s.window_batch, 129), generator=gen)  # (batch, 129)

    def step() -> None:
        model.zero_grad()
        logits, _ = model(x[:, :-1])
        loss = torch.nn.functional.cross_entropy(logits.reshape(-1, charlm.VOCAB_SIZE), x[:, 1:].reshape(-1))
        loss.backward()

    with one_thread():
        return _seconds(step, repeats)


# --- the reversal task for a Transformer: one causal model reads the source, then writes the reverse -----


def reversal_stream(batch: int, length: int, seed) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """The reversal task as one sequence for a causal model: source, start mark, reverse, end mark.

    Returns x (batch, 2 * length + 1), the ids read; y, the ids to predict at each place; and
    `answer` (2 * length + 1,), True where y is part of the answer (the reverse and the end mark).
    """
    src, y_in, y_out = seq2seq.reversal(batch, length, seed)
    x = torch.cat([src, y_in], dim=1)  # (batch, 2 * length + 1)
    y = torch.cat([src[:, 1:], y_in[:, :1], y_out], dim=1)  # x shifted by one
    answer = torch.arange(x.shape[1]) >= length
    return x, y, answer


def fit_transformer_reversal(model: transformer.CharTransformer, steps: int, lengths: tuple[int, int],
                             seed: int = 0, batch: int = 64, lr: float = 1e-3) -> list[float]:  # fmt: skip
    """Train a causal Transformer on reversal (loss on the answer only), as `seq2seq.fit` trains an
    encoder-decoder: a fresh batch of one length per step, Adam, clipping. The loss per step."""
    from lstm_helpers.train import update

    gen = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    losses = []
    model.train()
    for _ in range(steps):
        length = int(torch.randint(lengths[0], lengths[1] + 1, (1,), generator=gen))
        x, y, answer = reversal_stream(batch, length, gen)
        logits = model(x)[0][:, answer]  # (batch, length + 1, V)
        target = y[:, answer].reshape(-1)
        loss = torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), target)
        losses.append(update(model, opt, loss, 1.0))
    return losses


@torch.no_grad()
def transformer_exact_match(model: transformer.CharTransformer, length: int, n: int = 500,
                            seed: int = 0) -> float:  # fmt: skip
    """Exact match of greedy decoding with the key-value cache on `n` unseen sources of `length`."""
    from lstm_helpers.train import TEST_SEED_OFFSET

    src, _, y_out = seq2seq.reversal(n, length, seed + TEST_SEED_OFFSET)
    model.eval()
    prompt = torch.cat([src, torch.full((n, 1), seq2seq.BOS)], dim=1)  # (n, length + 1)
    cache = None
    for t in range(prompt.shape[1]):
        logits, cache = model.step(prompt[:, t], cache)
    written = []
    for _ in range(length + 1):
        y = logits.argmax(-1)  # (n,)
        written.append(y)
        if len(written) <= length and cache[0][0].shape[2] < model.context:
            logits, cache = model.step(y, cache)
    return (torch.stack(written, 1) == y_out).all(dim=1).float().mean().item()
