"""``Tensor.view(dtype)``: the same bytes read as another dtype (NumPy's ``ndarray.view``).

torch's rules: with equal element sizes any tensor can be viewed; with different sizes the
last dimension must have stride 1 and the tensor at least one dimension; growing the element
(float32 -> float64) divides the last dimension by the size ratio, so it, the storage offset
and every other stride must be divisible by the ratio; shrinking multiplies them.

Autograd (checked against torch 2.13): the result is never part of a graph, whatever the
input. It is a new leaf that does not require grad, like ``detach()``: it shares the input's
memory and version counter (an in-place write through either is seen by backward's version
checks) but it is not registered as a differentiable view, so in-place ops on it do not
rewrite the input's history and it may itself be made to require grad.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..dtypes import resolve_dtype
from ..tensor import Tensor


def _root(d: np.ndarray) -> np.ndarray:
    """The ndarray that owns the memory ``d`` looks into (torch's storage)."""
    while isinstance(d.base, np.ndarray):
        d = d.base
    return d


def _element_strides(d: np.ndarray) -> tuple[int, ...]:
    """Strides in elements as torch reports them. NumPy gives a freshly made empty array
    zero strides where torch keeps the contiguous ones (size-0 dims counting as 1)."""
    if d.size == 0 and d.flags.c_contiguous and 0 in d.strides:
        out = []
        s = 1
        for n in reversed(d.shape):
            out.append(s)
            s *= max(n, 1)
        return tuple(reversed(out))
    return tuple(st // d.itemsize for st in d.strides)


def view_dtype(a: Tensor, dtype: Any) -> Tensor:
    dt = resolve_dtype(dtype)
    d = a._data
    old, new = d.dtype.itemsize, dt.itemsize
    if old != new:
        what = f"to view {d.dtype} as {dt} (different element sizes)"
        if d.ndim == 0:
            raise RuntimeError(f"view(dtype): self.dim() cannot be 0 {what}")
        strides = _element_strides(d)
        # torch's order of checks, so the first problem reported is the same.
        if new > old:
            ratio = new // old
            if d.shape[-1] % ratio:
                raise RuntimeError(f"view(dtype): self.size(-1) must be divisible by {ratio} "
                                   f"{what}, but got {d.shape[-1]}")
            offset = (d.__array_interface__["data"][0]
                      - _root(d).__array_interface__["data"][0]) // old
            if offset % ratio:
                raise RuntimeError(f"view(dtype): self.storage_offset() must be divisible by "
                                   f"{ratio} {what}, but got {offset}")
        if strides[-1] != 1:
            raise RuntimeError(
                f"view(dtype): self.stride(-1) must be 1 {what}, but got {strides[-1]}")
        if new > old:
            for i, s in enumerate(strides[:-1]):
                if s % ratio:
                    raise RuntimeError(f"view(dtype): self.stride({i}) must be divisible by "
                                       f"{ratio} {what}, but got {s}")
    try:
        r = d.view(dt)
    except ValueError as e:  # a layout torch accepts but NumPy does not (odd strides)
        raise RuntimeError(f"view(dtype): cannot view this {d.dtype} tensor of shape "
                           f"{tuple(d.shape)} as {dt}: {e}") from None
    out = Tensor._from_array(r)
    out._vc = a._version_counter()
    return out
