"""PNG bar charts of the ratios and of per-node/per-op times; silently skipped without
matplotlib."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bench.backends import LABELS

Row = dict[str, Any]


def _pyplot() -> Any:
    try:
        import matplotlib

        matplotlib.use("Agg")  # no display on CI or over ssh
        import matplotlib.pyplot as plt
    except Exception:
        return None
    return plt


def write_plots(rows: list[Row], rat: dict[str, dict[str, float | None]], outdir: Path
                ) -> list[Path]:
    plt = _pyplot()
    if plt is None:
        return []
    outdir.mkdir(parents=True, exist_ok=True)
    written = [_ratios(plt, rat, outdir / "ratios.png")]
    for wl, name in (("scalar_graph", "per_node.png"), ("chain", "chain_per_op.png"),
                     ("fan_in", "fan_in_per_op.png"), ("shape_chain", "shape_chain_per_op.png"),
                     ("broadcast_chain", "broadcast_chain_per_op.png"),
                     ("reductions", "reductions_per_op.png")):
        path = _per_unit(plt, rows, wl, outdir / name)
        if path:
            written.append(path)
    return [p for p in written if p]


def _ratios(plt: Any, rat: dict[str, dict[str, float | None]], path: Path) -> Path | None:
    wls = [w for w, d in rat.items() if any(v is not None for v in d.values())]
    if not wls:
        return None
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4.5))
    width = 0.27
    xs = range(len(wls))
    for i, (key, label) in enumerate((("ref_over_cpp_forward", "forward"),
                                      ("ref_over_cpp_backward", "backward"),
                                      ("ref_over_cpp_total", "total"))):
        ax1.bar([x + (i - 1) * width for x in xs], [rat[w][key] or 0 for w in wls], width,
                label=label)
    ax1.axhline(1.0, color="black", lw=0.8)
    ax1.set_yscale("log")
    ax1.set_title("C++ speedup over reference engine (higher is better)")
    for i, (key, label) in enumerate((("cpp_over_floor", "C++ / NumPy floor"),
                                      ("cpp_over_torch", "C++ / torch"))):
        ax2.bar([x + (i - 0.5) * width for x in xs], [rat[w][key] or 0 for w in wls], width,
                label=label)
    ax2.axhline(1.0, color="black", lw=0.8)
    ax2.axhline(1.5, color="grey", lw=0.8, ls="--")
    ax2.set_yscale("log")
    ax2.set_title("C++ time relative to floor / torch (lower is better)")
    for ax in (ax1, ax2):
        ax.set_xticks(list(xs))
        ax.set_xticklabels(wls, rotation=20)
        ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def _per_unit(plt: Any, rows: list[Row], workload: str, path: Path) -> Path | None:
    ok = [r for r in rows if r["workload"] == workload and r["status"] == "ok"]
    if not ok:
        return None
    fig, ax = plt.subplots(figsize=(8, 4))
    names = [LABELS.get(r["backend"], r["backend"]) for r in ok]
    xs = range(len(ok))
    ax.bar([x - 0.2 for x in xs], [r["forward"] for r in ok], 0.4, label="forward")
    ax.bar([x + 0.2 for x in xs], [r["backward"] for r in ok], 0.4, label="backward")
    ax.set_yscale("log")
    ax.set_ylabel(ok[0]["unit"])
    ax.set_title(f"{ok[0]['title']}: {ok[0]['unit']} (n={ok[0]['n']:,})")
    ax.set_xticks(list(xs))
    ax.set_xticklabels(names, rotation=20)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
