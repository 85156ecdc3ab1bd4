"""Large MLP step, 784-512-512-10, batch 256: matmul-bound, the engine should vanish."""

from __future__ import annotations

from typing import Any

from bench.workloads import _mlp
from bench.workloads.base import Case, Spec, run_spec

SIZES = (784, 512, 512, 10)
BATCH = 256

SPEC = Spec(
    name="large_mlp", title="large MLP step", unit="ms/step", scale=1e3,
    backends=("floor", "cpp", "python", "torch", "autograd"), size=BATCH, quick_size=BATCH,
    repeats=7, quick_repeats=2, warmup=1,
)


def build(backend: str, n: int) -> Case:
    return _mlp.build(backend, SIZES, n)


def run(backend: str, quick: bool, repeat: int | None = None) -> dict[str, Any]:
    return run_spec(SPEC, build, backend, quick, repeat)
