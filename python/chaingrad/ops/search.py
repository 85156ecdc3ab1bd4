"""Searching and statistics over values: searchsorted, bucketize, unique, unique_consecutive,
histc (integer/counting results, not differentiable), and median, mode, quantile, nanquantile
(differentiable: values selected by ``gather``, quantiles interpolated with ``lerp`` exactly as
torch's kernel, so the gradients are torch's).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import return_types as RT
from ..autograd.function import Function, FunctionCtx
from ..tensor import Tensor
from ._common import as_tensor, wrap, wrap_dim
from .sorting import _take, argsort_array


def _input(x: Any, op: str, what: str = "input") -> Tensor:
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}(): argument '{what}' must be Tensor, not {type(x).__name__}")
    return x


# ------------------------------------------------------------------ search
def _search_side(right: bool, side: str | None, op: str) -> str:
    if side is not None:
        if side not in ("left", "right"):
            raise ValueError(f"{op}(): side can only be 'left' or 'right', got {side!r}")
        if right and side == "left":
            raise RuntimeError(f"{op}(): side and right can't be set to opposites, got side of "
                               "left while right was True")
        return side
    return "right" if right else "left"


def searchsorted(sorted_sequence: Any, input: Any, *, out_int32: bool = False,  # noqa: A002
                 right: bool = False, side: str | None = None, sorter: Any = None) -> Tensor:
    """Insertion positions of ``input`` into the innermost dim of ``sorted_sequence`` (1-D, or
    with the same leading dims as ``input``); ``right``/``side`` as torch."""
    seq = _input(sorted_sequence, "searchsorted", "sorted_sequence")._data
    v = input._data if isinstance(input, Tensor) else np.asarray(input)
    s = _search_side(right, side, "searchsorted")
    if sorter is not None:
        so = as_tensor(sorter, "searchsorted: sorter")._data
        if so.shape != seq.shape or so.dtype.kind not in "iu":
            raise RuntimeError(f"searchsorted(): sorter must be an integer tensor of the "
                               f"sorted_sequence's shape {seq.shape}, got {so.dtype} {so.shape}")
        seq = np.take_along_axis(seq, so.astype(np.int64), axis=-1)
    if seq.ndim == 0:
        raise RuntimeError("searchsorted(): boundaries tensor should be 1 dimension or the first "
                           "N-1 dimensions of boundaries tensor and input value tensor must "
                           "match, but we got boundaries tensor of shape ()")
    dt = np.int32 if out_int32 else np.int64
    if seq.ndim == 1:
        return wrap(np.asarray(np.searchsorted(seq, v, side=s), dtype=dt))
    if v.ndim != seq.ndim or v.shape[:-1] != seq.shape[:-1]:
        raise RuntimeError(f"searchsorted(): boundaries tensor should be 1 dimension or the "
                           f"first N-1 dimensions of boundaries tensor and input value tensor "
                           f"must match, but we got boundaries tensor {list(seq.shape)} and "
                           f"input value tensor {list(v.shape)}")
    rows_s = seq.reshape(-1, seq.shape[-1])
    rows_v = v.reshape(-1, v.shape[-1])
    out = np.empty(rows_v.shape, dtype=dt)
    for k in range(rows_s.shape[0]):
        out[k] = np.searchsorted(rows_s[k], rows_v[k], side=s)
    return wrap(out.reshape(v.shape))


def bucketize(input: Any, boundaries: Any, *, out_int32: bool = False,  # noqa: A002
              right: bool = False) -> Tensor:
    """The bucket of each element: ``boundaries[i-1] < x <= boundaries[i]`` (``right=True``:
    ``boundaries[i-1] <= x < boundaries[i]``)."""
    b = _input(boundaries, "bucketize", "boundaries")
    if b.ndim != 1:
        raise RuntimeError(f"bucketize(): boundaries tensor must be 1 dimension, but got dim "
                           f"{b.ndim}")
    return searchsorted(b, input, out_int32=out_int32, right=right)


# ------------------------------------------------------------------ unique
def _unique_result(out: np.ndarray, inverse: np.ndarray, counts: np.ndarray,
                   return_inverse: bool, return_counts: bool) -> Any:
    res: list[Tensor] = [wrap(out)]
    if return_inverse:
        res.append(wrap(inverse.astype(np.int64)))
    if return_counts:
        res.append(wrap(counts.astype(np.int64)))
    return res[0] if len(res) == 1 else tuple(res)


def unique(input: Any, sorted: bool = True, return_inverse: bool = False,  # noqa: A002
           return_counts: bool = False, dim: int | None = None) -> Any:
    """The distinct elements (or slices along ``dim``), sorted (also for ``sorted=False``,
    where torch's order is unspecified); the inverse indices have the input's shape (the
    length of ``dim`` with a dim). Not differentiable."""
    x = _input(input, "unique")
    d = x._data
    if dim is None:
        # NaNs stay distinct, as in torch (NumPy merges them by default).
        out, inv, cnt = np.unique(d.reshape(-1), return_inverse=True, return_counts=True,
                                  equal_nan=False)
        return _unique_result(out, inv.reshape(d.shape), cnt, return_inverse, return_counts)
    k = wrap_dim(dim, x.ndim, "unique")
    out, inv, cnt = np.unique(d, return_inverse=True, return_counts=True, axis=k)
    return _unique_result(out, inv.reshape(-1), cnt, return_inverse, return_counts)


def unique_consecutive(input: Any, return_inverse: bool = False,  # noqa: A002
                       return_counts: bool = False, dim: int | None = None) -> Any:
    """Collapse runs of equal consecutive elements (or slices along ``dim``)."""
    x = _input(input, "unique_consecutive")
    d = x._data
    if dim is None:
        flat = d.reshape(-1)
        if flat.size == 0:
            return _unique_result(flat.copy(), np.zeros(d.shape, np.int64), np.zeros(0, np.int64),
                                  return_inverse, return_counts)
        new = np.concatenate([[True], flat[1:] != flat[:-1]])
        inv = (np.cumsum(new) - 1).reshape(d.shape)
        starts = np.flatnonzero(new)
        cnt = np.diff(np.append(starts, flat.size))
        return _unique_result(flat[starts], inv, cnt, return_inverse, return_counts)
    k = wrap_dim(dim, x.ndim, "unique_consecutive")
    m = np.moveaxis(d, k, 0).reshape(d.shape[k], -1)
    n = m.shape[0]
    if n == 0:
        return _unique_result(d.copy(), np.zeros(0, np.int64), np.zeros(0, np.int64),
                              return_inverse, return_counts)
    new = np.concatenate([[True], np.any(m[1:] != m[:-1], axis=1)])
    starts = np.flatnonzero(new)
    cnt = np.diff(np.append(starts, n))
    out = np.take(d, starts, axis=k)
    return _unique_result(out, np.cumsum(new) - 1, cnt, return_inverse, return_counts)


def histc(input: Any, bins: int = 100, min: float = 0, max: float = 0) -> Tensor:  # noqa: A001, A002
    """Counts in ``bins`` equal-width bins over [min, max] (min == max: the data's range);
    elements outside are ignored; the input's dtype. Not differentiable."""
    x = _input(input, "histc")
    d = x._data
    if d.dtype.kind != "f":
        raise RuntimeError(f"histc(): not implemented for '{d.dtype}' (floating point only)")
    if not isinstance(bins, (int, np.integer)) or isinstance(bins, bool) or bins <= 0:
        raise RuntimeError(f"histc(): bins must be > 0, got {bins!r}")
    lo, hi = float(min), float(max)
    if lo > hi:
        raise RuntimeError(f"histc(): max must be larger than min, got min={lo} max={hi}")
    if lo == hi and d.size:
        lo, hi = float(np.min(d)), float(np.max(d))
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    if not (np.isfinite(lo) and np.isfinite(hi)):
        raise RuntimeError(f"histc(): range of [{lo}, {hi}] is not finite")
    v = d.reshape(-1)
    v = v[(v >= lo) & (v <= hi)].astype(np.float64)
    pos = ((v - lo) / (hi - lo) * bins).astype(np.int64)
    pos = np.minimum(pos, bins - 1)
    return wrap(np.bincount(pos, minlength=bins).astype(d.dtype))


# ------------------------------------------------------------------ median, mode
class _EvenlyDistributed(Function):
    """A value already computed (median of all elements); the gradient is spread evenly over
    the elements equal to it (torch's evenly_distribute_backward)."""

    _backward_name = "MedianBackward0"

    @staticmethod
    def forward(ctx: FunctionCtx, x: Tensor, value: np.ndarray) -> Tensor:
        d = x._data
        if np.isnan(value):
            mask = np.isnan(d)
        else:
            mask = d == value
        ctx.w = mask.astype(d.dtype) / max(int(mask.sum()), 1)
        return wrap(np.asarray(value, dtype=d.dtype))

    @staticmethod
    def backward(ctx: FunctionCtx, g: Tensor) -> tuple:
        return g * wrap(ctx.w), None


def _median_positions(sorted_vals: np.ndarray, axis: int, ignore_nan: bool) -> np.ndarray:
    """The rank of the (lower) median in each sorted slice: NaN (sorted last) wins unless
    ``ignore_nan``, where the median of the non-NaN elements is taken."""
    n = sorted_vals.shape[axis]
    nan = np.isnan(sorted_vals) if sorted_vals.dtype.kind == "f" else \
        np.zeros(sorted_vals.shape, bool)
    valid = n - nan.sum(axis=axis, keepdims=True)
    if ignore_nan:
        return np.where(valid > 0, (valid - 1) // 2, 0)
    return np.where(valid < n, valid, (n - 1) // 2)


def _median(input: Any, dim: Any, keepdim: bool, ignore_nan: bool, op: str) -> Any:  # noqa: A002
    x = _input(input, op)
    d = x._data
    if dim is None:
        if d.size == 0:
            raise RuntimeError(f"{op}(): input must not be empty (median of an empty tensor)")
        flat = np.sort(d.reshape(-1), kind="stable")
        k = int(_median_positions(flat, 0, ignore_nan)[0])
        value = flat[k]
        if x._data.dtype.kind != "f":
            return wrap(np.asarray(value))
        return _EvenlyDistributed.apply(x, value)
    k = wrap_dim(dim, x.ndim, op)
    if x.ndim == 0:
        idx = np.zeros((), np.int64)
    else:
        if d.shape[k] == 0:
            raise IndexError(f"{op}(): Expected reduction dim {k} to have non-zero size")
        order = argsort_array(d, k, False)
        sv = np.take_along_axis(d, order, axis=k)
        pos = _median_positions(sv, k, ignore_nan)
        idx = np.take_along_axis(order, pos, axis=k).astype(np.int64)
    it = wrap(idx)
    values = _take(x, k, idx, "NanmedianBackward1" if ignore_nan else "MedianBackward1")
    if x.ndim and not keepdim:
        values, it = values.squeeze(k), it.squeeze(k)
    return (RT.nanmedian if ignore_nan else RT.median)(values, it)


def median(input: Any, dim: Any = None, keepdim: bool = False) -> Any:  # noqa: A002
    """median(x): the lower median of all elements, NaN if any is NaN (gradient spread over
    the elements equal to it); median(x, dim): (values, indices), gradient to the index."""
    return _median(input, dim, keepdim, False, "median")


def nanmedian(input: Any, dim: Any = None, keepdim: bool = False) -> Any:  # noqa: A002
    """As median, ignoring NaN (NaN only where a slice is all NaN)."""
    return _median(input, dim, keepdim, True, "nanmedian")


def mode(input: Any, dim: int = -1, keepdim: bool = False) -> RT.mode:  # noqa: A002
    """The most frequent value along ``dim`` (ties: the smallest) and the last index where it
    occurs, as torch's CPU kernel."""
    x = _input(input, "mode")
    d = x._data
    k = wrap_dim(dim, x.ndim, "mode")
    if x.ndim == 0:
        it = wrap(np.zeros((), np.int64))
        return RT.mode(x.gather(0, it), it)
    if d.shape[k] == 0:
        raise IndexError(f"mode(): Expected reduction dim {k} to have non-zero size")
    m = np.moveaxis(d, k, -1)
    rows = m.reshape(-1, m.shape[-1])
    idx = np.empty(rows.shape[0], dtype=np.int64)
    for r in range(rows.shape[0]):
        vals, inv, cnt = np.unique(rows[r], return_inverse=True, return_counts=True)
        best = int(np.argmax(cnt))  # the first (smallest value) among the most frequent
        idx[r] = int(np.flatnonzero(inv.reshape(-1) == best)[-1])
    idx_arr = np.expand_dims(idx.reshape(m.shape[:-1]), k)
    idx_arr = np.ascontiguousarray(idx_arr)
    it = wrap(idx_arr)
    values = _take(x, k, idx_arr, "ModeBackward0")
    if not keepdim:
        values, it = values.squeeze(k), it.squeeze(k)
    return RT.mode(values, it)


# ------------------------------------------------------------------ quantiles
_INTERPOLATIONS = ("linear", "lower", "higher", "midpoint", "nearest")


def _quantile(input: Any, q: Any, dim: Any, keepdim: bool, interpolation: str,  # noqa: A002
              ignore_nan: bool, op: str) -> Tensor:
    x = _input(input, op)
    d = x._data
    if d.dtype.kind != "f":
        raise RuntimeError(f"{op}(): input tensor must be either float or double dtype, got "
                           f"{d.dtype}")
    if interpolation not in _INTERPOLATIONS:
        raise ValueError(f"{op}(): interpolation must be one of {', '.join(_INTERPOLATIONS)}, "
                         f"got {interpolation!r}")
    if isinstance(q, Tensor):
        if q._data.dtype != d.dtype:
            raise RuntimeError(f"{op}(): q tensor must be same dtype as the input tensor, got "
                               f"{q._data.dtype} and {d.dtype}")
        if q.ndim > 1:
            raise RuntimeError(f"{op}(): q must be a scalar or 1D tensor, got shape "
                               f"{tuple(q.shape)}")
        qa, scalar_q = q._data.astype(np.float64).reshape(-1), q.ndim == 0
    elif isinstance(q, (int, float)) and not isinstance(q, bool):
        qa, scalar_q = np.array([float(q)]), True
    else:
        raise TypeError(f"{op}(): q must be a float or a Tensor, not {type(q).__name__}")
    if np.any((qa < 0) | (qa > 1)) or np.any(np.isnan(qa)):
        raise RuntimeError(f"{op}(): q values must be in the range [0, 1]")
    if d.size == 0:
        raise RuntimeError(f"{op}(): input tensor must be non-empty")
    if dim is None:
        xs = x.reshape(-1)
        k = 0
    else:
        k = wrap_dim(dim, x.ndim, op)
        xs = x if x.ndim else x.reshape(1)
    # Sorted along the last dim: (..., n); q becomes a new trailing dim of the ranks.
    xs = xs.movedim(k, -1) if xs.ndim > 1 and k != xs.ndim - 1 else xs
    sv = xs.sort(-1).values
    sd = sv._data
    n = sd.shape[-1]
    valid = (n - np.isnan(sd).sum(axis=-1, keepdims=True)) if ignore_nan else \
        np.full(sd.shape[:-1] + (1,), n)
    dt = d.dtype
    ranks = qa.astype(dt) * (np.maximum(valid, 1) - 1).astype(dt)  # (..., nq)
    if not ignore_nan:
        has_nan = np.isnan(sd).any(axis=-1, keepdims=True)
        ranks = np.where(has_nan, dt.type(n - 1), ranks)  # NaN sorts last: the result is NaN
    if interpolation == "lower":
        ranks = np.floor(ranks)
    elif interpolation == "higher":
        ranks = np.ceil(ranks)
    elif interpolation == "nearest":
        ranks = np.round(ranks)
    below = ranks.astype(np.int64)
    vb = sv.gather(-1, wrap(below))
    if interpolation in ("linear", "midpoint"):
        above = np.ceil(ranks).astype(np.int64)
        va = sv.gather(-1, wrap(above))
        w = ranks - below if interpolation == "linear" else np.full(ranks.shape, 0.5, dt)
        out = vb.lerp(va, wrap(np.asarray(w, dtype=dt)))
    else:
        out = vb
    # An all-NaN slice (nanquantile) has rank 0: its first sorted value, NaN, as torch.
    # out: (..., nq) -> (nq, ...) with the reduced dim kept or dropped.
    if dim is not None and keepdim:
        out = out.unsqueeze(-2)  # (..., 1, nq): the reduced dim, last before q
        if x.ndim and k != x.ndim - 1:
            out = out.movedim(-2, k)
    elif dim is None and keepdim:
        out = out.reshape((1,) * x.ndim + (len(qa),))
    out = out.movedim(-1, 0)
    return out.squeeze(0) if scalar_q else out


def quantile(input: Any, q: Any, dim: Any = None, keepdim: bool = False, *,  # noqa: A002
             interpolation: str = "linear") -> Tensor:
    """The q-th quantiles along ``dim`` (None: all elements); q a number or 1-D tensor (its dim
    first in the result); interpolation linear, lower, higher, midpoint or nearest; NaN in a
    slice gives NaN."""
    return _quantile(input, q, dim, keepdim, interpolation, False, "quantile")


def nanquantile(input: Any, q: Any, dim: Any = None, keepdim: bool = False, *,  # noqa: A002
                interpolation: str = "linear") -> Tensor:
    """As quantile, ignoring NaN (NaN only for an all-NaN slice)."""
    return _quantile(input, q, dim, keepdim, interpolation, True, "nanquantile")
