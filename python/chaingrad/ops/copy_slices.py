"""The nodes of in-place ops on views (torch's CopySlices and AsStridedBackward0).

An in-place op ``f_`` on a view ``v`` of ``base`` is recorded as three ordinary nodes:
``old_v = AsStrided(old base)``, ``r = f(old_v)`` (whatever ``f`` records: native kinds,
Functions) and ``new base = CopySlices(old base, r)``, the old base with the view's elements
replaced by ``r``. So the base's gradient is the incoming gradient with the view's region
replaced by ``f``'s input-gradient of that region, and ``f``'s other inputs get their gradients
from the region, as with torch's CopySlices. All backwards are written with these Functions,
so higher-order gradients work.

Element positions come from ``_views.Geometry`` (flat indices into the base), so none of these
nodes depends on the memory layout of the arrays it receives.
"""

from __future__ import annotations

import numpy as np

from ..autograd.function import Function, FunctionCtx
from ..tensor import Tensor
from ._common import wrap
from ._views import Geometry


def _flat(a: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(a).reshape(-1)


class AsStrided(Function):
    """The elements of ``base`` that the view occupies (``out``: values already at hand)."""

    _backward_name = "AsStridedBackward0"

    @staticmethod
    def forward(ctx: FunctionCtx, base: Tensor, geom: Geometry,
                out: np.ndarray | None = None) -> Tensor:
        ctx.geom = geom
        if out is None:
            out = np.asarray(_flat(base._data)[geom.index()])  # a 0-d index gives a scalar
        return wrap(out)

    @staticmethod
    def backward(ctx: FunctionCtx, g: Tensor) -> tuple:
        return AsStridedScatter.apply(g, ctx.geom), None, None


class AsStridedScatter(Function):
    """Zeros of the base's shape with ``g`` added at the view's elements."""

    _backward_name = "AsStridedScatterBackward0"

    @staticmethod
    def forward(ctx: FunctionCtx, g: Tensor, geom: Geometry) -> Tensor:
        ctx.geom = geom
        out = np.zeros(int(np.prod(geom.base_shape)), dtype=g._data.dtype)
        if geom.overlap:
            np.add.at(out, geom.index(), g._data)  # an expanded view: its elements share one
        else:
            out[geom.index()] = g._data
        return wrap(out.reshape(geom.base_shape))

    @staticmethod
    def backward(ctx: FunctionCtx, gg: Tensor) -> tuple:
        return AsStrided.apply(gg, ctx.geom), None


class CopySlices(Function):
    """``base`` with the view's elements replaced by ``src`` (``out``: the result at hand)."""

    _backward_name = "CopySlices"

    @staticmethod
    def forward(ctx: FunctionCtx, base: Tensor, src: Tensor, geom: Geometry,
                out: np.ndarray | None = None) -> Tensor:
        ctx.geom = geom
        if out is None:
            res = np.array(base._data, copy=True, order="C")
            res.reshape(-1)[geom.index()] = src._data
            out = res
        return wrap(out)

    @staticmethod
    def backward(ctx: FunctionCtx, g: Tensor) -> tuple:
        geom = ctx.geom
        gb = gs = None
        if ctx.needs_input_grad[0]:
            gb = CopySlices.apply(g, wrap(np.zeros(geom.shape, dtype=g._data.dtype)), geom)
        if ctx.needs_input_grad[1]:
            gs = AsStrided.apply(g, geom)
        return gb, gs, None, None


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
