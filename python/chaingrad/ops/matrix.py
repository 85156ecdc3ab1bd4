"""Matrix-shaped ops: tril/triu (and their index lists), diagonal (a view), diag, diag_embed,
trace, addmm/addmv/baddbmm, kron, cross, block_diag, rot90.

tril/triu, diagonal and diag_embed are ``Function``s named like torch's nodes (each one's
backward is another of them); the rest are compositions of differentiable ops whose gradient
is torch's.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd.function import Function, FunctionCtx
from ..tensor import Tensor
from ._common import ShapeError, as_tensor, wrap, wrap_dim
from .functions import view_of


def _input(x: Any, op: str) -> Tensor:
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}(): argument 'input' must be Tensor, not {type(x).__name__}")
    return x


def _int_arg(v: Any, name: str, op: str) -> int:
    if not isinstance(v, (int, np.integer)) or isinstance(v, bool):
        raise TypeError(f"{op}(): argument '{name}' must be int, not {type(v).__name__}")
    return int(v)


# ------------------------------------------------------------------ tril / triu
class _Tril(Function):
    _backward_name = "TrilBackward0"
    upper = False

    @classmethod
    def forward(cls, ctx: FunctionCtx, x: Tensor, k: int) -> Tensor:  # type: ignore[override]
        ctx.k = k
        return wrap((np.triu if cls.upper else np.tril)(x._data, k))

    @classmethod
    def backward(cls, ctx: FunctionCtx, g: Tensor) -> tuple:  # type: ignore[override]
        return cls.apply(g, ctx.k), None


class _Triu(_Tril):
    _backward_name = "TriuBackward0"
    upper = True


def _tri(input: Any, diagonal: int, op: str, cls: type) -> Tensor:  # noqa: A002
    x = _input(input, op)
    k = _int_arg(diagonal, "diagonal", op)
    if x.ndim < 2:
        raise ShapeError(f"{op}: input tensor must have at least 2 dimensions, got shape "
                         f"{tuple(x.shape)}")
    return cls.apply(x, k)


def tril(input: Any, diagonal: int = 0) -> Tensor:  # noqa: A002
    """The lower triangle (on and below the ``diagonal``-th diagonal) of the last two dims."""
    return _tri(input, diagonal, "tril", _Tril)


def triu(input: Any, diagonal: int = 0) -> Tensor:  # noqa: A002
    """The upper triangle (on and above the ``diagonal``-th diagonal) of the last two dims."""
    return _tri(input, diagonal, "triu", _Triu)


def _tri_indices(row: Any, col: Any, offset: Any, dtype: Any, upper: bool, op: str) -> Tensor:
    from ..dtypes import resolve_dtype

    row, col = _int_arg(row, "row", op), _int_arg(col, "col", op)
    offset = _int_arg(offset, "offset", op)
    if row < 0 or col < 0:
        raise RuntimeError(f"{op}(): row and col must be non-negative, got {row} and {col}")
    dt = np.dtype(np.int64) if dtype is None else resolve_dtype(dtype)
    if dt.kind not in "iu":
        raise RuntimeError(f"{op}(): dtype must be an integer type, got {dt}")
    r, c = (np.triu_indices if upper else np.tril_indices)(row, offset, col)
    return wrap(np.stack([r, c]).astype(dt).reshape(2, -1))


def tril_indices(row: int, col: int, offset: int = 0, *, dtype: Any = None, device: Any = None,
                 layout: Any = None) -> Tensor:
    """The 2 x N coordinates of the lower triangle of a row x col matrix, row by row."""
    return _tri_indices(row, col, offset, dtype, False, "tril_indices")


def triu_indices(row: int, col: int, offset: int = 0, *, dtype: Any = None, device: Any = None,
                 layout: Any = None) -> Tensor:
    return _tri_indices(row, col, offset, dtype, True, "triu_indices")


# ------------------------------------------------------------------ diagonals
def _diag_dims(ndim: int, offset: Any, dim1: Any, dim2: Any, op: str) -> tuple[int, int, int]:
    off = _int_arg(offset, "offset", op)
    d1 = wrap_dim(dim1, ndim, op)
    d2 = wrap_dim(dim2, ndim, op)
    if d1 == d2:
        raise RuntimeError(f"{op}(): diagonal dimensions cannot be identical {dim1}, {dim2}")
    return off, d1, d2


def _writable_diagonal(d: np.ndarray, off: int, d1: int, d2: int) -> np.ndarray:
    r = np.diagonal(d, off, d1, d2)
    if d.flags.writeable:
        r.flags.writeable = True  # NumPy hands out a read-only view; it is the same memory
    return r


class _Diagonal(Function):
    _backward_name = "DiagonalBackward0"

    @staticmethod
    def forward(ctx: FunctionCtx, x: Tensor, off: int, d1: int, d2: int) -> Tensor:
        ctx.args = (x._data.shape, off, d1, d2)
        return view_of(_writable_diagonal(x._data, off, d1, d2), x)

    @staticmethod
    def backward(ctx: FunctionCtx, g: Tensor) -> tuple:
        shape, off, d1, d2 = ctx.args
        return _DiagonalScatter.apply(g, shape, off, d1, d2), None, None, None


class _DiagonalScatter(Function):
    """Zeros of ``shape`` with ``g`` on the diagonal (diagonal's backward; diag_embed)."""

    _backward_name = "DiagonalBackwardBackward0"

    @staticmethod
    def forward(ctx: FunctionCtx, g: Tensor, shape: tuple, off: int, d1: int,
                d2: int) -> Tensor:
        ctx.args = (off, d1, d2)
        out = np.zeros(shape, dtype=g._data.dtype)
        _writable_diagonal(out, off, d1, d2)[...] = g._data
        return wrap(out)

    @staticmethod
    def backward(ctx: FunctionCtx, gg: Tensor) -> tuple:
        off, d1, d2 = ctx.args
        return _Diagonal.apply(gg, off, d1, d2), None, None, None, None


class _DiagEmbed(_DiagonalScatter):
    _backward_name = "DiagEmbedBackward0"


def diagonal(input: Any, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:  # noqa: A002
    """The diagonal of dims ``dim1``/``dim2`` as the last dim: a view, as in torch (writing
    into it writes into ``input``)."""
    x = _input(input, "diagonal")
    if x.ndim < 2:
        raise ShapeError(f"diagonal(): input must have at least 2 dimensions, got shape "
                         f"{tuple(x.shape)}")
    off, d1, d2 = _diag_dims(x.ndim, offset, dim1, dim2, "diagonal")
    return _Diagonal.apply(x, off, d1, d2)


def diag_embed(input: Any, offset: int = 0, dim1: int = -2, dim2: int = -1,  # noqa: A002
               ) -> Tensor:
    """A tensor whose ``dim1``/``dim2`` diagonal (``offset``) holds the last dim of input."""
    x = _input(input, "diag_embed")
    if x.ndim < 1:
        raise ShapeError("diag_embed(): input must have at least 1 dimension, got a 0-d tensor")
    off, d1, d2 = _diag_dims(x.ndim + 1, offset, dim1, dim2, "diag_embed")
    n = x._data.shape[-1] + abs(off)
    batch = list(x._data.shape[:-1])
    shape: list[int] = []
    for k in range(x.ndim + 1):
        shape.append(n if k in (d1, d2) else batch.pop(0))
    return _DiagEmbed.apply(x, tuple(shape), off, d1, d2)


def diag(input: Any, diagonal: int = 0) -> Tensor:  # noqa: A002
    """1-D input: the square matrix with it on the ``diagonal``-th diagonal; 2-D input: a copy
    of that diagonal."""
    x = _input(input, "diag")
    k = _int_arg(diagonal, "diagonal", "diag")
    if x.ndim == 1:
        return diag_embed(x, k, 0, 1)
    if x.ndim == 2:
        return _Diagonal.apply(x, k, 0, 1).clone()
    raise ShapeError(f"diag(): input must be 1-D or 2-D, got shape {tuple(x.shape)}")


def trace(input: Any) -> Tensor:  # noqa: A002
    """The sum of the main diagonal of a 2-D tensor."""
    x = _input(input, "trace")
    if x.ndim != 2:
        raise ShapeError(f"trace(): expected a matrix (2-D), got shape {tuple(x.shape)}")
    return diagonal(x).sum()


# ------------------------------------------------------------------ add + product
def _check_nd(t: Any, n: int, op: str, name: str) -> Tensor:
    t = as_tensor(t, f"{op}: {name}")
    if t.ndim != n:
        raise ShapeError(f"{op}(): {name} must be a {n}-D tensor, got shape {tuple(t.shape)}")
    return t


def _scaled_sum(op: str, input: Any, prod: Tensor, beta: Any, alpha: Any) -> Tensor:  # noqa: A002
    inp = as_tensor(input, f"{op}: input")
    try:
        shape = np.broadcast_shapes(inp._data.shape, prod._data.shape)
    except ValueError:
        shape = None
    if shape != prod._data.shape:
        raise ShapeError(f"{op}(): input of shape {tuple(inp.shape)} cannot be broadcast to the "
                         f"product's shape {tuple(prod.shape)}")
    if alpha != 1:
        prod = prod * alpha
    if beta == 0:
        return prod  # torch ignores input (NaN and inf in it do not propagate)
    return (inp if beta == 1 else inp * beta) + prod


def addmm(input: Any, mat1: Any, mat2: Any, *, beta: Any = 1, alpha: Any = 1) -> Tensor:  # noqa: A002
    """beta * input + alpha * (mat1 @ mat2); input broadcasts to the product's shape."""
    m1 = _check_nd(mat1, 2, "addmm", "mat1")
    m2 = _check_nd(mat2, 2, "addmm", "mat2")
    return _scaled_sum("addmm", input, m1.mm(m2), beta, alpha)


def addmv(input: Any, mat: Any, vec: Any, *, beta: Any = 1, alpha: Any = 1) -> Tensor:  # noqa: A002
    """beta * input + alpha * (mat @ vec)."""
    m = _check_nd(mat, 2, "addmv", "mat")
    v = _check_nd(vec, 1, "addmv", "vec")
    return _scaled_sum("addmv", input, m.mv(v), beta, alpha)


def baddbmm(input: Any, batch1: Any, batch2: Any, *, beta: Any = 1, alpha: Any = 1,  # noqa: A002
            ) -> Tensor:
    """beta * input + alpha * bmm(batch1, batch2)."""
    b1 = _check_nd(batch1, 3, "baddbmm", "batch1")
    b2 = _check_nd(batch2, 3, "baddbmm", "batch2")
    return _scaled_sum("baddbmm", input, b1.bmm(b2), beta, alpha)


def addbmm(input: Any, batch1: Any, batch2: Any, *, beta: Any = 1, alpha: Any = 1,  # noqa: A002
           ) -> Tensor:
    """beta * input + alpha * sum_b(batch1[b] @ batch2[b])."""
    b1 = _check_nd(batch1, 3, "addbmm", "batch1")
    b2 = _check_nd(batch2, 3, "addbmm", "batch2")
    return _scaled_sum("addbmm", input, b1.bmm(b2).sum(0), beta, alpha)


# ------------------------------------------------------------------ products and layouts
def kron(input: Any, other: Any) -> Tensor:  # noqa: A002
    """The Kronecker product, as the product of interleaved broadcast dims."""
    a = as_tensor(input, "kron: input")
    b = as_tensor(other, "kron: other")
    n = max(a.ndim, b.ndim)
    sa = (1,) * (n - a.ndim) + tuple(a.shape)
    sb = (1,) * (n - b.ndim) + tuple(b.shape)
    ea = a.reshape(tuple(x for s in sa for x in (s, 1)))
    eb = b.reshape(tuple(x for s in sb for x in (1, s)))
    return (ea * eb).reshape(tuple(x * y for x, y in zip(sa, sb)))


def cross(input: Any, other: Any, dim: int | None = None) -> Tensor:  # noqa: A002
    """The 3-vector cross product along ``dim`` (None: the first dim of size 3, as torch.cross;
    ``linalg.cross`` defaults to -1); inputs broadcast."""
    a = as_tensor(input, "cross: input")
    b = as_tensor(other, "cross: other")
    if a.ndim != b.ndim:
        raise ShapeError(f"cross(): inputs must have the same number of dimensions, got shapes "
                         f"{tuple(a.shape)} and {tuple(b.shape)}")
    try:
        shape = np.broadcast_shapes(a._data.shape, b._data.shape)
    except ValueError:
        raise ShapeError(f"cross(): shapes {tuple(a.shape)} and {tuple(b.shape)} cannot be "
                         "broadcast together") from None
    if dim is None:
        dims = [k for k, s in enumerate(shape) if s == 3]
        if not dims:
            raise ShapeError(f"cross(): no dimension of size 3 in shape {tuple(shape)}")
        d = dims[0]
    else:
        d = wrap_dim(dim, len(shape), "cross")
        if shape[d] != 3:
            raise ShapeError(f"cross(): dimension {dim} must have size 3, got shape "
                             f"{tuple(shape)}")
    i1 = wrap(np.array([1, 2, 0]))
    i2 = wrap(np.array([2, 0, 1]))
    a, b = a.expand(*shape), b.expand(*shape)
    return a.index_select(d, i1) * b.index_select(d, i2) - a.index_select(d, i2) * \
        b.index_select(d, i1)


def block_diag(*tensors: Any) -> Tensor:
    """A block-diagonal matrix of 0-d, 1-d (one row) and 2-d blocks."""
    from .join import cat
    from .padding import pad

    blocks = []
    for k, t in enumerate(tensors):
        t = as_tensor(t, f"block_diag: tensor {k}")
        if t.ndim > 2:
            raise ShapeError(f"block_diag(): input {k} must have 2 or fewer dimensions, got "
                             f"shape {tuple(t.shape)}")
        blocks.append(t.reshape(1, -1) if t.ndim == 1 else t.reshape(1, 1) if t.ndim == 0
                      else t)
    if not blocks:
        return wrap(np.zeros((1, 0), dtype=np.float32))
    width = sum(b.shape[1] for b in blocks)
    rows, left = [], 0
    for b in blocks:
        w = b.shape[1]
        rows.append(pad(b, (left, width - left - w)))
        left += w
    return cat(rows, 0)


def rot90(input: Any, k: int = 1, dims: Any = (0, 1)) -> Tensor:  # noqa: A002
    """Rotate by 90 degrees ``k`` times in the plane of ``dims`` (from the first toward the
    second), as flips and a transpose."""
    x = _input(input, "rot90")
    k = _int_arg(k, "k", "rot90")
    dims = tuple(dims)
    if len(dims) != 2:
        raise RuntimeError(f"rot90(): expected total rotation dims == 2, but got dims = {dims}")
    if x.ndim < 2:
        raise RuntimeError(f"rot90(): expected total dims >= 2, but got total dims = {x.ndim}")
    d0, d1 = (wrap_dim(d, x.ndim, "rot90") for d in dims)
    if d0 == d1:
        raise RuntimeError(f"rot90(): expected rotation dims to be different, but got dim0 = "
                           f"{dims[0]} and dim1 = {dims[1]}")
    k %= 4
    if k == 1:
        return x.flip(d1).transpose(d0, d1)
    if k == 2:
        return x.flip(d0, d1)
    if k == 3:
        return x.flip(d0).transpose(d0, d1)
    return x.clone()


def cdist(x1: Any, x2: Any, p: float = 2.0, compute_mode: str | None = None) -> Tensor:
    """Pairwise p-norm distances between the rows of x1 (..., P, M) and x2 (..., R, M):
    (..., P, R), as ``norm`` of the broadcast differences (zero distances get a zero gradient,
    as torch's)."""
    a = as_tensor(x1, "cdist: x1")
    b = as_tensor(x2, "cdist: x2")
    if a.ndim < 2 or b.ndim < 2:
        raise ShapeError(f"cdist(): x1 and x2 must have at least 2 dimensions, got shapes "
                         f"{tuple(a.shape)} and {tuple(b.shape)}")
    if a.shape[-1] != b.shape[-1]:
        raise ShapeError(f"cdist(): X1 and X2 must have the same number of columns. X1: "
                         f"{a.shape[-1]} X2: {b.shape[-1]}")
    if not isinstance(p, (int, float)) or isinstance(p, bool) or p < 0:
        raise RuntimeError(f"cdist(): only supports non-negative p values, got {p!r}")
    if a._data.dtype.kind != "f" or b._data.dtype.kind != "f":
        raise RuntimeError(f"cdist(): only supports floating-point dtypes, got "
                           f"{a._data.dtype} and {b._data.dtype}")
    try:
        np.broadcast_shapes(a._data.shape[:-2], b._data.shape[:-2])
    except ValueError:
        raise ShapeError(f"cdist(): batch shapes {tuple(a.shape[:-2])} and "
                         f"{tuple(b.shape[:-2])} cannot be broadcast together") from None
    diff = a.unsqueeze(-2) - b.unsqueeze(-3)
    return diff.norm(p=float(p), dim=-1)
