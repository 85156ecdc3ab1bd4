"""NumPy backward kernels of the nn layer kinds (see ``_kinds.py`` for each node's layout).

``csrc/kernels_nn.cpp`` makes the same NumPy calls (matmul through the C API), so both
engines agree bit for bit.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import _kinds as K
from .kernels import register_kernel


def as_2d(a: Any) -> Any:
    """(*, n) -> (prod(*), n); a 2-D array as is."""
    return a if a.ndim == 2 else a.reshape(-1, a.shape[-1])


@register_kernel(K.LINEAR)
def _linear(saved: list, scalars: tuple, meta: tuple, g: Any, need: tuple) -> tuple:
    x, w = saved
    gx = np.matmul(g, w) if need[0] else None
    gw = np.matmul(as_2d(g).T, as_2d(x)) if need[1] else None
    gb = g if need[2] else None  # the engine sums it to b's shape
    return gx, gw, gb


@register_kernel(K.CROSS_ENTROPY)
def _cross_entropy(saved: list, scalars: tuple, meta: tuple, g: Any, need: tuple) -> tuple:
    _, logp, t = saved
    p = np.exp(logp)  # softmax
    p[np.arange(p.shape[0]), t] -= 1
    reduction, n = int(scalars[0]), scalars[1]
    if reduction == 0:
        p *= g.reshape(-1, 1)
    elif reduction == 1:
        p *= g
    else:
        p *= g / n
    return (p,)
