"""``python -m chaingrad.demo``: train an MLP and a CNN on the bundled digits (default), or
``--seeds`` to walk through the seed documents' examples."""

from __future__ import annotations

import argparse
import os
import time


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m chaingrad.demo",
        description="Train an MLP and a small CNN on the UCI digits bundled with chaingrad.",
    )
    parser.add_argument("--seeds", action="store_true",
                        help="walk through the seed documents' examples instead of training")
    parser.add_argument("--model", choices=("mlp", "cnn", "both"), default="both",
                        help="which model(s) to train (default: both)")
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
    parser.add_argument("--quiet", action="store_true",
                        help="no progress bar or per-epoch lines: only the results")
    args = parser.parse_args(argv)
    if args.seeds:
        from . import seeds

        seeds.main()
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

    models = ["mlp", "cnn"] if args.model == "both" else [args.model]
    print(f"chaingrad {chaingrad.__version__}, engine: {chaingrad.engine.get_engine_name()}, "
          f"{os.cpu_count()} CPU(s)")
    start = time.perf_counter()
    histories = run(models, epochs=args.epochs, seed=args.seed, plot=args.plot or None,
                    save_dir=args.save_dir, verbose=not args.quiet)
    wall = time.perf_counter() - start
    print("\nresults on the held-out test split:")
    for h in histories:
        print(f"  {h.name:4s} test accuracy {h.test_acc:7.2%}   ({len(h.train_loss)} epochs, "
              f"best {h.best_epoch}, {h.seconds:.1f} s)")
    print(f"wall time {wall:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
