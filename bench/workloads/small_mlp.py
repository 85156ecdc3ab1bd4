"""Small MLP step, 64-128-10, batch 32: per-op overhead still matters next to the matmuls."""

from __future__ import annotations

from typing import Any

from bench.workloads import _mlp
from bench.workloads.base import Case, Spec, run_spec

SIZES = (64, 128, 10)
BATCH = 32

SPEC = Spec(
    name="small_mlp", title="small MLP step", unit="ms/step", scale=1e3,
    backends=("floor", "cpp", "python", "torch", "autograd"), size=BATCH, quick_size=BATCH,
    repeats=15, quick_repeats=5, warmup=1, steps=50,
)


def build(backend: str, n: int) -> Case:
    return _mlp.build(backend, SIZES, n)


def run(backend: str, quick: bool, repeat: int | None = None) -> dict[str, Any]:
    return run_spec(SPEC, build, backend, quick, repeat)
