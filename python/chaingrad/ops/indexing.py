"""Indexing: ``x[key]``, ``x[key] = v``, gather, scatter/scatter_add, index_select,
masked_fill, masked_select.

Keys follow NumPy/torch: ints, slices with steps, negative indices, Ellipsis, None, bool masks
and integer arrays (advanced indexing). The gradient of an indexing op scatter-adds into zeros,
so repeated indices accumulate.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import _kinds as K
from .. import grad_mode as _gm
from ..autograd.function import Function, FunctionCtx
from ..tensor import Tensor
from ._common import _SCALARS, ShapeError, as_tensor, record, wrap, wrap_dim
from .functions import view_of

_BASIC = (int, np.integer, slice, type(None), type(Ellipsis))


def _index_array(k: Any) -> np.ndarray:
    a = np.asarray(k)
    if a.dtype.kind not in "iub":
        if a.size == 0:
            return a.astype(np.int64)
        raise IndexError(
            f"tensors used as indices must be long, int, byte or bool tensors, got dtype {a.dtype}"
        )
    return a


def normalize_key(key: Any) -> Any:
    """Tensors and lists in a key become index arrays; the key's structure is kept (a list is
    an index array, a tuple indexes several dimensions)."""
    single = not isinstance(key, tuple)
    items = (key,) if single else key
    out = []
    for k in items:
        if isinstance(k, Tensor):
            k = _index_array(k._data)
        elif isinstance(k, (list, np.ndarray)):
            k = _index_array(k)
        elif isinstance(k, bool) or isinstance(k, _BASIC):
            pass
        else:
            raise TypeError(
                f"index: only integers, slices, Ellipsis, None, bool/integer tensors and lists "
                f"are valid indices, got {type(k).__name__}"
            )
        out.append(k)
    return out[0] if single else tuple(out)


def is_basic(key: Any) -> bool:
    items = key if isinstance(key, tuple) else (key,)
    return all(isinstance(k, _BASIC) and not isinstance(k, bool) for k in items)


def index_array(d: np.ndarray, key: Any) -> np.ndarray:
    if is_basic(key):
        items = key if isinstance(key, tuple) else (key,)
        if not any(k is Ellipsis for k in items):
            # A trailing Ellipsis makes NumPy return a 0-d view instead of a scalar copy when
            # every dimension is indexed by an int: x[0] must alias x, as in torch.
            key = items + (Ellipsis,)
    try:
        return d[key]
    except IndexError as e:
        raise IndexError(
            f"index {_key_repr(key)} is out of range for a tensor of shape {tuple(d.shape)}: {e}"
        ) from None


def _key_repr(key: Any) -> str:
    r = repr(key)
    return r if len(r) < 120 else r[:117] + "..."


class GetItem(Function):
    _backward_name = "IndexBackward0"

    @staticmethod
    def forward(ctx: FunctionCtx, a: Tensor, key: Any) -> Tensor:
        ctx.in_shape = a._data.shape
        ctx.key = key
        r = index_array(a._data, key)
        return view_of(r if type(r) is np.ndarray else np.asarray(r), a)

    @staticmethod
    def backward(ctx: FunctionCtx, g: Tensor) -> tuple:
        return IndexBackward.apply(g, ctx.in_shape, ctx.key), None


class Slice(GetItem):
    _backward_name = "SliceBackward0"


class Select(GetItem):
    _backward_name = "SelectBackward0"


class IndexSelect(GetItem):
    _backward_name = "IndexSelectBackward0"


class IndexBackward(Function):
    """Scatter-add a gradient back into a zero tensor of the indexed tensor's shape."""

    _backward_name = "IndexPutBackward0"

    @staticmethod
    def forward(ctx: FunctionCtx, g: Tensor, shape: tuple, key: Any) -> Tensor:
        ctx.key = key
        out = np.zeros(shape, dtype=g._data.dtype)
        if is_basic(ctx.key):
            out[key] = g._data  # distinct positions: plain assignment is exact and fast
        else:
            np.add.at(out, key, g._data)  # repeated indices must add, not overwrite
        return wrap(out)

    @staticmethod
    def backward(ctx: FunctionCtx, gg: Tensor) -> tuple:
        return GetItem.apply(gg, ctx.key), None, None


def slice_scalars(key: Any, shape: tuple) -> tuple:
    """A SLICE node's scalars (see ``_kinds.py``) for a key of ints, slices and at most one
    Ellipsis that indexed an array of ``shape`` (so every index is in range)."""
    items = key if isinstance(key, tuple) else (key,)
    out: list[int] = []
    d = 0
    for k in items:
        if k is Ellipsis:
            for _ in range(len(shape) - (len(items) - 1)):
                out += (0, shape[d], 1)
                d += 1
            continue
        n = shape[d]
        if isinstance(k, slice):
            start, stop, step = k.indices(n)
            count = len(range(start, stop, step))
            if count == 0:
                out += (0, 0, 1)
            else:
                end = start + count * step
                out += (start, end if end >= 0 else -1, step)
        else:
            i = int(k) % n
            out += (i, i + 1, 0)
        d += 1
    while d < len(shape):
        out += (0, shape[d], 1)
        d += 1
    return tuple(out)


def basic_index(a: Tensor, key: Any, name: str) -> Tensor:
    """``a[key]`` for a basic key (ints, slices, Ellipsis, None): a view of ``a``. Under
    autograd, keys of ints and slices record a native SLICE node (``name`` is SliceBackward0 or
    SelectBackward0); keys with None (new axes) stay a ``Function``."""
    grad = _gm._enabled[0] and a._requires_grad
    items = key if isinstance(key, tuple) else (key,)
    if grad and any(k is None for k in items):
        return (Slice if name == "SliceBackward0" else Select).apply(a, key)
    r = index_array(a._data, key)
    out = view_of(r if type(r) is np.ndarray else np.asarray(r), a)
    if grad:
        record(K.SLICE, name, (a,), out, (), slice_scalars(key, a._data.shape))
    return out


def getitem(a: Tensor, key: Any) -> Tensor:
    key = normalize_key(key)
    if is_basic(key):
        items = key if isinstance(key, tuple) else (key,)
        if all(isinstance(k, (slice, type(Ellipsis), type(None))) for k in items):
            return basic_index(a, key, "SliceBackward0")
        return basic_index(a, key, "SelectBackward0")
    return GetItem.apply(a, key)


class _ZeroAt(Function):
    """``g`` with zeros at ``key`` (the gradient of the overwritten part in ``x[key] = v``)."""

    _backward_name = "IndexPutBackward0"

    @staticmethod
    def forward(ctx: FunctionCtx, g: Tensor, key: Any) -> Tensor:
        ctx.key = key
        out = np.array(g._data, copy=True)
        out[key] = 0
        return wrap(out)

    @staticmethod
    def backward(ctx: FunctionCtx, gg: Tensor) -> tuple:
        return _ZeroAt.apply(gg, ctx.key), None


class IndexPut(Function):
    """Out-of-place ``x[key] = v``; ``x.__setitem__`` rewrites x's history with it."""

    _backward_name = "IndexPutBackward0"

    @staticmethod
    def forward(ctx: FunctionCtx, x: Tensor, key: Any, v: Tensor) -> Tensor:
        ctx.key = key
        out = np.array(x._data, copy=True)
        assign(out, key, v._data)
        return wrap(out)

    @staticmethod
    def backward(ctx: FunctionCtx, g: Tensor) -> tuple:
        gx = _ZeroAt.apply(g, ctx.key) if ctx.needs_input_grad[0] else None
        gv = GetItem.apply(g, ctx.key) if ctx.needs_input_grad[2] else None
        return gx, None, gv


def assign(out: np.ndarray, key: Any, v: Any) -> None:
    try:
        out[key] = v
    except IndexError as e:
        raise IndexError(
            f"index {_key_repr(key)} is out of range for a tensor of shape {tuple(out.shape)}: "
            f"{e}"
        ) from None
    except ValueError as e:
        raise ShapeError(
            f"setitem: value of shape {tuple(np.shape(v))} cannot be assigned to the indexed "
            f"part of a tensor of shape {tuple(out.shape)} ({e})"
        ) from None


def setitem(t: Tensor, key: Any, value: Any) -> None:
    """``t[key] = value``. Under autograd the history of ``t`` is rewritten: as torch, a basic
    key copies into the view ``t[key]`` (CopySlices), an advanced one records IndexPutBackward0;
    the value's gradient is the gradient of the part it overwrote."""
    from .inplace import _records, check_inplace, copy_, rebase_history

    key = normalize_key(key)
    v = value if isinstance(value, Tensor) else None
    if _records(t, (v,)):
        check_inplace(t, "setitem")
        vt = v if v is not None else as_tensor(value, "setitem: value")
        if vt.dtype != t.dtype:
            vt = vt.to(t.dtype)
        if is_basic(key):
            copy_(getitem(t, key), vt)
        else:
            rebase_history(t, lambda old: IndexPut.apply(old, key, vt), copy_old=False,
                           op="setitem")
        return
    check_inplace(t, "setitem")
    assign(t._data, key, v._data if v is not None else value)
    t._bump_version()


# ------------------------------------------------------------------------ dim-wise indexing
def _check_index(op: str, index: Tensor, size: int, dim: int) -> np.ndarray:
    idx = index._data if isinstance(index, Tensor) else np.asarray(index)
    if idx.dtype.kind not in "iu":
        raise TypeError(f"{op}(): Expected dtype int64 for index, got {idx.dtype}")
    if idx.size and (idx.min() < 0 or idx.max() >= size):
        bad = idx.min() if idx.min() < 0 else idx.max()
        raise IndexError(f"{op}(): index {int(bad)} is out of bounds for dimension {dim} with "
                         f"size {size}")
    return idx.astype(np.int64, copy=False)


def _dim_key(idx: np.ndarray, dim: int) -> tuple:
    """Full advanced-index tuple addressing ``out[..., idx, ...]`` elementwise (scatter/gather)."""
    grids = list(np.ogrid[tuple(slice(s) for s in idx.shape)])
    grids[dim] = idx
    return tuple(grids)


def _check_dim_shapes(op: str, a: np.ndarray, idx: np.ndarray, dim: int,
                      src: np.ndarray | None = None) -> None:
    if idx.ndim != a.ndim:
        raise ShapeError(f"{op}(): Index tensor must have the same number of dimensions as "
                         f"input tensor (index {tuple(idx.shape)}, input {tuple(a.shape)})")
    if src is not None and src.ndim != idx.ndim:
        raise ShapeError(f"{op}(): Index tensor must have the same number of dimensions as "
                         f"src tensor (index {tuple(idx.shape)}, src {tuple(src.shape)})")
    for d in range(idx.ndim):
        if d != dim and idx.shape[d] > a.shape[d]:
            raise ShapeError(f"{op}(): Size does not match at dimension {d}: index "
                             f"{tuple(idx.shape)} vs input {tuple(a.shape)}")
        if src is not None and idx.shape[d] > src.shape[d]:
            raise ShapeError(f"{op}(): index {tuple(idx.shape)} is larger than src "
                             f"{tuple(src.shape)} at dimension {d}")


def _src_part(src: np.ndarray, idx: np.ndarray) -> np.ndarray:
    return src[tuple(slice(s) for s in idx.shape)] if src.ndim else src


class Gather(Function):
    _backward_name = "GatherBackward0"

    @staticmethod
    def forward(ctx: FunctionCtx, a: Tensor, dim: int, idx: np.ndarray) -> Tensor:
        ctx.in_shape, ctx.dim, ctx.idx = a._data.shape, dim, idx
        return wrap(np.asarray(a._data[_dim_key(idx, dim)]))

    @staticmethod
    def backward(ctx: FunctionCtx, g: Tensor) -> tuple:
        zeros = wrap(np.zeros(ctx.in_shape, dtype=g.dtype))
        return ScatterAdd.apply(zeros, ctx.dim, ctx.idx, g), None, None


class ScatterAdd(Function):
    _backward_name = "ScatterAddBackward0"

    @staticmethod
    def forward(ctx: FunctionCtx, a: Tensor, dim: int, idx: np.ndarray, src: Tensor) -> Tensor:
        ctx.dim, ctx.idx, ctx.src_shape = dim, idx, src._data.shape
        out = np.array(a._data, copy=True)
        part = _src_part(src._data, idx).astype(out.dtype, copy=False)
        np.add.at(out, _dim_key(idx, dim), part)
        return wrap(out)

    @staticmethod
    def backward(ctx: FunctionCtx, g: Tensor) -> tuple:
        gs = None
        if ctx.needs_input_grad[3]:
            gs = _pad_to(Gather.apply(g, ctx.dim, ctx.idx), ctx.src_shape)
        return g, None, None, gs


class Scatter(Function):
    _backward_name = "ScatterBackward0"

    @staticmethod
    def forward(ctx: FunctionCtx, a: Tensor, dim: int, idx: np.ndarray, src: Tensor) -> Tensor:
        ctx.dim, ctx.idx, ctx.src_shape = dim, idx, src._data.shape
        out = np.array(a._data, copy=True)
        out[_dim_key(idx, dim)] = _src_part(src._data, idx)
        return wrap(out)

    @staticmethod
    def backward(ctx: FunctionCtx, g: Tensor) -> tuple:
        ga = gs = None
        if ctx.needs_input_grad[0]:
            zero = wrap(np.zeros((), dtype=g.dtype))
            ga = Scatter.apply(g, ctx.dim, ctx.idx, zero)
        if ctx.needs_input_grad[3]:
            gs = Gather.apply(g, ctx.dim, ctx.idx)
            gs = _pad_to(gs, ctx.src_shape) if len(ctx.src_shape) else gs.sum()  # value
        return ga, None, None, gs


def _pad_to(t: Tensor, shape: tuple) -> Tensor:
    """Zero-pad ``t`` at the end of each dimension up to ``shape`` (src larger than index)."""
    if tuple(t.shape) == tuple(shape):
        return t
    from .padding import pad

    widths: list[int] = []
    for have, want in zip(reversed(t.shape), reversed(shape)):
        widths += [0, want - have]
    return pad(t, tuple(widths))


def gather(input: Any, dim: int, index: Any) -> Tensor:  # noqa: A002
    """``out[i][j] = input[index[i][j]][j]`` for dim=0 (and so on), as torch.gather."""
    a = as_tensor(input, "gather: input")
    d = wrap_dim(dim, a.ndim, "gather")
    it = as_tensor(index)
    if a.ndim == 0:  # torch allows 0-d input and index: work in 1-d
        return gather(a.reshape(1), 0, it.reshape(-1)).reshape(it.shape)
    idx = _check_index("gather", it, a._data.shape[d], d)
    _check_dim_shapes("gather", a._data, idx, d)
    return Gather.apply(a, d, idx)


def _scatter_args(op: str, input: Any, dim: int, index: Any, src: Any,  # noqa: A002
                  ) -> tuple[Tensor, int, np.ndarray, Tensor]:
    a = as_tensor(input, f"{op}: input")
    d = wrap_dim(dim, a.ndim, op)
    if a.ndim == 0:
        raise ShapeError(f"{op}(): input must have at least one dimension (reshape it)")
    idx = _check_index(op, as_tensor(index), a._data.shape[d], d)
    if isinstance(src, _SCALARS):
        s = wrap(np.asarray(src, dtype=a.dtype))
    else:
        s = as_tensor(src, f"{op}: src")
    _check_dim_shapes(op, a._data, idx, d, s._data if s.ndim else None)
    return a, d, idx, s


def scatter_add(input: Any, dim: int, index: Any, src: Any) -> Tensor:  # noqa: A002
    """A copy of ``input`` with ``src`` added at ``index`` along ``dim`` (repeats add up)."""
    a, d, idx, s = _scatter_args("scatter_add", input, dim, index, src)
    if s.ndim == 0 and idx.ndim:
        raise ShapeError("scatter_add(): src must be a tensor with the index's number of dims")
    return ScatterAdd.apply(a, d, idx, s)


def scatter(input: Any, dim: int, index: Any, src: Any = None, *,  # noqa: A002
            value: Any = None) -> Tensor:
    """A copy of ``input`` with ``src`` (or the number ``value``) written at ``index``."""
    if (src is None) == (value is None):
        raise TypeError("scatter(): pass exactly one of src and value")
    a, d, idx, s = _scatter_args("scatter", input, dim, index, src if src is not None else value)
    return Scatter.apply(a, d, idx, s)


def index_select(input: Any, dim: int, index: Any) -> Tensor:  # noqa: A002
    a = as_tensor(input, "index_select: input")
    d = wrap_dim(dim, a.ndim, "index_select")
    it = as_tensor(index)
    if it.ndim > 1:
        raise ShapeError(f"index_select(): Index is supposed to be a vector, got shape "
                         f"{tuple(it.shape)}")
    size = a._data.shape[d] if a.ndim else 1
    idx = _check_index("index_select", it, size, d).reshape(-1)
    if a.ndim == 0:
        return GetItem.apply(a.reshape(1), idx).reshape(())
    return IndexSelect.apply(a, (slice(None),) * d + (idx,))


def _mask_array(op: str, mask: Any, shape: tuple) -> np.ndarray:
    m = mask._data if isinstance(mask, Tensor) else np.asarray(mask)
    if m.dtype != np.bool_:
        raise TypeError(f"{op}: expected a bool mask, got dtype {m.dtype}")
    return m


def masked_fill(input: Any, mask: Any, value: Any) -> Tensor:  # noqa: A002
    """``input`` with ``value`` where ``mask`` (broadcast to input's shape) holds."""
    from .select import where

    a = as_tensor(input, "masked_fill: input")
    m = _mask_array("masked_fill", mask, tuple(a.shape))
    try:
        if np.broadcast_shapes(m.shape, a._data.shape) != a._data.shape:
            raise ValueError
    except ValueError:
        raise ShapeError(f"masked_fill: mask of shape {tuple(m.shape)} cannot be broadcast to "
                         f"the input's shape {tuple(a.shape)}") from None
    if isinstance(value, Tensor):
        if value.ndim != 0:
            raise ShapeError(f"masked_fill only supports a 0-dimensional value tensor, got "
                             f"shape {tuple(value.shape)}")
        v = value if value.dtype == a.dtype else value.to(a.dtype)
    else:
        v = wrap(np.asarray(value, dtype=a.dtype))
    return where(wrap(m), v, a)


def masked_select(input: Any, mask: Any) -> Tensor:  # noqa: A002
    """The elements of ``input`` where ``mask`` holds (both broadcast), as a 1-d tensor."""
    a = as_tensor(input, "masked_select: input")
    m = _mask_array("masked_select", mask, tuple(a.shape))
    try:
        shape = np.broadcast_shapes(m.shape, a._data.shape)
    except ValueError:
        raise ShapeError(f"masked_select: mask {tuple(m.shape)} and input {tuple(a.shape)} "
                         "cannot be broadcast together") from None
    src = a if tuple(a.shape) == shape else a.expand(shape)
    return GetItem.apply(src, np.broadcast_to(m, shape))
