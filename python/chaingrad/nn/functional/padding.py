"""``pad`` for all of torch's modes, as a gather through an index map.

The map (built once with ``np.pad`` on ``arange``) says which input element each output element
copies, or -1 for the constant fill; the backward scatter-adds through the same map, and the
scatter's backward is the gather again.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ...autograd.function import Function, FunctionCtx
from ...tensor import Tensor
from ._utils import check_tensor, wrap

__all__ = ["pad"]

_MODES = {"constant": "constant", "reflect": "reflect", "replicate": "edge", "circular": "wrap"}


class _Gather(Function):
    _backward_name = "ConstantPadNdBackward0"

    @staticmethod
    def forward(ctx: FunctionCtx, x: Tensor, index: np.ndarray, value: float) -> Tensor:
        ctx.index, ctx.in_shape = index, x._data.shape
        flat = x._data.reshape(-1)
        valid = index >= 0
        out = np.full(index.shape, value, dtype=x._data.dtype)
        out[valid] = flat[index[valid]]
        return wrap(out)

    @staticmethod
    def backward(ctx: FunctionCtx, g: Tensor) -> tuple:
        return _Scatter.apply(g, ctx.index, ctx.in_shape), None, None


class _Scatter(Function):
    _backward_name = "ConstantPadNdBackwardBackward0"

    @staticmethod
    def forward(ctx: FunctionCtx, g: Tensor, index: np.ndarray, in_shape: tuple) -> Tensor:
        ctx.index = index
        valid = index >= 0
        size = int(np.prod(in_shape))
        out = np.bincount(index[valid], weights=g._data[valid], minlength=size)
        return wrap(out.astype(g._data.dtype, copy=False).reshape(in_shape))

    @staticmethod
    def backward(ctx: FunctionCtx, gg: Tensor) -> tuple:
        return _Gather.apply(gg, ctx.index, 0.0), None, None


def pad(input: Tensor, pad: Sequence[int], mode: str = "constant", value: float | None = None
        ) -> Tensor:
    """Pad the last ``len(pad) // 2`` dims: ``pad = (left_last, right_last, left_prev, ...)``.

    Modes: constant (with ``value``), reflect, replicate, circular. Negative pads crop.
    """
    check_tensor(input, "pad")
    pads = tuple(int(p) for p in pad)
    if len(pads) % 2 or len(pads) // 2 > input.ndim:
        raise ValueError(f"pad: padding length must be even and at most 2 * ndim "
                         f"({2 * input.ndim}), got {len(pads)}")
    if mode not in _MODES:
        raise ValueError(f"pad: unsupported mode {mode!r}; choose one of {list(_MODES)}")
    if mode != "constant" and value not in (None, 0, 0.0):
        raise ValueError(f"pad: padding mode {mode!r} doesn't take in value argument")
    widths = [(0, 0)] * input.ndim
    for k in range(len(pads) // 2):
        widths[input.ndim - 1 - k] = (pads[2 * k], pads[2 * k + 1])
    shape = input._data.shape
    index = np.arange(int(np.prod(shape)), dtype=np.int64).reshape(shape)
    # Negative pads crop first; then the positive ones pad.
    crop = tuple(slice(max(-a, 0), n - max(-b, 0)) for (a, b), n in zip(widths, shape))
    index = index[crop]
    grow = [(max(a, 0), max(b, 0)) for a, b in widths]
    if mode == "reflect" and any(a >= n or b >= n for (a, b), n in zip(grow, index.shape)):
        raise ValueError(f"pad: padding size should be less than the corresponding input "
                         f"dimension for reflect mode, got pads {pads} for shape {shape}")
    if mode == "constant":
        index = np.pad(index, grow, constant_values=-1)
    else:
        index = np.pad(index, grow, mode=_MODES[mode])
    return _Gather.apply(input, index, 0.0 if value is None else float(value))
