"""Broadcasting chain: per-op overhead of elementwise ops whose operands broadcast.

An (8, 8) float32 tensor runs through blocks of 6 ops, each with an (8, 1) or (1, 8) leaf
(so every backward also sums a gradient back to the leaf's shape):

    u = maximum(x, a); u = where(mask, u, b); u = u.clamp(min=lo, max=hi); u = u ** p
    u = u * s; x = u + c

Values are chosen so the chain is a fixed point with no ties: a < x < hi and lo < x, p = 1,
s = 1 and c = 0. A tie in maximum would halve the gradient each block and a factor other than
1 would grow or shrink it geometrically into inf or slow subnormals; here the gradient along
x stays r or 0 (where `mask` picks b), while every op still does its full work. The
loss is (x * r).sum() for a fixed random r (not counted), so a gradient summed over the wrong
axis or masked in the wrong place shows.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from bench import peers
from bench.workloads.base import Case, Spec, blocked

OPS_PER_BLOCK = 6
N = 8
Arrays = list[np.ndarray]

SPEC = Spec(
    name="broadcast_chain", title="broadcasting chain", unit="µs/op", scale=1e6,
    backends=("floor", "cpp", "python", "torch"), size=6_000, quick_size=1_200,
    repeats=5, quick_repeats=7, graph_bound=True,
)


def _data() -> tuple[np.ndarray, np.ndarray, Arrays]:
    """mask, the loss weight r, then the leaves x0, a, b, lo, hi, p, s, c."""
    rng = np.random.default_rng(4)
    col, row = (N, 1), (1, N)
    mask = rng.random((N, N)) < 0.75
    r = rng.uniform(-1.0, 1.0, (N, N)).astype(np.float32)
    x0 = rng.uniform(0.5, 2.0, (N, N))
    a = rng.uniform(-1.0, -0.5, col)
    b = rng.uniform(0.5, 2.0, row)
    lo = rng.uniform(0.05, 0.25, col)
    hi = rng.uniform(3.0, 4.0, row)
    leaves = [x0, a, b, lo, hi, np.ones(row), np.ones(col), np.zeros(row)]
    return mask, r, [v.astype(np.float32) for v in leaves]


def _tensor_case(backend: str, blocks: int) -> Case:
    lib = peers.tensor_lib(backend)
    mask_np, r_np, leaves_np = _data()
    mask = lib.mod.tensor(mask_np)  # bool: TensorLib.tensor would make it float32
    r = lib.tensor(r_np)
    leaves = [lib.tensor(v, requires_grad=True) for v in leaves_np]
    x0, a, b, lo, hi, p, s, c = leaves
    maximum, where = lib.mod.maximum, lib.mod.where

    def forward() -> Any:
        x = x0
        for _ in range(blocks):
            u = maximum(x, a)
            u = where(mask, u, b)
            u = u.clamp(min=lo, max=hi)
            u = u ** p
            u = u * s
            x = u + c
        return (x * r).sum()

    def reset() -> None:
        for t in leaves:
            t.grad = None

    return Case(forward, lambda out: out.backward(), blocks * OPS_PER_BLOCK, reset,
                grads=lambda: [lib.numpy(t.grad) for t in leaves])


# The floor: the same NumPy forward, and the derivative of each op written out by hand,
# with the sum back to a broadcast leaf's shape that every engine must also do.

def _floor_forward(mask: np.ndarray, r: np.ndarray, leaves: Arrays, blocks: int
                   ) -> tuple[float, list[Arrays]]:
    x, a, b, lo, hi, p, s, c = leaves
    tape = []
    for _ in range(blocks):
        m = np.maximum(x, a)
        w = np.where(mask, m, b)
        k = np.clip(w, lo, hi)  # np.clip with array bounds: torch.clamp's order (min, max)
        y = k ** p
        z = y * s
        tape.append([x, w, k, y])
        x = z + c
    return float((x * r).sum()), tape


def _floor_backward(tape: tuple[float, list[Arrays]], mask: np.ndarray, r: np.ndarray,
                    leaves: Arrays) -> Arrays:
    _, steps = tape
    _, a, _, lo, hi, p, s, _ = leaves
    g = r
    gs = [np.zeros_like(v) for v in leaves]
    for x, w, k, y in reversed(steps):
        gs[7] += g.sum(axis=0, keepdims=True)  # + c
        gs[6] += (g * y).sum(axis=1, keepdims=True)  # * s
        g = g * s
        gs[5] += (g * y * np.log(k)).sum(axis=0, keepdims=True)  # ** p
        g = g * p * k ** (p - 1)
        gs[3] += np.where(w < lo, g, 0).sum(axis=1, keepdims=True)  # clamp(lo, hi)
        gs[4] += np.where(w > hi, g, 0).sum(axis=0, keepdims=True)
        g = np.where((w >= lo) & (w <= hi), g, 0)
        gs[2] += np.where(mask, 0, g).sum(axis=0, keepdims=True)  # where(mask, ., b)
        g = np.where(mask, g, 0)
        half = np.where(x == a, 0.5 * g, 0)  # maximum: ties share the gradient, as torch
        gs[1] += (np.where(x < a, g, 0) + half).sum(axis=1, keepdims=True)
        g = np.where(x > a, g, 0) + half
    gs[0] += g
    return gs


def _floor_case(blocks: int) -> Case:
    mask, r, leaves = _data()
    state: dict[str, Arrays] = {"g": []}

    def backward(tape: tuple[float, list[Arrays]]) -> None:
        state["g"] = _floor_backward(tape, mask, r, leaves)

    return Case(lambda: _floor_forward(mask, r, leaves, blocks), backward,
                blocks * OPS_PER_BLOCK, grads=lambda: state["g"])


build, run = blocked(SPEC, OPS_PER_BLOCK, _tensor_case, _floor_case)
