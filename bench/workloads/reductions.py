"""Many small reductions feeding one sum: per-op overhead of the reduction nodes.

One (4, 8) float32 leaf x; each block reduces it over dim 1 six ways and adds the results
into a running (4,) sum that starts as a constant zero, 12 ops per block:

    acc = acc + x.max(dim=1)[0]; acc = acc + x.norm(p=2, dim=1); acc = acc + x.norm(p=3, dim=1)
    acc = acc + x.prod(dim=1); acc = acc + x.logsumexp(dim=1); acc = acc + x.var(dim=1)

then `acc.sum()` (not counted). |x| is in [0.5, 1.5] with mixed signs: no zeros for prod, no
ties for max, and products that neither overflow nor underflow.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from bench import peers
from bench.workloads.base import Case, Spec, blocked

OPS_PER_BLOCK = 12
SHAPE = (4, 8)

SPEC = Spec(
    name="reductions", title="small reductions", unit="µs/op", scale=1e6,
    backends=("floor", "cpp", "python", "torch"), size=6_000, quick_size=1_200,
    repeats=5, quick_repeats=7, graph_bound=True,
)


def _data() -> np.ndarray:
    rng = np.random.default_rng(5)
    mag = rng.uniform(0.5, 1.5, SHAPE)
    return (mag * rng.choice([-1.0, 1.0], SHAPE)).astype(np.float32)


def _tensor_case(backend: str, blocks: int) -> Case:
    lib = peers.tensor_lib(backend)
    x = lib.tensor(_data(), requires_grad=True)

    zero = lib.tensor(np.zeros(SHAPE[0], np.float32))

    def forward() -> Any:
        acc = zero
        for _ in range(blocks):
            acc = acc + x.max(dim=1)[0]
            acc = acc + x.norm(p=2, dim=1)
            acc = acc + x.norm(p=3, dim=1)
            acc = acc + x.prod(dim=1)
            acc = acc + x.logsumexp(dim=1)
            acc = acc + x.var(dim=1)
        return acc.sum()

    def reset() -> None:
        x.grad = None

    return Case(forward, lambda out: out.backward(), blocks * OPS_PER_BLOCK, reset,
                grads=lambda: [lib.numpy(x.grad)])


# The floor: each reduction's forward in NumPy, taping what its derivative needs, and the
# derivatives written out by hand; the adds pass the gradient (ones) through unchanged.

def _floor_forward(x: np.ndarray, blocks: int) -> tuple[float, list[Any]]:
    tape = []
    acc = np.zeros(SHAPE[0], np.float32)
    for _ in range(blocks):
        idx = x.argmax(axis=1)
        mx = np.take_along_axis(x, idx[:, None], axis=1)[:, 0]
        n2 = np.sqrt((x * x).sum(axis=1))
        n3 = (np.abs(x) ** 3).sum(axis=1) ** (1.0 / 3.0)
        pr = x.prod(axis=1)
        m = x.max(axis=1, keepdims=True)
        lse = (m + np.log(np.exp(x - m).sum(axis=1, keepdims=True)))[:, 0]
        var = x.var(axis=1, ddof=1)
        tape.append((idx, n2, n3, pr, lse))
        acc = acc + mx + n2 + n3 + pr + lse + var
    return float(acc.sum()), tape


def _floor_backward(tape: tuple[float, list[Any]], x: np.ndarray) -> np.ndarray:
    _, steps = tape
    gx = np.zeros_like(x)
    rows = np.arange(SHAPE[0])
    for idx, n2, n3, pr, lse in reversed(steps):
        np.add.at(gx, (rows, idx), 1.0)  # max(dim): the gradient goes to the argmax
        gx += x / n2[:, None]  # 2-norm
        gx += x * np.abs(x) / (n3 * n3)[:, None]  # 3-norm: sign(x) |x|^2 / n3^2
        gx += pr[:, None] / x  # prod, no zeros
        gx += np.exp(x - lse[:, None])  # logsumexp: softmax
        gx += (x - x.mean(axis=1, keepdims=True)) * (2.0 / (SHAPE[1] - 1))  # var, ddof 1
    return gx


def _floor_case(blocks: int) -> Case:
    x = _data()
    state: dict[str, list[np.ndarray]] = {"g": []}

    def backward(tape: tuple[float, list[Any]]) -> None:
        state["g"] = [_floor_backward(tape, x)]

    return Case(lambda: _floor_forward(x, blocks), backward, blocks * OPS_PER_BLOCK,
                grads=lambda: state["g"])


build, run = blocked(SPEC, OPS_PER_BLOCK, _tensor_case, _floor_case)
