"""Chapter 10's longer runs: the regularisers, the truncation window and the knob sweeps, into one log.

    python tools/train_recipe.py                        # what `make recipe` runs: every sweep, in order
    python tools/train_recipe.py --sweeps lr clip       # some sweeps only (merged into the log)
    python tools/train_recipe.py --out /tmp/log.json --scale 0.05   # a quick try, 5% of the steps

Every run is `training_well.train_run` (one CPU thread, seeded): the same small LSTM as the page's
live runs unless a sweep changes a knob. Runs go one after another, and each finished run is merged
into the log at once, so an interrupted run keeps what it finished. The log holds the settings, the
curves (the training loss averaged over 10 steps), the seconds and, for the window sweep, the
closing-bracket gap curve on the test files.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import platform
import time
from pathlib import Path

import numpy as np
import torch

from lstm_helpers import charlm
from lstm_helpers.chapters import training_well as tw

SLICE = tw.Run(steps=800, eval_every=100)  # the small slice of the training files, where a model overfits
FULL = tw.Run(train_chars=0, steps=600, eval_every=100)  # every training file
SEEDS = (0, 1, 2)


def n_params(run: tw.Run) -> int:
    """The parameter count of the model of `run`, built on the meta device (no memory, no init)."""
    with torch.device("meta"):
        return sum(p.numel() for p in tw.build(run).parameters())


def two_layer_hidden(hidden: int, embed: int) -> int:
    """The hidden size of a two-layer model with about the parameters of a one-layer one of `hidden`."""
    target = n_params(tw.Run(hidden_size=hidden, embed_size=embed))
    two_layers = [n_params(tw.Run(hidden_size=H, embed_size=embed, num_layers=2)) for H in range(8, 1024)]
    return 8 + min(range(len(two_layers)), key=lambda k: abs(two_layers[k] - target))


REGULARISERS = {
    "none": {},
    "dropout 0.3 (fresh mask each step)": {"dropout": 0.3},
    "variational dropout 0.3": {"dropout": 0.3, "variational": True},
    "weight-drop 0.3 on W_hh": {"weight_drop": 0.3},
    "weight decay 0.3 (AdamW)": {"weight_decay": 0.3},
    "recommended: variational 0.2 + weight-drop 0.2 + decay 0.1": {
        "dropout": 0.2, "variational": True, "weight_drop": 0.2, "weight_decay": 0.1},
}


def sweeps(seeds: tuple[int, ...] = SEEDS) -> dict[str, list[tuple[str, tw.Run]]]:
    """Sweep name -> [(label, run)], in the order they are trained (the most needed first)."""
    regs = [(f"{label} | seed {seed}", dataclasses.replace(SLICE, seed=seed, **knobs))
            for seed in seeds for label, knobs in REGULARISERS.items()]  # fmt: skip
    window = [(f"window {T}", dataclasses.replace(FULL, seq_len=T, batch_size=1024 // T, steps=3000))
              for T in (16, 64, 256)]  # fmt: skip
    lr = [(f"lr {lr:g} clip {clip:g}", dataclasses.replace(SLICE, lr=lr, clip=clip, steps=200))
          for clip in (1.0, 0.0) for lr in (3e-3, 3e-2, 1e-1)]  # fmt: skip
    clip = [(f"clip {c:g}", dataclasses.replace(SLICE, lr=3e-2, clip=c, steps=200)) for c in (0.1, 10.0)]
    forget = [(f"forget bias {b}", dataclasses.replace(FULL, forget_bias=b, steps=400))
              for b in (None, 3.0)]  # fmt: skip
    H2 = two_layer_hidden(FULL.hidden_size, FULL.embed_size)
    two = dataclasses.replace(FULL, num_layers=2, hidden_size=H2)
    layers = [("1 layer", FULL), (f"2 layers of {H2}", two)]
    hidden = [(f"hidden {H}", dataclasses.replace(FULL, hidden_size=H, steps=300)) for H in (32, 64, 256)]
    return {"regularisers": regs, "window": window, "lr": lr, "clip": clip, "forget_bias": forget,
            "layers": layers, "hidden": hidden}  # fmt: skip


def shrink(log: dict) -> dict:
    """The log without the model, the per-step loss averaged over 10 steps (a smaller file)."""
    loss = [np.nan if v is None else v for v in log["loss"]]
    tens = [round(float(np.mean(loss[k : k + 10])), 4) for k in range(0, len(loss), 10)]
    out = {k: v for k, v in log.items() if k not in ("model", "loss")}
    out["loss_per_10"] = [None if not np.isfinite(v) else v for v in tens]
    return out


def main() -> None:
    raw = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=raw)
    plan = sweeps()
    parser.add_argument("--seeds", nargs="+", type=int, default=list(SEEDS), help="the regularisers' seeds")
    parser.add_argument("--sweeps", nargs="+", default=list(plan), choices=list(plan))
    parser.add_argument("--out", type=Path, default=tw.RECIPE_LOG)
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of each run's steps (a quick try)")
    args = parser.parse_args()
    plan = sweeps(tuple(args.seeds))
    torch.set_num_threads(1)
    log = json.loads(args.out.read_text()) if args.out.is_file() else {}
    log["meta"] = {"corpus": charlm.corpus_hash(), "torch": torch.__version__, "scale": args.scale,
                   "python": platform.python_version(), "machine": platform.machine()}  # fmt: skip
    test = charlm.corpus("test")
    for name in args.sweeps:
        log[name] = []
        for label, run in plan[name]:
            steps = max(1, round(run.steps * args.scale))
            run = dataclasses.replace(run, steps=steps, eval_every=min(run.eval_every, steps))
            start = time.perf_counter()
            result = tw.train_run(run, keep_model=name == "window")
            if name == "window":
                far, curve = tw.far_bracket(result["model"], test)
                result.update(far_bracket=far, gap_curve=curve)
            log[name].append({"label": label, **shrink(result)})
            args.out.write_text(json.dumps(log, indent=0) + "\n")
            seconds = time.perf_counter() - start
            print(f"{time.strftime('%H:%M:%S')} {name} {label}: best valid {result['best_valid']:.3f} "
                  f"at step {result['best_step']}, {seconds:.0f} s", flush=True)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
