"""Scalar graph written the way a torch user writes it (issue 9).

Each block makes a fresh 0-d float64 leaf with ``torch.tensor(v, dtype=torch.float64,
requires_grad=True)`` and computes ``t = torch.relu(torch.tanh(x * w + b) ** 2)`` through the
module-level functions; the blocks' results are added up as a balanced tree. Nodes per block:
the leaf, 5 ops and one tree add (the tree has blocks - 1 adds).

The graph is wide, not deep, so every gradient stays of order 1: no subnormals are timed.
"""

from __future__ import annotations

import math
from typing import Any

from bench import backends
from bench.workloads.base import Case, Spec, run_spec

NODES_PER_BLOCK = 7  # leaf, mul, add, tanh, pow, relu, tree add
OPS_PER_BLOCK = NODES_PER_BLOCK
W, B = 0.7, 0.1

SPEC = Spec(
    name="torch_scalar", title="torch-style scalar graph", unit="µs/node", scale=1e6,
    backends=("floor", "cpp", "python", "torch"), size=70_000, quick_size=3_500, repeats=5,
    quick_repeats=5, graph_bound=True, memory_size=14_000,
)


def inputs(blocks: int) -> list[float]:
    """Deterministic inputs in [-1, 1): no tanh(.) is exactly 0, so no relu tie."""
    return [((k * 37) % 101) / 50.5 - 1.0 + 1e-3 for k in range(blocks)]


def tree_sum(xs: list[Any]) -> Any:
    while len(xs) > 1:
        nxt = [xs[i] + xs[i + 1] for i in range(0, len(xs) - 1, 2)]
        if len(xs) % 2:
            nxt.append(xs[-1])
        xs = nxt
    return xs[0]


def _tensor_case(backend: str, blocks: int) -> Case:
    torch = backends.torch() if backend == "torch" else backends.chaingrad()
    f64 = torch.float64
    w = torch.tensor(W, dtype=f64, requires_grad=True)
    b = torch.tensor(B, dtype=f64, requires_grad=True)
    xs_in = inputs(blocks)
    leaves: list[Any] = []

    def forward() -> Any:
        leaves.clear()
        outs = []
        for v in xs_in:
            x = torch.tensor(v, dtype=f64, requires_grad=True)
            leaves.append(x)
            h = x * w + b
            h = torch.tanh(h)
            h = h ** 2
            outs.append(torch.relu(h))
        return tree_sum(outs)

    def reset() -> None:
        for p in (w, b):
            p.grad = None

    def grads() -> list[Any]:
        return [w.grad.numpy(), b.grad.numpy()] + [x.grad.numpy() for x in leaves[:8]]

    return Case(forward, lambda out: out.backward(), blocks * NODES_PER_BLOCK - 1, reset,
                grads=grads)


def _floor_case(blocks: int) -> Case:
    xs_in = inputs(blocks)
    state: dict[str, Any] = {}

    def forward() -> Any:
        ths = []
        outs = []
        tanh = math.tanh
        for v in xs_in:
            th = tanh(v * W + B)
            ths.append(th)
            p = th * th
            outs.append(p if p > 0.0 else 0.0)
        return tree_sum(outs), ths

    def backward(tape: Any) -> None:
        _, ths = tape
        gw = gb = 0.0
        gx = []
        for v, th in zip(xs_in, ths):
            g = 1.0 if th * th > 0.0 else 0.0  # tree sum, relu
            g = g * 2.0 * th  # pow 2
            g = g * (1.0 - th * th)  # tanh
            gb += g
            gw += g * v
            gx.append(g * W)
        state["g"] = [gw, gb, *gx[:8]]

    return Case(forward, backward, blocks * NODES_PER_BLOCK - 1, grads=lambda: state["g"])


def build(backend: str, n: int) -> Case:
    blocks = max(1, n // NODES_PER_BLOCK)
    if backend == "floor":
        return _floor_case(blocks)
    return _tensor_case(backend, blocks)


def run(backend: str, quick: bool, repeat: int | None = None) -> dict[str, Any]:
    return run_spec(SPEC, build, backend, quick, repeat)
