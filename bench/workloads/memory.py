"""Memory: traced peak of one forward+backward, and graph bytes per node/op.

Two views per (workload, backend), from separate passes:
- tracemalloc: Python-allocator bytes (Python objects and NumPy buffers), peak over the
  step, and what the graph retains after forward;
- RSS growth (/proc/self/statm): everything, including the C++ engine's `new`, at page
  granularity; a lower bound when freed memory is reused.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

from bench import backends
from bench.timing import measure_memory, run_once
from bench.workloads.base import Spec, Unavailable, row

SPEC = Spec(
    name="memory", title="memory", unit="bytes", scale=1.0, backends=backends.ALL,
    size=0, quick_size=0, repeats=1, quick_repeats=1,
)


def run(workload: ModuleType, backend: str, quick: bool) -> dict[str, Any]:
    spec: Spec = workload.SPEC
    base = {"of": spec.name, "of_title": spec.title}
    why = backends.unavailable(backend)
    if why:
        return row(SPEC, backend, why, **base)
    n = spec.quick_size if quick else (spec.memory_size or spec.size)
    try:
        with backends.context(backend):
            case = workload.build(backend, n)
            run_once(case)  # first-call caches are not graph memory
            mem = measure_memory(case)
    except Unavailable as e:
        return row(SPEC, backend, str(e), **base)
    except Exception as e:
        return row(SPEC, backend, f"error: {type(e).__name__}: {e}"[:200], **base)
    per = spec.unit.split("/")[-1]  # node, op or step
    rss = mem["rss_graph_bytes"]
    return row(SPEC, backend, "ok", **base, n=n, count=case.count, per=per, **mem,
               traced_bytes_per=mem["traced_graph_bytes"] / case.count,
               rss_bytes_per=None if rss is None else rss / case.count)
