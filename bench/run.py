"""CLI: ``python -m bench [--quick] [--only NAME[,NAME]] [--json PATH] [--no-plots]
[--repeat N] [--report]`` (also ``python bench/run.py``).

``--report`` also runs the demo on both engines and writes docs/results.md, docs/results.json
and the README's results block from this one run (bench/results_doc.py).

Exit status: 0; with --quick, 1 when a regression guard fails (C++ backward not faster than
the reference engine at all) and 2 when a guard could not be evaluated (chaingrad missing or
an engine row errored).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make `import bench` work from anywhere
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import backends, machine, plots, report, results_doc, timing  # noqa: E402
from bench.progress import Progress  # noqa: E402
from bench.workloads import NAMES, TIMED, memory, resolve  # noqa: E402
from bench.workloads.base import run_interleaved  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"


def parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true",
                   help="small sizes (< 60 s) and act as a regression guard")
    p.add_argument("--only", default="", help=f"comma list of: {', '.join(NAMES)}")
    p.add_argument("--backends", default="",
                   help=f"comma list of: {', '.join(backends.ALL)} (default: all)")
    p.add_argument("--json", type=Path, default=RESULTS / "latest.json")
    p.add_argument("--no-plots", action="store_true")
    p.add_argument("--repeat", type=int, default=None, help="timed repeats per row")
    p.add_argument("--threads", type=int, default=1,
                   help="torch and BLAS threads (default 1, for a like-for-like comparison)")
    p.add_argument("--gc", action="store_true", help="leave the garbage collector on while timing")
    p.add_argument("--in-process", action="store_true",
                   help="time every backend in this process instead of one process each "
                        "(bench/isolation.py: other libraries' heap churn then slows them)")
    p.add_argument("--report", action="store_true",
                   help="also run the demo on both engines and write docs/results.md, "
                        "docs/results.json and the README's results block from this run")
    args = p.parse_args(argv)
    if args.report and args.only:
        p.error("--report documents a whole run: it cannot be combined with --only")
    return args


def _ensure_results_ignored(path: Path) -> None:
    ignore = path.parent / ".gitignore"
    if path.parent.resolve() == RESULTS.resolve() and not ignore.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        ignore.write_text("*\n!.gitignore\n")


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    try:
        selected = resolve(args.only) if args.only else list(NAMES)
        chosen = [b.strip() for b in args.backends.split(",") if b.strip()] or list(backends.ALL)
        bad = [b for b in chosen if b not in backends.ALL]
        if bad:
            raise ValueError(f"unknown backend(s) {bad}; choose from {', '.join(backends.ALL)}")
    except ValueError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    timing.PAUSE_GC = not args.gc
    threads = backends.configure_threads(args.threads)
    for b in chosen:  # import what will be used before freezing the startup objects
        backends.unavailable(b)
    timing.freeze_startup_objects()

    timed = [w for w in TIMED if w.SPEC.name in selected]
    mem_of = (timed or list(TIMED)) if memory.SPEC.name in selected else []
    jobs = [(w, b) for w in timed for b in w.SPEC.backends if b in chosen]
    mem_jobs = [(w, b) for w in mem_of for b in w.SPEC.backends if b in chosen]
    prog = Progress(len(jobs) + len(mem_jobs))
    t0 = time.perf_counter()

    rows: list[dict[str, Any]] = []
    for w in timed:
        names = [b for b in w.SPEC.backends if b in chosen]
        for r in run_interleaved(w.SPEC, w.build, names, args.quick, args.repeat, prog.note,
                                 isolate=None if args.in_process else w.__name__,
                                 threads=args.threads):
            rows.append(r)
            ok = r["status"] == "ok"
            prog.line(f"{w.SPEC.name} · {r['backend']}",
                      f"{r['total']:.3g} {r['unit']}" if ok else r["status"], r["seconds_spent"])
    mem_rows: list[dict[str, Any]] = []
    for w, b in mem_jobs:
        label = f"memory · {w.SPEC.name} · {b}"
        prog.note(label)
        t_item = time.perf_counter()
        r = memory.run(w, b, args.quick)
        mem_rows.append(r)
        peak = r.get("traced_peak_bytes")
        prog.line(label, r["status"] if peak is None else f"peak {peak / 1024:.0f} KiB",
                  time.perf_counter() - t_item)
    prog.close()

    rat = report.ratios(rows)
    tg = [t for t in report.targets(rows, mem_rows, rat) if t["workload"] in selected]
    out = []
    if rows:
        out += ["## timings", "", report.markdown_table(rows, rat), "",
                "ref/C++ = reference-engine time ÷ C++ time (speedup, higher is better); "
                "C++/floor and C++/torch = C++ time ÷ their time (lower is better). "
                "MLP/CNN totals include the SGD update.", ""]
    if mem_rows:
        out += ["## memory (one forward+backward)", "", report.memory_table(mem_rows), ""]
    out += [report.targets_text(tg, args.quick), ""]
    gs = report.guards(rat, selected) if args.quick else []
    if gs:
        out += [report.guards_text(gs), ""]
    print("\n".join(out))

    payload = {
        "config": {"quick": args.quick, "only": selected, "backends": chosen,
                   "repeat": args.repeat, "gc_paused": timing.PAUSE_GC, "threads": threads},
        "machine": machine.info(),
        "results": rows, "ratios": rat, "memory": mem_rows, "targets": tg, "guards": gs,
        "wall_seconds": time.perf_counter() - t0,
    }
    _ensure_results_ignored(args.json)
    report.write_json(args.json, payload)
    print(f"raw numbers: {args.json}", file=sys.stderr)
    if not args.no_plots:
        for path in plots.write_plots(rows, rat, RESULTS):
            print(f"plot: {path}", file=sys.stderr)

    if args.report:
        demos = {}
        for eng in results_doc.DEMO_ENGINES:
            prog.note(f"demo · {eng}")
            demos[eng] = results_doc.run_demo(eng, threads=args.threads)
        for path in results_doc.write(results_doc.document(payload, demos)):
            print(f"report: {path}", file=sys.stderr)

    failed = [g for g in gs if g["state"] == "FAILED"]
    if failed:
        for g in failed:
            print(f"REGRESSION GUARD FAILED: {g['guard']} (measured {g['value']:.3g}×)",
                  file=sys.stderr)
        return 1
    if any(g["state"] == "not evaluated" for g in gs):
        print("regression guard could not be evaluated (see table)", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
