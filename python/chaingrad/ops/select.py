"""Elementwise selection: clamp/clip, maximum, minimum and where (native kinds).

Ties follow torch: clamp gives the gradient to the input at a bound (x == min or x == max);
maximum/minimum split it evenly between equal operands.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import _kinds as K
from ..tensor import Tensor
from ._common import (
    _SCALARS,
    ShapeError,
    as_array,
    as_tensor,
    broadcast_error,
    needs_grad,
    record,
    result_dtype,
    result_dtype_n,
    scalar_result_dtype,
    wrap,
)

_INF = float("inf")


def _scalar_dtype(a: Tensor, *scalars: Any) -> np.dtype:
    dt = a._data.dtype
    for s in scalars:
        if s is not None:
            dt = scalar_result_dtype(np.empty(0, dt), s) or dt
    return dt


def clamp(a: Tensor, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002 - torch's names
    """Limit ``a`` to ``[min, max]`` (numbers or tensors that broadcast); with min > max the
    result is max, as torch."""
    a = as_tensor(a, "clamp: input")
    if min is None and max is None:
        raise ValueError("clamp: at least one of 'min' or 'max' must not be None")
    if isinstance(min, Tensor) or isinstance(max, Tensor) or isinstance(min, np.ndarray) \
            or isinstance(max, np.ndarray):
        return _clamp_tensor(a, min, max)
    for what, v in (("min", min), ("max", max)):
        if v is not None and not isinstance(v, _SCALARS):
            raise TypeError(f"clamp: {what} must be a number or a Tensor, got {type(v).__name__}")
    dt = _scalar_dtype(a, min, max)
    x = a._data if a._data.dtype == dt else a._data.astype(dt)
    r = x
    if min is not None:
        r = np.maximum(r, min)
    if max is not None:
        r = np.minimum(r, max)
    out = wrap(as_array(r) if r is not x else x.copy())
    if needs_grad(a):
        lo = -_INF if min is None else float(min)
        hi = _INF if max is None else float(max)
        record(K.CLAMP, "ClampBackward1", (a,), out, (a,), (lo, hi))
    return out


def _clamp_tensor(a: Tensor, lo: Any, hi: Any) -> Tensor:
    lo_t = None if lo is None else as_tensor(lo, "clamp: min")
    hi_t = None if hi is None else as_tensor(hi, "clamp: max")
    dt = result_dtype_n(*(t._data for t in (a, lo_t, hi_t) if t is not None))
    r = a._data.astype(dt, copy=False)
    try:
        if lo_t is not None:
            r = np.maximum(r, lo_t._data.astype(dt, copy=False))
        if hi_t is not None:
            r = np.minimum(r, hi_t._data.astype(dt, copy=False))
    except ValueError:
        other = lo_t if lo_t is not None else hi_t
        raise broadcast_error("clamp", a, other) from None
    out = wrap(as_array(r))
    if needs_grad(*(t for t in (a, lo_t, hi_t) if t is not None)):
        record(K.CLAMP_TENSOR, "ClampBackward0", (a, lo_t, hi_t), out, (a, lo_t, hi_t),
               (float(lo_t is not None), float(hi_t is not None)))
    return out


def clamp_min(a: Tensor, min: Any) -> Tensor:  # noqa: A002
    return clamp(a, min=min)


def clamp_max(a: Tensor, max: Any) -> Tensor:  # noqa: A002
    return clamp(a, max=max)


clip = clamp


def _pair(op: str, a: Any, b: Any) -> tuple[Tensor, Tensor, np.ndarray, np.ndarray]:
    a = as_tensor(a, f"{op}: input")
    b = as_tensor(b, f"{op}: other")
    dt = result_dtype(a._data, b._data)
    return a, b, a._data.astype(dt, copy=False), b._data.astype(dt, copy=False)


def maximum(a: Any, b: Any) -> Tensor:
    """Elementwise max, propagating NaN; equal operands share the gradient."""
    a, b, ad, bd = _pair("maximum", a, b)
    try:
        out = wrap(as_array(np.maximum(ad, bd)))
    except ValueError:
        raise broadcast_error("maximum", a, b) from None
    if needs_grad(a, b):
        record(K.MAXIMUM, "MaximumBackward0", (a, b), out, (a, b))
    return out


def minimum(a: Any, b: Any) -> Tensor:
    """Elementwise min, propagating NaN; equal operands share the gradient."""
    a, b, ad, bd = _pair("minimum", a, b)
    try:
        out = wrap(as_array(np.minimum(ad, bd)))
    except ValueError:
        raise broadcast_error("minimum", a, b) from None
    if needs_grad(a, b):
        record(K.MINIMUM, "MinimumBackward0", (a, b), out, (a, b))
    return out


def _where_operand(v: Any, other: Any) -> Tensor:
    """A Python number becomes a 0-d tensor of the dtype torch would pick for it."""
    if not isinstance(v, _SCALARS):
        return as_tensor(v, "where: operand")
    if isinstance(other, _SCALARS) or other is None:
        dt = np.dtype(np.float32) if isinstance(v, float) else (
            np.dtype(np.bool_) if isinstance(v, bool) else np.dtype(np.int64))
        if isinstance(other, float) and not isinstance(v, float):
            dt = np.dtype(np.float32)
    else:
        o = as_tensor(other)._data
        dt = scalar_result_dtype(o, v) or o.dtype
    return wrap(np.asarray(v, dtype=dt))


def where(condition: Any, input: Any = None, other: Any = None) -> Any:  # noqa: A002
    """``input`` where ``condition`` holds, else ``other`` (all three broadcast).
    ``where(condition)`` alone returns the indices of the true elements, like torch."""
    c = condition._data if isinstance(condition, Tensor) else np.asarray(condition)
    if c.dtype != np.bool_:
        raise TypeError(f"where: condition must be a bool tensor, got dtype {c.dtype}")
    if input is None and other is None:
        return tuple(wrap(i.astype(np.int64)) for i in np.nonzero(c))
    if input is None or other is None:
        raise TypeError("where: pass both input and other (or neither)")
    a = _where_operand(input, other)
    b = _where_operand(other, input)
    dt = result_dtype(a._data, b._data)
    try:
        out = wrap(as_array(np.where(c, a._data.astype(dt, copy=False),
                                     b._data.astype(dt, copy=False))))
    except ValueError:
        raise ShapeError(
            f"where: condition {tuple(c.shape)}, input {tuple(a.shape)} and other "
            f"{tuple(b.shape)} cannot be broadcast together"
        ) from None
    if needs_grad(a, b):
        record(K.WHERE, "WhereBackward0", (a, b), out, (c,))
    return out
