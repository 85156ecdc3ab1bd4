"""What a workload hands to the timer, and the one generic way to run it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from bench import backends
from bench.timing import time_case


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
    graph_bound: bool = False
    skip_in_quick: bool = False


def row(spec: Spec, backend: str, status: str, **extra: Any) -> dict[str, Any]:
    return {"workload": spec.name, "title": spec.title, "backend": backend,
            "unit": spec.unit, "status": status, **extra}


def run_spec(spec: Spec, build: Callable[[str, int], Case], backend: str, quick: bool,
             repeat: int | None = None) -> dict[str, Any]:
    """Build, warm up and time `build(backend, n)`; never raises for a broken backend."""
    why = backends.unavailable(backend)
    if why:
        return row(spec, backend, why)
    n = spec.quick_size if quick else spec.size
    repeats = repeat or (spec.quick_repeats if quick else spec.repeats)
    try:
        with backends.context(backend):
            case = build(backend, n)
            t = time_case(case, repeats=repeats, warmup=spec.warmup)
    except Unavailable as e:
        return row(spec, backend, str(e))
    except Exception as e:  # a broken engine must not hide the other rows
        return row(spec, backend, f"error: {type(e).__name__}: {e}"[:200])
    per = spec.scale / case.count
    return row(spec, backend, "ok", n=n, count=case.count, repeats=repeats,
               forward=t.forward * per, backward=t.backward * per, total=t.total * per,
               raw_seconds=t.as_dict())
