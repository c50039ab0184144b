"""Train the character models of chapter 8 and write their weights and log into the package.

    python tools/train_charlm.py                   # what `make charlm` runs: the LSTM and the RNN
    python tools/train_charlm.py --steps 200 --out /tmp/try     # a quick try
    LSTM_BOOK_STDLIB=/path/to/a/copy/of/Lib python tools/train_charlm.py ...   # another corpus copy

Both models have about the same number of parameters (the RNN is made wider). Each is trained
from the same seed with `charlm.fit` (stateful windows, truncated BPTT, clipping, Adam with
cosine decay), each in its own process: on the GPU when there is one, else on one CPU thread each
(two cores: one model each). The log records the corpus (the stdlib's Python version, files,
characters, hash), the settings, the validation curve and the bits per character on the test files.
"""

from __future__ import annotations

import argparse
import bisect
import dataclasses
import json
import multiprocessing
import os
import platform
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import torch

from lstm_helpers import charlm
from lstm_helpers.models import n_params

LSTM_HIDDEN = 256
EMBED = 32


def matched_hidden(kind: str, target: int) -> int:
    """The hidden size of `kind` whose CharLM has the parameter count closest to `target`.

    The count grows with the size, so a bisection finds the first size at or above `target`; the
    candidates are built on the meta device (shapes only, no memory, no initialisation)."""
    sizes = range(8, 2048)

    def count(hidden: int) -> int:
        with torch.device("meta"):
            return n_params(charlm.CharLM(kind, hidden, EMBED))

    above = bisect.bisect_left(sizes, target, key=count)
    return min(sizes[max(above - 1, 0) : above + 1], key=lambda hidden: abs(count(hidden) - target))


def corpus_info() -> dict:
    info = {
        "python": os.environ.get("LSTM_BOOK_STDLIB_VERSION", platform.python_version()),  # whose stdlib
        "trained_with_python": platform.python_version(),
        "hash": charlm.corpus_hash(),
    }
    names = [p.name for p in charlm.stdlib_dir().glob("*.py")]
    for split in charlm.SPLITS:
        info[split] = {"files": len(charlm.split_files(names, split)), "chars": len(charlm.corpus(split))}
    return info


def train_one(kind: str, cfg: charlm.TrainConfig, device: str | None) -> tuple[dict, dict]:
    """Train one model; returns (what to save, its log)."""
    if device == "cpu" or not torch.cuda.is_available():
        torch.set_num_threads(1)  # this size trains fastest on one thread; the models share the cores
    target = n_params(charlm.CharLM("lstm", LSTM_HIDDEN, EMBED))
    hidden = LSTM_HIDDEN if kind == "lstm" else matched_hidden(kind, target)
    torch.manual_seed(cfg.seed)
    model = charlm.CharLM(kind, hidden, EMBED)
    log = charlm.fit(model, charlm.corpus("train"), charlm.corpus("valid"), cfg, device, progress=True)
    log.update(kind=kind, hidden_size=hidden, params=n_params(model))
    log["test_bpc"] = charlm.bits_per_char(model, charlm.corpus("test"))
    print(f"{kind}: H={hidden}, {log['params']:,} parameters, {log['seconds'][-1]:.0f} s, "
          f"valid {log['valid_bpc'][-1]:.3f}, test {log['test_bpc']:.3f} bits per character", flush=True)
    model.cpu()
    return {"config": model.config, "state_dict": model.state_dict()}, log


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--kinds", nargs="+", default=["lstm", "rnn"], choices=charlm.KINDS)
    parser.add_argument("--steps", type=int, default=charlm.TrainConfig.steps)
    parser.add_argument("--device", default=None, help="cuda or cpu (default: cuda when there is one)")
    parser.add_argument("--out", type=Path, default=charlm.WEIGHTS)
    args = parser.parse_args()
    cfg = dataclasses.replace(charlm.TrainConfig(), steps=args.steps)
    torch.backends.cuda.matmul.allow_tf32 = False  # full float32 on a GPU too, as on the CPU
    torch.backends.cudnn.allow_tf32 = False
    args.out.mkdir(parents=True, exist_ok=True)
    log = {"corpus": corpus_info(), "config": dataclasses.asdict(cfg), "torch": torch.__version__,
           "started": time.strftime("%Y-%m-%d %H:%M:%S"), "models": {}}
    with ProcessPoolExecutor(len(args.kinds), mp_context=multiprocessing.get_context("spawn")) as pool:
        n = len(args.kinds)
        results = list(pool.map(train_one, args.kinds, [cfg] * n, [args.device] * n))
    for kind, (saved, model_log) in zip(args.kinds, results):
        torch.save(saved, args.out / f"charlm-{kind}.pt")
        log["models"][kind] = model_log
    (args.out / "charlm-log.json").write_text(json.dumps(log, indent=1) + "\n")
    print(f"wrote {', '.join(f'charlm-{k}.pt' for k in args.kinds)} and charlm-log.json to {args.out}")


if __name__ == "__main__":
    main()
