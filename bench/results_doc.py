"""``python -m bench --report``: every figure users read comes from one run.

After the bench, the demo is run on both engines (in subprocesses, as a user runs it), and one
document is written from that run alone: ``docs/results.json`` (the figures), ``docs/results.md``
(the page) and the README's results block (between the markers below). tests/test_results.py
re-renders the page and the block from the JSON and checks that the demo still produces the
accuracies it quotes, so a stale figure fails the tests.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench import report
from bench.backends import LABELS

ROOT = Path(__file__).resolve().parent.parent
JSON_PATH = ROOT / "docs" / "results.json"
PAGE_PATH = ROOT / "docs" / "results.md"
README_PATH = ROOT / "README.md"
BEGIN = "<!-- results:begin (python -m bench --report writes this block; do not edit) -->"
END = "<!-- results:end -->"
DEMO_ENGINES = ("cpp", "python")

MOVES = """\
What moves these figures, and how to reproduce them:

- **BLAS build and thread count.** Matrix products go to the BLAS NumPy was built with; its
  kernels differ between builds and CPUs, and the order of a sum differs with the number of
  threads, so the last bits of a training run — and, after many epochs, an accuracy by a test
  image or two — can move with them. The demo and the bench pin BLAS to one thread
  (`--threads`, default 1) so the demo is deterministic for a given seed and build.
- **NumPy version.** NumPy's own loops (reductions' pairwise summation, `exp`/`log`
  implementations) change between releases.
- **The machine and its load.** Timings are from a shared 2-core machine; read the ratios,
  which are measured side by side in one run, not the absolute times.
- **Reproduce:** `pip install . && python -m bench --report` rewrites this page, the
  JSON next to it and the README's block; `python -m chaingrad.demo --json out.json` gives the
  demo's figures alone (same seed 0 and 1 BLAS thread by default).
"""


# ---------------------------------------------------------------------------- running
def run_demo(engine: str, seed: int = 0, threads: int = 1) -> dict[str, Any]:
    """``python -m chaingrad.demo`` on one engine, as a user runs it; its ``--json`` output."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "demo.json"
        cmd = [sys.executable, "-m", "chaingrad.demo", "--engine", engine, "--seed", str(seed),
               "--threads", str(threads), "--quiet", "--plot", "", "--json", str(out)]
        proc = subprocess.run(cmd, capture_output=True, text=True, cwd=tmp,
                              env={**os.environ, "CHAINGRAD_ENGINE": engine})
        if proc.returncode != 0:
            raise RuntimeError(f"demo on engine {engine!r} failed ({proc.returncode}):\n"
                               f"{proc.stderr[-2000:]}")
        return json.loads(out.read_text())


def document(bench: dict[str, Any], demos: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The figures of one run, without the curves and per-repeat samples (those stay in
    bench/results/): what the page and the README block are rendered from."""
    keep = ("workload", "title", "backend", "status", "forward", "backward", "total", "unit")
    return {
        "machine": bench["machine"],
        "build": next(iter(demos.values()))["build"] if demos else None,
        "bench": {
            "config": bench["config"],
            "results": [{k: r.get(k) for k in keep} for r in bench["results"]],
            "ratios": bench["ratios"],
            "memory": bench["memory"],
            "targets": bench["targets"],
            "wall_seconds": bench["wall_seconds"],
        },
        "demo": {
            eng: {
                "seed": d["seed"], "threads": d["threads"], "max_epochs": d["max_epochs"],
                "wall_seconds": d["wall_seconds"],
                "models": {name: {k: m[k] for k in ("test_acc", "epochs", "best_epoch",
                                                    "stopped_early", "seconds")}
                           for name, m in d["models"].items()},
            }
            for eng, d in demos.items()
        },
    }


# ---------------------------------------------------------------------------- rendering
def _pct(x: float) -> str:
    return f"{100 * x:.2f} %"


def demo_accuracies(doc: dict[str, Any]) -> dict[str, dict[str, float]]:
    """engine -> model -> test accuracy, as the run measured them."""
    return {eng: {name: m["test_acc"] for name, m in d["models"].items()}
            for eng, d in doc["demo"].items()}


def _demo_table(doc: dict[str, Any]) -> str:
    lines = ["| engine | model | test accuracy | epochs (best) | seconds |",
             "|---|---|---|---|---|"]
    for eng, d in doc["demo"].items():
        for name, m in d["models"].items():
            lines.append(f"| {LABELS.get(eng, eng)} | {name} | {_pct(m['test_acc'])} | "
                         f"{m['epochs']} ({m['best_epoch']}) | {m['seconds']:.1f} |")
    return "\n".join(lines)


def _summary_table(doc: dict[str, Any]) -> str:
    """One line per workload: the C++ core's time and its ratios from the same run."""
    rat = doc["bench"]["ratios"]
    lines = ["| workload | C++ core | ref/C++ (fwd+bwd / bwd) | C++/NumPy floor | C++/torch |",
             "|---|---|---|---|---|"]
    for r in doc["bench"]["results"]:
        if r["backend"] != "cpp" or r["status"] != "ok":
            continue
        d = rat.get(r["workload"], {})
        fb = "" if r["backward"] is None else f" (bwd {report.fmt(r['backward'])})"
        lines.append(
            f"| {r['title']} | {report.fmt(r['total'])} {r['unit']}{fb} | "
            f"{report.fmt_ratio(d.get('ref_over_cpp_total'))} / "
            f"{report.fmt_ratio(d.get('ref_over_cpp_backward'))} | "
            f"{report.fmt_ratio(d.get('cpp_over_floor'))} | "
            f"{report.fmt_ratio(d.get('cpp_over_torch'))} |")
    return "\n".join(lines)


def _provenance(doc: dict[str, Any]) -> str:
    m, b = doc["machine"], doc["build"] or {}
    blas = b.get("blas") or {}
    v = m.get("versions", {})
    peers = ", ".join(f"{k} {val}" for k, val in v.items() if val and k not in
                      ("numpy", "chaingrad")) or "none"
    commit = (m.get("git_commit") or "unknown")[:12]
    return "\n".join([
        f"- date {m['date']}, chaingrad {b.get('chaingrad')} at commit `{commit}`",
        f"- machine: {m.get('cpu_model')}, {m.get('cpu_usable')} usable of "
        f"{m.get('cpu_count')} CPUs, load average {m.get('load_avg')}; {m.get('platform')}",
        f"- Python {m.get('python')}, NumPy {v.get('numpy')}, BLAS {blas.get('name')} "
        f"{blas.get('version')} ({blas.get('config')}), BLAS threads "
        f"{doc['bench']['config'].get('threads')}; core built by {b.get('compiler')}",
        f"- peers measured: {peers}",
    ])


def render_block(doc: dict[str, Any]) -> str:
    """The README's results section (between BEGIN and END)."""
    acc = demo_accuracies(doc)
    cpp = acc.get("cpp", next(iter(acc.values())))
    same = all(a == cpp for a in acc.values())
    demo = ", ".join(f"**{_pct(a)} ({n.upper()})**" for n, a in cpp.items())
    engines = "the same on both engines" if same else "C++ core; see the page for the reference"
    met = [t for t in doc["bench"]["targets"] if t["met"] is not None]
    missed = [t["target"] for t in met if not t["met"]]
    tgt = (f"{len(met) - len(missed)} of {len(met)} targets met"
           + (f"; missed: {', '.join(missed)}" if missed else ""))
    return "\n".join([
        BEGIN,
        f"From one {'--quick (reduced sizes) ' if doc['bench']['config']['quick'] else ''}"
        f"run on {doc['machine']['date'][:10]} (commit "
        f"`{(doc['machine'].get('git_commit') or 'unknown')[:12]}`), written by "
        "`python -m bench --report`; machine, versions and every figure of that run are in "
        "[docs/results.md](docs/results.md).",
        "",
        f"Demo (`python -m chaingrad.demo`, seed 0): test accuracy {demo}, {engines}.",
        "",
        _summary_table(doc),
        "",
        f"ref/C++ is a speedup (higher is better); C++/floor and C++/torch are time ratios "
        f"(lower is better). {tgt}.",
        END,
    ])


def render_page(doc: dict[str, Any]) -> str:
    """docs/results.md."""
    rows = doc["bench"]["results"]
    cfg = doc["bench"]["config"]
    parts = [
        "# Results of one run",
        "",
        "Written by `python -m bench --report` (bench/results_doc.py) from "
        "[results.json](results.json); do not edit by hand — tests/test_results.py fails when "
        "this page, the JSON and the README disagree, or when the demo no longer produces "
        "the accuracies quoted here.",
        "",
        "## Where and what",
        "",
        _provenance(doc),
        "",
        "## The demo",
        "",
        f"`python -m chaingrad.demo` (seed {next(iter(doc['demo'].values()))['seed']}, "
        f"1 BLAS thread, at most {next(iter(doc['demo'].values()))['max_epochs']} epochs with "
        "early stopping), on each engine:",
        "",
        _demo_table(doc),
        "",
        "## The bench",
        "",
        f"`python -m bench` ({'quick' if cfg['quick'] else 'full'} sizes, "
        f"{cfg.get('threads')} thread(s), garbage collector "
        f"{'paused' if cfg.get('gc_paused') else 'on'} while timing; "
        f"{doc['bench']['wall_seconds']:.0f} s). Times per unit; every row of a workload was "
        "timed interleaved with the others in the same process.",
        "",
        report.markdown_table(rows, doc["bench"]["ratios"]),
        "",
        "ref/C++ = reference-engine time ÷ C++ time (a speedup, higher is better); C++/floor "
        "and C++/torch = C++ time ÷ their time (lower is better).",
        "",
    ]
    if doc["bench"]["memory"]:
        parts += ["### Memory (one forward+backward)", "",
                  report.memory_table(doc["bench"]["memory"]), ""]
    parts += [report.targets_text(doc["bench"]["targets"], cfg["quick"]).replace(
        "## targets", "### Targets"), "", "## " + MOVES.replace(
        "What moves these figures, and how to reproduce them:",
        "What moves these figures, and how to reproduce them"), ]
    return "\n".join(parts).rstrip() + "\n"


# ---------------------------------------------------------------------------- README block
def current_block(text: str) -> str:
    """The block between the markers in ``text`` (markers included)."""
    i, j = text.find(BEGIN), text.find(END)
    if i < 0 or j < i:
        raise ValueError(f"README has no results block: expected {BEGIN!r} ... {END!r}")
    return text[i: j + len(END)]


def replace_block(text: str, block: str) -> str:
    return text.replace(current_block(text), block, 1)


def write(doc: dict[str, Any]) -> list[Path]:
    """Write the JSON, the page and the README block; returns the paths written."""
    report.write_json(JSON_PATH, doc)
    doc = json.loads(JSON_PATH.read_text())  # render what a reader of the JSON re-renders
    PAGE_PATH.write_text(render_page(doc))
    README_PATH.write_text(replace_block(README_PATH.read_text(), render_block(doc)))
    return [JSON_PATH, PAGE_PATH, README_PATH]
