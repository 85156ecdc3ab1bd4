"""Matrix products (native backward; the kernels stay on NumPy's BLAS)."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import _kinds as K
from ..tensor import Tensor
from ._common import as_array, as_tensor, needs_grad, record, result_dtype, wrap


def matmul(a: Tensor, b: Any) -> Tensor:
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
        raise ValueError(
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
