"""Scalar graph: per-node overhead of graph building and the reverse pass on 0-d tensors.

Each block is 6 ops: t <- relu(tanh(t*w + b) ** 2); acc <- acc + t.
Every t also feeds the running sum, so each node's gradient is >= 1: a plain deep chain
would let gradients underflow into subnormals, whose slow arithmetic would be timed instead
of the engine.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from bench import backends, floors, peers
from bench.workloads.base import Case, Spec, run_spec

OPS_PER_BLOCK = 6
A, W, B = 0.5, 0.5, 0.3

SPEC = Spec(
    name="scalar_graph", title="scalar graph", unit="µs/node", scale=1e6,
    backends=backends.ALL, size=100_000, quick_size=5_000, repeats=5, quick_repeats=5,
    graph_bound=True, memory_size=20_000,
)


def _tensor_case(backend: str, blocks: int) -> Case:
    lib = peers.tensor_lib(backend)
    a, w, b = (lib.tensor(np.array(v, dtype=np.float32), requires_grad=True) for v in (A, W, B))

    def forward() -> Any:
        t = acc = a
        for _ in range(blocks):
            u = t * w
            u = u + b
            u = u.tanh()
            u = u ** 2
            t = u.relu()
            acc = acc + t
        return acc

    def reset() -> None:
        for p in (a, w, b):
            p.grad = None

    return Case(forward, lambda out: out.backward(), blocks * OPS_PER_BLOCK, reset)


def _micrograd_case(blocks: int) -> Case:
    Value = peers.micrograd_value()
    tanh = peers.micrograd_tanh
    a, w, b = Value(A), Value(W), Value(B)

    def forward() -> Any:
        t = acc = a
        for _ in range(blocks):
            t = tanh(t * w + b) ** 2
            t = t.relu()
            acc = acc + t
        return acc

    def reset() -> None:
        for p in (a, w, b):
            p.grad = 0.0

    return Case(forward, lambda out: out.backward(), blocks * OPS_PER_BLOCK, reset)


def _autograd_case(blocks: int) -> Case:
    anp = peers.autograd_numpy()

    def f(params: Any) -> Any:
        a, w, b = params
        t = acc = a
        for _ in range(blocks):
            t = anp.maximum(anp.tanh(t * w + b) ** 2, 0.0)
            acc = acc + t
        return acc

    vjp_of = peers.autograd_vjp(f)
    return Case(lambda: vjp_of((A, W, B)), lambda out: out[0](1.0), blocks * OPS_PER_BLOCK)


def _floor_case(blocks: int) -> Case:
    return Case(lambda: floors.scalar_forward(A, W, B, blocks),
                lambda tape: floors.scalar_backward(tape, W), blocks * OPS_PER_BLOCK)


def build(backend: str, n: int) -> Case:
    blocks = max(1, n // OPS_PER_BLOCK)
    if backend == "floor":
        return _floor_case(blocks)
    if backend == "micrograd":
        return _micrograd_case(blocks)
    if backend == "autograd":
        return _autograd_case(blocks)
    return _tensor_case(backend, blocks)


def run(backend: str, quick: bool, repeat: int | None = None) -> dict[str, Any]:
    return run_spec(SPEC, build, backend, quick, repeat)
