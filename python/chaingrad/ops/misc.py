"""torch's top-level conveniences: softmax/log_softmax, type queries, cumprod/logcumsumexp,
repeat_interleave, take_along_dim, the stack family, meshgrid, atleast_Nd, broadcasting
helpers, cartesian_prod, combinations, count_nonzero, nansum/nanmean, std_mean/var_mean, diff.

All but cumprod and logcumsumexp (``Function``s named like torch's nodes) are compositions of
differentiable ops whose gradient is torch's.
"""

from __future__ import annotations

import itertools
import warnings
from typing import Any

import numpy as np

from ..autograd.function import Function, FunctionCtx
from ..tensor import Size, Tensor
from ._common import ShapeError, as_tensor, wrap, wrap_dim


def _input(x: Any, op: str) -> Tensor:
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}(): argument 'input' must be Tensor, not {type(x).__name__}")
    return x


def _dim_arg(dim: Any, op: str) -> int:
    if dim is None or not isinstance(dim, (int, np.integer)) or isinstance(dim, bool):
        raise TypeError(f"{op}(): argument 'dim' must be int, not {type(dim).__name__}")
    return int(dim)


# ------------------------------------------------------------------ softmax, queries
def softmax(input: Any, dim: int, dtype: Any = None) -> Tensor:  # noqa: A002
    """torch.softmax / Tensor.softmax: nn.functional.softmax with ``dim`` required."""
    from ..nn.functional import softmax as _softmax

    return _softmax(_input(input, "softmax"), _dim_arg(dim, "softmax"), dtype=dtype)


def log_softmax(input: Any, dim: int, dtype: Any = None) -> Tensor:  # noqa: A002
    from ..nn.functional import log_softmax as _log_softmax

    return _log_softmax(_input(input, "log_softmax"), _dim_arg(dim, "log_softmax"), dtype=dtype)


def numel(input: Any) -> int:  # noqa: A002
    return _input(input, "numel").numel()


def is_tensor(obj: Any) -> bool:
    return isinstance(obj, Tensor)


def is_floating_point(input: Any) -> bool:  # noqa: A002
    return _input(input, "is_floating_point")._data.dtype.kind == "f"


def is_nonzero(input: Any) -> bool:  # noqa: A002
    x = _input(input, "is_nonzero")
    if x.numel() != 1:
        raise RuntimeError(f"is_nonzero(): Boolean value of Tensor with {x.numel()} values is "
                           "ambiguous")
    return bool(x._data.reshape(()))


# ------------------------------------------------------------------ cumulative
def _dtype_cast(a: Tensor, dtype: Any) -> Tensor:
    if dtype is None:
        return a
    from ..dtypes import resolve_dtype

    return a.to(resolve_dtype(dtype))


class _Cumprod(Function):
    """Cumulative product; backward ``reverse_cumsum(g * out) / x``, torch's formula for an
    input without zeros (inputs with zeros take the composed path in ``cumprod``)."""

    _backward_name = "CumprodBackward0"

    @staticmethod
    def forward(ctx: FunctionCtx, x: Tensor, dim: int) -> Tensor:
        ctx.dim = dim
        ctx.save_for_backward(x)
        d = x._data
        if d.dtype == np.float32:  # torch's CPU kernel accumulates floats in double
            return wrap(np.cumprod(d, axis=dim, dtype=np.float64).astype(np.float32))
        return wrap(np.cumprod(d, axis=dim))

    @staticmethod
    def backward(ctx: FunctionCtx, g: Tensor) -> tuple:
        (x,) = ctx.saved_tensors
        d = ctx.dim
        out = _Cumprod.apply(x, d)
        return (g * out).flip(d).cumsum(d).flip(d) / x, None


def _cumprod_with_zeros(x: Tensor, d: int) -> Tensor:
    """out_i = prod_j where(j <= i, x_j, 1): O(n^2) along ``dim``, exact with zeros."""
    n = x.shape[d]
    xt = x.transpose(d, -1) if d != x.ndim - 1 else x
    mask = wrap(np.tril(np.ones((n, n), dtype=bool)))
    from .select import where

    y = where(mask, xt.unsqueeze(-2), 1.0)
    out = y.prod(-1)
    return out.transpose(d, -1) if d != x.ndim - 1 else out


def cumprod(input: Any, dim: int, *, dtype: Any = None) -> Tensor:  # noqa: A002
    """Cumulative product along ``dim``. Gradient: torch's ``reverse_cumsum(g * out) / x``;
    where the input has zeros (and requires grad) the product is composed from ``prod`` over a
    triangular mask, O(n^2) along ``dim``, whose gradient is exact there."""
    from .. import grad_mode as _gm

    a = _dtype_cast(_input(input, "cumprod"), dtype)
    d = wrap_dim(_dim_arg(dim, "cumprod"), a.ndim, "cumprod")
    if a.ndim == 0:
        return a.clone() if a._data.dtype.kind == "f" else wrap(a._data.astype(np.int64))
    if a._data.dtype.kind in "biu":
        return wrap(np.cumprod(a._data, axis=d, dtype=np.int64))
    if _gm._enabled[0] and a._requires_grad and not np.all(a._data):
        return _cumprod_with_zeros(a, d)
    return _Cumprod.apply(a, d)


def _rev_logcumsumexp(t: Tensor, d: int) -> Tensor:
    return logcumsumexp(t.flip(d), d).flip(d)


class _Logcumsumexp(Function):
    _backward_name = "LogcumsumexpBackward0"

    @staticmethod
    def forward(ctx: FunctionCtx, x: Tensor, dim: int) -> Tensor:
        ctx.dim = dim
        ctx.save_for_backward(x)
        with np.errstate(invalid="ignore"):
            return wrap(np.logaddexp.accumulate(x._data, axis=dim))

    @staticmethod
    def backward(ctx: FunctionCtx, g: Tensor) -> tuple:
        # torch's (TensorFlow's) stable formula: the positive and negative parts of g summed
        # in log space, so no exp overflows.
        (x,) = ctx.saved_tensors
        d = ctx.dim
        out = _Logcumsumexp.apply(x, d)
        gd = g._data
        # torch uses the lowest finite value for log(0): -inf would make NaN in the
        # double backward (-inf - -inf).
        ninf = float(np.finfo(gd.dtype).min)
        pos = wrap(gd > 0)
        neg = wrap(gd < 0)
        from .select import where

        lp = where(pos, where(pos, g, 1.0).log(), ninf)
        ln = where(neg, where(neg, -g, 1.0).log(), ninf)
        gp = (_rev_logcumsumexp(lp - out, d) + x).exp()
        gn = (_rev_logcumsumexp(ln - out, d) + x).exp()
        return gp - gn, None


def logcumsumexp(input: Any, dim: int) -> Tensor:  # noqa: A002
    """log(cumsum(exp(x))) along ``dim``, without overflow (logaddexp accumulated)."""
    a = _input(input, "logcumsumexp")
    if a._data.dtype.kind != "f":
        raise TypeError(f"logcumsumexp(): expected a floating-point tensor, got "
                        f"{a._data.dtype}")
    d = wrap_dim(_dim_arg(dim, "logcumsumexp"), a.ndim, "logcumsumexp")
    if a.ndim == 0:
        return a.clone()
    return _Logcumsumexp.apply(a, d)


# ------------------------------------------------------------------ repeat / take
def repeat_interleave(input: Any, repeats: Any = None, dim: int | None = None, *,  # noqa: A002
                      output_size: int | None = None) -> Tensor:
    """Repeat each element ``repeats`` times (an int, or a 1-D tensor of counts per element)
    along ``dim`` (None: the flattened input). ``repeat_interleave(counts)`` alone gives the
    indices 0, 0, ..., 1, ... repeated by ``counts``."""
    if repeats is None:
        counts = _input(input, "repeat_interleave")
        c = counts._data
        if c.ndim != 1 or c.dtype.kind not in "iu":
            raise RuntimeError(f"repeat_interleave(): repeats must be a 1-D integer tensor, got "
                               f"shape {tuple(c.shape)} dtype {c.dtype}")
        if c.size and c.min() < 0:
            raise RuntimeError("repeat_interleave(): repeats can not be negative")
        return wrap(np.repeat(np.arange(c.size, dtype=np.int64), c))
    x = _input(input, "repeat_interleave")
    if dim is None:
        x = x.reshape(-1)
        d = 0
    else:
        d = wrap_dim(dim, x.ndim, "repeat_interleave")
    if x.ndim == 0:
        x, d = x.reshape(1), 0
    n = x.shape[d]
    if isinstance(repeats, Tensor):
        r = repeats._data
        if r.dtype.kind not in "iu" or r.ndim > 1:
            raise RuntimeError(f"repeat_interleave(): repeats must be an integer tensor of at "
                               f"most 1 dimension, got shape {tuple(r.shape)} dtype {r.dtype}")
        r = r.reshape(-1)
        if r.size == 1:
            r = np.full(n, int(r[0]))
        elif r.size != n:
            raise RuntimeError(f"repeat_interleave(): repeats must have the same size as input "
                               f"along dim ({n}), got {r.size}")
    elif isinstance(repeats, (int, np.integer)) and not isinstance(repeats, bool):
        r = np.full(n, int(repeats))
    else:
        raise TypeError(f"repeat_interleave(): repeats must be an int or a Tensor, not "
                        f"{type(repeats).__name__}")
    if r.size and r.min() < 0:
        raise RuntimeError("repeat_interleave(): repeats can not be negative")
    idx = np.repeat(np.arange(n, dtype=np.int64), r)
    if output_size is not None and output_size != idx.size:
        raise RuntimeError(f"repeat_interleave(): output_size={output_size} does not match the "
                           f"repeats' total {idx.size}")
    return x.index_select(d, wrap(idx))


def take_along_dim(input: Any, indices: Any, dim: int | None = None) -> Tensor:  # noqa: A002
    """``gather`` with broadcasting of input and indices over the other dims; dim=None takes
    from the flattened input."""
    x = _input(input, "take_along_dim")
    idx = as_tensor(indices, "take_along_dim: indices")
    if idx._data.dtype.kind not in "iu":
        raise TypeError(f"take_along_dim(): dtype of indices should be int64, but got "
                        f"{idx._data.dtype}")
    if dim is None:
        return x.reshape(-1).gather(0, idx.reshape(-1))
    if x.ndim != idx.ndim:
        raise ShapeError(f"take_along_dim(): input and indices should have the same number of "
                         f"dimensions, got shapes {tuple(x.shape)} and {tuple(idx.shape)}")
    d = wrap_dim(dim, x.ndim, "take_along_dim")
    xs, ids = list(x.shape), list(idx.shape)
    xs[d] = ids[d] = 1
    try:
        b = list(np.broadcast_shapes(tuple(xs), tuple(ids)))
    except ValueError:
        raise ShapeError(f"take_along_dim(): input of shape {tuple(x.shape)} and indices of "
                         f"shape {tuple(idx.shape)} cannot be broadcast (outside dim "
                         f"{d})") from None
    bx, bi = list(b), list(b)
    bx[d], bi[d] = x.shape[d], idx.shape[d]
    if tuple(bx) != tuple(x.shape):
        x = x.expand(*bx)
    if tuple(bi) != tuple(idx.shape):
        idx = idx.expand(*bi)
    return x.gather(d, idx)


# ------------------------------------------------------------------ stacking, grids
def _tensor_args(op: str, tensors: tuple) -> tuple[list[Tensor], bool]:
    """``f(t)``, ``f(t1, t2)`` or ``f([t1, t2])``: the tensors and whether one came alone."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        return [as_tensor(t, f"{op}: tensor") for t in tensors[0]], False
    return [as_tensor(t, f"{op}: tensor") for t in tensors], len(tensors) == 1


def _atleast(op: str, tensors: tuple, n: int) -> Any:
    ts, single = _tensor_args(op, tensors)
    out = []
    for t in ts:
        if t.ndim >= n:
            out.append(t)
        elif n == 1:
            out.append(t.reshape(1))
        elif n == 2:
            out.append(t.reshape(1, -1) if t.ndim == 1 else t.reshape(1, 1))
        else:
            out.append(t.reshape(1, 1, 1) if t.ndim == 0 else t.reshape(1, -1, 1)
                       if t.ndim == 1 else t.unsqueeze(-1))
    return out[0] if single else tuple(out)


def atleast_1d(*tensors: Any) -> Any:
    return _atleast("atleast_1d", tensors, 1)


def atleast_2d(*tensors: Any) -> Any:
    return _atleast("atleast_2d", tensors, 2)


def atleast_3d(*tensors: Any) -> Any:
    return _atleast("atleast_3d", tensors, 3)


def _seq(op: str, tensors: Any) -> list[Tensor]:
    if isinstance(tensors, Tensor) or not isinstance(tensors, (list, tuple)):
        raise TypeError(f"{op}(): argument 'tensors' must be a tuple or list of Tensors, not "
                        f"{type(tensors).__name__}")
    if not tensors:
        raise RuntimeError(f"{op}(): expects a non-empty TensorList")
    return [as_tensor(t, f"{op}: tensor") for t in tensors]


def hstack(tensors: Any) -> Tensor:
    from .join import cat

    ts = list(atleast_1d(_seq("hstack", tensors)))
    return cat(ts, 0 if ts[0].ndim == 1 else 1)


def vstack(tensors: Any) -> Tensor:
    from .join import cat

    return cat(list(atleast_2d(_seq("vstack", tensors))), 0)


def dstack(tensors: Any) -> Tensor:
    from .join import cat

    return cat(list(atleast_3d(_seq("dstack", tensors))), 2)


def column_stack(tensors: Any) -> Tensor:
    from .join import cat

    ts = [t.reshape(-1, 1) if t.ndim <= 1 else t for t in _seq("column_stack", tensors)]
    return cat(ts, 1)


row_stack = vstack


def meshgrid(*tensors: Any, indexing: str | None = None) -> tuple:
    """Coordinate grids of 0-d/1-d tensors: broadcast views, ``indexing='ij'`` (the default,
    with torch's warning when not given) or ``'xy'`` (the first two dims swapped)."""
    ts, _ = _tensor_args("meshgrid", tensors)
    if indexing is None:
        warnings.warn("torch.meshgrid: in an upcoming release, it will be required to pass the "
                      "indexing argument.", UserWarning, stacklevel=2)
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise ValueError(f"meshgrid(): indexing must be one of 'xy' or 'ij', got {indexing!r}")
    if not ts:
        raise RuntimeError("meshgrid(): expects a non-empty TensorList")
    for k, t in enumerate(ts):
        if t.ndim > 1:
            raise RuntimeError(f"meshgrid(): expected 0D or 1D tensor in the tensor list but "
                               f"got tensor {k} of shape {tuple(t.shape)}")
        if t.dtype != ts[0].dtype:
            raise RuntimeError("meshgrid(): expects all tensors to have the same dtype, got "
                               f"{ts[0].dtype} and {t.dtype}")
    swap = indexing == "xy" and len(ts) >= 2
    if swap:
        ts[0], ts[1] = ts[1], ts[0]
    shape = tuple(t.numel() for t in ts)
    out = []
    for k, t in enumerate(ts):
        view = [1] * len(ts)
        view[k] = -1
        out.append(t.reshape(*view).expand(*shape))
    if swap:
        out[0], out[1] = out[1], out[0]
    return tuple(out)


def broadcast_shapes(*shapes: Any) -> Size:
    norm = []
    for s in shapes:
        if isinstance(s, (int, np.integer)):
            s = (int(s),)
        norm.append(tuple(int(v) for v in s))
    try:
        return Size(np.broadcast_shapes(*norm))
    except ValueError:
        raise ShapeError(f"broadcast_shapes(): shapes {', '.join(map(str, norm))} cannot be "
                         "broadcast together") from None


def broadcast_tensors(*tensors: Any) -> tuple:
    """Each tensor expanded (a view) to their common shape."""
    ts, _ = _tensor_args("broadcast_tensors", tensors)
    shape = broadcast_shapes(*(tuple(t.shape) for t in ts))
    return tuple(t if tuple(t.shape) == tuple(shape) else t.expand(*shape) for t in ts)


def cartesian_prod(*tensors: Any) -> Tensor:
    """Rows of every combination of the 1-D inputs' elements (itertools.product order)."""
    from .join import stack

    ts, _ = _tensor_args("cartesian_prod", tensors)
    for k, t in enumerate(ts):
        if t.ndim != 1:
            raise RuntimeError(f"cartesian_prod(): expects 1-D tensors, got tensor {k} of shape "
                               f"{tuple(t.shape)}")
    if len(ts) == 1:
        return ts[0]
    grids = meshgrid(*ts, indexing="ij")
    return stack([g.reshape(-1) for g in grids], 1)


def combinations(input: Any, r: int = 2, with_replacement: bool = False) -> Tensor:  # noqa: A002
    """Rows of the length-``r`` combinations of a 1-D tensor's elements (itertools order)."""
    from .join import stack

    x = _input(input, "combinations")
    if x.ndim != 1:
        raise RuntimeError(f"combinations(): Expect a 1D vector, but got shape {tuple(x.shape)}")
    if not isinstance(r, (int, np.integer)) or isinstance(r, bool) or r < 0:
        raise RuntimeError(f"combinations(): r must be a non-negative int, got {r!r}")
    if r == 0:
        return wrap(np.zeros((0,), dtype=x._data.dtype))
    gen = itertools.combinations_with_replacement if with_replacement else \
        itertools.combinations
    rows = np.array(list(gen(range(x.shape[0]), r)), dtype=np.int64).reshape(-1, r)
    if rows.shape[0] == 0:
        return wrap(np.zeros((0, r), dtype=x._data.dtype))
    return stack([x.index_select(0, wrap(np.ascontiguousarray(rows[:, k])))
                  for k in range(r)], 1)


# ------------------------------------------------------------------ reductions
def count_nonzero(input: Any, dim: Any = None) -> Tensor:  # noqa: A002
    from ._common import reduce_dims

    x = _input(input, "count_nonzero")
    axis = None if dim is None else reduce_dims(dim, x.ndim, "count_nonzero")
    return wrap(np.asarray(np.count_nonzero(x._data, axis=axis), dtype=np.int64))


class _ZeroNaN(Function):
    """x with NaN replaced by 0; backward ``g * ~isnan(x)`` (a product, as torch's nansum
    backward: an infinite or NaN incoming gradient gives NaN at the NaN positions)."""

    _backward_name = "NansumBackward0"

    @staticmethod
    def forward(ctx: FunctionCtx, x: Tensor) -> Tensor:
        keep = ~np.isnan(x._data)
        ctx.keep = keep
        return wrap(np.where(keep, x._data, x._data.dtype.type(0)))

    @staticmethod
    def backward(ctx: FunctionCtx, g: Tensor) -> tuple:
        return (g * wrap(ctx.keep.astype(g._data.dtype)),)


def nansum(input: Any, dim: Any = None, keepdim: bool = False, *,  # noqa: A002
           dtype: Any = None) -> Tensor:
    """The sum treating NaN as zero; the gradient at NaN is zero, as torch."""
    x = _dtype_cast(_input(input, "nansum"), dtype)
    if x._data.dtype.kind == "f":
        x = _ZeroNaN.apply(x)
    return x.sum(dim, keepdim) if dim is not None else x.sum()


def nanmean(input: Any, dim: Any = None, keepdim: bool = False, *,  # noqa: A002
            dtype: Any = None) -> Tensor:
    """The mean of the non-NaN elements (NaN where there are none)."""
    x = _dtype_cast(_input(input, "nanmean"), dtype)
    if x._data.dtype.kind != "f":
        raise RuntimeError(f"nanmean(): expected input to have floating point dtype but got "
                           f"{x._data.dtype}")
    n = (~np.isnan(x._data)).astype(x._data.dtype)
    from ._common import reduce_dims

    axis = None if dim is None else reduce_dims(dim, x.ndim, "nanmean")
    cnt = wrap(np.asarray(n.sum(axis=axis, keepdims=keepdim and dim is not None)))
    return nansum(x, dim, keepdim) / cnt


def std_mean(input: Any, dim: Any = None, unbiased: Any = None, keepdim: bool = False, *,  # noqa: A002
             correction: Any = None) -> tuple:
    """(std, mean) over ``dim``, as torch (a plain tuple)."""
    x = _input(input, "std_mean")
    return (x.std(dim, unbiased, keepdim, correction=correction),
            x.mean(dim, keepdim) if dim is not None else x.mean())


def var_mean(input: Any, dim: Any = None, unbiased: Any = None, keepdim: bool = False, *,  # noqa: A002
             correction: Any = None) -> tuple:
    """(var, mean) over ``dim``, as torch (a plain tuple)."""
    x = _input(input, "var_mean")
    return (x.var(dim, unbiased, keepdim, correction=correction),
            x.mean(dim, keepdim) if dim is not None else x.mean())


def diff(input: Any, n: int = 1, dim: int = -1, prepend: Any = None,  # noqa: A002
         append: Any = None) -> Tensor:
    """The ``n``-th forward difference along ``dim`` (``prepend``/``append`` joined first);
    bool inputs give ``!=``."""
    from .join import cat

    x = _input(input, "diff")
    if x.ndim == 0:
        raise RuntimeError("diff(): expects input to be at least one-dimensional")
    if not isinstance(n, (int, np.integer)) or isinstance(n, bool) or n < 0:
        raise RuntimeError(f"diff(): order must be non-negative but got {n!r}")
    d = wrap_dim(dim, x.ndim, "diff")
    parts = [p for p in (prepend, x, append) if p is not None]
    if len(parts) > 1:
        ps = []
        for p in parts:
            p = as_tensor(p, "diff: prepend/append")
            if p.ndim == 0:
                shape = list(x.shape)
                shape[d] = 1
                p = p.expand(*shape)
            ps.append(p)
        x = cat(ps, d)
    for _ in range(n):
        m = x.shape[d]
        if m == 0:
            break
        hi = x.narrow(d, 1, m - 1)
        lo = x.narrow(d, 0, m - 1)
        x = (hi != lo) if x._data.dtype.kind == "b" else hi - lo
    return x


# ------------------------------------------------------------------ Tensor conveniences
_TYPE_NAMES = {"float32": "FloatTensor", "float64": "DoubleTensor", "float16": "HalfTensor",
               "int64": "LongTensor", "int32": "IntTensor", "int16": "ShortTensor",
               "int8": "CharTensor", "uint8": "ByteTensor", "bool": "BoolTensor"}
_FROM_TYPE_NAME = {v: k for k, v in _TYPE_NAMES.items()}


def type_(self: Tensor, dtype: Any = None, non_blocking: bool = False, **_: Any) -> Any:
    """``x.type()``: torch's type string ('torch.FloatTensor', ...); ``x.type(dtype)`` (a dtype
    or such a string): the cast."""
    if dtype is None:
        return "torch." + _TYPE_NAMES.get(str(self._data.dtype), str(self._data.dtype))
    if isinstance(dtype, str) and dtype.rsplit(".", 1)[-1] in _FROM_TYPE_NAME:
        dtype = _FROM_TYPE_NAME[dtype.rsplit(".", 1)[-1]]
    return self.to(dtype)


def cpu(self: Tensor, memory_format: Any = None) -> Tensor:
    """The tensor itself: chaingrad tensors live in CPU memory."""
    return self


def cuda(self: Tensor, device: Any = None, non_blocking: bool = False, **_: Any) -> Tensor:
    raise RuntimeError("cuda(): chaingrad runs on the CPU only (NumPy arrays); there is no CUDA "
                       "device. Remove the .cuda() call or use .to('cpu').")


def _size_args(op: str, size: tuple) -> tuple[int, ...]:
    if len(size) == 1 and isinstance(size[0], (tuple, list, Size)):
        size = tuple(size[0])
    out = []
    for s in size:
        if not isinstance(s, (int, np.integer)) or isinstance(s, bool):
            raise TypeError(f"{op}(): size must be a tuple of ints, got {s!r}")
        if s < 0:
            raise RuntimeError(f"{op}(): Trying to create tensor with negative dimension {s}")
        out.append(int(s))
    return tuple(out)


def _new(self: Tensor, arr: np.ndarray, dtype: Any, requires_grad: bool) -> Tensor:
    from ..dtypes import resolve_dtype

    dt = self._data.dtype if dtype is None else resolve_dtype(dtype)
    out = wrap(arr.astype(dt, copy=False))
    if requires_grad:
        out.requires_grad_(True)
    return out


def new_zeros(self: Tensor, *size: Any, dtype: Any = None, device: Any = None,
              requires_grad: bool = False, **_: Any) -> Tensor:
    """Zeros of ``size`` with this tensor's dtype (or ``dtype=``)."""
    return _new(self, np.zeros(_size_args("new_zeros", size)), dtype, requires_grad)


def new_ones(self: Tensor, *size: Any, dtype: Any = None, device: Any = None,
             requires_grad: bool = False, **_: Any) -> Tensor:
    return _new(self, np.ones(_size_args("new_ones", size)), dtype, requires_grad)


def new_empty(self: Tensor, *size: Any, dtype: Any = None, device: Any = None,
              requires_grad: bool = False, **_: Any) -> Tensor:
    """Uninitialised in torch; zeros here."""
    return _new(self, np.zeros(_size_args("new_empty", size)), dtype, requires_grad)


def new_full(self: Tensor, size: Any, fill_value: Any, *, dtype: Any = None, device: Any = None,
             requires_grad: bool = False, **_: Any) -> Tensor:
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    return _new(self, np.full(_size_args("new_full", (size,)), fill_value), dtype,
                requires_grad)


def new_tensor(self: Tensor, data: Any, *, dtype: Any = None, device: Any = None,
               requires_grad: bool = False, **_: Any) -> Tensor:
    """A new leaf holding a copy of ``data``; this tensor's dtype unless ``dtype=``."""
    arr = np.array(data._data if isinstance(data, Tensor) else data, copy=True)
    return _new(self, arr, dtype, requires_grad)


def nelement(self: Tensor) -> int:
    return self.numel()


def element_size(self: Tensor) -> int:
    """Bytes per element."""
    return int(self._data.itemsize)


def is_contiguous(self: Tensor, memory_format: Any = None) -> bool:
    return bool(self._data.flags.c_contiguous)


def data_ptr(self: Tensor) -> int:
    """The address of the first element."""
    return int(self._data.__array_interface__["data"][0])


def stride(self: Tensor, dim: int | None = None) -> Any:
    """Strides in elements (torch's unit), a tuple, or one dim's."""
    st = tuple(int(s) // self._data.itemsize for s in self._data.strides)
    if dim is None:
        return st
    return st[wrap_dim(dim, self.ndim, "stride")] if self.ndim else 1


def storage_offset(self: Tensor) -> int:
    """Elements between the start of the memory this tensor views and its first element."""
    base = self._view.base._data if self._view is not None else self._data
    while isinstance(base.base, np.ndarray):
        base = base.base
    if self._data.size == 0:
        return 0
    off = data_ptr(self) - int(base.__array_interface__["data"][0])
    return off // self._data.itemsize


def movedim(input: Any, source: Any, destination: Any) -> Tensor:  # noqa: A002
    """Move dims ``source`` to positions ``destination`` (ints or sequences), the others keeping
    their order: a permuted view."""
    x = _input(input, "movedim")
    src = [source] if isinstance(source, (int, np.integer)) else list(source)
    dst = [destination] if isinstance(destination, (int, np.integer)) else list(destination)
    if len(src) != len(dst):
        raise RuntimeError(f"movedim(): Invalid source or destination dims: source ({src} dims) "
                           f"should contain the same number of dims as destination ({dst} dims)")
    n = x.ndim
    s = [wrap_dim(d, n, "movedim") for d in src]
    t = [wrap_dim(d, n, "movedim") for d in dst]
    if len(set(s)) != len(s) or len(set(t)) != len(t):
        raise RuntimeError(f"movedim(): repeated dim in source {src} or destination {dst}")
    if n == 0:
        return x.permute(())
    order: list[int | None] = [None] * n
    for a, b in zip(s, t):
        order[b] = a
    rest = iter(d for d in range(n) if d not in s)
    perm = [o if o is not None else next(rest) for o in order]
    return x.permute(*perm)


moveaxis = movedim
