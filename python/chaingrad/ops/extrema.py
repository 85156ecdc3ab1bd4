"""max/min (with and without dim), amax/amin, argmax/argmin.

Gradients follow torch exactly, including ties: ``max()`` without dim and ``amax``/``amin``
share the gradient evenly between tied elements; ``max(dim)``/``min(dim)`` send it to the
index they return (the first occurrence, as NumPy's and torch's argmax). NaN propagates.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import _kinds as K
from .. import return_types
from ..tensor import Tensor
from ._common import (
    as_array,
    as_tensor,
    needs_grad,
    np_amax,
    np_amin,
    record,
    reduce_dims,
    wrap,
    wrap_dim,
)


def _nan_aware_arg(d: np.ndarray, axis: Any, largest: bool) -> np.ndarray:
    # np.argmax already returns the first NaN (NaN compares as the extreme), as torch does.
    # The method is what np.argmax calls (fromnumeric._wrapfunc), without its Python layer.
    return d.argmax(axis=axis) if largest else d.argmin(axis=axis)


def _extreme_all(a: Tensor, largest: bool) -> Tensor:
    op = "max" if largest else "min"
    d = a._data
    if d.size == 0:
        raise RuntimeError(
            f"{op}(): Expected reduction dim to be specified for input.numel() == 0. Specify "
            "the reduction dim with the 'dim' argument."
        )
    out = wrap(as_array(np_amax(d) if largest else np_amin(d)))
    if needs_grad(a):
        record(K.MAXMIN_ALL, "MaxBackward1" if largest else "MinBackward1", (a,), out, (a, out))
    return out


def _extreme_dim(a: Tensor, dim: Any, keepdim: bool, largest: bool) -> Any:
    op = "max" if largest else "min"
    d = a._data
    k = wrap_dim(dim, d.ndim, op)
    if d.ndim == 0:
        values = wrap(d.copy())
        idx = np.zeros((), dtype=np.int64)
    else:
        if d.shape[k] == 0:
            raise IndexError(f"{op}(): Expected reduction dim {k} to have non-zero size.")
        arg = _nan_aware_arg(d, k, largest).astype(np.int64)
        if type(d) is np.ndarray:
            # np.expand_dims and np.take_along_axis without their Python layers: the same
            # reshape, and the same fancy index (orthogonal aranges, idx along k).
            shape = d.shape
            ones = (1,) * d.ndim
            idx = arg.reshape(shape[:k] + (1,) + shape[k + 1:])
            key = tuple(idx if j == k else np.arange(n).reshape(ones[:j] + (-1,) + ones[j + 1:])
                        for j, n in enumerate(shape))
            vals = d[key]
        else:
            idx = np.expand_dims(arg, k)
            vals = np.take_along_axis(d, idx, axis=k)
        if not keepdim:
            vals = vals.squeeze(k)
        values = wrap(as_array(vals))
    indices = wrap(idx if keepdim or d.ndim == 0 else idx.squeeze(k))
    if needs_grad(a):
        record(K.MAXMIN_DIM, "MaxBackward0" if largest else "MinBackward0", (a,), values, (idx,),
               (1.0 if keepdim else 0.0, float(k)))
    cls = return_types.max if largest else return_types.min
    return cls(values, indices)


def _extreme(input: Any, dim: Any, keepdim: bool, largest: bool) -> Any:  # noqa: A002
    a = as_tensor(input)
    if isinstance(dim, Tensor):  # max(input, other): torch's elementwise overload
        from .select import maximum, minimum

        return maximum(a, dim) if largest else minimum(a, dim)
    if dim is None:
        return _extreme_all(a, largest)
    return _extreme_dim(a, dim, keepdim, largest)


def max(input: Any, dim: Any = None, keepdim: bool = False) -> Any:  # noqa: A001, A002
    """``max(x)``: the largest element (0-d); ``max(x, dim)``: ``(values, indices)``;
    ``max(x, other)``: the elementwise maximum."""
    return _extreme(input, dim, keepdim, True)


def min(input: Any, dim: Any = None, keepdim: bool = False) -> Any:  # noqa: A001, A002
    """``min(x)``: the smallest element (0-d); ``min(x, dim)``: ``(values, indices)``;
    ``min(x, other)``: the elementwise minimum."""
    return _extreme(input, dim, keepdim, False)


def _amaxmin(input: Any, dim: Any, keepdim: bool, largest: bool) -> Tensor:  # noqa: A002
    op = "amax" if largest else "amin"
    a = as_tensor(input)
    d = a._data
    dims = reduce_dims(dim, d.ndim, op)
    axis = dims if d.ndim else None
    if d.size == 0 and (axis is None or any(d.shape[k] == 0 for k in axis)):
        raise IndexError(f"{op}(): Expected reduction dim to have non-zero size.")
    r = (np_amax if largest else np_amin)(d, axis=axis, keepdims=keepdim)
    out = wrap(as_array(r))
    if needs_grad(a):
        record(K.AMAXMIN, "AmaxBackward0" if largest else "AminBackward0", (a,), out, (a, out),
               (1.0 if keepdim else 0.0, *dims))
    return out


def amax(input: Any, dim: Any = (), keepdim: bool = False) -> Tensor:  # noqa: A002
    """Max over ``dim`` (all dims by default); tied elements share the gradient evenly."""
    return _amaxmin(input, dim, keepdim, True)


def amin(input: Any, dim: Any = (), keepdim: bool = False) -> Tensor:  # noqa: A002
    """Min over ``dim`` (all dims by default); tied elements share the gradient evenly."""
    return _amaxmin(input, dim, keepdim, False)


def _arg(input: Any, dim: Any, keepdim: bool, largest: bool) -> Tensor:  # noqa: A002
    op = "argmax" if largest else "argmin"
    d = as_tensor(input)._data
    if d.size == 0:
        raise RuntimeError(f"{op}(): Expected reduction dim to be specified for input.numel() "
                           "== 0.")
    if dim is None:
        r = _nan_aware_arg(d.reshape(-1), 0, largest)
        if keepdim:
            return wrap(np.asarray(r, dtype=np.int64).reshape((1,) * d.ndim))
        return wrap(np.asarray(r, dtype=np.int64))
    k = wrap_dim(dim, d.ndim, op)
    if d.ndim == 0:
        return wrap(np.zeros((), dtype=np.int64))
    r = _nan_aware_arg(d, k, largest).astype(np.int64)
    return wrap(as_array(np.expand_dims(r, k) if keepdim else r))


def argmax(input: Any, dim: Any = None, keepdim: bool = False) -> Tensor:  # noqa: A002
    return _arg(input, dim, keepdim, True)


def argmin(input: Any, dim: Any = None, keepdim: bool = False) -> Tensor:  # noqa: A002
    return _arg(input, dim, keepdim, False)
