"""Wide fan-in: one length-16 leaf feeds N multiplies whose results are summed.

Stresses gradient accumulation into a single node (N incoming contributions). Counted ops
are the N muls and N-1 adds; the final `.sum()` is not counted.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from bench import floors, peers
from bench.workloads.base import Case, Spec, run_spec

WIDTH = 16

SPEC = Spec(
    name="fan_in", title="wide fan-in", unit="µs/op", scale=1e6,
    backends=("floor", "cpp", "python", "torch", "autograd"), size=10_000, quick_size=1_000,
    repeats=5, quick_repeats=7, graph_bound=True,
)


def _data(uses: int) -> tuple[np.ndarray, list[np.ndarray]]:
    rng = np.random.default_rng(1)
    x = rng.standard_normal(WIDTH).astype(np.float32)
    cs = list(rng.standard_normal((uses, WIDTH)).astype(np.float32))
    return x, cs


def _tensor_case(backend: str, uses: int) -> Case:
    lib = peers.tensor_lib(backend)
    x_np, cs_np = _data(uses)
    x = lib.tensor(x_np, requires_grad=True)
    cs = [lib.tensor(c) for c in cs_np]

    def forward() -> Any:
        acc = x * cs[0]
        for c in cs[1:]:
            acc = acc + x * c
        return acc.sum()

    def reset() -> None:
        x.grad = None

    return Case(forward, lambda out: out.backward(), 2 * uses - 1, reset)


def _autograd_case(uses: int) -> Case:
    anp = peers.autograd_numpy()
    x, cs = _data(uses)

    def f(x: Any) -> Any:
        acc = x * cs[0]
        for c in cs[1:]:
            acc = acc + x * c
        return anp.sum(acc)

    vjp_of = peers.autograd_vjp(f)
    return Case(lambda: vjp_of(x), lambda out: out[0](np.float32(1.0)), 2 * uses - 1)


def _floor_case(uses: int) -> Case:
    x, cs = _data(uses)
    return Case(lambda: floors.fanin_forward(x, cs),
                lambda _: floors.fanin_backward(x, cs), 2 * uses - 1)


def build(backend: str, n: int) -> Case:
    if backend == "floor":
        return _floor_case(n)
    if backend == "autograd":
        return _autograd_case(n)
    return _tensor_case(backend, n)


def run(backend: str, quick: bool, repeat: int | None = None) -> dict[str, Any]:
    return run_spec(SPEC, build, backend, quick, repeat)
