"""More indexing ops as compositions of differentiable ones (so the gradients are torch's):
index_add, index_copy, index_fill (on scatter_add / scatter / masked_fill), masked_scatter,
take, narrow_copy, and scatter_reduce (sum and mean composed; amax, amin and prod a
``Function`` with torch's backward)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd.function import Function, FunctionCtx
from ..tensor import Tensor
from ._common import _SCALARS, ShapeError, as_tensor, wrap, wrap_dim
from .indexing import _check_dim_shapes, _check_index, _dim_key


def _input(x: Any, op: str) -> Tensor:
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}(): argument 'input' must be Tensor, not {type(x).__name__}")
    return x


def _index_vector(op: str, index: Any, size: int, dim: int) -> np.ndarray:
    it = as_tensor(index, f"{op}: index")
    if it.ndim > 1:
        raise ShapeError(f"{op}(): Index is supposed to be a vector, got shape "
                         f"{tuple(it.shape)}")
    return _check_index(op, it, size, dim).reshape(-1)


def _full_index(x: Tensor, d: int, idx: np.ndarray, source: Tensor, op: str) -> np.ndarray:
    """``idx`` along ``d`` broadcast to the source's shape (the scatter index of index_add)."""
    want = list(x.shape)
    want[d] = idx.size
    if tuple(source.shape) != tuple(want) and not (source.ndim == 0 and x.ndim == 0):
        raise ShapeError(f"{op}(): source of shape {tuple(source.shape)} does not match the "
                         f"input's shape with dim {d} of the index's length: {tuple(want)}")
    view = [1] * x.ndim
    view[d] = idx.size
    return np.ascontiguousarray(np.broadcast_to(idx.reshape(view), want))


def index_add(input: Any, dim: int, index: Any, source: Any, *, alpha: Any = 1,  # noqa: A002
              ) -> Tensor:
    """``input`` with ``alpha * source[..., i, ...]`` added at ``index[i]`` along ``dim``
    (repeated indices add up)."""
    x = _input(input, "index_add")
    d = wrap_dim(dim, x.ndim, "index_add")
    src = as_tensor(source, "index_add: source")
    if x.ndim == 0:
        x1 = x.reshape(1)
        return index_add(x1, 0, index, src.reshape(-1), alpha=alpha).reshape(())
    idx = _index_vector("index_add", index, x.shape[d], d)
    full = _full_index(x, d, idx, src, "index_add")
    return x.scatter_add(d, wrap(full), src if alpha == 1 else src * alpha)


def index_copy(input: Any, dim: int, index: Any, source: Any) -> Tensor:  # noqa: A002
    """``input`` with the slices at ``index`` along ``dim`` replaced by ``source``'s."""
    x = _input(input, "index_copy")
    d = wrap_dim(dim, x.ndim, "index_copy")
    src = as_tensor(source, "index_copy: source")
    if x.ndim == 0:
        return index_copy(x.reshape(1), 0, index, src.reshape(-1)).reshape(())
    idx = _index_vector("index_copy", index, x.shape[d], d)
    full = _full_index(x, d, idx, src, "index_copy")
    return x.scatter(d, wrap(full), src)


def index_fill(input: Any, dim: int, index: Any, value: Any) -> Tensor:  # noqa: A002
    """``input`` with the slices at ``index`` along ``dim`` set to ``value`` (a number or a
    0-d tensor, differentiable)."""
    x = _input(input, "index_fill")
    d = wrap_dim(dim, x.ndim, "index_fill")
    if isinstance(value, Tensor) and value.ndim != 0:
        raise RuntimeError(f"index_fill(): only supports a 0-dimensional value tensor, but got "
                           f"tensor with {value.ndim} dimension(s)")
    if not isinstance(value, (Tensor, *_SCALARS)):
        raise TypeError(f"index_fill(): value must be a number or a 0-d Tensor, not "
                        f"{type(value).__name__}")
    n = x.shape[d] if x.ndim else 1
    idx = _index_vector("index_fill", index, n, d)
    m = np.zeros(n, dtype=bool)
    m[idx] = True
    view = [1] * x.ndim
    if x.ndim:
        view[d] = n
    return x.masked_fill(wrap(m.reshape(view)), value)


def masked_scatter(input: Any, mask: Any, source: Any) -> Tensor:  # noqa: A002
    """``input`` with the positions where ``mask`` (broadcast) is True filled, in row-major
    order, by the leading elements of ``source``."""
    x = _input(input, "masked_scatter")
    mt = as_tensor(mask, "masked_scatter: mask")
    if mt._data.dtype != np.bool_:
        raise TypeError(f"masked_scatter(): expected a bool mask, got dtype {mt._data.dtype}")
    src = as_tensor(source, "masked_scatter: source")
    if src._data.dtype != x._data.dtype:
        raise TypeError(f"masked_scatter(): source dtype {src._data.dtype} must match the "
                        f"input's {x._data.dtype}")
    try:
        shape = np.broadcast_shapes(x._data.shape, mt._data.shape)
    except ValueError:
        raise ShapeError(f"masked_scatter(): mask of shape {tuple(mt.shape)} cannot be "
                         f"broadcast with input of shape {tuple(x.shape)}") from None
    pos = np.flatnonzero(np.broadcast_to(mt._data, shape))
    if pos.size > src.numel():
        raise RuntimeError(f"masked_scatter(): Number of elements of source < number of ones in "
                           f"mask ({src.numel()} < {pos.size})")
    xb = x if tuple(x.shape) == tuple(shape) else x.expand(*shape)
    flat = xb.reshape(-1)
    if pos.size == 0:
        return xb.clone()
    part = src.reshape(-1).narrow(0, 0, pos.size)
    return flat.scatter(0, wrap(pos.astype(np.int64)), part).reshape(shape)


def take(input: Any, index: Any) -> Tensor:  # noqa: A002
    """Elements of the flattened input at ``index`` (negative counts from the end); the
    result has the index's shape."""
    x = _input(input, "take")
    it = as_tensor(index, "take: index")
    if it._data.dtype.kind not in "iu":
        raise TypeError(f"take(): Expected a long tensor for index, but got {it._data.dtype}")
    n = x.numel()
    idx = it._data.astype(np.int64)
    if idx.size and (idx.min() < -n or idx.max() >= n):
        bad = int(idx.min()) if idx.min() < -n else int(idx.max())
        raise IndexError(f"take(): index {bad} is out of bounds for input with {n} elements")
    return x.reshape(-1)[wrap(np.where(idx < 0, idx + n, idx))]


def narrow_copy(input: Any, dim: int, start: int, length: int) -> Tensor:  # noqa: A002
    """``narrow`` as a new tensor (not a view)."""
    return _input(input, "narrow_copy").narrow(dim, start, length).clone()


# ------------------------------------------------------------------ scatter_reduce
_REDUCE = ("sum", "prod", "mean", "amax", "amin")


class _ScatterExtreme(Function):
    """scatter_reduce with amax/amin/prod: NumPy's ufunc.at forward, torch's backward."""

    _backward_name = "ScatterReduceBackward0"

    @staticmethod
    def forward(ctx: FunctionCtx, x: Tensor, d: int, idx: np.ndarray, src: Tensor, reduce: str,
                include_self: bool) -> Tensor:
        key = _dim_key(idx, d)
        out = np.array(x._data, copy=True)
        s = src._data[tuple(slice(0, n) for n in idx.shape)]
        if not include_self:
            init = {"amax": -np.inf, "amin": np.inf, "prod": 1}[reduce]
            if out.dtype.kind != "f" and reduce != "prod":
                info = np.iinfo(out.dtype)
                init = info.min if reduce == "amax" else info.max
            out[key] = init
        ufunc = {"amax": np.maximum, "amin": np.minimum, "prod": np.multiply}[reduce]
        ufunc.at(out, key, s)
        ctx.args = (d, idx, reduce, include_self, key)
        ctx.save_for_backward(x, src)
        ctx.out = out
        return wrap(out)

    @staticmethod
    def backward(ctx: FunctionCtx, g: Tensor) -> tuple:
        from .select import where

        x, src = ctx.saved_tensors
        d, idx, reduce, include_self, key = ctx.args
        it = wrap(idx)
        result = wrap(ctx.out)
        scattered = np.zeros(x._data.shape, dtype=bool)
        scattered[key] = True
        sc = wrap(scattered)
        s = src if tuple(src.shape) == idx.shape else src[tuple(slice(0, n) for n in idx.shape)]
        if reduce == "prod":
            # torch's formula for inputs without zeros: grad * result / value, with the
            # result recomputed as a function of the inputs (for higher-order gradients).
            result = _ScatterExtreme.apply(x, d, idx, src, reduce, include_self)
            gr = g * result
            gx = gr / x
            if not include_self:
                gx = where(sc, 0.0, g)
            gs = gr.gather(d, it) / s
        else:
            # amax/amin: the gradient is split evenly over every value equal to the result.
            self_eq = wrap(x._data == ctx.out) if include_self else \
                wrap((x._data == ctx.out) & ~scattered)
            val = result.gather(d, it)
            src_eq = wrap(s._data == val._data)
            cnt = self_eq._data.astype(g._data.dtype)
            np.add.at(cnt, key, src_eq._data.astype(g._data.dtype))
            share = g / wrap(np.maximum(cnt, 1))
            gx = where(self_eq, share, 0.0)
            gs = where(src_eq, share.gather(d, it), 0.0)
        if tuple(src.shape) != idx.shape:
            from .padding import pad

            amounts: list[int] = []
            for k in reversed(range(src.ndim)):
                amounts += [0, src.shape[k] - idx.shape[k]]
            gs = pad(gs, tuple(amounts))
        return gx, None, None, gs, None, None


def scatter_reduce(input: Any, dim: int, index: Any, src: Any, reduce: str, *,  # noqa: A002
                   include_self: bool = True) -> Tensor:
    """Reduce ``src`` into ``input`` at ``index`` along ``dim`` with sum, prod, mean, amax or
    amin (``include_self=False``: the input's values at scattered positions are left out).
    sum/mean are compositions of scatter_add; amax/amin split the gradient evenly among ties
    and prod uses ``grad * result / value`` (as torch, for inputs without zeros)."""
    x = _input(input, "scatter_reduce")
    if reduce not in _REDUCE:
        raise RuntimeError(f"scatter_reduce(): reduce argument must be one of {_REDUCE}, got "
                           f"{reduce!r}")
    d = wrap_dim(dim, x.ndim, "scatter_reduce")
    if x.ndim == 0:
        raise ShapeError("scatter_reduce(): input must have at least one dimension")
    s = as_tensor(src, "scatter_reduce: src")
    if s._data.dtype != x._data.dtype:
        raise RuntimeError(f"scatter_reduce(): expected src dtype {s._data.dtype} to equal the "
                           f"input's {x._data.dtype}")
    idx = _check_index("scatter_reduce", as_tensor(index), x._data.shape[d], d)
    _check_dim_shapes("scatter_reduce", x._data, idx, d, s._data)
    it = wrap(idx)
    if reduce in ("sum", "mean"):
        base = x if include_self else x.scatter(d, it, 0)
        total = base.scatter_add(d, it, s)
        if reduce == "sum":
            return total
        cnt = np.ones(x._data.shape, np.int64) if include_self else \
            np.zeros(x._data.shape, np.int64)
        np.add.at(cnt, _dim_key(idx, d), 1)
        cnt = np.maximum(cnt, 1)
        if x._data.dtype.kind in "iub":
            return wrap(np.floor_divide(total._data, cnt).astype(x._data.dtype))
        return total / wrap(cnt.astype(x._data.dtype))
    return _ScatterExtreme.apply(x, d, idx, s, reduce, include_self)
