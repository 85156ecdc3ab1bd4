"""Differentiable backward formulas of the elementwise native kinds (``create_graph=True``).

Each mirrors its NumPy kernel in ``_reference/kernels_pointwise.py`` operation for operation,
so first derivatives agree bitwise whichever path computed them. Masks that select where the
gradient goes are piecewise constant, so they enter as constants (their derivative is zero).
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from .. import _kinds as K
from .._reference.kernels_pointwise import clamp_masks, log_of_scalar
from ..tensor import Tensor
from ._common import wrap
from .derivatives import register_formula
from .select import where
from .unary import cos, sign, sin


def _mask(m: np.ndarray) -> Tensor:
    return wrap(np.asarray(m))


def _one(fn: Callable[[tuple, Tensor], Tensor]) -> Callable[[Any, Tensor, tuple], tuple]:
    """Register a single-input formula written as ``fn(saved, g)``."""

    def formula(node: Any, g: Tensor, need: tuple) -> tuple:
        return (fn(node.saved_tensors, g),)

    return formula


register_formula(K.ABS, _one(lambda s, g: g * sign(s[0])))
# A constant: multiplying by 0.0 would turn an infinite gradient into NaN.
register_formula(K.SIGN, lambda node, g, need: (wrap(np.zeros_like(g._data)),))
register_formula(K.SQRT, _one(lambda s, g: g / (2 * s[0])))
register_formula(K.RSQRT, _one(lambda s, g: (g * -0.5) * s[0].pow(3)))
register_formula(K.LOG1P, _one(lambda s, g: g / (s[0] + 1)))
register_formula(K.EXPM1, _one(lambda s, g: g * (s[0] + 1)))
register_formula(K.SIN, _one(lambda s, g: g * cos(s[0])))
register_formula(K.COS, _one(lambda s, g: g * -sin(s[0])))
register_formula(K.TAN, _one(lambda s, g: g * (s[0].pow(2) + 1)))
register_formula(K.RECIPROCAL, _one(lambda s, g: -g * (s[0] * s[0])))


def _clamp(node: Any, g: Tensor, need: tuple) -> tuple:
    x = node.saved_tensors[0]
    lo, hi = node.scalars
    return (where(_mask((x._data >= lo) & (x._data <= hi)), g, 0.0),)


def _clamp_tensor(node: Any, g: Tensor, need: tuple) -> tuple:
    x, lo, hi = node.saved_tensors
    masks = clamp_masks(x._data, None if lo is None else lo._data,
                        None if hi is None else hi._data)
    return tuple(
        where(_mask(m), g, 0.0) if n and m is not None else None for m, n in zip(masks, need)
    )


def _extremum(largest: bool) -> Any:
    def formula(node: Any, g: Tensor, need: tuple) -> tuple:
        a, b = (t._data for t in node.saved_tensors)
        shared = where(_mask(a == b), g / 2, g)
        ga = where(_mask(a < b if largest else a > b), 0.0, shared) if need[0] else None
        gb = where(_mask(a > b if largest else a < b), 0.0, shared) if need[1] else None
        return ga, gb

    return formula


def _where(node: Any, g: Tensor, need: tuple) -> tuple:
    c = _mask(node.saved_tensors[0])
    return (where(c, g, 0.0) if need[0] else None, where(c, 0.0, g) if need[1] else None)


def _pow(node: Any, g: Tensor, need: tuple) -> tuple:
    a, b, y = node.saved_tensors
    dt = y.dtype
    a_ = a.to(dt)
    b_ = b.to(dt)
    ga = gb = None
    with np.errstate(divide="ignore", invalid="ignore"):
        if need[0]:
            ga = where(_mask(b_._data == 0), 0.0, g * (b_ * a_.pow(b_ - 1)))
        if need[1]:
            cond = (a_._data == 0) & (b_._data >= 0)
            gb = g * where(_mask(cond), 0.0, y * a_.log())
    return ga, gb


def _rpow_scalar(node: Any, g: Tensor, need: tuple) -> tuple:
    x, y = node.saved_tensors
    s = node.scalars[0]
    lg = float(log_of_scalar(s, y.dtype))
    with np.errstate(invalid="ignore"):
        if s == 0:
            return (g * where(_mask(x._data >= 0), 0.0, y * lg),)
        return (g * (y * lg),)


register_formula(K.CLAMP, _clamp)
register_formula(K.CLAMP_TENSOR, _clamp_tensor)
register_formula(K.MAXIMUM, _extremum(True))
register_formula(K.MINIMUM, _extremum(False))
register_formula(K.WHERE, _where)
register_formula(K.POW, _pow)
register_formula(K.RPOW_SCALAR, _rpow_scalar)
