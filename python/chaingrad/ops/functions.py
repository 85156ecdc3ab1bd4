"""Ops whose backward is ordinary Tensor code: built on ``autograd.Function``.

These are not hot enough to deserve a native kernel (shape ops are views in NumPy); writing the
backward with Tensor ops gives higher-order gradients for free.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd.function import Function, FunctionCtx
from ..tensor import Tensor
from ._common import as_array, result_dtype, wrap


class PowTensor(Function):
    _backward_name = "PowBackward1"

    @staticmethod
    def forward(ctx: FunctionCtx, a: Tensor, b: Tensor) -> Tensor:
        dt = result_dtype(a._data, b._data)
        if dt.kind != "f" and b._data.dtype.kind != "f" and np.any(b._data < 0):
            raise ValueError("pow: integers to negative integer powers are not allowed")
        out = wrap(as_array(np.power(a._data.astype(dt, copy=False), b._data.astype(dt, copy=False))))
        ctx.save_for_backward(a, b, out)
        return out

    @staticmethod
    def backward(ctx: FunctionCtx, g: Tensor) -> tuple:
        a, b, out = ctx.saved_tensors
        ga = gb = None
        if ctx.needs_input_grad[0]:
            # torch: grad * (exponent * self.pow(exponent - 1)), zero where exponent == 0
            ga = ZeroWhere.apply(g * (b * a ** (b - 1.0)), b._data == 0)
        if ctx.needs_input_grad[1]:
            # torch: grad * (result * self.log()), zero where self == 0 and exponent >= 0
            gb = ZeroWhere.apply(g * (out * a.log()), (a._data == 0) & (b._data >= 0))
        return ga, gb


class ZeroWhere(Function):
    """``t`` with zeros where a constant boolean mask holds (masked_fill with 0)."""

    _backward_name = "MaskedFillBackward0"

    @staticmethod
    def forward(ctx: FunctionCtx, t: Tensor, mask: np.ndarray) -> Tensor:
        ctx.mask = mask
        d = t._data
        return wrap(as_array(np.where(mask, d.dtype.type(0), d))) if mask.any() else wrap(d.copy())

    @staticmethod
    def backward(ctx: FunctionCtx, g: Tensor) -> tuple:
        return ZeroWhere.apply(g, ctx.mask), None


class Reshape(Function):
    _backward_name = "ViewBackward0"

    @staticmethod
    def forward(ctx: FunctionCtx, a: Tensor, shape: tuple) -> Tensor:
        ctx.in_shape = a._data.shape
        try:
            r = a._data.reshape(shape)
        except ValueError:
            raise RuntimeError(
                f"shape '{list(shape)}' is invalid for input of size {a._data.size}"
            ) from None
        out = wrap(r)
        out._vc = a._version_counter()
        return out

    @staticmethod
    def backward(ctx: FunctionCtx, g: Tensor) -> tuple:
        return g.reshape(ctx.in_shape), None


class Permute(Function):
    _backward_name = "PermuteBackward0"

    @staticmethod
    def forward(ctx: FunctionCtx, a: Tensor, dims: tuple) -> Tensor:
        ctx.dims = dims
        out = wrap(np.transpose(a._data, dims))
        out._vc = a._version_counter()
        return out

    @staticmethod
    def backward(ctx: FunctionCtx, g: Tensor) -> tuple:
        inv = tuple(int(i) for i in np.argsort(ctx.dims))
        return g.permute(*inv), None


class Transpose(Permute):
    _backward_name = "TransposeBackward0"


class GetItem(Function):
    _backward_name = "IndexBackward0"

    @staticmethod
    def forward(ctx: FunctionCtx, a: Tensor, key: Any) -> Tensor:
        ctx.in_shape = a._data.shape
        ctx.dtype = a._data.dtype
        ctx.key = key
        try:
            r = a._data[key]
        except IndexError as e:
            raise IndexError(f"index {key!r} is out of range for a tensor of shape "
                             f"{tuple(a._data.shape)}: {e}") from None
        out = wrap(as_array(r))
        if np.shares_memory(out._data, a._data):
            out._vc = a._version_counter()
        return out

    @staticmethod
    def backward(ctx: FunctionCtx, g: Tensor) -> tuple:
        return IndexBackward.apply(g, ctx.in_shape, ctx.key), None


class IndexBackward(Function):
    """Scatter-add a gradient back into a zero tensor of the indexed tensor's shape."""

    _backward_name = "IndexPutBackward0"

    @staticmethod
    def forward(ctx: FunctionCtx, g: Tensor, shape: tuple, key: Any) -> Tensor:
        ctx.key = key
        out = np.zeros(shape, dtype=g._data.dtype)
        np.add.at(out, key, g._data)  # repeated indices must add, not overwrite
        return wrap(out)

    @staticmethod
    def backward(ctx: FunctionCtx, gg: Tensor) -> tuple:
        return gg[ctx.key], None, None


class ToDtype(Function):
    _backward_name = "ToCopyBackward0"

    @staticmethod
    def forward(ctx: FunctionCtx, a: Tensor, dtype: np.dtype) -> Tensor:
        ctx.src = a._data.dtype
        return wrap(a._data.astype(dtype))

    @staticmethod
    def backward(ctx: FunctionCtx, g: Tensor) -> tuple:
        return g.to(ctx.src), None


class Clone(Function):
    _backward_name = "CloneBackward0"

    @staticmethod
    def forward(ctx: FunctionCtx, a: Tensor) -> Tensor:
        return wrap(np.array(a._data, copy=True))

    @staticmethod
    def backward(ctx: FunctionCtx, g: Tensor) -> tuple:
        return (g,)
