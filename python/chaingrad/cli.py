"""The ``chaingrad`` command: ``demo``, ``seeds``, ``bench`` and ``info``.

Each subcommand hands its arguments on to the module that does the work (``python -m
chaingrad.demo``, ``python -m bench``), so the command and the modules never disagree about
options. Exit codes: 0 success, 1 the work failed, 2 bad usage (argparse's convention).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence

__all__ = ["main"]


def _info(as_json: bool) -> int:
    from .buildinfo import build_info

    info = build_info()
    if as_json:
        print(json.dumps(info, indent=2))
        return 0
    blas = info["blas"]
    threads = blas["threads"] if blas["threads"] is not None else "unknown"
    rows = [
        ("chaingrad", info["chaingrad"]),
        ("engine", f"{info['engine']} (available: {', '.join(info['engines'])}; "
                   "CHAINGRAD_ENGINE selects)"),
        ("compiler", info["compiler"] or "no C++ core"),
        ("fast paths", f"on ({info['fast_ops']} ops native)" if info["fast_ops"]
         else "off (CHAINGRAD_FAST_OPS=0)"),
        ("numpy", info["numpy"]),
        ("blas", f"{blas['name'] or 'unknown'} {blas['version'] or ''}, threads {threads}"),
        ("python", info["python"]),
        ("platform", info["platform"]),
    ]
    width = max(len(k) for k, _ in rows)
    for k, v in rows:
        print(f"{k:<{width}}  {v}")
    return 0


def _bench(argv: list[str]) -> int:
    # The bench suite lives beside the package in a source checkout (it compares against
    # torch and other peers, which a wheel must not depend on): it is found in the current
    # directory, as `python -m bench` finds it there.
    if os.path.isfile(os.path.join("bench", "run.py")) and os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    try:
        from bench.run import main as bench_main
    except ImportError:
        print("chaingrad bench: the bench suite (bench/) is not importable here; run it from a "
              "chaingrad source checkout (git clone ... && cd chaingrad && chaingrad bench)",
              file=sys.stderr)
        return 2
    return int(bench_main(argv) or 0)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="chaingrad", description="chaingrad: a small PyTorch-style autograd on NumPy.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    sub.add_parser("demo", add_help=False,
                   help="train the demo MLP and CNN on the bundled digits (chaingrad demo --help)")
    seeds = sub.add_parser("seeds", help="the seed documents' examples with their graph pictures")
    seeds.add_argument("--pictures", default="seed_graphs", metavar="DIR",
                       help="write each example's graph picture to DIR (SVG with Graphviz, DOT "
                            "text without; '' for none; default: seed_graphs)")
    sub.add_parser("bench", add_help=False,
                   help="run the bench suite from a source checkout (chaingrad bench --help)")
    info = sub.add_parser("info", help="version, engine, compiler, NumPy, BLAS, fast paths")
    info.add_argument("--json", action="store_true", help="print the facts as JSON")
    args, rest = parser.parse_known_args(argv)
    if args.command in ("info", "seeds") and rest:
        parser.error(f"unrecognized arguments: {' '.join(rest)}")
    if args.command == "info":
        return _info(args.json)
    if args.command == "bench":
        return _bench(rest)
    from .demo.__main__ import main as demo_main

    if args.command == "seeds":
        return demo_main(["--seeds", "--pictures", args.pictures])
    return demo_main(rest)


if __name__ == "__main__":
    raise SystemExit(main())
