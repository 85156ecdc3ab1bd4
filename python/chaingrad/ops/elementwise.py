"""Elementwise arithmetic and activations with NumPy broadcasting and torch's dtype rules."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import _kinds as K
from ..tensor import Tensor
from ._common import (
    _SCALARS,
    as_array,
    as_tensor,
    broadcast_error,
    needs_grad,
    record,
    result_dtype,
    scalar_result_dtype,
    wrap,
)


def _operands(op: str, a: Tensor, b: Tensor, floating: bool = False) -> tuple:
    ad, bd = a._data, b._data
    dt = result_dtype(ad, bd)
    if floating and dt.kind != "f":
        dt = np.dtype(np.float32)
    if ad.dtype != dt:
        ad = ad.astype(dt)
    if bd.dtype != dt:
        bd = bd.astype(dt)
    return ad, bd


def _scalar_operand(a: Tensor, s: Any, floating: bool = False) -> np.ndarray:
    ad = a._data
    dt = scalar_result_dtype(ad, s)
    if floating and ad.dtype.kind != "f":
        dt = np.dtype(np.float32)
    return ad.astype(dt) if dt is not None else ad


def pow_scalar_array(x: np.ndarray, e: float) -> np.ndarray:
    """``x ** e`` evaluated the way torch does for a scalar exponent (exact special cases)."""
    t = x.dtype.type
    if e == 0:
        return np.ones_like(x)
    if e == 1:
        return x.copy()
    if e == 2:
        return as_array(x * x)
    if e == 3:
        return as_array(x * x * x)
    if e == 0.5:
        return as_array(np.sqrt(x))
    if e == -0.5:
        return as_array(t(1) / np.sqrt(x))
    if e == -1:
        return as_array(t(1) / x)
    if e == -2:
        return as_array(t(1) / (x * x))
    return as_array(np.power(x, t(e)))


def _binary(op: str, ufunc: Any, kind: int, name: str, a: Tensor, b: Any, save: bool,
            floating: bool = False) -> Tensor:
    b = as_tensor(b)
    ad, bd = _operands(op, a, b, floating)
    try:
        out = wrap(as_array(ufunc(ad, bd)))
    except ValueError:
        raise broadcast_error(op, a, b) from None
    if needs_grad(a, b):
        record(kind, name, (a, b), out, (a, b) if save else ())
    return out


def add(a: Tensor, b: Any, alpha: Any = 1) -> Tensor:
    if alpha != 1:
        b = mul(as_tensor(b), alpha) if not isinstance(b, _SCALARS) else b * alpha
    if isinstance(b, _SCALARS):
        out = wrap(as_array(_scalar_operand(a, b) + b))
        if needs_grad(a):
            record(K.ADD_SCALAR, "AddBackward0", (a,), out, (), (float(b),))
        return out
    return _binary("add", np.add, K.ADD, "AddBackward0", a, b, False)


def sub(a: Tensor, b: Any, alpha: Any = 1) -> Tensor:
    if alpha != 1:
        b = mul(as_tensor(b), alpha) if not isinstance(b, _SCALARS) else b * alpha
    if isinstance(b, _SCALARS):
        out = wrap(as_array(_scalar_operand(a, b) - b))
        if needs_grad(a):
            record(K.ADD_SCALAR, "SubBackward0", (a,), out, (), (float(b),))
        return out
    if a.dtype.kind == "b" and as_tensor(b).dtype.kind == "b":
        raise TypeError("sub: subtraction of two bool tensors is not supported")
    return _binary("sub", np.subtract, K.SUB, "SubBackward0", a, b, False)


def rsub(a: Tensor, b: Any) -> Tensor:
    """``b - a`` for a scalar or array ``b``."""
    if isinstance(b, _SCALARS):
        out = wrap(as_array(b - _scalar_operand(a, b)))
        if needs_grad(a):
            record(K.RSUB_SCALAR, "RsubBackward1", (a,), out, (), (float(b),))
        return out
    return sub(as_tensor(b), a)


def mul(a: Tensor, b: Any) -> Tensor:
    if isinstance(b, _SCALARS):
        out = wrap(as_array(_scalar_operand(a, b) * b))
        if needs_grad(a):
            record(K.MUL_SCALAR, "MulBackward0", (a,), out, (), (float(b),))
        return out
    return _binary("mul", np.multiply, K.MUL, "MulBackward0", a, b, True)


def div(a: Tensor, b: Any) -> Tensor:
    if isinstance(b, _SCALARS):
        out = wrap(as_array(_scalar_operand(a, b, True) / b))
        if needs_grad(a):
            record(K.DIV_SCALAR, "DivBackward0", (a,), out, (), (float(b),))
        return out
    return _binary("div", np.true_divide, K.DIV, "DivBackward0", a, b, True, floating=True)


def rdiv(a: Tensor, b: Any) -> Tensor:
    """``b / a`` for a scalar or array ``b``."""
    if isinstance(b, _SCALARS):
        # torch evaluates s / x as reciprocal(x) * s; do the same so results match bitwise.
        ad = _scalar_operand(a, b, True)
        r = as_array(np.reciprocal(ad))
        out = wrap(as_array(r * ad.dtype.type(b)))
        if needs_grad(a):
            record(K.RDIV_SCALAR, "MulBackward0", (a,), out, (a, r), (float(b),))
        return out
    return div(as_tensor(b), a)


def neg(a: Tensor) -> Tensor:
    if a.dtype.kind == "b":
        raise TypeError("neg: negation of a bool tensor is not supported; use ~ or logical_not")
    out = wrap(as_array(np.negative(a._data)))
    if needs_grad(a):
        record(K.NEG, "NegBackward0", (a,), out)
    return out


def pow(a: Tensor, exponent: Any) -> Tensor:  # noqa: A001 - torch's name
    if isinstance(exponent, _SCALARS):
        ad = _scalar_operand(a, exponent)
        if ad.dtype.kind in "iub" and isinstance(exponent, int) and exponent < 0:
            raise ValueError("pow: integers to negative integer powers are not allowed")
        out = wrap(pow_scalar_array(ad, exponent))
        if needs_grad(a):
            record(K.POW_SCALAR, "PowBackward0", (a,), out, (a,), (float(exponent),))
        return out
    return _pow_tensor(a, as_tensor(exponent, "pow: exponent"))


def _pow_tensor(a: Tensor, b: Tensor) -> Tensor:
    ad, bd = _operands("pow", a, b)
    if ad.dtype.kind in "iub" and np.any(bd < 0):
        raise ValueError("pow: integers to negative integer powers are not allowed")
    try:
        out = wrap(as_array(np.power(ad, bd)))
    except ValueError:
        raise broadcast_error("pow", a, b) from None
    if needs_grad(a, b):
        record(K.POW, "PowBackward1", (a, b), out, (a, b, out))
    return out


def rpow(a: Tensor, base: Any) -> Tensor:
    """``base ** a`` for a scalar or array ``base``."""
    if not isinstance(base, _SCALARS):
        return _pow_tensor(as_tensor(base, "pow: base"), a)
    ad = a._data
    dt = scalar_result_dtype(ad, base) or ad.dtype
    if dt.kind in "iub":
        if isinstance(base, bool):
            dt = np.dtype(np.int64)
        if np.any(ad < 0):
            raise ValueError("pow: integers to negative integer powers are not allowed")
    out = wrap(as_array(np.power(dt.type(base), ad.astype(dt, copy=False))))
    if needs_grad(a):
        record(K.RPOW_SCALAR, "PowBackward2", (a,), out, (a, out), (float(base),))
    return out


def _unary_float(a: Tensor, op: str) -> np.ndarray:
    d = a._data
    if d.dtype.kind != "f":
        d = d.astype(np.float32)
    return d


def exp(a: Tensor) -> Tensor:
    out = wrap(as_array(np.exp(_unary_float(a, "exp"))))
    if needs_grad(a):
        record(K.EXP, "ExpBackward0", (a,), out, (out,))
    return out


def log(a: Tensor) -> Tensor:
    out = wrap(as_array(np.log(_unary_float(a, "log"))))
    if needs_grad(a):
        record(K.LOG, "LogBackward0", (a,), out, (a,))
    return out


def tanh(a: Tensor) -> Tensor:
    out = wrap(as_array(np.tanh(_unary_float(a, "tanh"))))
    if needs_grad(a):
        record(K.TANH, "TanhBackward0", (a,), out, (out,))
    return out


def _sigmoid_array(x: np.ndarray) -> np.ndarray:
    # exp(-|x|) never overflows, and e/(1+e) keeps full relative precision for x << 0.
    e = np.exp(-np.abs(x))
    return as_array(np.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype, copy=False))


def sigmoid(a: Tensor) -> Tensor:
    out = wrap(_sigmoid_array(_unary_float(a, "sigmoid")))
    if needs_grad(a):
        record(K.SIGMOID, "SigmoidBackward0", (a,), out, (out,))
    return out


def relu(a: Tensor) -> Tensor:
    if a.dtype.kind == "b":
        raise TypeError("relu: not implemented for bool tensors")
    out = wrap(as_array(np.maximum(a._data, a._data.dtype.type(0))))
    if needs_grad(a):
        record(K.RELU, "ReluBackward0", (a,), out, (out,))
    return out
