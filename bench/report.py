"""Turning result rows into ratios, Markdown tables, the targets section, guards and JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bench.backends import LABELS

Row = dict[str, Any]
PHASES = ("forward", "backward", "total")
GRAPH_BOUND = ("scalar_graph", "chain", "fan_in")


def fmt(x: float | None, digits: int = 3) -> str:
    if x is None:
        return "—"
    if x == 0:
        return "0"
    if abs(x) >= 10 ** digits:
        return f"{x:,.0f}"
    return f"{x:.{digits}g}"


def fmt_ratio(x: float | None) -> str:
    return "—" if x is None else f"{fmt(x)}×"


def _ok(rows: list[Row], workload: str, backend: str) -> Row | None:
    for r in rows:
        if r["workload"] == workload and r["backend"] == backend and r["status"] == "ok":
            return r
    return None


def _div(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None or b <= 0 else a / b


def _get(r: Row | None, key: str) -> float | None:
    return None if r is None else r[key]


def ratios(rows: list[Row]) -> dict[str, dict[str, float | None]]:
    """Per workload, all from rows timed in this run.

    ref_over_cpp_*: reference-engine time / C++ time (a speedup, higher is better);
    cpp_over_floor, cpp_over_torch: C++ time / other time (lower is better).
    """
    out: dict[str, dict[str, float | None]] = {}
    for wl in dict.fromkeys(r["workload"] for r in rows):
        cpp, ref = _ok(rows, wl, "cpp"), _ok(rows, wl, "python")
        floor, torch = _ok(rows, wl, "floor"), _ok(rows, wl, "torch")
        d: dict[str, float | None] = {
            f"ref_over_cpp_{p}": _div(_get(ref, p), _get(cpp, p)) for p in PHASES
        }
        d["cpp_over_floor"] = _div(_get(cpp, "total"), _get(floor, "total"))
        d["cpp_over_torch"] = _div(_get(cpp, "total"), _get(torch, "total"))
        out[wl] = d
    return out


def markdown_table(rows: list[Row], rat: dict[str, dict[str, float | None]]) -> str:
    head = ["workload", "engine/peer", "forward", "backward", "total", "unit",
            "ref/C++ fwd", "ref/C++ bwd", "ref/C++ total", "C++/floor", "C++/torch"]
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    for r in rows:
        label = LABELS.get(r["backend"], r["backend"])
        if r["status"] != "ok":
            cells = [r["title"], label, _short(r["status"]), "—", "—", r["unit"]] + ["—"] * 5
        else:
            cells = [r["title"], label, fmt(r["forward"]), fmt(r["backward"]), fmt(r["total"]),
                     r["unit"]]
            d = rat.get(r["workload"], {}) if r["backend"] == "cpp" else {}
            cells += [fmt_ratio(d.get(f"ref_over_cpp_{p}")) for p in PHASES]
            cells += [fmt_ratio(d.get("cpp_over_floor")), fmt_ratio(d.get("cpp_over_torch"))]
            if r["backend"] != "cpp":
                cells[6:] = [""] * 5
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _short(status: str, width: int = 48) -> str:
    """Table cells stay readable; the full message is in the JSON."""
    status = status.replace("|", "/")
    return status if len(status) <= width else status[: width - 1] + "…"


def _kib(b: float | None) -> str:
    return "—" if b is None else fmt(b / 1024)


def memory_table(rows: list[Row]) -> str:
    head = ["workload", "engine/peer", "traced peak KiB", "traced graph KiB", "RSS graph KiB",
            "RSS growth KiB", "traced B/unit", "RSS B/unit", "unit"]
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    for r in rows:
        label = LABELS.get(r["backend"], r["backend"])
        if r["status"] != "ok":
            lines.append(f"| {r['of_title']} | {label} | {_short(r['status'])} |" + " — |" * 6)
            continue
        cells = [r["of_title"], label, _kib(r["traced_peak_bytes"]),
                 _kib(r["traced_graph_bytes"]), _kib(r["rss_graph_bytes"]),
                 _kib(r["rss_growth_bytes"]), fmt(r["traced_bytes_per"]),
                 fmt(r["rss_bytes_per"]), r["per"]]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def graph_bytes_per_node(mem: list[Row]) -> float | None:
    """C++ engine, scalar graph: the larger of the two views, since each misses something."""
    for r in mem:
        if r["of"] == "scalar_graph" and r["backend"] == "cpp" and r["status"] == "ok":
            vals = [v for v in (r["traced_bytes_per"], r["rss_bytes_per"]) if v is not None]
            return max(vals) if vals else None
    return None


def targets(rows: list[Row], mem: list[Row], rat: dict[str, dict[str, float | None]]
            ) -> list[dict[str, Any]]:
    def get(wl: str, key: str) -> float | None:
        r = _ok(rows, wl, "cpp")
        return None if r is None else r[key]

    def rq(wl: str, key: str) -> float | None:
        return rat.get(wl, {}).get(key)

    # (workload it needs, name, measured value, comparison, goal, unit)
    spec: list[tuple[str, str, float | None, str, float, str]] = [
        ("scalar_graph", "scalar graph fwd+bwd", get("scalar_graph", "total"), "<=", 1.5,
         " µs/node"),
        ("scalar_graph", "scalar graph backward", get("scalar_graph", "backward"), "<=", 0.2,
         " µs/node"),
        ("chain", "chain vs NumPy floor", rq("chain", "cpp_over_floor"), "<=", 1.5, "×"),
        ("fan_in", "fan-in vs NumPy floor", rq("fan_in", "cpp_over_floor"), "<=", 1.5, "×"),
    ]
    for wl, title in zip(GRAPH_BOUND, ("scalar graph", "chain", "fan-in")):
        spec.append((wl, f"{title} backward speedup vs reference",
                     rq(wl, "ref_over_cpp_backward"), ">=", 10.0, "×"))
        spec.append((wl, f"{title} fwd+bwd speedup vs reference",
                     rq(wl, "ref_over_cpp_total"), ">=", 3.0, "×"))
    spec += [
        ("small_mlp", "small MLP step vs NumPy floor", rq("small_mlp", "cpp_over_floor"), "<=",
         1.5, "×"),
        ("large_mlp", "large MLP step vs NumPy floor", rq("large_mlp", "cpp_over_floor"), "<=",
         1.10, "×"),
        ("memory", "graph memory per scalar node", graph_bytes_per_node(mem), "<=", 300.0, " B"),
        ("torch_scalar", "torch-style scalar graph fwd+bwd", get("torch_scalar", "total"), "<=",
         1.0, " µs/node"),
        ("torch_scalar", "torch-style scalar graph backward", get("torch_scalar", "backward"),
         "<=", 0.25, " µs/node"),
        ("torch_mlp", "torch-style MLP step vs NumPy floor", rq("torch_mlp", "cpp_over_floor"),
         "<=", 1.5, "×"),
    ]
    out = []
    for wl, name, value, op, goal, unit in spec:
        met = None if value is None else (value <= goal if op == "<=" else value >= goal)
        out.append({"workload": wl, "target": name, "value": value, "op": op, "goal": goal,
                    "unit": unit, "met": met})
    return out


def targets_text(tg: list[dict[str, Any]], quick: bool) -> str:
    lines = ["## targets", ""]
    if quick:
        lines += ["(--quick sizes: indicative only; targets are judged on a full run)", ""]
    for t in tg:
        state = {True: "met", False: "MISSED", None: "not measured"}[t["met"]]
        fig = "—" if t["value"] is None else f"{fmt(t['value'])}{t['unit']}"
        goal = f"{t['op'].replace('<=', '≤').replace('>=', '≥')} {fmt(t['goal'])}{t['unit']}"
        lines.append(f"- {state:12} {t['target']}: {fig} (goal {goal})")
    return "\n".join(lines)


# --quick regression guard: only gross failures, never absolute times. Each floor is well
# below what a healthy build measures at quick sizes (scalar graph and chain ~30x, shape chain
# ~8x, reductions ~5x, broadcasting chain ~2.5x: its backward is mostly the same NumPy calls
# in both engines), so load on a shared machine cannot trip it; a backward slower than the
# pure-Python engine's can only be a regression.
GUARDS = (("scalar_graph", "ref_over_cpp_backward", 1.0),
          ("chain", "ref_over_cpp_backward", 1.0),
          ("shape_chain", "ref_over_cpp_backward", 1.0),
          ("broadcast_chain", "ref_over_cpp_backward", 1.0),
          ("reductions", "ref_over_cpp_backward", 1.0))


def guards(rat: dict[str, dict[str, float | None]], selected: list[str]) -> list[dict[str, Any]]:
    out = []
    for wl, key, floor in GUARDS:
        if wl not in selected:
            continue
        v = rat.get(wl, {}).get(key)
        state = "not evaluated" if v is None else ("ok" if v >= floor else "FAILED")
        out.append({"guard": f"{wl}: reference/C++ backward time ≥ {floor}", "value": v,
                    "state": state})
    return out


def guards_text(gs: list[dict[str, Any]]) -> str:
    lines = ["## regression guard (--quick)", ""]
    for g in gs:
        extra = "" if g["value"] is None else f" (measured {fmt(g['value'])}×)"
        if g["state"] == "not evaluated":
            extra = " (C++ or reference row missing: see the table)"
        lines.append(f"- guard {g['state']}: {g['guard']}{extra}")
    return "\n".join(lines)


def write_json(path: Path, payload: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, indent=1, ensure_ascii=False, default=str) + "\n")
