"""Comparisons, logical ops and floating-point classification. All return bool tensors and
record nothing: their results are piecewise constant."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from ..tensor import Tensor
from ._common import _SCALARS, ShapeError, as_tensor, result_dtype, scalar_result_dtype, wrap


def _compare_arrays(op: str, a: Tensor, other: Any) -> tuple[np.ndarray, Any]:
    """Both operands in the dtype torch compares in (its promotion, not NumPy's)."""
    ad = a._data
    if isinstance(other, _SCALARS):
        dt = scalar_result_dtype(ad, other)
        return (ad.astype(dt) if dt is not None else ad), other
    b = as_tensor(other, f"{op}: other")._data
    dt = result_dtype(ad, b)
    return ad.astype(dt, copy=False), b.astype(dt, copy=False)


def _comparison(op: str, ufunc: Callable) -> Callable[[Any, Any], Tensor]:
    def compare(input: Any, other: Any) -> Tensor:  # noqa: A002 - torch's name
        a = as_tensor(input, f"{op}: input")
        x, y = _compare_arrays(op, a, other)
        try:
            return wrap(np.asarray(ufunc(x, y)))
        except ValueError:
            raise ShapeError(
                f"{op}: shapes {tuple(a.shape)} and {tuple(np.shape(y))} cannot be broadcast "
                "together"
            ) from None

    compare.__name__ = compare.__qualname__ = op
    compare.__doc__ = f"Elementwise ``{op}`` as a bool tensor (broadcasting)."
    return compare


eq = _comparison("eq", np.equal)
ne = _comparison("ne", np.not_equal)
lt = _comparison("lt", np.less)
le = _comparison("le", np.less_equal)
gt = _comparison("gt", np.greater)
ge = _comparison("ge", np.greater_equal)


def _logical(op: str, ufunc: Callable) -> Callable[[Any, Any], Tensor]:
    def logical(input: Any, other: Any) -> Tensor:  # noqa: A002
        a = as_tensor(input, f"{op}: input")
        b = as_tensor(other, f"{op}: other")
        try:
            return wrap(np.asarray(ufunc(a._data, b._data)))
        except ValueError:
            raise ShapeError(
                f"{op}: shapes {tuple(a.shape)} and {tuple(b.shape)} cannot be broadcast together"
            ) from None

    logical.__name__ = logical.__qualname__ = op
    logical.__doc__ = f"Elementwise ``{op}`` of the operands' truth values (bool tensor)."
    return logical


logical_and = _logical("logical_and", np.logical_and)
logical_or = _logical("logical_or", np.logical_or)
logical_xor = _logical("logical_xor", np.logical_xor)


def logical_not(input: Any) -> Tensor:  # noqa: A002
    return wrap(np.asarray(np.logical_not(as_tensor(input)._data)))


def _bitwise(op: str, ufunc: Callable) -> Callable[[Any, Any], Any]:
    def bitwise(input: Any, other: Any) -> Any:  # noqa: A002
        a = as_tensor(input, f"{op}: input")
        if isinstance(other, float) or (isinstance(other, Tensor) and other.dtype.kind == "f") \
                or a.dtype.kind == "f":
            raise TypeError(f"{op}: only integer and bool tensors support bitwise operations")
        b = other if isinstance(other, _SCALARS) else as_tensor(other)._data
        try:
            return wrap(np.asarray(ufunc(a._data, b)))
        except ValueError:
            raise ShapeError(
                f"{op}: shapes {tuple(a.shape)} and {tuple(np.shape(b))} cannot be broadcast "
                "together"
            ) from None

    bitwise.__name__ = bitwise.__qualname__ = op
    return bitwise


bitwise_and = _bitwise("bitwise_and", np.bitwise_and)
bitwise_or = _bitwise("bitwise_or", np.bitwise_or)
bitwise_xor = _bitwise("bitwise_xor", np.bitwise_xor)


def bitwise_not(input: Any) -> Tensor:  # noqa: A002
    a = as_tensor(input)
    if a.dtype.kind == "f":
        raise TypeError("bitwise_not: only integer and bool tensors support bitwise operations")
    return wrap(np.asarray(np.invert(a._data)))


def isnan(input: Any) -> Tensor:  # noqa: A002
    return wrap(np.asarray(np.isnan(as_tensor(input)._data)))


def isinf(input: Any) -> Tensor:  # noqa: A002
    return wrap(np.asarray(np.isinf(as_tensor(input)._data)))


def isfinite(input: Any) -> Tensor:  # noqa: A002
    return wrap(np.asarray(np.isfinite(as_tensor(input)._data)))


def equal(input: Any, other: Any) -> bool:  # noqa: A002
    """True when both have the same shape and elements (torch.equal)."""
    a, b = as_tensor(input), as_tensor(other)
    return a.shape == b.shape and bool(np.array_equal(a._data, b._data))


def allclose(input: Any, other: Any, rtol: float = 1e-05, atol: float = 1e-08,  # noqa: A002
             equal_nan: bool = False) -> bool:
    a, b = as_tensor(input), as_tensor(other)
    return bool(np.allclose(a._data, b._data, rtol=rtol, atol=atol, equal_nan=equal_nan))


def isclose(input: Any, other: Any, rtol: float = 1e-05, atol: float = 1e-08,  # noqa: A002
            equal_nan: bool = False) -> Tensor:
    a, b = as_tensor(input), as_tensor(other)
    return wrap(np.asarray(np.isclose(a._data, b._data, rtol=rtol, atol=atol,
                                      equal_nan=equal_nan)))


def all(input: Any, dim: Any = None, keepdim: bool = False) -> Tensor:  # noqa: A001, A002
    """Whether every element (along ``dim``) is true, as a bool tensor."""
    from ._common import reduce_dims

    d = as_tensor(input)._data
    axis = None if dim is None else (reduce_dims(dim, d.ndim, "all") or None)
    return wrap(np.asarray(np.all(d, axis=axis, keepdims=keepdim)))


def any(input: Any, dim: Any = None, keepdim: bool = False) -> Tensor:  # noqa: A001, A002
    """Whether some element (along ``dim``) is true, as a bool tensor."""
    from ._common import reduce_dims

    d = as_tensor(input)._data
    axis = None if dim is None else (reduce_dims(dim, d.ndim, "any") or None)
    return wrap(np.asarray(np.any(d, axis=axis, keepdims=keepdim)))


def nonzero(input: Any, *, as_tuple: bool = False) -> Any:  # noqa: A002
    """Indices of the nonzero elements: an (n, ndim) int64 tensor, or one tensor per dim."""
    d = as_tensor(input)._data
    idx = np.nonzero(np.atleast_1d(d)) if d.ndim == 0 else np.nonzero(d)
    if as_tuple:
        return tuple(wrap(i.astype(np.int64)) for i in idx)
    return wrap(np.stack(idx, axis=1).astype(np.int64) if d.ndim else
                np.zeros((int(bool(d)), 0), dtype=np.int64))
