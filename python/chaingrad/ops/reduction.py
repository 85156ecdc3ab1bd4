"""Reductions: sum and mean (native backward)."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import _kinds as K
from ..tensor import Tensor
from ._common import as_array, needs_grad, normalize_dims, record, wrap


def _reduce(a: Tensor, dim: Any, keepdim: bool, mean: bool) -> Tensor:
    op = "mean" if mean else "sum"
    d = a._data
    if mean and d.dtype.kind != "f":
        raise RuntimeError(
            f"mean(): could not infer output dtype. Input dtype must be a floating point "
            f"dtype, got {d.dtype}"
        )
    if dim is None:
        dims: tuple = ()
        axis = None
    else:
        dims = normalize_dims(dim, d.ndim, op)
        axis = dims if d.ndim else None
    r = np.mean(d, axis=axis, keepdims=keepdim) if mean else np.sum(d, axis=axis, keepdims=keepdim)
    if not mean and d.dtype.kind in "biu":
        r = np.asarray(r, dtype=np.int64)
    out = wrap(as_array(r))
    if needs_grad(a):
        name = ("MeanBackward" if mean else "SumBackward") + ("1" if dim is not None else "0")
        record(K.MEAN if mean else K.SUM, name, (a,), out, (), (1.0 if keepdim else 0.0, *dims))
    return out


def sum(a: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:  # noqa: A001
    return _reduce(a, dim, keepdim, False)


def mean(a: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    return _reduce(a, dim, keepdim, True)
