"""Train chapter 9's encoder-decoders on digit reversal: without and with attention, several seeds.

    python tools/train_seq2seq.py                    # what `make attention` runs (with train_transformer.py)
    python tools/train_seq2seq.py --steps 50 --out /tmp/try       # a quick try

Every model has the same size and settings (`lstm_helpers.chapters.attention_and_transformers.SETTINGS`)
and is trained by `seq2seq.fit` on sources of length 1 ... s.train_max; only `attention` and the
seed differ. One CPU thread (these models are small). The weights of all of them go into one file,
with a log of the settings, the final losses and the seconds each took.
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from pathlib import Path

import torch

from lstm_helpers import seq2seq
from lstm_helpers.chapters.attention_and_transformers import SETTINGS, seq2seq_model
from lstm_helpers.charlm import WEIGHTS


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--steps", type=int, default=SETTINGS.s2s_steps)
    parser.add_argument("--out", type=Path, default=WEIGHTS)
    args = parser.parse_args()
    s = SETTINGS
    torch.set_num_threads(1)
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
    args.out.mkdir(parents=True, exist_ok=True)
    torch.save(saved, args.out / "seq2seq-reversal.pt")
    (args.out / "seq2seq-log.json").write_text(json.dumps(log, indent=1) + "\n")
    print(f"wrote seq2seq-reversal.pt and seq2seq-log.json to {args.out}")


if __name__ == "__main__":
    main()
