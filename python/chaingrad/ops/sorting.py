"""Sorting and order statistics: sort, argsort, msort, topk, kthvalue, cummax, cummin.

The order comes from NumPy's stable argsort (NaN is the largest value, as in torch); the values
are ``gather(input, dim, indices)``, so the gradient goes to the selected elements (torch's
SortBackward0/TopkBackward0 put it at the same indices). Ties: the stable order keeps equal
elements in index order, which is torch's with ``stable=True``; without ``stable=`` torch's
order of equal elements is unspecified, and topk's may differ from ours.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import return_types as RT
from ..tensor import Tensor
from ._common import wrap, wrap_dim
from .indexing import Gather, gather

_NAMED: dict[str, type] = {}


def _take(a: Tensor, d: int, idx: np.ndarray, name: str) -> Tensor:
    """``gather(a, d, idx)`` recorded under torch's node name (SortBackward0, ...)."""
    if a.ndim == 0:
        return gather(a, d, wrap(idx))
    cls = _NAMED.get(name)
    if cls is None:
        cls = _NAMED[name] = type(name, (Gather,), {"_backward_name": name})
    return cls.apply(a, d, idx)


def _input(x: Any, op: str) -> Tensor:
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}(): argument 'input' must be Tensor, not {type(x).__name__}")
    return x


def _check_bool(v: Any, name: str, op: str) -> None:
    if not isinstance(v, (bool, np.bool_)):
        raise TypeError(f"{op}(): argument '{name}' must be bool, not {type(v).__name__}")


def argsort_array(d: np.ndarray, axis: int, descending: bool) -> np.ndarray:
    """Stable sorting indices along ``axis``: equal elements keep their index order, NaN is
    the largest value (last ascending, first descending)."""
    if d.dtype.kind == "b":
        d = d.astype(np.uint8)
    if not descending:
        return np.argsort(d, axis=axis, kind="stable")
    # Stable descending: sort the reversed slice ascending, reverse the result and map the
    # positions back; ties then come out in increasing index order, NaNs first.
    n = d.shape[axis]
    r = np.argsort(np.flip(d, axis), axis=axis, kind="stable")
    return (n - 1) - np.flip(r, axis)


def _sorted_indices(a: Tensor, dim: int, descending: bool, op: str) -> tuple[int, np.ndarray]:
    d = wrap_dim(dim, a.ndim, op)
    if a.ndim == 0:
        return 0, np.zeros((), dtype=np.int64)
    return d, argsort_array(a._data, d, descending).astype(np.int64, copy=False)


def sort(input: Any, dim: int = -1, descending: bool = False, *,  # noqa: A002
         stable: bool = False) -> RT.sort:
    """(values, indices) sorted along ``dim``; always stable here (``stable=`` accepted)."""
    a = _input(input, "sort")
    _check_bool(descending, "descending", "sort")
    if stable is not None:
        _check_bool(stable, "stable", "sort")
    d, idx = _sorted_indices(a, dim, descending, "sort")
    return RT.sort(_take(a, d, idx, "SortBackward0"), wrap(idx))


def argsort(input: Any, dim: int = -1, descending: bool = False, stable: bool = False,  # noqa: A002
            ) -> Tensor:
    a = _input(input, "argsort")
    _check_bool(descending, "descending", "argsort")
    _check_bool(stable, "stable", "argsort")
    return wrap(_sorted_indices(a, dim, descending, "argsort")[1])


def msort(input: Any) -> Tensor:  # noqa: A002
    """``sort(input, dim=0).values``."""
    return sort(_input(input, "msort"), 0).values


def _check_k(k: Any, n: int, op: str, lo: int) -> int:
    if not isinstance(k, (int, np.integer)) or isinstance(k, bool):
        raise TypeError(f"{op}(): argument 'k' must be int, not {type(k).__name__}")
    if not lo <= k <= n:
        raise RuntimeError(f"{op}(): selected index k={k} out of range for a dimension of size "
                           f"{n} (expected {lo} <= k <= {n})")
    return int(k)


def topk(input: Any, k: int, dim: int = -1, largest: bool = True, sorted: bool = True,  # noqa: A002
         ) -> RT.topk:
    """The ``k`` largest (``largest=False``: smallest) elements along ``dim`` and their indices,
    always in sorted order (``sorted=False`` allows any order in torch). Ties: the lower index
    first; torch's choice among equal elements may differ."""
    a = _input(input, "topk")
    _check_bool(largest, "largest", "topk")
    _check_bool(sorted, "sorted", "topk")
    d = wrap_dim(dim, a.ndim, "topk")
    n = a._data.shape[d] if a.ndim else 1
    k = _check_k(k, n, "topk", 0)
    _, idx = _sorted_indices(a, d, largest, "topk")
    if a.ndim:
        idx = np.ascontiguousarray(np.take(idx, np.arange(k), axis=d))
    return RT.topk(_take(a, d, idx, "TopkBackward0"), wrap(idx))


def kthvalue(input: Any, k: int, dim: int = -1, keepdim: bool = False,  # noqa: A002
             ) -> RT.kthvalue:
    """The ``k``-th smallest element (1-based) along ``dim`` and its index."""
    a = _input(input, "kthvalue")
    d = wrap_dim(dim, a.ndim, "kthvalue")
    n = a._data.shape[d] if a.ndim else 1
    k = _check_k(k, n, "kthvalue", 1)
    _, idx = _sorted_indices(a, d, False, "kthvalue")
    if a.ndim:
        idx = np.ascontiguousarray(np.take(idx, [k - 1], axis=d))
    it = wrap(idx)
    values = _take(a, d, idx, "KthvalueBackward0")
    if a.ndim and not keepdim:
        values, it = values.squeeze(d), it.squeeze(d)
    return RT.kthvalue(values, it)


def _cumulative_extreme(input: Any, dim: int, largest: bool, op: str) -> tuple:  # noqa: A002
    a = _input(input, op)
    d = wrap_dim(dim, a.ndim, op)
    x = a._data
    if a.ndim == 0 or x.size == 0:
        it = wrap(np.zeros(x.shape, dtype=np.int64))
        return gather(a, d, it), it
    ufunc = np.maximum if largest else np.minimum
    # maximum.accumulate propagates NaN, as torch does.
    v = ufunc.accumulate(x, axis=d)
    # torch moves the index whenever x_i >= running (<= for cummin) or x_i is NaN: that is
    # exactly when x_i equals the new running value (or both are NaN).
    upd = x == v
    if x.dtype.kind == "f":
        upd |= np.isnan(x)
    shape = [1] * x.ndim
    shape[d] = x.shape[d]
    pos = np.arange(x.shape[d], dtype=np.int64).reshape(shape)
    idx = np.maximum.accumulate(np.where(upd, pos, 0), axis=d)
    idx = np.ascontiguousarray(idx)
    return _take(a, d, idx, "CummaxBackward0" if largest else "CumminBackward0"), wrap(idx)


def cummax(input: Any, dim: int) -> RT.cummax:  # noqa: A002
    """Running maximum along ``dim`` and the index where it was last reached (ties take the
    later index, NaN propagates, as torch)."""
    return RT.cummax(*_cumulative_extreme(input, dim, True, "cummax"))


def cummin(input: Any, dim: int) -> RT.cummin:  # noqa: A002
    return RT.cummin(*_cumulative_extreme(input, dim, False, "cummin"))
