"""Attach the op functions to ``Tensor`` as methods and operators (torch's names)."""

from __future__ import annotations

from typing import Any

from .ops import elementwise as E
from .ops import inplace as I
from .ops import linalg as L
from .ops import reduction as R
from .ops import shape as S
from .tensor import Tensor


def _r(fn: Any) -> Any:
    def reflected(self: Tensor, other: Any) -> Tensor:
        return fn(self, other)

    return reflected


def _cmp(ufunc_name: str) -> Any:
    import numpy as np

    uf = getattr(np, ufunc_name)

    def compare(self: Tensor, other: Any) -> Any:
        o = other._data if isinstance(other, Tensor) else other
        if not isinstance(o, (int, float, bool, np.ndarray, np.generic)):
            return NotImplemented
        try:
            return Tensor._from_array(np.asarray(uf(self._data, o)))
        except ValueError:
            raise ValueError(
                f"{ufunc_name}: shapes {tuple(self.shape)} and {tuple(np.shape(o))} cannot be "
                "broadcast together"
            ) from None

    return compare


def _iop(fn: Any) -> Any:
    def inplace(self: Tensor, other: Any) -> Tensor:
        return fn(self, other)

    return inplace


_METHODS = {
    "add": E.add, "sub": E.sub, "mul": E.mul, "div": E.div, "neg": E.neg, "pow": E.pow,
    "exp": E.exp, "log": E.log, "tanh": E.tanh, "sigmoid": E.sigmoid, "relu": E.relu,
    "sum": R.sum, "mean": R.mean, "matmul": L.matmul, "reshape": S.reshape, "view": S.reshape,
    "transpose": S.transpose, "unsqueeze": S.unsqueeze, "squeeze": S.squeeze,
    "expand": S.expand, "to": S.to, "clone": S.clone,
    "add_": I.add_, "sub_": I.sub_, "mul_": I.mul_, "div_": I.div_, "fill_": I.fill_,
    "copy_": I.copy_,
    "__add__": E.add, "__radd__": _r(E.add), "__sub__": E.sub, "__rsub__": E.rsub,
    "__mul__": E.mul, "__rmul__": _r(E.mul), "__truediv__": E.div, "__rtruediv__": E.rdiv,
    "__neg__": E.neg, "__pow__": E.pow, "__rpow__": E.rpow, "__matmul__": L.matmul,
    "__rmatmul__": lambda self, other: L.matmul(Tensor(other) if not isinstance(other, Tensor)
                                                else other, self),
    "__getitem__": S.getitem,
    "__iadd__": _iop(I.add_), "__isub__": _iop(I.sub_), "__imul__": _iop(I.mul_),
    "__itruediv__": _iop(I.div_),
    "__lt__": _cmp("less"), "__le__": _cmp("less_equal"), "__gt__": _cmp("greater"),
    "__ge__": _cmp("greater_equal"), "__eq__": _cmp("equal"), "__ne__": _cmp("not_equal"),
}

for _name, _fn in _METHODS.items():
    setattr(Tensor, _name, _fn)


def _permute(self: Tensor, *dims: Any) -> Tensor:
    if len(dims) == 1 and isinstance(dims[0], (tuple, list)):
        dims = tuple(dims[0])
    return S.permute(self, dims)


def _pos(self: Tensor) -> Tensor:
    return self


def _float(self: Tensor) -> Tensor:
    return S.to(self, "float32")


def _double(self: Tensor) -> Tensor:
    return S.to(self, "float64")


def _contiguous(self: Tensor) -> Tensor:
    return self


Tensor.permute = _permute  # type: ignore[attr-defined]
Tensor.__pos__ = _pos  # type: ignore[attr-defined]
Tensor.float = _float  # type: ignore[attr-defined]
Tensor.double = _double  # type: ignore[attr-defined]
Tensor.contiguous = _contiguous  # type: ignore[attr-defined]
Tensor.__hash__ = lambda self: id(self)  # type: ignore[assignment]

# Native forward fast paths (C++ engine); the functions above remain the fallback and the spec.
from .ops import _fast  # noqa: E402

_fast.install()
