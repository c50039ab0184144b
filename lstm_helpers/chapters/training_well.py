"""Chapter 10, training an LSTM well: its settings, one training run, and the shipped sweeps' log.

- `Run`: one training run's knobs (model size, regularisers, optimiser, window, data slice, steps).
- `train_run(run, ...)`: train a `regularise.RegularisedLM` on chapter 8's corpus (stateful windows,
  truncated BPTT, AdamW, optional clipping); training and validation bits per character over steps,
  the best validation score and its step (early stopping), divergence.
- `far_bracket(model, text)`: the mean probability of the right closing bracket beyond 50 characters,
  and the gap curve of chapter 8 for brackets.
- `recipe_log()`: the log `tools/train_recipe.py` ships (`make recipe`), sweep by sweep.

Tensors are batch-first, as in `lstm_helpers.charlm`.
"""

from __future__ import annotations

import dataclasses
import json
import math
import time
from dataclasses import dataclass

import numpy as np
import torch

from lstm_helpers import charlm, regularise
from lstm_helpers.chapters import real_text
from lstm_helpers.checks import require_int
from lstm_helpers.train import one_thread

RECIPE_LOG = charlm.WEIGHTS / "recipe-log.json"


@dataclass(frozen=True)
class Run:
    """One training run. train_chars: the first this many characters of the training files (0: all)."""

    hidden_size: int = 128
    embed_size: int = 16
    num_layers: int = 1
    dropout: float = 0.0
    variational: bool = False
    weight_drop: float = 0.0
    weight_decay: float = 0.0
    forget_bias: float | None = None
    lr: float = 3e-3
    clip: float = 1.0  # max gradient norm; 0: no clipping
    batch_size: int = 16
    seq_len: int = 64
    steps: int = 600
    train_chars: int = 40_000
    eval_every: int = 50
    eval_chars: int = 20_000  # training and validation characters scored at each evaluation
    seed: int = 0


@dataclass(frozen=True)
class Settings:
    """Everything chapter 10 measures live, in one place (the longer sweeps are in the shipped log)."""

    overfit: Run = Run(steps=800)  # the small slice, no regulariser: the log's baseline, seed 0
    full_data: Run = Run(train_chars=0, steps=600, eval_every=100)  # the same model on every training file
    variational_p: float = 0.3  # the page's variational-mask demonstration
    far_distance: int = 50  # "beyond 50 characters", as in chapter 8
    seed: int = 0


SETTINGS = Settings()


def build(run: Run) -> regularise.RegularisedLM:
    """The model of `run`, initialised from run.seed."""
    torch.manual_seed(run.seed)
    return regularise.RegularisedLM(run.hidden_size, run.embed_size, run.dropout, run.variational,
                                    run.weight_drop, run.forget_bias, run.num_layers)  # fmt: skip


def train_run(run: Run, keep_model: bool = False) -> dict:
    """Train the model of `run` on one thread; returns its log.

    log: steps, train_bpc and valid_bpc (eval mode, on the first run.eval_chars characters of the
    training slice and of the validation files) at every evaluation, loss (bits per character of each
    training window), seconds, best_valid and best_step (early stopping on validation), diverged (the
    loss became NaN or exceeded 20 bits), params; with keep_model, "model" holds the model at its best
    validation score.
    """
    require_int("steps", run.steps, 1)
    require_int("eval_every", run.eval_every, 1)
    train_text = charlm.corpus("train")
    if run.train_chars:
        train_text = train_text[: require_int("train_chars", run.train_chars, 1000)]
    valid_text = charlm.corpus("valid")[: run.eval_chars]
    train_eval = train_text[: run.eval_chars]
    log = {"run": dataclasses.asdict(run), "steps": [], "train_bpc": [], "valid_bpc": [], "loss": [],
           "seconds": [], "diverged": False}  # fmt: skip
    with one_thread():
        model = build(run)
        log["params"] = sum(p.numel() for p in model.parameters())
        opt = regularise.optimiser(model, run.lr, run.weight_decay)
        batches = charlm.stream_batches(charlm.encode(train_text), run.batch_size, run.seq_len)
        torch.manual_seed(run.seed)  # the dropout masks
        state, start, best = None, time.perf_counter(), None
        for step in range(1, run.steps + 1):
            model.train()
            x, y, new_epoch = next(batches)
            logits, state = model(x, None if new_epoch else regularise.detach(state))
            loss = torch.nn.functional.cross_entropy(logits.reshape(-1, charlm.VOCAB_SIZE), y.reshape(-1))
            opt.zero_grad()
            loss.backward()
            if run.clip > 0:
                torch.nn.utils.clip_grad_norm_(model.parameters(), run.clip)
            opt.step()
            bits = loss.item() / math.log(2)
            log["loss"].append(round(bits, 4) if math.isfinite(bits) else None)
            if not math.isfinite(bits) or bits > 20:
                log["diverged"] = True
                break
            if step % run.eval_every == 0 or step == run.steps:
                log["steps"].append(step)
                log["train_bpc"].append(charlm.bits_per_char(model, train_eval))
                log["valid_bpc"].append(charlm.bits_per_char(model, valid_text))
                log["seconds"].append(time.perf_counter() - start)
                if best is None or log["valid_bpc"][-1] < best[0]:
                    kept = {k: v.clone() for k, v in model.state_dict().items()} if keep_model else None
                    best = (log["valid_bpc"][-1], step, kept)
    log["seconds_total"] = time.perf_counter() - start
    if best is not None:
        log["best_valid"], log["best_step"] = best[0], best[1]
        if keep_model:
            model.load_state_dict(best[2])
    else:
        log["best_valid"], log["best_step"] = float("nan"), 0
    if keep_model:
        log["model"] = model.eval()
    return log


def far_bracket(model: charlm.LanguageModel, text: str, distance: int = 50, probs: np.ndarray | None = None):
    """(mean probability of the right closing bracket at distance >= `distance`, the bracket gap curve
    of chapter 8 over its bins): how far the model carries an open bracket. Quotes are left out."""
    closers = charlm.closing_probability(model, text, probs)
    brackets = np.array([c in real_text.FAMILIES["brackets"] for c in closers.char])
    far = brackets & (closers.distance >= require_int("distance", distance, 1))
    curve = real_text.gap_curve(closers.distance[brackets], closers.prob[brackets])
    return float(closers.prob[far].mean()), curve


def recipe_log() -> dict:
    """The log `tools/train_recipe.py` wrote next to the shipped weights: sweep name -> list of runs."""
    if not RECIPE_LOG.is_file():
        raise FileNotFoundError(f"{RECIPE_LOG} is missing: run `make recipe` to write it")
    return json.loads(RECIPE_LOG.read_text())
