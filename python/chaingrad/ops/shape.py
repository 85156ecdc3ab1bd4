"""Shape ops: reshape/view, permute/transpose, unsqueeze/squeeze/expand, indexing, casts."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..tensor import Tensor
from ._common import normalize_dims
from .functions import Clone, GetItem, Permute, Reshape, ToDtype, Transpose


def _shape_args(shape: tuple) -> tuple:
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    for s in shape:
        if not isinstance(s, (int, np.integer)) or isinstance(s, bool):
            raise TypeError(f"shape must be a sequence of ints, got {shape!r}")
    return tuple(int(s) for s in shape)


def reshape(a: Tensor, *shape: Any) -> Tensor:
    return Reshape.apply(a, _shape_args(shape))


def permute(a: Tensor, dims: Any, name: str | None = None) -> Tensor:
    dims = _shape_args(tuple(dims))
    nd = normalize_dims(dims, a.ndim, "permute") if dims else ()
    if len(nd) != a.ndim:
        raise RuntimeError(
            f"permute: number of dims {len(nd)} doesn't match the tensor's {a.ndim} dims"
        )
    return Permute.apply(a, nd)


def transpose(a: Tensor, dim0: int, dim1: int) -> Tensor:
    d0, d1 = normalize_dims((dim0,), a.ndim, "transpose") + normalize_dims((dim1,), a.ndim,
                                                                          "transpose")
    perm = list(range(a.ndim))
    if a.ndim:
        perm[d0], perm[d1] = perm[d1], perm[d0]
    return Transpose.apply(a, tuple(perm))


def unsqueeze(a: Tensor, dim: int) -> Tensor:
    n = a.ndim + 1
    if not -n <= dim < n:
        raise IndexError(
            f"unsqueeze: Dimension out of range (expected to be in range of [{-n}, {n - 1}], "
            f"but got {dim})"
        )
    dim %= n
    shape = list(a._data.shape)
    shape.insert(dim, 1)
    return Reshape.apply(a, tuple(shape))


def squeeze(a: Tensor, dim: Any = None) -> Tensor:
    shape = a._data.shape
    if dim is None:
        new = tuple(s for s in shape if s != 1)
    else:
        dims = normalize_dims(dim, a.ndim, "squeeze")
        new = tuple(s for i, s in enumerate(shape) if not (i in dims and s == 1))
    return Reshape.apply(a, new)


def expand(a: Tensor, *sizes: Any) -> Tensor:
    sizes = _shape_args(sizes)
    shape = a._data.shape
    if len(sizes) < len(shape):
        raise RuntimeError(
            f"expand: the number of sizes provided ({len(sizes)}) must be greater or equal to "
            f"the number of dimensions in the tensor ({len(shape)})"
        )
    lead = len(sizes) - len(shape)
    target = tuple(
        (shape[i - lead] if s == -1 else s) if i >= lead else s for i, s in enumerate(sizes)
    )
    try:
        np.broadcast_shapes(shape, target)
    except ValueError:
        raise RuntimeError(f"expand: shape {tuple(shape)} cannot be expanded to {target}") from None
    if target == tuple(shape):
        return a
    return _Expand.apply(a, target)


def getitem(a: Tensor, key: Any) -> Tensor:
    if isinstance(key, Tensor):
        key = key._data
    elif isinstance(key, tuple):
        key = tuple(k._data if isinstance(k, Tensor) else k for k in key)
    return GetItem.apply(a, key)


def to(a: Tensor, dtype: Any) -> Tensor:
    from ..dtypes import resolve_dtype

    dt = resolve_dtype(dtype)
    if dt == a.dtype:
        return a
    if a._requires_grad and dt.kind != "f":
        # Leaving the floats ends the graph, as in torch.
        return Tensor._from_array(a._data.astype(dt))
    return ToDtype.apply(a, dt)


def clone(a: Tensor) -> Tensor:
    return Clone.apply(a)


from ..autograd.function import Function, FunctionCtx  # noqa: E402


class _Expand(Function):
    _backward_name = "ExpandBackward0"

    @staticmethod
    def forward(ctx: FunctionCtx, a: Tensor, target: tuple) -> Tensor:
        ctx.in_shape = a._data.shape
        out = Tensor._from_array(np.broadcast_to(a._data, target))
        out._vc = a._version_counter()
        return out

    @staticmethod
    def backward(ctx: FunctionCtx, g: Tensor) -> tuple:
        # The engine sums a gradient back to the input's shape; returning g as is suffices.
        return g, None
