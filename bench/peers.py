"""Adapters that let one workload body drive chaingrad, torch, micrograd and HIPS autograd.

chaingrad and torch share a torch-style tensor API, so they run the *same* workload code
through `TensorLib`; that keeps the graphs identical op for op.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from bench import backends


@dataclass(frozen=True)
class TensorLib:
    """The handful of calls where chaingrad and torch could differ."""

    name: str
    mod: Any  # the chaingrad or torch module

    def tensor(self, a: np.ndarray, requires_grad: bool = False) -> Any:
        # Always pass float32 arrays, so neither library has to guess a dtype.
        return self.mod.tensor(np.asarray(a, dtype=np.float32), requires_grad=requires_grad)

    def numpy(self, t: Any) -> np.ndarray:
        return np.asarray(t.detach().numpy())

    def no_grad(self) -> Any:
        return self.mod.no_grad()

    def sgd_rebuild(self, params: list[Any], lr: float) -> list[Any]:
        """p <- p - lr * grad, as fresh leaves.

        In-place updates on leaves (`p -= ...` under no_grad, `.zero_()`) are not guaranteed
        by chaingrad yet, so both libraries rebuild their parameters the same way; the copy
        costs O(params), small next to the matmuls.
        """
        return [self.tensor(self.numpy(p) - lr * self.numpy(p.grad), requires_grad=True)
                for p in params]


def tensor_lib(backend: str) -> TensorLib:
    if backend in backends.CHAINGRAD:
        return TensorLib(backend, backends.chaingrad())
    if backend == "torch":
        return TensorLib("torch", backends.torch())
    raise ValueError(f"{backend} has no tensor API")


def micrograd_value() -> Any:
    from micrograd.engine import Value

    return Value


def micrograd_tanh(v: Any) -> Any:
    """micrograd's Value has no tanh; this builds one the way its own ops are built."""
    Value = micrograd_value()
    t = math.tanh(v.data)
    out = Value(t, (v,), "tanh")

    def _backward() -> None:
        v.grad += (1.0 - t * t) * out.grad

    out._backward = _backward
    return out


def autograd_vjp(fun: Callable[[Any], Any]) -> Callable[[Any], tuple[Callable[[Any], Any], Any]]:
    """HIPS autograd's only public way to split the traced forward from the backward pass."""
    import autograd

    return autograd.make_vjp(fun)


def autograd_numpy() -> Any:
    import autograd.numpy as anp

    return anp


def autograd_constant(x: Any) -> Any:
    """The unboxed value: what `.detach()` is elsewhere."""
    from autograd.tracer import getval

    return getval(x)
