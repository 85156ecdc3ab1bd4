"""Joining and splitting: cat, stack, split, chunk, unbind."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..autograd.function import Function, FunctionCtx
from ..tensor import Tensor
from ._common import ShapeError, as_tensor, result_dtype_n, wrap, wrap_dim
from .functions import view_of


def _tensors(op: str, tensors: Any) -> tuple[Tensor, ...]:
    if isinstance(tensors, Tensor) or not isinstance(tensors, (list, tuple)):
        raise TypeError(f"{op}(): expected a sequence of Tensors, got {type(tensors).__name__}")
    if not tensors:
        raise ValueError(f"{op}(): expected a non-empty sequence of Tensors")
    return tuple(as_tensor(t, f"{op}: element") for t in tensors)


def _shapes(ts: Sequence[Tensor]) -> str:
    return ", ".join(str(tuple(t.shape)) for t in ts)


class Cat(Function):
    _backward_name = "CatBackward0"

    @staticmethod
    def forward(ctx: FunctionCtx, dim: int, dtype: np.dtype, *ts: Tensor) -> Tensor:
        ctx.dim = dim
        ctx.skipped = tuple(_legacy_empty(t, ts) for t in ts)
        ctx.sizes = tuple(0 if s else t._data.shape[dim] for t, s in zip(ts, ctx.skipped))
        arrays = [t._data.astype(dtype, copy=False) for t, s in zip(ts, ctx.skipped) if not s]
        return wrap(np.concatenate(arrays, axis=dim))

    @staticmethod
    def backward(ctx: FunctionCtx, g: Tensor) -> tuple:
        grads: list = [None, None]
        off = 0
        for size, skipped, need in zip(ctx.sizes, ctx.skipped, ctx.needs_input_grad[2:]):
            if skipped:
                grads.append(None)
                continue
            grads.append(g.narrow(ctx.dim, off, size) if need else None)
            off += size
        return tuple(grads)


def _legacy_empty(t: Tensor, ts: Sequence[Tensor]) -> bool:
    # torch skips 1-d empty tensors in cat whatever the other tensors' shapes (legacy rule).
    return t.ndim == 1 and t._data.shape[0] == 0 and any(u.ndim != 1 for u in ts)


def cat(tensors: Any, dim: int = 0) -> Tensor:
    """Concatenate along an existing dimension; dtypes promote as in torch."""
    ts = _tensors("cat", tensors)
    kept = [t for t in ts if not _legacy_empty(t, ts)] or list(ts)
    ref = kept[0]
    if ref.ndim == 0:
        raise ShapeError("cat(): zero-dimensional tensor cannot be concatenated")
    d = wrap_dim(dim, ref.ndim, "cat")
    for i, t in enumerate(kept):
        if t.ndim != ref.ndim or any(
            k != d and a != b for k, (a, b) in enumerate(zip(t.shape, ref.shape))
        ):
            raise ShapeError(
                f"cat(): sizes of tensors must match except in dimension {d}; got shapes "
                f"{_shapes(ts)} (tensor {i} differs)"
            )
    dtype = result_dtype_n(*(t._data for t in ts))
    return Cat.apply(d, dtype, *ts)


concat = cat
concatenate = cat


class Stack(Function):
    _backward_name = "StackBackward0"

    @staticmethod
    def forward(ctx: FunctionCtx, dim: int, dtype: np.dtype, *ts: Tensor) -> Tensor:
        ctx.dim = dim
        return wrap(np.stack([t._data.astype(dtype, copy=False) for t in ts], axis=dim))

    @staticmethod
    def backward(ctx: FunctionCtx, g: Tensor) -> tuple:
        return (None, None) + tuple(
            g.select(ctx.dim, i) if need else None
            for i, need in enumerate(ctx.needs_input_grad[2:])
        )


def stack(tensors: Any, dim: int = 0) -> Tensor:
    """Join equally shaped tensors along a new dimension ``dim``."""
    ts = _tensors("stack", tensors)
    shape = ts[0].shape
    for i, t in enumerate(ts):
        if t.shape != shape:
            raise ShapeError(f"stack(): expects each tensor to be equal size, but got shapes "
                             f"{_shapes(ts)} (tensor {i} differs)")
    d = wrap_dim(dim, ts[0].ndim + 1, "stack")
    return Stack.apply(d, result_dtype_n(*(t._data for t in ts)), *ts)


class Split(Function):
    _backward_name = "SplitBackward0"

    @staticmethod
    def forward(ctx: FunctionCtx, a: Tensor, sizes: tuple, dim: int) -> tuple:
        ctx.dim = dim
        bounds = np.cumsum(sizes)[:-1]
        return tuple(view_of(p, a) for p in np.split(a._data, bounds, axis=dim))

    @staticmethod
    def backward(ctx: FunctionCtx, *grads: Tensor) -> tuple:
        return cat(list(grads), ctx.dim), None, None


def split(tensor: Any, split_size_or_sections: Any, dim: int = 0) -> tuple:
    """Views of consecutive pieces along ``dim``: pieces of one size (the last may be smaller)
    or of the listed sizes."""
    a = as_tensor(tensor)
    d = wrap_dim(dim, a.ndim, "split")
    if a.ndim == 0:
        raise ShapeError("split(): cannot split a 0-d tensor")
    n = a._data.shape[d]
    if isinstance(split_size_or_sections, (int, np.integer)):
        size = int(split_size_or_sections)
        if size <= 0 and not (size == 0 and n == 0):
            raise ValueError(f"split(): split_size must be positive, got {size}")
        sizes = tuple(min(size, n - i) for i in range(0, n, size)) if n else (0,)
    else:
        sizes = tuple(int(s) for s in split_size_or_sections)
        if sum(sizes) != n or any(s < 0 for s in sizes):
            raise ValueError(f"split(): split sizes {list(sizes)} must be non-negative and sum "
                             f"to the size {n} of dimension {d}")
    return Split.apply(a, sizes, d)


def chunk(input: Any, chunks: int, dim: int = 0) -> tuple:  # noqa: A002
    """At most ``chunks`` views of (nearly) equal size, like torch.chunk."""
    a = as_tensor(input)
    if chunks <= 0:
        raise ValueError(f"chunk(): chunks must be positive, got {chunks}")
    d = wrap_dim(dim, a.ndim, "chunk")
    n = a._data.shape[d] if a.ndim else 0
    return split(a, max(math.ceil(n / chunks), 1) if n else 0, d)


def unbind(input: Any, dim: int = 0) -> tuple:  # noqa: A002
    """The slices along ``dim`` (that dimension removed), as views."""
    a = as_tensor(input)
    d = wrap_dim(dim, a.ndim, "unbind")
    return tuple(a.select(d, i) for i in range(a._data.shape[d]))
