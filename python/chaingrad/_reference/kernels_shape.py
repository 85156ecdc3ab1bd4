"""NumPy backward kernels of the shape kinds (see ``_kinds.py`` for each node's layout).

None of them does arithmetic: a reshape or transpose of the gradient (a view when NumPy can
make one), the gradient itself (the engine sums an expanded gradient to the input's shape and
casts a cast's gradient to the input's dtype), or the gradient assigned into zeros (torch's
SliceBackward0/SelectBackward0). ``csrc/kernels_shape.cpp`` makes the same NumPy calls.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import _kinds as K
from .kernels import register_kernel

_Arr = Any


def slice_key(scalars: tuple) -> tuple:
    """The indexing key a SLICE node's scalars encode: one int or slice per input dim."""
    key: list = []
    for k in range(0, len(scalars) - 2, 3):
        start, stop, step = (int(v) for v in scalars[k:k + 3])
        if step == 0:
            key.append(start)
        else:
            key.append(slice(start, stop if stop >= 0 else None, step))
    return tuple(key)


def inverse_permutation(scalars: tuple) -> tuple:
    return tuple(int(i) for i in np.argsort([int(d) for d in scalars]))


@register_kernel(K.RESHAPE)
def _reshape(saved: list, scalars: tuple, meta: tuple, g: _Arr, need: tuple) -> tuple:
    return (g.reshape(meta[0][0]),)


@register_kernel(K.PERMUTE)
def _permute(saved: list, scalars: tuple, meta: tuple, g: _Arr, need: tuple) -> tuple:
    return (np.transpose(g, inverse_permutation(scalars)),)


@register_kernel(K.EXPAND)
@register_kernel(K.TO_COPY)
def _identity(saved: list, scalars: tuple, meta: tuple, g: _Arr, need: tuple) -> tuple:
    return (g,)


@register_kernel(K.SLICE)
def _slice(saved: list, scalars: tuple, meta: tuple, g: _Arr, need: tuple) -> tuple:
    out = np.zeros(meta[0][0], dtype=g.dtype)
    out[slice_key(scalars)] = g  # distinct positions: plain assignment is exact
    return (out,)


@register_kernel(K.AS_STRIDED)
def _as_strided(saved: list, scalars: tuple, meta: tuple, g: _Arr, need: tuple) -> tuple:
    (index,) = saved
    shape = meta[0][0]
    out = np.zeros(int(np.prod(shape)), dtype=g.dtype)
    if scalars[0]:
        np.add.at(out, index, g)  # an expanded view: its elements share positions
    else:
        out[index] = g
    return (out.reshape(shape),)


@register_kernel(K.COPY_SLICES)
def _copy_slices(saved: list, scalars: tuple, meta: tuple, g: _Arr, need: tuple) -> tuple:
    (index,) = saved
    gb = gs = None
    if need[1]:
        gs = np.asarray(np.ascontiguousarray(g).reshape(-1)[index])  # a 0-d index: a scalar
    if need[0]:
        gb = np.array(g, copy=True, order="C")
        gb.reshape(-1)[index] = 0
    return (gb, gs)
