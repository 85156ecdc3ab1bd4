"""The nodes of in-place ops on views (torch's CopySlices and AsStridedBackward0).

An in-place op ``f_`` on a view ``v`` of ``base`` is recorded as three nodes:
``old_v = AsStrided(old base)``, ``r = f(old_v)`` (whatever ``f`` records: native kinds,
Functions) and ``new base = CopySlices(old base, r)``, the old base with the view's elements
replaced by ``r``. So the base's gradient is the incoming gradient with the view's region
replaced by ``f``'s input-gradient of that region, and ``f``'s other inputs get their gradients
from the region, as with torch's CopySlices.

AsStrided and CopySlices are native kinds (``_kinds.AS_STRIDED``, ``COPY_SLICES``): the
forward only records them (``as_strided_of``, ``copy_slices``), and the backward is a gather or
scatter by the view's flat index into the base (``_views.placement``) in C++. The Functions
below are their differentiable backwards (``create_graph=True``), so higher-order gradients
work; none of these nodes depends on the memory layout of the arrays it receives.
"""

from __future__ import annotations

import numpy as np

from .. import _kinds as K
from .. import grad_mode as _gm
from ..autograd.function import Function, FunctionCtx
from ..tensor import Tensor
from ._common import record, wrap
from ._views import Placement


def _flat(a: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(a).reshape(-1)


def as_strided_of(base: Tensor, index: np.ndarray, overlap: bool, out: np.ndarray) -> Tensor:
    """A tensor of the view's values ``out``, recorded as AsStridedBackward0 of ``base``."""
    r = Tensor._from_array(out)
    if _gm._enabled[0] and base._requires_grad and out.dtype.kind == "f":
        record(K.AS_STRIDED, "AsStridedBackward0", (base,), r, (index,), (float(overlap),))
    return r


def copy_slices(base: Tensor, src: Tensor, index: np.ndarray, out: np.ndarray) -> Tensor:
    """``out`` (``base`` with the view's elements replaced by ``src``), recorded as
    CopySlices."""
    r = Tensor._from_array(out)
    if (_gm._enabled[0] and (base._requires_grad or src._requires_grad)
            and out.dtype.kind == "f"):
        record(K.COPY_SLICES, "CopySlices", (base, src), r, (index,), ())
    return r


def copy_slices_backward(g: Tensor, place: Placement, need_base: bool,
                         need_src: bool) -> tuple:
    """CopySlices' gradients as recorded Tensor ops (the COPY_SLICES formula)."""
    gb = gs = None
    if need_base:
        gb = CopySlices.apply(g, wrap(np.zeros(place.shape, dtype=g._data.dtype)), place)
    if need_src:
        gs = AsStrided.apply(g, place)
    return gb, gs


class AsStrided(Function):
    """The elements of ``base`` that the view occupies."""

    _backward_name = "AsStridedBackward0"

    @staticmethod
    def forward(ctx: FunctionCtx, base: Tensor, place: Placement) -> Tensor:
        ctx.place = place
        return wrap(np.asarray(_flat(base._data)[place.index]))  # a 0-d index gives a scalar

    @staticmethod
    def backward(ctx: FunctionCtx, g: Tensor) -> tuple:
        return AsStridedScatter.apply(g, ctx.place), None


class AsStridedScatter(Function):
    """Zeros of the base's shape with ``g`` added at the view's elements."""

    _backward_name = "AsStridedScatterBackward0"

    @staticmethod
    def forward(ctx: FunctionCtx, g: Tensor, place: Placement) -> Tensor:
        ctx.place = place
        out = np.zeros(int(np.prod(place.base_shape)), dtype=g._data.dtype)
        if place.overlap:
            np.add.at(out, place.index, g._data)  # an expanded view: its elements share one
        else:
            out[place.index] = g._data
        return wrap(out.reshape(place.base_shape))

    @staticmethod
    def backward(ctx: FunctionCtx, gg: Tensor) -> tuple:
        return AsStrided.apply(gg, ctx.place), None


class CopySlices(Function):
    """``base`` with the view's elements replaced by ``src``."""

    _backward_name = "CopySlices"

    @staticmethod
    def forward(ctx: FunctionCtx, base: Tensor, src: Tensor, place: Placement) -> Tensor:
        ctx.place = place
        res = np.array(base._data, copy=True, order="C")
        res.reshape(-1)[place.index] = src._data
        return wrap(res)

    @staticmethod
    def backward(ctx: FunctionCtx, g: Tensor) -> tuple:
        gb, gs = copy_slices_backward(g, ctx.place, ctx.needs_input_grad[0],
                                      ctx.needs_input_grad[1])
        return gb, gs, None


class Invalid(Function):
    """A view whose history cannot be rewritten after its base changed: backward raises."""

    _backward_name = "Invalid"

    @staticmethod
    def forward(ctx: FunctionCtx, base: Tensor, msg: str, out: np.ndarray) -> Tensor:
        ctx.msg = msg
        return wrap(out)

    @staticmethod
    def backward(ctx: FunctionCtx, g: Tensor) -> tuple:
        raise RuntimeError(ctx.msg)
