"""Reductions: sum, mean, prod, var, std, logsumexp, norm, cumsum (native kinds).

``dim`` is an int or a tuple of ints; None (or an empty tuple) reduces every dimension, as in
torch. The node scalars store ``keepdim`` and the reduced dims so the backward can put the
reduced dimensions back.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from .. import _kinds as K
from ..dtypes import resolve_dtype
from ..tensor import Tensor
from ._common import (
    as_array,
    as_tensor,
    needs_grad,
    normalize_dims,
    np_amax,
    np_amin,
    np_prod,
    np_sum,
    record,
    reduce_dims,
    wrap,
    wrap_dim,
)

_F32_F64 = (np.dtype(np.float32), np.dtype(np.float64))


def _cast(a: Tensor, dtype: Any) -> Tensor:
    if dtype is None:
        return a
    from .shape import to

    return to(a, resolve_dtype(dtype))


def _require_float(a: Tensor, op: str) -> None:
    if a._data.dtype.kind != "f":
        raise RuntimeError(
            f"{op}(): input dtype must be floating point (float32 or float64), got "
            f"{a._data.dtype}"
        )


def _reduce(a: Tensor, dim: Any, keepdim: bool, mean: bool) -> Tensor:
    op = "mean" if mean else "sum"
    d = a._data
    if mean and d.dtype.kind != "f":
        raise RuntimeError(
            f"mean(): could not infer output dtype. Input dtype must be a floating point "
            f"dtype, got {d.dtype}"
        )
    # dim=None keeps no dims in the node (all reduced); dim=() means all too, like torch.
    dims: tuple = () if dim is None else reduce_dims(dim, d.ndim, op)
    axis = dims if (dims and d.ndim) else None
    if mean:
        r = np.mean(d, axis=axis, keepdims=keepdim)
    else:
        r = np.sum(d, axis=axis, keepdims=keepdim)
        if d.dtype.kind in "biu":
            r = np.asarray(r, dtype=np.int64)
    out = wrap(as_array(r))
    if needs_grad(a):
        name = ("MeanBackward" if mean else "SumBackward") + ("1" if dim is not None else "0")
        record(K.MEAN if mean else K.SUM, name, (a,), out, (), (1.0 if keepdim else 0.0, *dims))
    return out


def sum(input: Any, dim: Any = None, keepdim: bool = False, *,  # noqa: A001, A002
        dtype: Any = None) -> Tensor:
    return _reduce(_cast(as_tensor(input), dtype), dim, keepdim, False)


def mean(input: Any, dim: Any = None, keepdim: bool = False, *,  # noqa: A002
         dtype: Any = None) -> Tensor:
    return _reduce(_cast(as_tensor(input), dtype), dim, keepdim, True)


def prod(input: Any, dim: Any = None, keepdim: bool = False, *,  # noqa: A002
         dtype: Any = None) -> Tensor:
    """Product of all elements, or along one ``dim`` (an int, as in torch)."""
    a = _cast(as_tensor(input), dtype)
    d = a._data
    if dim is None:
        r = np_prod(d)
        scalars: tuple = ()
        name = "ProdBackward0"
    else:
        k = wrap_dim(dim, d.ndim, "prod")
        r = np_prod(d, axis=k if d.ndim else None, keepdims=keepdim and d.ndim > 0)
        scalars = (1.0 if keepdim else 0.0, float(k))
        name = "ProdBackward1"
    if d.dtype.kind in "biu":
        r = np.asarray(r, dtype=np.int64)
    out = wrap(as_array(r))
    if needs_grad(a):
        record(K.PROD, name, (a,), out, (a, out), scalars)
    return out


def _correction(op: str, unbiased: Any, correction: Any) -> float:
    if correction is not None and unbiased is not None:
        raise TypeError(f"{op}: pass either unbiased or correction, not both")
    if correction is not None:
        return float(correction)
    return 1.0 if unbiased is None or unbiased else 0.0


def _var_args(op: str, input: Any, dim: Any, unbiased: Any, correction: Any,  # noqa: A002
              ) -> tuple[Tensor, tuple, float]:
    if isinstance(dim, bool):  # var(x, False): the legacy positional ``unbiased``
        unbiased, dim = dim, None
    a = as_tensor(input)
    _require_float(a, op)
    dims = () if dim is None else reduce_dims(dim, a.ndim, op)
    return a, dims, _correction(op, unbiased, correction)


def _var_array(d: np.ndarray, dims: tuple, corr: float, keepdim: bool) -> np.ndarray:
    axis = dims if (dims and d.ndim) else None
    with warnings.catch_warnings():
        # Degrees of freedom <= 0 give inf/NaN, as in torch; NumPy's warning is noise here.
        warnings.simplefilter("ignore", RuntimeWarning)
        with np.errstate(divide="ignore", invalid="ignore"):
            if axis is None:
                n = d.size
            else:
                n = 1
                for k in axis:
                    n *= d.shape[k]
            if n and d.ndim and type(d) is np.ndarray and d.dtype in _F32_F64:
                # np.mean's own steps (_methods._mean) without its Python layers: the sum,
                # then a division by the count as an intp, in place.
                m = np.add.reduce(d, axis=axis, keepdims=True)
                m = np.true_divide(m, np.intp(n), out=m, casting="unsafe", subok=False)
            else:
                m = np.mean(d, axis=axis, keepdims=True)
            dev = d - m
            ss = np_sum(dev * dev, axis=axis, keepdims=keepdim)
            return as_array(ss / d.dtype.type(max(n - corr, 0.0)))


def var(input: Any, dim: Any = None, unbiased: Any = None, keepdim: bool = False, *,  # noqa: A002
        correction: Any = None) -> Tensor:
    """Variance with ``correction`` (default 1; ``unbiased=False`` means 0)."""
    a, dims, corr = _var_args("var", input, dim, unbiased, correction)
    out = wrap(_var_array(a._data, dims, corr, keepdim))
    if needs_grad(a):
        record(K.VAR, "VarBackward0", (a,), out, (a,), (corr, 1.0 if keepdim else 0.0, *dims))
    return out


def std(input: Any, dim: Any = None, unbiased: Any = None, keepdim: bool = False, *,  # noqa: A002
        correction: Any = None) -> Tensor:
    """Standard deviation with ``correction`` (default 1; ``unbiased=False`` means 0)."""
    a, dims, corr = _var_args("std", input, dim, unbiased, correction)
    out = wrap(as_array(np.sqrt(_var_array(a._data, dims, corr, keepdim))))
    if needs_grad(a):
        record(K.STD, "StdBackward0", (a,), out, (a, out), (corr, 1.0 if keepdim else 0.0, *dims))
    return out


def logsumexp(input: Any, dim: Any, keepdim: bool = False) -> Tensor:  # noqa: A002
    """log(sum(exp(x))) over ``dim``, computed stably as torch does (shift by the max)."""
    a = as_tensor(input)
    d = a._data if a._data.dtype.kind == "f" else a._data.astype(np.float32)
    dims = reduce_dims(dim, d.ndim, "logsumexp")
    axis = dims if d.ndim else None
    if d.size:
        m = np_amax(d, axis=axis, keepdims=True)
        # An infinite max would turn x - max into NaN; torch shifts by 0 there instead.
        m = np.where(np.isinf(m), d.dtype.type(0), m)
        with np.errstate(divide="ignore"):
            s = np.log(np_sum(np.exp(d - m), axis=axis, keepdims=keepdim))
        r = s + (m if keepdim else m.reshape(s.shape))
    else:
        with np.errstate(divide="ignore"):
            r = np.log(np.sum(np.exp(d), axis=axis, keepdims=keepdim))
    out = wrap(as_array(r))
    if needs_grad(a):
        record(K.LOGSUMEXP, "LogsumexpBackward0", (a,), out, (a, out),
               (1.0 if keepdim else 0.0, *dims))
    return out


def _norm_order(p: Any) -> float:
    if p is None or p == "fro":
        return 2.0
    if isinstance(p, str):
        raise NotImplementedError(
            f"norm: p={p!r} is not supported; use p='fro', 'nuc' or a number"
        )
    if not isinstance(p, (int, float, np.integer, np.floating)) or isinstance(p, bool):
        raise TypeError(f"norm: p must be a number or 'fro', got {p!r}")
    return float(p)


def _vector_norm_array(d: np.ndarray, p: float, axis: Any, keepdim: bool) -> np.ndarray:
    if p == 2.0:
        return as_array(np.sqrt(np_sum(d * d, axis=axis, keepdims=keepdim)))
    if p == 0.0:
        return as_array(np_sum((d != 0).astype(d.dtype), axis=axis, keepdims=keepdim))
    ad = np.abs(d)
    if p == 1.0:
        return as_array(np_sum(ad, axis=axis, keepdims=keepdim))
    if math.isinf(p):
        if d.size == 0:
            raise RuntimeError(
                "norm: the infinity norm of an empty tensor is undefined (no elements to "
                "take the max/min of)"
            )
        f = np_amax if p > 0 else np_amin
        return as_array(f(ad, axis=axis, keepdims=keepdim))
    t = d.dtype.type
    s = np_sum(np.power(ad, t(p)), axis=axis, keepdims=keepdim)
    return as_array(np.power(s, t(1.0 / p)))


def norm(input: Any, p: Any = "fro", dim: Any = None, keepdim: bool = False,  # noqa: A002
         *, dtype: Any = None) -> Tensor:
    """Vector p-norm over ``dim`` (all elements when None): p = 2/'fro' (default), 1, inf,
    -inf, 0 or any other number; p='nuc' is the nuclear norm of the matrices in the two dims
    ``dim`` (a 2-D input when None)."""
    a = _cast(as_tensor(input), dtype)
    _require_float(a, "norm")
    if isinstance(p, str) and p == "nuc":
        from .matrix_norm import nuclear_norm

        return nuclear_norm(a, dim, keepdim)
    order = _norm_order(p)
    d = a._data
    dims: tuple = () if dim is None else normalize_dims(dim, d.ndim, "norm")
    axis = dims if (dims and d.ndim) else None
    out = wrap(_vector_norm_array(d, order, axis, keepdim))
    if needs_grad(a):
        record(K.NORM, "LinalgVectorNormBackward0", (a,), out, (a, out),
               (order, 1.0 if keepdim else 0.0, *dims))
    return out


def cumsum_array(d: np.ndarray, axis: int) -> np.ndarray:
    """Cumulative sum; float32 accumulates in float64 and rounds once, as torch's CPU kernel."""
    if d.dtype == np.float32:
        return np.cumsum(d, axis=axis, dtype=np.float64).astype(np.float32)
    return np.cumsum(d, axis=axis)


def cumsum(input: Any, dim: int, *, dtype: Any = None) -> Tensor:  # noqa: A002
    a = _cast(as_tensor(input), dtype)
    d = a._data
    k = wrap_dim(dim, d.ndim, "cumsum")
    r = cumsum_array(d, k) if d.ndim else d.copy()
    if d.dtype.kind in "biu":
        r = r.astype(np.int64)
    out = wrap(as_array(r))
    if needs_grad(a):
        record(K.CUMSUM, "CumsumBackward0", (a,), out, (), (float(k),))
    return out
