"""Chapter 9's race on chapter 8's corpus: a causal Transformer and an LSTM, equal parameters and steps.

    python tools/train_transformer.py              # what `make attention` runs, after train_seq2seq.py
    python tools/train_transformer.py --steps 100 --out /tmp/try      # a quick try

The LSTM is chapter 8's (256 units, embedding 32); the Transformer (`lstm_helpers.transformer`,
d_model 96, 3 blocks, 4 heads, context 128) gets the feed-forward width that brings its parameter
count closest to the LSTM's (`race_model` in chapter 9's module). Both are trained by `charlm.fit`
with the same settings, seed and number of steps (Adam, cosine decay, clipping, windows of 128
characters; the LSTM carries its state from window to window, the Transformer has none to carry),
each in its own process: on the GPU when there is one, else on one CPU thread each. The log records
the corpus, settings, validation curve, test bits per character and the seconds each took, with the
device. The shipped run (400 steps) is short: what a CPU shared with other jobs trained in half an hour.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import multiprocessing
import platform
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import torch
from train_charlm import corpus_info

from lstm_helpers import charlm
from lstm_helpers.chapters.attention_and_transformers import race_model
from lstm_helpers.models import n_params

STEPS = 400  # the shipped run: 29 minutes on two CPU cores shared with other jobs
PREFIX = "equal-steps"


def train_one(kind: str, cfg: charlm.TrainConfig, device: str | None) -> tuple[dict, dict]:
    if device == "cpu" or not torch.cuda.is_available():
        torch.set_num_threads(1)
    torch.manual_seed(cfg.seed)
    model = race_model(kind)
    log = charlm.fit(model, charlm.corpus("train"), charlm.corpus("valid"), cfg, device, progress=True)
    model.cpu()
    log.update(kind=kind, params=n_params(model), config=model.config)
    log["test_bpc"] = charlm.bits_per_char(model, charlm.corpus("test"))
    print(f"{kind}: {log['params']:,} parameters, {log['seconds'][-1]:.0f} s, "
          f"valid {log['valid_bpc'][-1]:.3f}, test {log['test_bpc']:.3f} bits per character", flush=True)
    return {"config": model.config, "state_dict": model.state_dict()}, log


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--steps", type=int, default=STEPS)
    parser.add_argument("--device", default=None, help="cuda or cpu (default: cuda when there is one)")
    parser.add_argument("--out", type=Path, default=charlm.WEIGHTS)
    args = parser.parse_args()
    cfg = dataclasses.replace(charlm.TrainConfig(), steps=args.steps, eval_every=args.steps)
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    args.out.mkdir(parents=True, exist_ok=True)
    log = {"corpus": corpus_info(), "config": dataclasses.asdict(cfg), "torch": torch.__version__,
           "python": platform.python_version(), "started": time.strftime("%Y-%m-%d %H:%M:%S"),
           "models": {}}  # fmt: skip
    kinds = ["transformer", "lstm"]
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn")) as pool:
        results = list(pool.map(train_one, kinds, [cfg] * 2, [args.device] * 2))
    for kind, (saved, model_log) in zip(kinds, results):
        torch.save(saved, args.out / f"{PREFIX}-{kind}.pt")
        log["models"][kind] = model_log
    (args.out / f"{PREFIX}-log.json").write_text(json.dumps(log, indent=1) + "\n")
    print(f"wrote {PREFIX}-transformer.pt, {PREFIX}-lstm.pt and {PREFIX}-log.json to {args.out}")


if __name__ == "__main__":
    main()
