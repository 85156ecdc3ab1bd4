"""``pad`` (torch.nn.functional.pad): constant, reflect, replicate and circular modes.

``pad`` lists (left, right) amounts starting from the last dimension, as torch. Constant padding
accepts negative amounts (cropping). The other modes gather from the input through an index
map, so their gradient is the indexing gradient (a scatter-add: border elements read several
times accumulate).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd.function import Function, FunctionCtx
from ..tensor import Tensor
from ._common import ShapeError, as_tensor, wrap
from .indexing import GetItem

_MODES = ("constant", "reflect", "replicate", "circular")


class ConstantPad(Function):
    _backward_name = "ConstantPadNdBackward0"

    @staticmethod
    def forward(ctx: FunctionCtx, a: Tensor, pairs: tuple, value: float) -> Tensor:
        ctx.pairs = pairs
        d = a._data
        lead = d.ndim - len(pairs)
        out_shape = list(d.shape)
        src: list = [slice(None)] * d.ndim
        dst: list = [slice(None)] * d.ndim
        for k, (lo, hi) in enumerate(pairs):
            ax = lead + k
            s = d.shape[ax]
            out_shape[ax] = s + lo + hi
            n = s - max(0, -lo) - max(0, -hi)
            src[ax] = slice(max(0, -lo), max(0, -lo) + max(n, 0))
            dst[ax] = slice(max(0, lo), max(0, lo) + max(n, 0))
        out = np.full(out_shape, value, dtype=d.dtype)
        out[tuple(dst)] = d[tuple(src)]
        return wrap(out)

    @staticmethod
    def backward(ctx: FunctionCtx, g: Tensor) -> tuple:
        # Padding by the negated amounts crops what was added and puts zeros where the
        # forward cropped: exactly the gradient.
        back = tuple((-lo, -hi) for lo, hi in ctx.pairs)
        return ConstantPad.apply(g, back, 0.0), None, None


class _IndexPad(GetItem):
    _backward_name = "ReflectionPadBackward0"


class _ReplicatePad(GetItem):
    _backward_name = "ReplicationPadBackward0"


class _CircularPad(GetItem):
    _backward_name = "CircularPadBackward0"


def _source_index(mode: str, s: int, lo: int, hi: int) -> np.ndarray:
    i = np.arange(-lo, s + hi)
    if mode == "reflect":
        i = np.abs(i)
        return np.where(i >= s, 2 * (s - 1) - i, i)
    if mode == "replicate":
        return np.clip(i, 0, s - 1)
    return np.mod(i, s)


def pad(input: Any, pad: Any, mode: str = "constant", value: Any = None) -> Tensor:  # noqa: A002
    """Pad the last ``len(pad) // 2`` dimensions; ``pad = (left_last, right_last, left_prev,
    right_prev, ...)``."""
    a = as_tensor(input, "pad: input")
    amounts = tuple(int(p) for p in pad)
    if len(amounts) % 2:
        raise ValueError(f"pad: padding length must be divisible by 2, got {len(amounts)}")
    k = len(amounts) // 2
    if k > a.ndim:
        raise ValueError(f"pad: padding length {len(amounts)} is too large for a tensor with "
                         f"{a.ndim} dimensions (shape {tuple(a.shape)})")
    if mode not in _MODES:
        raise NotImplementedError(f"pad: mode {mode!r} is not supported; use one of {_MODES}")
    # pairs in dimension order (first padded dim first)
    pairs = tuple((amounts[2 * j], amounts[2 * j + 1]) for j in range(k))[::-1]
    shape = a._data.shape
    lead = a.ndim - k
    if mode == "constant":
        for j, (lo, hi) in enumerate(pairs):
            if shape[lead + j] + lo + hi < 0:
                raise ShapeError(f"pad: the padding {amounts} would give dimension {lead + j} "
                                 f"(size {shape[lead + j]}) a negative size")
        v = 0.0 if value is None else value
        return ConstantPad.apply(a, pairs, v)
    if value not in (None, 0, 0.0):
        raise ValueError(f"pad: a fill value only makes sense for mode='constant', not {mode!r}")
    index = []
    for j, (lo, hi) in enumerate(pairs):
        s = shape[lead + j]
        if lo < 0 or hi < 0:
            raise ValueError(f"pad: negative padding {amounts} needs mode='constant'")
        if mode == "reflect" and (lo >= s or hi >= s):
            raise ValueError(f"pad: reflect padding ({lo}, {hi}) must be smaller than the "
                             f"dimension {lead + j} of size {s}")
        if mode == "circular" and (lo > s or hi > s):
            raise ValueError(f"pad: circular padding ({lo}, {hi}) must not exceed the "
                             f"dimension {lead + j} of size {s}")
        if s == 0 and lo + hi:
            raise ValueError(f"pad: cannot {mode}-pad the empty dimension {lead + j}")
        index.append(_source_index(mode, s, lo, hi))
    key = (slice(None),) * lead + np.ix_(*index)
    cls = {"reflect": _IndexPad, "replicate": _ReplicatePad, "circular": _CircularPad}[mode]
    return cls.apply(a, key)
