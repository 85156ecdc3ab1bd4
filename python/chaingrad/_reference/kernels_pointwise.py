"""NumPy backward kernels of the elementwise native kinds (see ``_kinds.py`` for each node's
layout). Every formula is torch's (derivatives.yaml / FunctionsManual.cpp) with the same
operation order, and mirrors ``ops/derivatives_pointwise.py`` operation for operation.

Scalars are turned into scalars of the gradient's dtype before they meet an array: NumPy would
otherwise compute float32 work in float64 (torch computes it in float32).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import _kinds as K
from ..ops.unary import sign_array
from .kernels import register_kernel

_Arr = Any  # an ndarray (the kernels also receive 0-d arrays)


def _zero(g: _Arr) -> Any:
    return g.dtype.type(0)


@register_kernel(K.ABS)
def _abs(saved: list, scalars: tuple, meta: tuple, g: _Arr, need: tuple) -> tuple:
    return (g * sign_array(saved[0]),)


@register_kernel(K.SIGN)
def _sign(saved: list, scalars: tuple, meta: tuple, g: _Arr, need: tuple) -> tuple:
    return (np.zeros_like(g),)


@register_kernel(K.SQRT)
def _sqrt(saved: list, scalars: tuple, meta: tuple, g: _Arr, need: tuple) -> tuple:
    return (g / (2 * saved[0]),)


@register_kernel(K.RSQRT)
def _rsqrt(saved: list, scalars: tuple, meta: tuple, g: _Arr, need: tuple) -> tuple:
    y = saved[0]
    return ((g * g.dtype.type(-0.5)) * (y * y * y),)


@register_kernel(K.LOG1P)
def _log1p(saved: list, scalars: tuple, meta: tuple, g: _Arr, need: tuple) -> tuple:
    return (g / (saved[0] + 1),)


@register_kernel(K.EXPM1)
def _expm1(saved: list, scalars: tuple, meta: tuple, g: _Arr, need: tuple) -> tuple:
    return (g * (saved[0] + 1),)


@register_kernel(K.SIN)
def _sin(saved: list, scalars: tuple, meta: tuple, g: _Arr, need: tuple) -> tuple:
    return (g * np.cos(saved[0]),)


@register_kernel(K.COS)
def _cos(saved: list, scalars: tuple, meta: tuple, g: _Arr, need: tuple) -> tuple:
    return (g * np.negative(np.sin(saved[0])),)


@register_kernel(K.TAN)
def _tan(saved: list, scalars: tuple, meta: tuple, g: _Arr, need: tuple) -> tuple:
    y = saved[0]
    return (g * (y * y + 1),)


@register_kernel(K.RECIPROCAL)
def _reciprocal(saved: list, scalars: tuple, meta: tuple, g: _Arr, need: tuple) -> tuple:
    y = saved[0]
    return (np.negative(g) * (y * y),)


@register_kernel(K.CLAMP)
def _clamp(saved: list, scalars: tuple, meta: tuple, g: _Arr, need: tuple) -> tuple:
    x = saved[0]
    lo, hi = scalars
    # Python floats compare in x's dtype (NumPy's weak scalars), as torch compares.
    return (np.where((x >= lo) & (x <= hi), g, _zero(g)),)


def clamp_masks(x: _Arr, lo: Any, hi: Any) -> tuple:
    """Where the gradient goes for clamp(x, lo, hi): (to x, to lo, to hi); lo/hi may be None."""
    if lo is not None and hi is not None:
        return ((x >= lo) & (x <= hi), (x < lo) & (lo < hi), (x > hi) | (hi < lo))
    if lo is not None:
        return (x >= lo, x < lo, None)
    return (x <= hi, None, x > hi)


@register_kernel(K.CLAMP_TENSOR)
def _clamp_tensor(saved: list, scalars: tuple, meta: tuple, g: _Arr, need: tuple) -> tuple:
    x, lo, hi = saved
    masks = clamp_masks(x, lo, hi)
    z = _zero(g)
    return tuple(
        np.where(m, g, z) if n and m is not None else None for m, n in zip(masks, need)
    )


def _extremum(a: _Arr, b: _Arr, g: _Arr, need: tuple, largest: bool) -> tuple:
    z = _zero(g)
    shared = np.where(a == b, g / 2, g)
    ga = np.where(a < b if largest else a > b, z, shared) if need[0] else None
    gb = np.where(a > b if largest else a < b, z, shared) if need[1] else None
    return ga, gb


@register_kernel(K.MAXIMUM)
def _maximum(saved: list, scalars: tuple, meta: tuple, g: _Arr, need: tuple) -> tuple:
    return _extremum(saved[0], saved[1], g, need, True)


@register_kernel(K.MINIMUM)
def _minimum(saved: list, scalars: tuple, meta: tuple, g: _Arr, need: tuple) -> tuple:
    return _extremum(saved[0], saved[1], g, need, False)


@register_kernel(K.WHERE)
def _where(saved: list, scalars: tuple, meta: tuple, g: _Arr, need: tuple) -> tuple:
    c = saved[0]
    z = _zero(g)
    return (np.where(c, g, z) if need[0] else None, np.where(c, z, g) if need[1] else None)


@register_kernel(K.POW)
def _pow(saved: list, scalars: tuple, meta: tuple, g: _Arr, need: tuple) -> tuple:
    a, b, y = saved
    dt = y.dtype
    # torch computes both terms in the result dtype (an int exponent is promoted first).
    a_ = a.astype(dt, copy=False)
    b_ = b.astype(dt, copy=False)
    z = _zero(g)
    ga = gb = None
    with np.errstate(divide="ignore", invalid="ignore"):
        if need[0]:
            ga = np.where(b_ == 0, z, g * (b_ * np.power(a_, b_ - 1)))
        if need[1]:
            gb = g * np.where((a_ == 0) & (b_ >= 0), z, y * np.log(a_))
    return ga, gb


def log_of_scalar(s: float, dtype: np.dtype) -> Any:
    """log(s) computed in double and rounded to ``dtype``, as torch's Scalar log (NaN for s < 0,
    -inf for 0)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return dtype.type(np.log(np.float64(s)))


@register_kernel(K.RPOW_SCALAR)
def _rpow_scalar(saved: list, scalars: tuple, meta: tuple, g: _Arr, need: tuple) -> tuple:
    x, y = saved
    s = scalars[0]
    lg = log_of_scalar(s, y.dtype)
    with np.errstate(invalid="ignore"):
        if s == 0:
            return (g * np.where(x >= 0, y.dtype.type(0), y * lg),)
        return (g * (y * lg),)
