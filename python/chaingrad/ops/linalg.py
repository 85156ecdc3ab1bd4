"""Matrix products: matmul (native backward on NumPy's BLAS), dot, mm, mv, bmm, outer."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import _kinds as K
from ..tensor import Tensor
from ._common import ShapeError, as_array, as_tensor, needs_grad, record, result_dtype, wrap


def matmul(a: Any, b: Any) -> Tensor:
    a = as_tensor(a)
    b = as_tensor(b)
    ad, bd = a._data, b._data
    if ad.ndim == 0 or bd.ndim == 0:
        raise RuntimeError(
            f"matmul: both arguments need to be at least 1D, got shapes {tuple(ad.shape)} "
            f"and {tuple(bd.shape)}"
        )
    dt = result_dtype(ad, bd)
    if ad.dtype != dt:
        ad = ad.astype(dt)
    if bd.dtype != dt:
        bd = bd.astype(dt)
    try:
        out = wrap(as_array(np.matmul(ad, bd)))
    except ValueError:
        raise ShapeError(
            f"matmul: shapes {tuple(a.shape)} and {tuple(b.shape)} cannot be multiplied "
            f"(inner dimensions {ad.shape[-1]} and "
            f"{bd.shape[-2] if bd.ndim > 1 else bd.shape[0]} differ or batch shapes do not "
            "broadcast)"
        ) from None
    if needs_grad(a, b):
        if ad.ndim == 1 and bd.ndim == 1:
            name = "DotBackward0"
        elif ad.ndim == 2 and bd.ndim == 1:
            name = "MvBackward0"
        elif ad.ndim == 2 and bd.ndim == 2:
            name = "MmBackward0"
        else:
            name = "BmmBackward0"
        record(K.MATMUL, name, (a, b), out, (a, b))
    return out


def _need_dims(op: str, a: Tensor, b: Tensor, na: int, nb: int) -> None:
    if a.ndim != na or b.ndim != nb:
        raise ShapeError(f"{op}: expected {na}-D and {nb}-D tensors, got shapes "
                         f"{tuple(a.shape)} and {tuple(b.shape)}")


def dot(input: Any, other: Any) -> Tensor:  # noqa: A002 - torch's name
    """Inner product of two 1-D tensors of the same size."""
    a, b = as_tensor(input), as_tensor(other)
    _need_dims("dot", a, b, 1, 1)
    if a.shape != b.shape:
        raise ShapeError(f"dot: inconsistent tensor size, expected tensors of the same size, "
                         f"got {tuple(a.shape)} and {tuple(b.shape)}")
    return matmul(a, b)


def mm(input: Any, mat2: Any) -> Tensor:  # noqa: A002
    a, b = as_tensor(input), as_tensor(mat2)
    _need_dims("mm", a, b, 2, 2)
    return matmul(a, b)


def mv(input: Any, vec: Any) -> Tensor:  # noqa: A002
    a, b = as_tensor(input), as_tensor(vec)
    _need_dims("mv", a, b, 2, 1)
    return matmul(a, b)


def bmm(input: Any, mat2: Any) -> Tensor:  # noqa: A002
    a, b = as_tensor(input), as_tensor(mat2)
    _need_dims("bmm", a, b, 3, 3)
    if a.shape[0] != b.shape[0]:
        raise ShapeError(f"bmm: batch sizes differ: {tuple(a.shape)} and {tuple(b.shape)}")
    return matmul(a, b)


def outer(input: Any, vec2: Any) -> Tensor:  # noqa: A002
    """``input[:, None] * vec2`` for 1-D tensors (torch composes it the same way)."""
    a, b = as_tensor(input), as_tensor(vec2)
    _need_dims("outer", a, b, 1, 1)
    return a.reshape(-1, 1) * b
