"""What a workload hands to the timer, and the one generic way to run it."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Callable

from bench import backends
from bench.isolation import Worker, WorkerFailed
from bench.timing import run_once, summarize


class Unavailable(Exception):
    """The workload cannot run on this backend; the message is shown in the table."""


def _noop() -> None:
    return None


@dataclass
class Case:
    """One prepared workload on one backend.

    Setup (parameter creation, data) happens when the Case is built, so it is never timed.
    """

    forward: Callable[[], Any]
    backward: Callable[[Any], None]
    count: int  # the time is divided by this: nodes, ops or steps
    reset: Callable[[], None] = _noop  # untimed: clears leaf grads between repeats
    update: Callable[[], None] | None = None  # timed into `total` only (optimizer step)
    # Untimed: the leaves' gradients after a backward, in a fixed order, so tests can check
    # one backend's arithmetic against another's (torch is the oracle).
    grads: Callable[[], list[Any]] | None = None


@dataclass(frozen=True)
class Spec:
    name: str
    title: str
    unit: str  # e.g. "µs/node"
    scale: float  # seconds -> unit, before dividing by Case.count
    backends: tuple[str, ...]
    size: int
    quick_size: int
    repeats: int
    quick_repeats: int
    warmup: int = 1
    # Consecutive steps per timed repeat (the time is their mean): a training loop runs its
    # steps back to back with warm caches, while a lone step after the untimed gc.collect()
    # starts cold and measured 2-4x slower than in a loop (torch-style MLP, 60 µs steps).
    steps: int = 1
    graph_bound: bool = False
    # Full-run size for the memory pass, when smaller than `size`: bytes per node do not
    # depend on N, but tracemalloc slows deep graphs down superlinearly (micrograd: minutes).
    memory_size: int | None = None


def row(spec: Spec, backend: str, status: str, **extra: Any) -> dict[str, Any]:
    return {"workload": spec.name, "title": spec.title, "backend": backend,
            "unit": spec.unit, "status": status, **extra}


def _status(e: BaseException) -> str:
    if isinstance(e, (Unavailable, WorkerFailed)):
        return str(e)
    return f"error: {type(e).__name__}: {e}"[:200]


class _InProcess:
    """A Case timed in this process: the same interface as isolation.Worker."""

    def __init__(self, spec: Spec, build: Callable[[str, int], Case], backend: str,
                 n: int) -> None:
        self._backend = backend
        with backends.context(backend):
            self._case = build(backend, n)
            for _ in range(spec.warmup):
                run_once(self._case, spec.steps)
        self._steps = spec.steps
        self.count = self._case.count

    def run(self) -> tuple[float, float, float]:
        with backends.context(self._backend):
            return run_once(self._case, self._steps)

    def close(self) -> None:
        pass


def run_interleaved(spec: Spec, build: Callable[[str, int], Case], names: list[str],
                    quick: bool, repeat: int | None = None,
                    note: Callable[[str], None] | None = None,
                    isolate: str | None = None, threads: int = 1) -> list[dict[str, Any]]:
    """Time `build(b, n)` for every backend b, interleaving their repeats.

    Repeat r runs every backend once (in reverse order on odd r) before repeat r+1 starts,
    so load from other work on a shared machine drifts into all rows alike and the ratios
    stay side by side. A broken backend becomes an error row; it never stops the others.
    With `isolate` (the workload's module name) each backend runs in a process of its own
    (bench/isolation.py says why), pinned to `threads` threads; otherwise in this process.
    """
    n = spec.quick_size if quick else spec.size
    repeats = max(1, repeat or (spec.quick_repeats if quick else spec.repeats))
    rows: dict[str, dict[str, Any]] = {}
    cases: dict[str, _InProcess | Worker] = {}
    samples: dict[str, list[tuple[float, float, float]]] = {}
    spent = dict.fromkeys(names, 0.0)

    for b in names:
        why = backends.unavailable(b)
        if why:
            rows[b] = row(spec, b, why)
            continue
        if note:
            note(f"{spec.name} · {b}: setup and warm-up")
        t0 = time.perf_counter()
        try:
            if isolate:
                cases[b] = Worker(isolate, b, n, spec.warmup, spec.steps, threads)
            else:
                cases[b] = _InProcess(spec, build, b, n)
            samples[b] = []
        except Exception as e:  # a broken engine must not hide the other rows
            rows[b] = row(spec, b, _status(e))
        spent[b] += time.perf_counter() - t0

    for r in range(repeats):
        live = list(cases) if r % 2 == 0 else list(cases)[::-1]
        for b in live:
            if note:
                note(f"{spec.name} · repeat {r + 1}/{repeats} · {b}")
            t0 = time.perf_counter()
            try:
                samples[b].append(cases[b].run())
            except Exception as e:
                rows[b] = row(spec, b, _status(e))
                cases.pop(b).close()
            spent[b] += time.perf_counter() - t0

    for b, case in cases.items():
        case.close()
        t = summarize(samples[b])
        per = spec.scale / case.count
        rows[b] = row(spec, b, "ok", n=n, count=case.count, repeats=repeats,
                      forward=t.forward * per, backward=t.backward * per, total=t.total * per,
                      raw_seconds=t.as_dict())
    return [dict(rows[b], seconds_spent=spent[b]) for b in names]


def run_spec(spec: Spec, build: Callable[[str, int], Case], backend: str, quick: bool,
             repeat: int | None = None) -> dict[str, Any]:
    """One backend alone; never raises for a broken backend."""
    return run_interleaved(spec, build, [backend], quick, repeat)[0]


def blocked(spec: Spec, ops_per_block: int, tensor_case: Callable[[str, int], Case],
            floor_case: Callable[[int], Case]) -> tuple[Callable[..., Case],
                                                         Callable[..., dict[str, Any]]]:
    """``build`` and ``run`` of a workload made of repeated blocks of ``ops_per_block`` ops:
    ``n`` ops become ``n // ops_per_block`` blocks (at least one)."""

    def build(backend: str, n: int) -> Case:
        blocks = max(1, n // ops_per_block)
        if backend == "floor":
            return floor_case(blocks)
        return tensor_case(backend, blocks)

    def run(backend: str, quick: bool, repeat: int | None = None) -> dict[str, Any]:
        return run_spec(spec, build, backend, quick, repeat)

    return build, run
