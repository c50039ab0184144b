"""A character language model of Python's own source (chapter 8): corpus, models, scores, samples.

    train_text = charlm.corpus("train")                # the stdlib's .py files, split by file name
    lstm = charlm.load_pretrained("lstm")              # shipped weights, no download
    charlm.bits_per_char(lstm, charlm.corpus("test"))  # stateful, every character scored
    charlm.ngram_bits_per_char(5, train_text, charlm.corpus("test"))
    pairs = charlm.closing_probability(lstm, some_code)   # every ), ], } and closing quote
    charlm.sample(lstm, "def ", n_chars=200, temperature=0.5, seed=0)

Every model here, the network (`CharLM`) and the count-based `NGram`, answers one question,
`model.probs_of(text)`: the probability it gives each character of `text`, (len(text),). The
scores (`bits_per_char`, `closing_probability`) ask only that.

The corpus is the top-level `.py` files of the running interpreter's standard library, so it is
on every machine the book runs on. Characters are printable ASCII and newline; anything else
becomes one placeholder. Files go to train / validation / test by a hash of their name alone.
Model tensors are batch-first: ids (batch, seq_len), logits (batch, seq_len, vocab).
"""

from __future__ import annotations

import functools
import hashlib
import math
import os
import sysconfig
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np
import torch
from torch import nn

from lstm_helpers.checks import require_float, require_int
from lstm_helpers.models import LAYERS
from lstm_helpers.train import pick_device, update

PLACEHOLDER = "\x00"  # every character outside printable ASCII and newline becomes this one
CHARS = PLACEHOLDER + "\n" + "".join(chr(k) for k in range(32, 127))
VOCAB_SIZE = len(CHARS)  # 97
INDEX = {ch: k for k, ch in enumerate(CHARS)}
SPLITS = ("train", "valid", "test")
WEIGHTS = Path(__file__).parent / "weights"
KINDS = tuple(LAYERS)  # "rnn", "lstm", "gru": the book's one family of recurrent layers


class LanguageModel(Protocol):
    """What the scores need of a model: the probability of each character of a text, and of other
    characters in its place."""

    def probs_of(self, text: str) -> np.ndarray: ...

    def probs_of_chars(self, text: str, chars: str) -> np.ndarray: ...


# --- the corpus --------------------------------------------------------------------------------


def split_of(name: str) -> str:
    """The split of a file, from the MD5 of its name: 1 in 10 test, 1 in 10 validation."""
    bucket = int(hashlib.md5(name.encode()).hexdigest(), 16) % 10
    return "test" if bucket == 0 else "valid" if bucket == 1 else "train"


def split_files(names: Iterable[str], split: str) -> list[str]:
    """The names in `split`, sorted: the same whatever order they were found in."""
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}, got {split!r}")
    return sorted(n for n in set(names) if split_of(n) == split)


def stdlib_dir() -> Path:
    """The running interpreter's standard library; LSTM_BOOK_STDLIB overrides it (a copy elsewhere)."""
    return Path(os.environ.get("LSTM_BOOK_STDLIB") or sysconfig.get_paths()["stdlib"])


def clean(raw: str) -> str:
    """`raw` with every character outside printable ASCII and newline replaced by PLACEHOLDER."""
    return "".join(ch if ch in INDEX else PLACEHOLDER for ch in raw)


@functools.cache
def _corpus(split: str, root: str) -> str:
    names = split_files((p.name for p in Path(root).glob("*.py")), split)
    texts = [(Path(root) / n).read_text(encoding="utf-8", errors="replace") for n in names]
    return clean("\n".join(texts))


def corpus(split: str, root: str | Path | None = None) -> str:
    """The text of one split: its files (sorted by name) joined by newlines, cleaned."""
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}, got {split!r}")
    folder = Path(root) if root is not None else stdlib_dir()
    if not folder.is_dir():
        raise ValueError(f"root must be a folder of .py files, got {str(folder)!r}")
    return _corpus(split, str(folder.resolve()))


def corpus_hash(root: str | Path | None = None) -> str:
    """The first 12 hex digits of the SHA-256 of all three splits: which text the numbers are on."""
    digest = hashlib.sha256()
    for split in SPLITS:
        digest.update(corpus(split, root).encode())
    return digest.hexdigest()[:12]


def encode(text: str) -> torch.Tensor:
    """Character ids of `text`, (len(text),) int64; unknown characters become PLACEHOLDER."""
    codes = np.frombuffer(clean(text).encode("ascii"), dtype=np.uint8)
    table = np.zeros(256, dtype=np.int64)
    table[[ord(c) for c in CHARS]] = np.arange(VOCAB_SIZE)
    return torch.from_numpy(table[codes])


def decode(ids: Iterable[int]) -> str:
    """The text of character ids (the inverse of `encode` on cleaned text)."""
    return "".join(CHARS[int(k)] for k in ids)


# --- the model ---------------------------------------------------------------------------------


class CharLM(nn.Module):
    """Character ids (batch, seq_len) -> embedding -> RNN/LSTM/GRU -> next-character logits.

    forward(x, state) returns (logits (batch, seq_len, VOCAB_SIZE), state): pass the state back
    in to continue reading where the last call stopped.
    """

    def __init__(self, kind: str, hidden_size: int = 256, embed_size: int = 32):
        super().__init__()
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
        self.kind = kind
        self.config = {"kind": kind, "hidden_size": hidden_size, "embed_size": embed_size}
        self.embed = nn.Embedding(VOCAB_SIZE, require_int("embed_size", embed_size, 1, 4096))
        hidden_size = require_int("hidden_size", hidden_size, 1, 8192)
        self.rnn = LAYERS[kind](embed_size, hidden_size, batch_first=True)  # batch-first, unlike `models`
        self.readout = nn.Linear(hidden_size, VOCAB_SIZE)

    def forward(self, x: torch.Tensor, state=None):
        if not isinstance(x, torch.Tensor) or x.dim() != 2:
            shape = getattr(x, "shape", x)
            raise ValueError(f"x must be character ids of shape (batch, seq_len), got {shape}")
        h, state = self.rnn(self.embed(x), state)  # (batch, seq_len, H)
        return self.readout(h), state

    def probs_of(self, text: str, streams: int = 32, chunk: int = 1024) -> np.ndarray:
        """The probability the model gives each character of `text`, (len(text),).

        The text is read in `streams` contiguous pieces side by side, each in one pass with its state
        carried from its first character to its last; the first character is predicted after a newline.
        """
        return self.read(text, "", streams, chunk)[0]

    def probs_of_chars(self, text: str, chars: str, streams: int = 32, chunk: int = 1024) -> np.ndarray:
        """The probability of each of `chars` as the character at each position of `text`,
        (len(text), len(chars)), given the text before it (read as `probs_of` reads it)."""
        return self.read(text, chars, streams, chunk)[1]

    @torch.no_grad()
    def read(
        self, text: str, chars: str = "", streams: int = 32, chunk: int = 1024
    ) -> tuple[np.ndarray, np.ndarray]:
        """`probs_of(text)` and `probs_of_chars(text, chars)` from one reading of `text`."""
        require_int("streams", streams, 1)
        ids = encode(text)
        if len(ids) == 0:
            raise ValueError("text must hold at least one character, got an empty string")
        columns = encode(chars)  # (C,)
        inputs = torch.cat([encode("\n"), ids[:-1]])  # the character before each target
        streams = min(streams, len(ids))
        L = math.ceil(len(ids) / streams)
        pad = streams * L - len(ids)
        x = torch.cat([inputs, inputs.new_zeros(pad)]).view(streams, L)  # (streams, L)
        y = torch.cat([ids, ids.new_zeros(pad)]).view(streams, L)
        self.eval()
        dev, state, right, chosen = _device(self), None, [], []
        for t in range(0, L, chunk):
            logits, state = self(x[:, t : t + chunk].to(dev), state)  # (streams, chunk, V)
            logp = torch.log_softmax(logits.float(), dim=-1)
            right.append(logp.gather(-1, y[:, t : t + chunk, None].to(dev))[..., 0].exp().cpu())
            chosen.append(logp[..., columns.to(dev)].exp().cpu())  # (streams, chunk, C)
        probs = torch.cat(right, dim=1).reshape(-1)[: len(ids)].double().numpy()
        of_chars = torch.cat(chosen, dim=1).reshape(streams * L, len(columns))[: len(ids)].double().numpy()
        return probs, of_chars


def load_pretrained(kind: str) -> CharLM:
    """The shipped model of `kind` (see `available()`), on the CPU, in eval mode."""
    path = WEIGHTS / f"charlm-{kind}.pt"
    if not path.is_file():
        raise ValueError(f"kind must be one of the shipped models {available()}, got {kind!r}")
    saved = torch.load(path, map_location="cpu", weights_only=True)
    model = CharLM(**saved["config"])
    model.load_state_dict(saved["state_dict"])
    return model.eval()


def training_log() -> dict:
    """The log `tools/train_charlm.py` wrote next to the shipped weights (corpus, settings, curves)."""
    import json

    return json.loads((WEIGHTS / "charlm-log.json").read_text())


def available() -> list[str]:
    """The kinds whose weights ship with the package."""
    return sorted(p.stem.removeprefix("charlm-") for p in WEIGHTS.glob("charlm-*.pt"))


# --- scoring -----------------------------------------------------------------------------------


def _device(model: nn.Module) -> torch.device:
    return next(model.parameters()).device


def bits_per_char(model: LanguageModel, text: str) -> float:
    """Mean -log2 p(character) over every character of `text`, from `model.probs_of(text)`."""
    return float(-np.log2(probs_of(model, text)).mean())


def probs_of(model: LanguageModel, text: str) -> np.ndarray:
    """`model.probs_of(text)`, with a clear error for an object that is no language model."""
    if not callable(getattr(model, "probs_of", None)):
        raise TypeError(f"model must have probs_of(text) (a CharLM or an NGram), got {type(model).__name__}")
    return model.probs_of(text)


# --- the n-gram baseline -----------------------------------------------------------------------


def gram_keys(ids: np.ndarray, m: int) -> np.ndarray:
    """The m-gram ending at each position t >= m - 1 as one integer (base VOCAB_SIZE), (len - m + 1,)."""
    key = np.zeros(len(ids) - m + 1, dtype=np.int64)
    for j in range(m):
        key = key * VOCAB_SIZE + ids[j : len(ids) - m + 1 + j]
    return key


class NGram:
    """Interpolated Witten-Bell character n-gram model (Witten & Bell 1991; Chen & Goodman 1999).

    p(w | h) = (c(h w) + N1(h) p(w | h')) / (c(h) + N1(h)), where h' drops h's oldest character,
    N1(h) is the number of distinct characters seen after h, and a context never seen falls back
    to p(w | h'). The recursion ends in the uniform distribution over the VOCAB_SIZE characters.
    """

    def __init__(self, n: int, train_text: str):
        self.n = require_int("n", n, 1, 8)
        ids = encode(train_text).numpy()
        if len(ids) < n:
            raise ValueError(f"train_text must hold at least n={n} characters, got {len(ids)}")
        self.tables = [self._table(ids, m) for m in range(1, n + 1)]

    @staticmethod
    def _table(ids: np.ndarray, m: int):
        grams, counts = np.unique(gram_keys(ids, m), return_counts=True)  # sorted m-gram keys
        ctx, first = np.unique(grams // VOCAB_SIZE, return_index=True)  # sorted (m-1)-gram contexts
        c_ctx = np.add.reduceat(counts, first)  # c(h): times h was followed by anything
        n1 = np.diff(np.append(first, len(grams)))  # N1(h): distinct characters after h
        return grams, counts.astype(np.int32), ctx, c_ctx.astype(np.int32), n1.astype(np.int32)

    def probs_of(self, text: str, order: int | None = None) -> np.ndarray:
        """The probability of each character of `text` given up to order - 1 characters before it."""
        order = self.n if order is None else require_int("order", order, 1, self.n)
        return self.probs_by_order(text, order)[order - 1]

    def probs_of_chars(self, text: str, chars: str, order: int | None = None) -> np.ndarray:
        """The probability of each of `chars` as the character at each position of `text`,
        (len(text), len(chars)), given up to order - 1 characters before the position."""
        order = self.n if order is None else require_int("order", order, 1, self.n)
        return self.probs_by_order(text, order, chars)[order - 1]

    def probs_by_order(self, text: str, up_to: int | None = None, chars: str | None = None) -> np.ndarray:
        """`probs_of(text, order)` for every order 1 ... up_to (default n) at once, (up_to, len(text)):
        one pass. With `chars`, the probability of each of them instead, (up_to, len(text), len(chars))."""
        up_to = self.n if up_to is None else require_int("up_to", up_to, 1, self.n)
        ids = encode("\n" * (self.n - 1) + text).numpy()  # padded so every position has a context
        shape = (len(text),) if chars is None else (len(text), len(chars))
        p, out = np.full(shape, 1.0 / VOCAB_SIZE), []
        for m, (grams, counts, ctx, c_ctx, n1) in enumerate(self.tables[:up_to], start=1):
            key = gram_keys(ids, m)[self.n - m :]  # (len(text),) the m-gram ending at each character
            if chars is not None:  # the same context followed by each of `chars` instead: (len, C)
                key = key[:, None] // VOCAB_SIZE * VOCAB_SIZE + encode(chars).numpy()[None, :]
            c_hw = _lookup(grams, counts, key)
            c_h, n1_h = _lookup(ctx, c_ctx, key // VOCAB_SIZE), _lookup(ctx, n1, key // VOCAB_SIZE)
            p = np.where(c_h > 0, (c_hw + n1_h * p) / np.maximum(c_h + n1_h, 1), p)
            out.append(p)
        return np.stack(out)

    def context_counts(self, text: str, order: int | None = None) -> np.ndarray:
        """c(h): how often the order - 1 characters before each position of `text` (its context, after
        the same newline padding as `probs_of`) were followed by any character in training, (len(text),).
        0 where the context was never seen, so the model fell back to a shorter one."""
        order = self.n if order is None else require_int("order", order, 1, self.n)
        _, _, ctx, c_ctx, _ = self.tables[order - 1]
        ids = encode("\n" * (self.n - 1) + text).numpy()
        key = gram_keys(ids, order)[self.n - order :]  # (len(text),) the order-gram ending at each position
        return _lookup(ctx, c_ctx, key // VOCAB_SIZE)


def _lookup(keys: np.ndarray, values: np.ndarray, query: np.ndarray) -> np.ndarray:
    """values[keys == q] for each q in `query`, 0 where q is not among the sorted `keys`."""
    at = np.minimum(np.searchsorted(keys, query), len(keys) - 1)
    return np.where(keys[at] == query, values[at], 0)


def ngram_bits_per_char(n: int, train_text: str, test_text: str) -> float:
    """Bits per character of the interpolated Witten-Bell n-gram counted on `train_text`."""
    return bits_per_char(NGram(n, train_text), test_text)


# --- closing brackets and quotes ---------------------------------------------------------------

OPENERS = {"(": ")", "[": "]", "{": "}"}


@dataclass
class Closers:
    """Each closing bracket or quote of a text: its position, the opener's, the distance, the character,
    and (from `closing_probability`) the probability the model gave it."""

    position: np.ndarray
    opener: np.ndarray
    char: list[str]
    prob: np.ndarray | None = None

    @property
    def distance(self) -> np.ndarray:
        return self.position - self.opener

    def __len__(self) -> int:
        return len(self.position)


def find_closers(text: str) -> Closers:
    """Every `)`, `]`, `}` of code and the quote that ends each string, with its opener.

    A small Python scanner: comments and string bodies are skipped (brackets there are prose);
    a triple-quoted string's closer is the first of its three quotes; unmatched brackets are dropped.
    """
    pos, opener, char, stack = [], [], [], []
    t, n = 0, len(text)
    while t < n:
        ch = text[t]
        if ch == "#":
            t = n if text.find("\n", t) < 0 else text.find("\n", t)
        elif ch in "'\"":
            quote = ch * 3 if text.startswith(ch * 3, t) else ch
            end = _string_end(text, t + len(quote), quote)
            if end < 0:  # not a string after all (an apostrophe in a cut snippet): read on
                t += 1
                continue
            pos.append(end), opener.append(t), char.append(ch)
            t = end + len(quote)
        elif ch in OPENERS:
            stack.append((OPENERS[ch], t))
            t += 1
        elif ch in ")]}":
            if stack and stack[-1][0] == ch:
                pos.append(t), opener.append(stack.pop()[1]), char.append(ch)
            elif stack:
                stack.clear()  # broken nesting (a text cut in the middle): start afresh
            t += 1
        else:
            t += 1
    order = np.argsort(pos, kind="stable")
    position, opened = np.array(pos, dtype=int)[order], np.array(opener, dtype=int)[order]
    return Closers(position, opened, [char[k] for k in order])


def _string_end(text: str, t: int, quote: str) -> int:
    """Where the string's closing `quote` starts, scanning from `t`; -1 if it never closes.

    A backslash skips the next character (raw strings too: r"\"" does not end at its second quote).
    """
    while t < len(text):
        if text[t] == "\\":
            t += 2
        elif text.startswith(quote, t):
            return t
        elif len(quote) == 1 and text[t] == "\n":
            return -1  # a one-quote string cannot span lines
        else:
            t += 1
    return -1


def closing_probability(model: LanguageModel, text: str, probs: np.ndarray | None = None) -> Closers:
    """`find_closers(text)` with the probability the model (CharLM or NGram) gave each closer.

    probs: the model's `probs_of(text)`, if already computed.
    """
    found = find_closers(text)
    p = probs_of(model, text) if probs is None else probs
    found.prob = p[found.position] if len(found) else np.zeros(0)
    return found


# --- sampling ----------------------------------------------------------------------------------


@torch.no_grad()
def sample(model: CharLM, prompt: str, n_chars: int = 200, temperature: float = 1.0, seed: int = 0) -> str:
    """`n_chars` characters written by `model` after `prompt`, drawn from softmax(logits / temperature)."""
    require_int("n_chars", n_chars, 0, 100_000)
    require_float("temperature", temperature, 0.01, 10.0)
    gen = torch.Generator().manual_seed(require_int("seed", seed, 0))
    model.eval()
    dev = _device(model)
    logits, state = model(torch.cat([encode("\n"), encode(prompt)])[None].to(dev))
    out = []
    for _ in range(n_chars):
        p = torch.softmax(logits[0, -1].float().cpu() / temperature, dim=-1)  # (V,)
        nxt = int(torch.multinomial(p, 1, generator=gen))
        out.append(CHARS[nxt])
        logits, state = model(torch.tensor([[nxt]], device=dev), state)
    return prompt + "".join(out)


# --- training ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrainConfig:
    """How the shipped models are trained (`tools/train_charlm.py`, `make charlm`)."""

    steps: int = 10_000
    batch_size: int = 32  # streams read side by side
    seq_len: int = 128  # truncated BPTT window; the state is carried across windows and detached
    lr: float = 3e-3  # Adam, cosine decay to lr * final_lr_fraction
    final_lr_fraction: float = 0.05
    clip: float = 1.0  # max gradient norm
    eval_every: int = 1000
    seed: int = 0


def stream_batches(ids: torch.Tensor, batch_size: int, seq_len: int) -> Iterator[tuple]:
    """Endless (x, y, new_epoch) windows: `ids` cut into `batch_size` streams read side by side.

    x, y: (batch_size, seq_len), y is x shifted by one character; each stream continues in the
    next window where it stopped, so the state can be carried over; new_epoch marks a restart.
    """
    L = (len(ids) - 1) // batch_size
    if L < seq_len + 1:
        raise ValueError(f"the text is too short for batch_size={batch_size} x seq_len={seq_len}")
    data = ids[: batch_size * L + 1]
    x_all, y_all = data[:-1].view(batch_size, L), data[1:].view(batch_size, L)  # (batch, L)
    while True:
        for t in range(0, L - seq_len + 1, seq_len):
            yield x_all[:, t : t + seq_len], y_all[:, t : t + seq_len], t == 0


def detach(state):
    """The carried state with its graph cut (truncated BPTT): an LSTM's (h, c) or a tensor, or None."""
    if state is None:
        return None
    return tuple(s.detach() for s in state) if isinstance(state, tuple) else state.detach()


def fit(model: CharLM, train_text: str, valid_text: str, cfg: TrainConfig | None = None,
        device: str | None = None, progress: bool = False) -> dict:
    """Train `model` with Adam on stateful windows of `train_text`; returns the log.

    Each step is `train.update` (the book's one optimiser step, with clipping) on the loss of one
    window, the state carried from the window before and detached. log: steps, seconds and
    validation bits per character at every evaluation, loss per step.
    """
    from tqdm.auto import tqdm

    cfg = TrainConfig() if cfg is None else cfg
    require_int("steps", cfg.steps, 1)
    dev = pick_device(device)
    model.to(dev).train()
    torch.manual_seed(cfg.seed)
    opt = torch.optim.Adam(model.parameters(), lr=cfg.lr)
    floor = cfg.final_lr_fraction
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda k: floor + (1 - floor) * 0.5 * (1 + math.cos(math.pi * min(k / cfg.steps, 1.0)))
    )
    batches = stream_batches(encode(train_text), cfg.batch_size, cfg.seq_len)
    log = {"steps": [], "seconds": [], "valid_bpc": [], "loss": [], "device": str(dev)}
    state, start = None, _clock()
    for step in tqdm(range(1, cfg.steps + 1), disable=not progress, desc=model.kind, mininterval=5):
        x, y, new_epoch = next(batches)
        logits, state = model(x.to(dev), None if new_epoch else detach(state))
        loss = nn.functional.cross_entropy(logits.reshape(-1, VOCAB_SIZE), y.to(dev).reshape(-1))
        nats = update(model, opt, loss, cfg.clip)
        sched.step()
        log["loss"].append(round(nats / math.log(2), 4))  # bits per character of this window
        if step % cfg.eval_every == 0 or step == cfg.steps:
            log["steps"].append(step)
            log["valid_bpc"].append(bits_per_char(model, valid_text))
            log["seconds"].append(_clock() - start)
            if progress:
                bpc, seconds = log["valid_bpc"][-1], log["seconds"][-1]
                tqdm.write(f"{model.kind} step {step}: validation {bpc:.3f} bits per char, {seconds:.0f} s")
            model.train()
    return log


def _clock() -> float:
    import time

    return time.perf_counter()
