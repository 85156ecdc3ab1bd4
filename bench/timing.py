"""Median wall-clock timing of a Case, plus the two memory views (tracemalloc and RSS)."""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import os
import statistics
import time
import tracemalloc
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bench.workloads.base import Case

# Like timeit, the collector is paused while timing: a collection landing inside one repeat
# would dominate the spread of a 5-repeat median. `--gc` turns this off.
PAUSE_GC = True


@dataclass
class Timing:
    """Medians in seconds over `repeats`; the samples are kept for the JSON."""

    forward: float
    backward: float
    total: float
    samples: dict[str, list[float]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"forward": self.forward, "backward": self.backward, "total": self.total,
                "samples": self.samples}


def run_once(case: Case, steps: int = 1) -> tuple[float, float, float]:
    """One timed repeat: `steps` consecutive steps, warm as in a training loop; per-step means.

    The collector runs before the repeat, never inside it.
    """
    fw = bw = tot = 0.0
    gc.collect()
    if PAUSE_GC:
        gc.disable()
    try:
        for _ in range(steps):
            case.reset()
            t0 = time.perf_counter()
            out = case.forward()
            t1 = time.perf_counter()
            case.backward(out)
            t2 = time.perf_counter()
            if case.update is not None:
                case.update()
            t3 = time.perf_counter()
            # Freeing the graph is the engine's cost too, but it is not what fwd/bwd measure.
            del out
            fw, bw, tot = fw + (t1 - t0), bw + (t2 - t1), tot + (t3 - t0)
    finally:
        gc.enable()
    return fw / steps, bw / steps, tot / steps


def freeze_startup_objects() -> None:
    """Move everything imported so far out of the collector's sight.

    Each repeat starts with gc.collect(); with torch imported a full collection walks
    ~10^6 objects (~0.1 s), which would dwarf a 1 ms workload's run time.
    """
    gc.collect()
    gc.freeze()


def summarize(samples: list[tuple[float, float, float]]) -> Timing:
    fw = [f for f, _, _ in samples]
    bw = [b for _, b, _ in samples]
    tot = [t for _, _, t in samples]
    # The median total is taken over per-repeat totals, so it need not equal fwd + bwd.
    return Timing(statistics.median(fw), statistics.median(bw), statistics.median(tot),
                  {"forward": fw, "backward": bw, "total": tot})


def time_case(case: Case, repeats: int, warmup: int = 1, steps: int = 1) -> Timing:
    for _ in range(warmup):
        run_once(case, steps)
    return summarize([run_once(case, steps) for _ in range(max(1, repeats))])


_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def _libc() -> Any:
    name = ctypes.util.find_library("c")
    try:
        return ctypes.CDLL(name) if name else None
    except OSError:
        return None


_LIBC = _libc()


def rss_bytes() -> int | None:
    """Current resident set size; None where /proc is missing (ru_maxrss is only a peak)."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * _PAGE
    except (OSError, ValueError, IndexError):
        return None


def _settle() -> None:
    gc.collect()
    # Give freed heap back to the OS so that later growth shows up in RSS instead of being
    # served silently from free lists left by the warm-up.
    if _LIBC is not None and hasattr(_LIBC, "malloc_trim"):
        _LIBC.malloc_trim(0)


def measure_memory(case: Case) -> dict[str, Any]:
    """One forward+backward under tracemalloc, then one without it for RSS.

    tracemalloc only sees allocations made through Python's allocator (numpy data buffers
    included); C++ `new` in the engine is invisible to it, hence the second, RSS-based pass.
    The passes are separate because tracemalloc's own bookkeeping inflates RSS.
    """
    case.reset()
    _settle()
    # Paused as when timing: with 10^5 live nodes the collector's full passes would take
    # minutes under tracemalloc, and a graph holds no cyclic garbage to free anyway.
    gc.disable()
    try:
        tracemalloc.start()
        try:
            base = tracemalloc.get_traced_memory()[0]
            tracemalloc.reset_peak()
            out = case.forward()
            after_fwd = tracemalloc.get_traced_memory()[0]
            case.backward(out)
            if case.update is not None:
                case.update()
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        del out

        case.reset()
        _settle()
        r0 = rss_bytes()
        out = case.forward()
        r1 = rss_bytes()
        case.backward(out)
        if case.update is not None:
            case.update()
        r2 = rss_bytes()
        del out
    finally:
        gc.enable()
    rss_fwd = None if r0 is None or r1 is None else r1 - r0
    rss_total = None if r0 is None or r2 is None else max(r1 or 0, r2) - r0
    return {
        "traced_peak_bytes": peak - base,
        "traced_graph_bytes": after_fwd - base,
        "rss_graph_bytes": rss_fwd,
        "rss_growth_bytes": rss_total,
    }
