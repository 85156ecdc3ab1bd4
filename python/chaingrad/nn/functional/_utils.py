"""Helpers shared by the functional modules (not public)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ...autograd.function import Function, FunctionCtx
from ...tensor import Tensor

wrap = Tensor._from_array


def const(arr: Any, like: Tensor) -> Tensor:
    """A constant (no grad) tensor in ``like``'s dtype, so mixing it in never promotes."""
    a = np.asarray(arr)
    if a.dtype != like._data.dtype:
        a = a.astype(like._data.dtype)
    return wrap(a)


def check_tensor(x: Any, fn: str, name: str = "input") -> Tensor:
    if not isinstance(x, Tensor):
        raise TypeError(f"{fn}(): argument '{name}' must be a chaingrad Tensor, "
                        f"not {type(x).__name__}")
    return x


def check_float(x: Any, fn: str, name: str = "input") -> Tensor:
    check_tensor(x, fn, name)
    if x._data.dtype.kind != "f":
        raise TypeError(f"{fn}(): expected a floating point {name}, got dtype {x._data.dtype}")
    return x


def as_float_array(x: Tensor) -> np.ndarray:
    d = x._data
    return d if d.dtype.kind == "f" else d.astype(np.float32)


def normalize_dim(dim: int, ndim: int, fn: str) -> int:
    n = max(ndim, 1)
    if not isinstance(dim, (int, np.integer)) or isinstance(dim, bool):
        raise TypeError(f"{fn}(): dim must be an int, got {dim!r}")
    if not -n <= dim < n:
        raise IndexError(f"{fn}(): Dimension out of range (expected to be in range of "
                         f"[{-n}, {n - 1}], but got {dim})")
    return int(dim) % n


def pair(v: Any, n: int, name: str) -> tuple[int, ...]:
    """Expand an int to an n-tuple (torch's ``_pair``) and validate it."""
    if isinstance(v, (int, np.integer)) and not isinstance(v, bool):
        return (int(v),) * n
    t = tuple(v)
    if len(t) != n or not all(isinstance(i, (int, np.integer)) and not isinstance(i, bool)
                              for i in t):
        raise ValueError(f"{name} must be an int or a tuple of {n} ints, got {v!r}")
    return tuple(int(i) for i in t)


_REDUCTIONS = ("none", "mean", "sum")


def check_reduction(reduction: str) -> str:
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return reduction


def reduce(loss: Tensor, reduction: str) -> Tensor:
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


class _Stack(Function):
    _backward_name = "StackBackward0"

    @staticmethod
    def forward(ctx: FunctionCtx, dim: int, *ts: Tensor) -> Tensor:
        ctx.dim = dim
        return wrap(np.stack([t._data for t in ts], axis=dim))

    @staticmethod
    def backward(ctx: FunctionCtx, g: Tensor) -> tuple:
        n = g.shape[ctx.dim]
        idx: list = [slice(None)] * g.ndim
        out: list = [None]
        for i in range(n):
            idx[ctx.dim] = i
            out.append(g[tuple(idx)])
        return tuple(out)


class _Cat(Function):
    _backward_name = "CatBackward0"

    @staticmethod
    def forward(ctx: FunctionCtx, dim: int, *ts: Tensor) -> Tensor:
        ctx.dim = dim
        ctx.sizes = [t._data.shape[dim] for t in ts]
        return wrap(np.concatenate([t._data for t in ts], axis=dim))

    @staticmethod
    def backward(ctx: FunctionCtx, g: Tensor) -> tuple:
        idx: list = [slice(None)] * g.ndim
        out: list = [None]
        start = 0
        for s in ctx.sizes:
            idx[ctx.dim] = slice(start, start + s)
            out.append(g[tuple(idx)])
            start += s
        return tuple(out)


def stack(ts: Sequence[Tensor], dim: int = 0) -> Tensor:
    """``chaingrad.stack`` when the op set has it, else a local equivalent."""
    import chaingrad

    fn = getattr(chaingrad, "stack", None)
    if fn is not None:
        return fn(list(ts), dim)
    dim = normalize_dim(dim, ts[0].ndim + 1, "stack")
    return _Stack.apply(dim, *ts)


def cat(ts: Sequence[Tensor], dim: int = 0) -> Tensor:
    import chaingrad

    fn = getattr(chaingrad, "cat", None)
    if fn is not None:
        return fn(list(ts), dim)
    dim = normalize_dim(dim, ts[0].ndim, "cat")
    return _Cat.apply(dim, *ts)
