"""Train chapter 9's models of digit reversal: encoder-decoders without and with attention, and causal
Transformers, one per seed.

    python tools/train_seq2seq.py                    # what `make attention` runs (with train_transformer.py)
    python tools/train_seq2seq.py --only lstm        # the encoder-decoders only (or --only transformer)
    python tools/train_seq2seq.py --steps 50 --out /tmp/try       # a quick try

Every encoder-decoder has the same size and settings (`lstm_helpers.chapters.attention_and_transformers.
SETTINGS`) and is trained by `seq2seq.fit` on sources of length 1 ... s.train_max; only `attention` and
the seed differ. The Transformers read source, start mark and reverse as one sequence
(`fit_transformer_reversal`), on the same lengths. One CPU thread (these models are small). Each
family's weights go into one file, with a log of the settings, final losses and seconds.
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from pathlib import Path

import torch

from lstm_helpers import seq2seq
from lstm_helpers.chapters.attention_and_transformers import (
    SETTINGS,
    fit_transformer_reversal,
    reversal_transformer,
    seq2seq_model,
)
from lstm_helpers.charlm import WEIGHTS


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--steps", type=int, default=SETTINGS.s2s_steps)
    parser.add_argument("--out", type=Path, default=WEIGHTS)
    parser.add_argument("--only", choices=["lstm", "transformer"], default=None, help="train one family")
    args = parser.parse_args()
    s = SETTINGS
    torch.set_num_threads(1)
    args.out.mkdir(parents=True, exist_ok=True)
    if args.only != "lstm":
        train_transformers(args.out)
    if args.only == "transformer":
        return
    saved, log = {}, {"settings": repr(s), "steps": args.steps, "torch": torch.__version__,
                      "python": platform.python_version(), "models": {}}  # fmt: skip
    for seed in s.s2s_seeds:
        for attention in (False, True):
            name = f"{'attention' if attention else 'plain'}-{seed}"
            torch.manual_seed(seed)
            model = seq2seq_model(attention)
            start = time.perf_counter()
            losses = seq2seq.fit(model, args.steps, (1, s.train_max), seed, s.s2s_batch, s.s2s_lr)
            seconds = time.perf_counter() - start
            saved[name] = model.state_dict()
            log["models"][name] = {"seconds": seconds, "final_loss": sum(losses[-100:]) / len(losses[-100:])}
            print(f"{name}: {seconds:.0f} s, loss {log['models'][name]['final_loss']:.4f}", flush=True)
    torch.save(saved, args.out / "seq2seq-reversal.pt")
    (args.out / "seq2seq-log.json").write_text(json.dumps(log, indent=1) + "\n")
    print(f"wrote seq2seq-reversal.pt and seq2seq-log.json to {args.out}")


def train_transformers(out: Path) -> None:
    """The causal Transformers on the same task (one per seed), into seq2seq-transformer.pt and its log."""
    s = SETTINGS
    saved, log = {}, {"settings": repr(s), "steps": s.tf_s2s_steps, "torch": torch.__version__, "models": {}}
    for seed in s.s2s_seeds:
        torch.manual_seed(seed)
        model = reversal_transformer(s)
        start = time.perf_counter()
        lengths = (1, s.train_max)
        losses = fit_transformer_reversal(model, s.tf_s2s_steps, lengths, seed, s.s2s_batch, s.tf_s2s_lr)
        seconds = time.perf_counter() - start
        saved[f"transformer-{seed}"] = model.state_dict()
        final = sum(losses[-100:]) / 100
        log["models"][f"transformer-{seed}"] = {"seconds": seconds, "final_loss": final}
        print(f"transformer-{seed}: {seconds:.0f} s, loss {final:.4f}", flush=True)
    torch.save(saved, out / "seq2seq-transformer.pt")
    (out / "seq2seq-transformer-log.json").write_text(json.dumps(log, indent=1) + "\n")


if __name__ == "__main__":
    main()
