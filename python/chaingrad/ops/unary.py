"""Unary elementwise math: abs, sign, sqrt, rsqrt, log1p, expm1, sin, cos, tan, reciprocal,
square. Each is a native kind; the backward formulas are torch's (derivatives.yaml)."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from .. import _kinds as K
from ..tensor import Tensor
from ._common import as_array, as_tensor, needs_grad, record, wrap

# What a node keeps for its backward: the input, the output, or nothing.
_IN, _OUT, _NONE = 0, 1, 2


def _floating(a: Tensor) -> np.ndarray:
    d = a._data
    return d if d.dtype.kind == "f" else d.astype(np.float32)


def _unary(a: Any, fn: Callable[[np.ndarray], Any], kind: int, name: str, save: int,
           floating: bool = True) -> Tensor:
    a = as_tensor(a)
    x = _floating(a) if floating else a._data
    out = wrap(as_array(fn(x)))
    if needs_grad(a):
        record(kind, name, (a,), out, (a,) if save == _IN else (out,) if save == _OUT else ())
    return out


def sign_array(x: np.ndarray) -> np.ndarray:
    """torch's sign: like NumPy's, except that NaN maps to 0."""
    if x.dtype.kind == "b":
        return x.copy()
    if x.dtype.kind != "f":
        return as_array(np.sign(x))
    return as_array((x > 0).astype(x.dtype) - (x < 0).astype(x.dtype))


def abs(a: Any) -> Tensor:  # noqa: A001 - torch's name
    """|x|; the gradient is ``grad * sign(x)`` (0 at 0, as torch)."""
    return _unary(a, np.abs, K.ABS, "AbsBackward0", _IN, floating=False)


def sign(a: Any) -> Tensor:
    """-1, 0 or 1 (0 for NaN, as torch); the gradient is zero."""
    return _unary(a, sign_array, K.SIGN, "SignBackward0", _NONE, floating=False)


def sqrt(a: Any) -> Tensor:
    return _unary(a, np.sqrt, K.SQRT, "SqrtBackward0", _OUT)


def _rsqrt_array(x: np.ndarray) -> np.ndarray:
    # torch's CPU kernel divides one by the square root (no approximate rsqrt instruction).
    return as_array(x.dtype.type(1) / np.sqrt(x))


def rsqrt(a: Any) -> Tensor:
    return _unary(a, _rsqrt_array, K.RSQRT, "RsqrtBackward0", _OUT)


def log1p(a: Any) -> Tensor:
    return _unary(a, np.log1p, K.LOG1P, "Log1PBackward0", _IN)


def expm1(a: Any) -> Tensor:
    return _unary(a, np.expm1, K.EXPM1, "Expm1Backward0", _OUT)


def sin(a: Any) -> Tensor:
    return _unary(a, np.sin, K.SIN, "SinBackward0", _IN)


def cos(a: Any) -> Tensor:
    return _unary(a, np.cos, K.COS, "CosBackward0", _IN)


def tan(a: Any) -> Tensor:
    return _unary(a, np.tan, K.TAN, "TanBackward0", _OUT)


def reciprocal(a: Any) -> Tensor:
    return _unary(a, np.reciprocal, K.RECIPROCAL, "ReciprocalBackward0", _OUT)


def square(a: Any) -> Tensor:
    """``x ** 2`` (torch records it as a pow, PowBackward0)."""
    from .elementwise import pow as _pow

    return _pow(as_tensor(a), 2)
