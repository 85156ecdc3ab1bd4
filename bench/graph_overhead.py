"""Per-node graph overhead: the scalar graph on chaingrad's C++ core vs its reference engine.

    python bench/graph_overhead.py [--nodes N] [--repeat R]

Both engines run in this one process with their repeats interleaved, so the ratio is side by
side.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--nodes", type=int, default=100_000)
    p.add_argument("--repeat", type=int, default=3)
    args = p.parse_args(argv)

    if __package__ in (None, ""):  # run as a script
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from bench import backends, timing
    from bench.workloads import scalar_graph
    from bench.workloads.base import run_interleaved

    backends.configure_threads(1)
    for b in backends.CHAINGRAD:
        backends.unavailable(b)
    timing.freeze_startup_objects()
    spec = scalar_graph.SPEC
    big = dataclasses.replace(spec, size=args.nodes)
    rows = {}
    for r in run_interleaved(big, scalar_graph.build, ["cpp", "python"], False, args.repeat):
        engine = r["backend"]
        rows[engine] = r
        if r["status"] != "ok":
            print(f"{engine:>6}: {r['status']}")
            continue
        print(f"{engine:>6}: forward {r['forward']:.3f}  backward {r['backward']:.3f}  "
              f"fwd+bwd {r['total']:.3f} µs/node  ({r['count']:,} nodes, "
              f"median of {r['repeats']})")
    if all(r["status"] == "ok" for r in rows.values()):
        c, ref = rows["cpp"], rows["python"]
        print("reference / C++: " + "  ".join(
            f"{k} {ref[k] / c[k]:.1f}×" for k in ("forward", "backward", "total")))
        return 0
    return 1


if __name__ == "__main__":
    raise SystemExit(main())
