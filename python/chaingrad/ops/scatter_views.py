"""Views and scatters with torch's names: ``Tensor.unfold`` (sliding windows, a strided view
with gradient), ``sum_to_size``, ``split_with_sizes``, ``select_scatter`` / ``slice_scatter`` /
``diagonal_scatter`` (out-of-place writes of ``src`` into a copy of ``input``), ``index_put``
(``accumulate=True`` adds repeated indices up) and ``put`` (flat indices), with in-place forms.
Everything but unfold is composed of differentiable ops (index_copy, index_add, where)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd.function import Function, FunctionCtx
from ..tensor import Tensor
from ._common import as_tensor, wrap, wrap_dim
from .functions import view_of


def _input(x: Any, op: str, what: str = "input") -> Tensor:
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}(): argument '{what}' must be Tensor, not {type(x).__name__}")
    return x


# ------------------------------------------------------------------ unfold
def _windows(arr: np.ndarray, d: int, size: int, step: int) -> np.ndarray:
    n = (arr.shape[d] - size) // step + 1
    shape = arr.shape[:d] + (n,) + arr.shape[d + 1:] + (size,)
    strides = arr.strides[:d] + (arr.strides[d] * step,) + arr.strides[d + 1:] + (
        arr.strides[d],)
    return np.lib.stride_tricks.as_strided(arr, shape, strides)


class _Unfold(Function):
    _backward_name = "UnfoldBackward0"

    @staticmethod
    def forward(ctx: FunctionCtx, x: Tensor, d: int, size: int, step: int) -> Tensor:
        ctx.args = (x._data.shape, d, size, step)
        return view_of(_windows(x._data, d, size, step), x)

    @staticmethod
    def backward(ctx: FunctionCtx, g: Tensor) -> tuple:
        shape, d, size, step = ctx.args
        return _UnfoldBackward.apply(g, shape, d, size, step), None, None, None


class _UnfoldBackward(Function):
    """Zeros of the input's shape with every window of ``g`` added back (overlaps add up)."""

    _backward_name = "UnfoldBackwardBackward0"

    @staticmethod
    def forward(ctx: FunctionCtx, g: Tensor, shape: tuple, d: int, size: int,
                step: int) -> Tensor:
        ctx.args = (d, size, step)
        out = np.zeros(shape, dtype=g._data.dtype)
        gd = g._data
        n = gd.shape[d]
        for k in range(size):
            idx = [slice(None)] * len(shape)
            idx[d] = slice(k, k + step * (n - 1) + 1, step)
            out[tuple(idx)] += gd[..., k]
        return wrap(out)

    @staticmethod
    def backward(ctx: FunctionCtx, gg: Tensor) -> tuple:
        d, size, step = ctx.args
        return _Unfold.apply(gg, d, size, step).clone(), None, None, None, None


def unfold(self: Tensor, dimension: int, size: int, step: int) -> Tensor:
    """All windows of ``size`` elements along ``dimension``, ``step`` apart, as a new last
    dimension: a view sharing memory with self (as torch's)."""
    d = wrap_dim(dimension, max(self.ndim, 1), "unfold")
    if self.ndim == 0:
        raise RuntimeError("unfold(): a 0-d tensor cannot be unfolded")
    if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or size < 0:
        raise RuntimeError(f"unfold(): size must be a non-negative int, got {size!r}")
    if isinstance(step, bool) or not isinstance(step, (int, np.integer)) or step <= 0:
        raise RuntimeError(f"unfold(): step is {step} but must be > 0")
    if size > self._data.shape[d]:
        raise RuntimeError(f"maximum size for tensor at dimension {d} is "
                           f"{self._data.shape[d]} but size is {size}")
    return _Unfold.apply(self, d, int(size), int(step))


# ------------------------------------------------------------------ sums and splits
def sum_to_size(self: Tensor, *size: Any) -> Tensor:
    """Sum self down to ``size`` (which must broadcast to self's shape)."""
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    target = tuple(int(s) for s in size)
    shape = self._data.shape
    lead = len(shape) - len(target)
    ok = lead >= 0 and all(t in (1, s) for t, s in zip(target, shape[lead:]))
    if not ok:
        raise RuntimeError(f"size {list(target)} is not expandable to size {list(shape)}.")
    dims = tuple(range(lead)) + tuple(
        lead + i for i, t in enumerate(target) if t == 1 and shape[lead + i] != 1)
    if not dims:
        return self
    return self.sum(dim=dims, keepdim=True).reshape(target)


def split_with_sizes(input: Any, split_sizes: Any, dim: int = 0) -> tuple:  # noqa: A002
    """Pieces of the given sizes along ``dim``; the sizes must add up to the dim's length."""
    x = _input(input, "split_with_sizes")
    sizes = [int(s) for s in split_sizes]
    d = wrap_dim(dim, x.ndim, "split_with_sizes")
    if any(s < 0 for s in sizes) or sum(sizes) != x._data.shape[d]:
        raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to "
                           f"{x._data.shape[d]} (input tensor's size at dimension {dim}), but "
                           f"got split_sizes={sizes}")
    return tuple(x.split(sizes, d))


# ------------------------------------------------------------------ scatters
def select_scatter(input: Any, src: Any, dim: int, index: int) -> Tensor:  # noqa: A002
    """A copy of input with ``input.select(dim, index)`` replaced by src."""
    x, s = _input(input, "select_scatter"), _input(src, "select_scatter", "src")
    d = wrap_dim(dim, x.ndim, "select_scatter")
    n = x._data.shape[d]
    if not -n <= index < n:
        raise IndexError(f"select_scatter(): index {index} out of range for tensor of size "
                         f"{tuple(x._data.shape)} at dimension {d}")
    want = x._data.shape[:d] + x._data.shape[d + 1:]
    if tuple(s._data.shape) != want:
        raise RuntimeError(f"expected src to have a size equal to the slice of self. src size "
                           f"= {list(s._data.shape)}, slice size = {list(want)}")
    idx = wrap(np.array([index % n], dtype=np.int64))
    return x.index_copy(d, idx, s.to(x._data.dtype).unsqueeze(d))


def slice_scatter(input: Any, src: Any, dim: int = 0, start: int | None = None,  # noqa: A002
                  end: int | None = None, step: int = 1) -> Tensor:
    """A copy of input with ``input[..., start:end:step, ...]`` (along dim) replaced by src."""
    x, s = _input(input, "slice_scatter"), _input(src, "slice_scatter", "src")
    d = wrap_dim(dim, x.ndim, "slice_scatter")
    if step <= 0:
        raise RuntimeError("slice_scatter(): slice step must be positive")
    positions = np.arange(x._data.shape[d])[slice(start, end, step)]
    want = x._data.shape[:d] + (positions.size,) + x._data.shape[d + 1:]
    if tuple(s._data.shape) != want:
        raise RuntimeError(f"expected src to have a size equal to the slice of self. src size "
                           f"= {list(s._data.shape)}, slice size = {list(want)}")
    return x.index_copy(d, wrap(positions.astype(np.int64)), s.to(x._data.dtype))


def diagonal_scatter(input: Any, src: Any, offset: int = 0, dim1: int = 0,  # noqa: A002
                     dim2: int = 1) -> Tensor:
    """A copy of input with ``input.diagonal(offset, dim1, dim2)`` replaced by src."""
    from .matrix import _diag_dims, _DiagonalScatter, _writable_diagonal
    from .select import where

    x, s = _input(input, "diagonal_scatter"), _input(src, "diagonal_scatter", "src")
    if x.ndim < 2:
        raise RuntimeError("diagonal_scatter(): input must have at least 2 dimensions")
    off, d1, d2 = _diag_dims(x.ndim, offset, dim1, dim2, "diagonal_scatter")
    want = tuple(x.diagonal(off, d1, d2).shape)
    if tuple(s._data.shape) != want:
        raise RuntimeError(f"expected src to have a size equal to the slice of self. src size "
                           f"= {list(s._data.shape)}, slice size = {list(want)}")
    mask = np.zeros(x._data.shape, dtype=bool)
    _writable_diagonal(mask, off, d1, d2)[...] = True
    placed = _DiagonalScatter.apply(s.to(x._data.dtype), x._data.shape, off, d1, d2)
    return where(wrap(mask), placed, x)


def _index_tensors(x: Tensor, indices: Any, op: str) -> list[np.ndarray]:
    if not isinstance(indices, (tuple, list)):
        raise TypeError(f"{op}(): argument 'indices' must be a tuple of Tensors, not "
                        f"{type(indices).__name__}")
    out: list[np.ndarray] = []
    for i in indices:
        a = as_tensor(i, f"{op}: indices")._data
        if a.dtype.kind == "b":
            out.extend(np.nonzero(a))
        elif a.dtype.kind in "iu":
            out.append(a.astype(np.int64))
        else:
            raise IndexError(f"{op}(): tensors used as indices must be long, int or bool "
                             f"tensors, got {a.dtype}")
    if len(out) > x.ndim:
        raise IndexError(f"{op}(): too many indices for tensor of dimension {x.ndim} (got "
                         f"{len(out)})")
    return out


def index_put(input: Any, indices: Any, values: Any, accumulate: bool = False,  # noqa: A002
              ) -> Tensor:
    """A copy of input with ``out[indices] = values`` (``+=`` with ``accumulate=True``, where
    repeated indices add up)."""
    x = _input(input, "index_put")
    idx = _index_tensors(x, indices, "index_put")
    v = as_tensor(values, "index_put: values").to(x._data.dtype)
    if not accumulate:
        out = x.clone()
        out[tuple(wrap(i) for i in idx)] = v
        return out
    k = len(idx)
    lead = x._data.shape[:k]
    try:
        b = np.broadcast_arrays(*idx) if idx else []
    except ValueError:
        raise IndexError("index_put(): shape mismatch: indexing tensors could not be broadcast "
                         "together") from None
    for a, n in zip(b, lead):
        if a.size and (a.max() >= n or a.min() < -n):
            raise IndexError(f"index_put(): index {int(a.max())} is out of bounds for "
                             f"dimension with size {n}")
    lin = np.ravel_multi_index(tuple(np.where(a < 0, a + n, a) for a, n in zip(b, lead)),
                               lead) if k else np.zeros((), np.int64)
    rest = x._data.shape[k:]
    flat = x.reshape((int(np.prod(lead)),) + rest)
    vals = v.expand(lin.shape + rest).reshape((lin.size,) + rest)
    return flat.index_add(0, wrap(lin.reshape(-1).astype(np.int64)), vals).reshape(
        x._data.shape)


def index_put_(self: Tensor, indices: Any, values: Any, accumulate: bool = False) -> Tensor:
    """In-place ``index_put``."""
    return self.copy_(index_put(self.clone(), indices, values, accumulate))


def put(input: Any, index: Any, source: Any, accumulate: bool = False) -> Tensor:  # noqa: A002
    """A copy of input with the elements at flat (row-major) ``index`` set to source's
    (added with ``accumulate=True``)."""
    x = _input(input, "put")
    i = as_tensor(index, "put: index")
    s = as_tensor(source, "put: source")
    if i._data.dtype.kind not in "iu":
        raise RuntimeError(f"put(): Expected a long tensor for index, but got "
                           f"{i._data.dtype}")
    if i._data.size != s._data.size:
        raise RuntimeError(f"put(): Expected source and index to have the same number of "
                           f"elements, but got source.numel() = {s._data.size}, "
                           f"index.numel() = {i._data.size}")
    n = x._data.size
    if i._data.size and (i._data.max() >= n or i._data.min() < -n):
        raise IndexError(f"put(): index out of range for tensor of {n} elements")
    return index_put(x.reshape(-1), (i.reshape(-1),), s.reshape(-1), accumulate).reshape(
        x._data.shape)


def put_(self: Tensor, index: Any, source: Any, accumulate: bool = False) -> Tensor:
    """In-place ``put``."""
    return self.copy_(put(self.clone(), index, source, accumulate))
