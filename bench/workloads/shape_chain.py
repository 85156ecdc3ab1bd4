"""Shape-op chain: per-op overhead of view/reshape/permute/expand/slicing nodes.

On a (4, 8) float32 tensor, blocks of 11 ops, one of them elementwise so the graph is a chain:

    u = x * w; u = u.view(4, 1, 8); u = u.expand(4, 2, 8); u = u.reshape(4, 16)  (a copy)
    u = u[:, 4:12]; u = u.unsqueeze(0); u = u.permute(0, 2, 1); u = u[0]
    u = u.transpose(0, 1); u = u.unsqueeze(2); x = u.squeeze(2)

Each block maps x to a rotation of its rows (the slice takes the middle of a row written out
twice), a bijection: with w = 1 no gradient grows with the expand or dies at the slice, and
the values never change. The loss is (x * r).sum() for a fixed random r (not counted), so the
gradients are permutations of r: a kernel that moves g to the wrong place shows.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from bench import peers
from bench.workloads.base import Case, Spec, blocked

OPS_PER_BLOCK = 11
SHAPE = (4, 8)

SPEC = Spec(
    name="shape_chain", title="shape-op chain", unit="µs/op", scale=1e6,
    backends=("floor", "cpp", "python", "torch"), size=5_000, quick_size=1_100,
    repeats=5, quick_repeats=7, graph_bound=True,
)


def _data() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """x0, w and the loss weight r."""
    rng = np.random.default_rng(3)
    x0, r = rng.uniform(-1.0, 1.0, (2, *SHAPE)).astype(np.float32)
    return x0, np.ones(SHAPE, np.float32), r


def _block(x: Any, w: Any) -> Any:
    """One block on chaingrad or torch tensors (the same code, hence the same graph)."""
    u = x * w
    u = u.view(4, 1, 8)
    u = u.expand(4, 2, 8)
    u = u.reshape(4, 16)
    u = u[:, 4:12]
    u = u.unsqueeze(0)
    u = u.permute(0, 2, 1)
    u = u[0]
    u = u.transpose(0, 1)
    u = u.unsqueeze(2)
    return u.squeeze(2)


def _tensor_case(backend: str, blocks: int) -> Case:
    lib = peers.tensor_lib(backend)
    x0_np, w_np, r_np = _data()
    x0, w = lib.tensor(x0_np, requires_grad=True), lib.tensor(w_np, requires_grad=True)
    r = lib.tensor(r_np)

    def forward() -> Any:
        x = x0
        for _ in range(blocks):
            x = _block(x, w)
        return (x * r).sum()

    def reset() -> None:
        for p in (x0, w):
            p.grad = None

    return Case(forward, lambda out: out.backward(), blocks * OPS_PER_BLOCK, reset,
                grads=lambda: [lib.numpy(p.grad) for p in (x0, w)])


# The floor: the same NumPy calls forward (views where the op is a view), and backward one
# NumPy call per op on g, in reverse. Only the block inputs are taped: nothing else is needed.

def _floor_forward(x0: np.ndarray, w: np.ndarray, r: np.ndarray, blocks: int
                   ) -> tuple[float, list[np.ndarray]]:
    xs = []
    x = x0
    for _ in range(blocks):
        xs.append(x)
        u = x * w
        u = u.reshape(4, 1, 8)
        u = np.broadcast_to(u, (4, 2, 8))
        u = u.reshape(4, 16)
        u = u[:, 4:12]
        u = u[None]
        u = u.transpose(0, 2, 1)
        u = u[0]
        u = u.T
        u = u[:, :, None]
        x = u[:, :, 0]
    return float((x * r).sum()), xs


def _floor_backward(tape: tuple[float, list[np.ndarray]], w: np.ndarray, r: np.ndarray
                    ) -> list[np.ndarray]:
    _, xs = tape
    g = r
    gw = np.zeros(SHAPE, np.float32)
    for x in reversed(xs):
        g = g.reshape(4, 8, 1)  # squeeze(2)
        g = g.reshape(4, 8)  # unsqueeze(2)
        g = g.T  # transpose(0, 1)
        z = np.zeros((1, 8, 4), np.float32)  # [0]
        z[0] = g
        g = z.transpose(0, 2, 1)  # permute(0, 2, 1)
        g = g.reshape(4, 8)  # unsqueeze(0)
        z = np.zeros((4, 16), np.float32)  # [:, 4:12]
        z[:, 4:12] = g
        g = z.reshape(4, 2, 8)  # reshape(4, 16)
        g = g.sum(axis=1, keepdims=True)  # expand(4, 2, 8)
        g = g.reshape(SHAPE)  # view(4, 1, 8)
        gw += g * x  # x * w
        g = g * w
    return [g, gw]


def _floor_case(blocks: int) -> Case:
    x0, w, r = _data()
    state: dict[str, list[np.ndarray]] = {"g": []}

    def backward(tape: tuple[float, list[np.ndarray]]) -> None:
        state["g"] = _floor_backward(tape, w, r)

    return Case(lambda: _floor_forward(x0, w, r, blocks), backward, blocks * OPS_PER_BLOCK,
                grads=lambda: state["g"])


build, run = blocked(SPEC, OPS_PER_BLOCK, _tensor_case, _floor_case)
