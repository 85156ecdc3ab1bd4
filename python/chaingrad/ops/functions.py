"""View and copy ops whose backward is ordinary Tensor code, built on ``autograd.Function``.

They are not hot enough to deserve a native kernel (views cost no arithmetic); writing the
backward with Tensor ops gives higher-order gradients for free. An output that shares memory
with its input is registered as a view of it (``_views.make_view``), sharing the version counter.
"""

from __future__ import annotations

import numpy as np

from ..autograd.function import Function, FunctionCtx
from ..tensor import Tensor
from ._common import wrap
from ._views import make_view


def view_of(arr: np.ndarray, base: Tensor) -> Tensor:
    """Wrap ``arr``; a view of the base's memory also shares its version counter."""
    out = wrap(arr)
    if np.may_share_memory(arr, base._data):
        make_view(out, base)
    return out


class Reshape(Function):
    """reshape/view/flatten/squeeze/unsqueeze: a view when the layout allows it."""

    _backward_name = "ViewBackward0"

    @staticmethod
    def forward(ctx: FunctionCtx, a: Tensor, shape: tuple, must_view: bool = False) -> Tensor:
        ctx.in_shape = a._data.shape
        d = a._data
        try:
            r = _reshape_view(d, shape) if must_view else d.reshape(shape)
        except ValueError as e:
            if "copy" in str(e):
                raise RuntimeError(
                    f"view size {list(shape)} is not compatible with input tensor's size "
                    f"{list(d.shape)} and stride (at least one dimension spans across two "
                    "contiguous subspaces). Use .reshape(...) instead."
                ) from None
            raise RuntimeError(
                f"shape '{list(shape)}' is invalid for input of size {d.size}"
            ) from None
        return view_of(r, a)

    @staticmethod
    def backward(ctx: FunctionCtx, g: Tensor) -> tuple:
        return g.reshape(ctx.in_shape), None, None


class Unsqueeze(Reshape):
    _backward_name = "UnsqueezeBackward0"


class Squeeze(Reshape):
    _backward_name = "SqueezeBackward1"


def _reshape_view(d: np.ndarray, shape: tuple) -> np.ndarray:
    """Reshape without copying, or raise ValueError mentioning 'copy'."""
    try:
        return np.reshape(d, shape, copy=False)
    except TypeError:  # NumPy < 2.1 has no copy= argument
        d.reshape(shape)  # raises ValueError for a shape of the wrong size
        v = d.view()
        try:
            v.shape = shape
        except AttributeError:
            raise ValueError("cannot view without a copy") from None
        return v


class Permute(Function):
    _backward_name = "PermuteBackward0"

    @staticmethod
    def forward(ctx: FunctionCtx, a: Tensor, dims: tuple) -> Tensor:
        ctx.dims = dims
        return view_of(np.transpose(a._data, dims), a)

    @staticmethod
    def backward(ctx: FunctionCtx, g: Tensor) -> tuple:
        inv = tuple(int(i) for i in np.argsort(ctx.dims))
        return g.permute(*inv), None


class Transpose(Permute):
    _backward_name = "TransposeBackward0"


class Expand(Function):
    _backward_name = "ExpandBackward0"

    @staticmethod
    def forward(ctx: FunctionCtx, a: Tensor, target: tuple) -> Tensor:
        # A read-only broadcast view: writing through it would alias elements (torch refuses
        # in-place ops on expanded tensors too).
        return view_of(np.broadcast_to(a._data, target), a)

    @staticmethod
    def backward(ctx: FunctionCtx, g: Tensor) -> tuple:
        # The engine sums a gradient back to the input's shape; returning g as is suffices.
        return g, None


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
