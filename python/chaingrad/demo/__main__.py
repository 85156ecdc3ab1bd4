"""``python -m chaingrad.demo``: train an MLP and a CNN on the bundled digits (default), or
``--seeds`` to walk through the seed documents' examples."""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path
from typing import Any


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m chaingrad.demo",
        description="Train an MLP and a small CNN on the UCI digits bundled with chaingrad.",
    )
    parser.add_argument("--seeds", action="store_true",
                        help="walk through the seed documents' examples instead of training")
    parser.add_argument("--pictures", default="seed_graphs", metavar="DIR",
                        help="with --seeds: write each example's graph picture to DIR (SVG with "
                             "Graphviz installed, DOT text without; '' for none; default: "
                             "seed_graphs)")
    parser.add_argument("--model", choices=("mlp", "cnn", "both"), default=None,
                        help="which model(s) to train (default: both; mlp with "
                             "--distributed)")
    parser.add_argument("--epochs", type=int, default=40,
                        help="maximum epochs per model; early stopping may end sooner "
                             "(default: 40)")
    parser.add_argument("--engine", choices=("cpp", "python"), default=None,
                        help="autograd engine (default: $CHAINGRAD_ENGINE or cpp)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    parser.add_argument("--plot", default="digits_loss_curves.png", metavar="PATH",
                        help="where to save the loss curves (needs matplotlib); '' to skip "
                             "(default: %(default)s)")
    parser.add_argument("--save-dir", default=None, metavar="DIR",
                        help="save each trained model with chaingrad.save into DIR")
    parser.add_argument("--threads", type=int, default=1, metavar="N",
                        help="BLAS threads (default: 1; the matrices are small, so more threads "
                             "only add contention; 0 keeps the library's default)")
    parser.add_argument("--distributed", action="store_true",
                        help="data-parallel training under mpiexec (one process per rank, "
                             "DistributedDataParallel, SyncBatchNorm, DistributedSampler; the "
                             "global batch stays 32): mpiexec -n 2 python -m chaingrad.demo "
                             "--distributed "
                             "(needs chaingrad[distributed])")
    parser.add_argument("--quiet", action="store_true",
                        help="no progress bar or per-epoch lines: only the results")
    parser.add_argument("--json", default=None, metavar="PATH", type=Path,
                        help="also write the results (accuracies, epochs, curves, seed, "
                             "threads, build: versions, BLAS, compiler) as JSON to PATH")
    args = parser.parse_args(argv)
    if args.seeds:
        from . import seeds

        seeds.main(None if args.pictures == "" else args.pictures)
        return 0
    if args.epochs < 1:
        parser.error("--epochs must be at least 1")

    import chaingrad

    if args.engine:
        chaingrad.engine.set_engine(args.engine)
    if args.threads > 0:
        from .blas import limit_blas_threads

        limit_blas_threads(args.threads)
    from .train import run

    model = args.model or ("mlp" if args.distributed else "both")
    models = ["mlp", "cnn"] if model == "both" else [model]
    lead = True
    if args.distributed:
        from .distributed import setup

        lead = setup()[0] == 0
    if lead:
        print(f"chaingrad {chaingrad.__version__}, engine: "
              f"{chaingrad.engine.get_engine_name()}, {os.cpu_count()} CPU(s)")
    start = time.perf_counter()
    histories = run(models, epochs=args.epochs, seed=args.seed, plot=args.plot or None,
                    save_dir=args.save_dir, verbose=not args.quiet,
                    distributed=args.distributed)
    wall = time.perf_counter() - start
    if not lead:
        return 0
    print("\nresults on the held-out test split:")
    for h in histories:
        print(f"  {h.name:4s} test accuracy {h.test_acc:7.2%}   ({len(h.train_loss)} epochs, "
              f"best {h.best_epoch}, {h.seconds:.1f} s)")
    print(f"wall time {wall:.1f} s")
    if args.json is not None:
        write_json(args.json, histories, seed=args.seed, epochs=args.epochs,
                   threads=args.threads, wall=wall)
    return 0


def write_json(path: Path, histories: list[Any], *, seed: int, epochs: int, threads: int,
               wall: float) -> None:
    """The run's figures with what produced them (the demo is deterministic for a given seed,
    thread count and build, so these fields are what a reader needs to reproduce it)."""
    from chaingrad.buildinfo import build_info

    doc = {
        "seed": seed, "max_epochs": epochs, "threads": threads, "build": build_info(),
        "wall_seconds": wall,
        "models": {
            h.name: {
                "test_acc": h.test_acc, "epochs": len(h.train_loss), "best_epoch": h.best_epoch,
                "stopped_early": h.stopped_early, "seconds": h.seconds,
                "train_loss": h.train_loss, "val_loss": h.val_loss, "val_acc": h.val_acc,
            }
            for h in histories
        },
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc, indent=1) + "\n")


if __name__ == "__main__":
    raise SystemExit(main())
