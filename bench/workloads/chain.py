"""Small-tensor chain: per-op overhead when every op is a tiny NumPy call.

x <- tanh(x*w + c) on length-16 float32 vectors, 3 ops per block. w = 1 and c = 0 keep
tanh away from saturation, so gradients decay only polynomially and never reach subnormals.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from bench import floors, peers
from bench.workloads.base import Case, Spec, run_spec

OPS_PER_BLOCK = 3
WIDTH = 16

SPEC = Spec(
    name="chain", title="small-tensor chain", unit="µs/op", scale=1e6,
    backends=("floor", "cpp", "python", "torch", "autograd"), size=10_000, quick_size=1_000,
    repeats=5, quick_repeats=7, graph_bound=True,
)


def _data() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    x0 = rng.uniform(-1.0, 1.0, WIDTH).astype(np.float32)
    return x0, np.ones(WIDTH, np.float32), np.zeros(WIDTH, np.float32)


def _tensor_case(backend: str, blocks: int) -> Case:
    lib = peers.tensor_lib(backend)
    x0, w, c = (lib.tensor(v, requires_grad=True) for v in _data())

    def forward() -> Any:
        x = x0
        for _ in range(blocks):
            x = x * w
            x = x + c
            x = x.tanh()
        return x.sum()

    def reset() -> None:
        for p in (x0, w, c):
            p.grad = None

    return Case(forward, lambda out: out.backward(), blocks * OPS_PER_BLOCK, reset)


def _autograd_case(blocks: int) -> Case:
    anp = peers.autograd_numpy()

    def f(params: Any) -> Any:
        x, w, c = params
        for _ in range(blocks):
            x = anp.tanh(x * w + c)
        return anp.sum(x)

    vjp_of = peers.autograd_vjp(f)
    data = _data()
    return Case(lambda: vjp_of(data), lambda out: out[0](np.float32(1.0)),
                blocks * OPS_PER_BLOCK)


def _floor_case(blocks: int) -> Case:
    x0, w, c = _data()
    return Case(lambda: floors.chain_forward(x0, w, c, blocks),
                lambda tape: floors.chain_backward(tape, w), blocks * OPS_PER_BLOCK)


def build(backend: str, n: int) -> Case:
    blocks = max(1, n // OPS_PER_BLOCK)
    if backend == "floor":
        return _floor_case(blocks)
    if backend == "autograd":
        return _autograd_case(blocks)
    return _tensor_case(backend, blocks)


def run(backend: str, quick: bool, repeat: int | None = None) -> dict[str, Any]:
    return run_spec(SPEC, build, backend, quick, repeat)
