"""Singular values and the torch.linalg norms: ``svdvals``, ``vector_norm``, ``matrix_norm``,
``norm`` (exposed as ``chaingrad.linalg``), and ``norm(x, p='nuc')``.

Everything but the SVD itself is composed of existing differentiable ops, as torch composes
it: 'fro' is the 2-norm over both dims, 1/inf (and -1/-inf) are an absolute sum along one dim
and a max (min) along the other, 2/-2 and 'nuc' the max/min/sum of the singular values.

The SVD is a ``Function`` whose backward is torch's ``svd_backward`` written with Tensor ops,
so it is differentiable again (gradgradcheck). For singular values alone (``svdvals``, the
nuclear and spectral norms) the gradient is ``U diag(gS) Vh``; it does not depend on the
signs or the rotation LAPACK picks inside a repeated singular value (as long as gS is equal
across it, which a sum or symmetric use gives), so it is well defined there. At a zero singular
value of a non-full-rank matrix the nuclear norm is not differentiable: like torch, the result
is the subgradient ``U V^T`` for whatever basis of the null spaces LAPACK returned. Gradients
through the singular vectors (the second derivative of these norms) divide by the differences
of the squared singular values, so they are infinite/NaN at repeated singular values, as in
torch.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..autograd.function import Function, FunctionCtx
from ..dtypes import resolve_dtype
from ..tensor import Tensor
from . import extrema as X
from . import reduction as R
from ._common import as_tensor, wrap, wrap_dim


class Svd(Function):
    """Reduced SVD ``A = U diag(S) Vh`` over the last two dims (batched)."""

    _backward_name = "LinalgSvdBackward0"

    @staticmethod
    def forward(ctx: FunctionCtx, a: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        d = a._data
        m, n = d.shape[-2:]
        k = min(m, n)
        if d.size == 0:
            batch = d.shape[:-2]
            u = np.zeros(batch + (m, k), d.dtype)
            s = np.zeros(batch + (k,), d.dtype)
            vh = np.zeros(batch + (k, n), d.dtype)
        else:
            if not np.isfinite(d).all():
                raise RuntimeError("linalg.svd: the input matrix contains non-finite values "
                                   "(NaN or infinity); the SVD is undefined")
            try:
                u, s, vh = np.linalg.svd(d, full_matrices=False)
            except np.linalg.LinAlgError as e:
                raise RuntimeError(f"linalg.svd: the algorithm failed to converge ({e})") from None
        # Undefined output gradients must stay None: zeros would meet the 1/E factors of the
        # singular-vector terms and turn into NaN at repeated singular values.
        ctx.set_materialize_grads(False)
        out = (wrap(u), wrap(s), wrap(vh))
        ctx.save_for_backward(*out)
        return out

    @staticmethod
    def backward(ctx: FunctionCtx, gu: Any, gs: Any, gvh: Any) -> Tensor | None:
        if gu is None and gs is None and gvh is None:
            return None
        u, s, vh = ctx.saved_tensors
        return svd_backward(gu, gs, gvh, u, s, vh)


def _mT(t: Tensor) -> Tensor:
    return t.transpose(-2, -1)


def svd_backward(gu: Tensor | None, gs: Tensor | None, gvh: Tensor | None, u: Tensor,
                 s: Tensor, vh: Tensor) -> Tensor:
    """torch's svd_backward (real case), in differentiable Tensor ops."""
    m, n = u.shape[-2], vh.shape[-1]
    k = s.shape[-1]
    if gu is None and gvh is None:
        return u @ (gs.unsqueeze(-1) * vh) if m >= n else (u * gs.unsqueeze(-2)) @ vh
    eye = wrap(np.eye(k, dtype=s.dtype))
    s2 = s * s
    # E[i, j] = s_j^2 - s_i^2, with 1 on the diagonal (the skew terms are 0 there).
    e = s2.unsqueeze(-2) - s2.unsqueeze(-1) + eye
    uhgu = vhgv = None
    if gu is not None:
        t = _mT(u) @ gu
        uhgu = t - _mT(t)
    if gvh is not None:
        t = vh @ _mT(gvh)
        vhgv = t - _mT(t)
    if uhgu is not None and vhgv is not None:
        ga = (uhgu * s.unsqueeze(-2) + s.unsqueeze(-1) * vhgv) / e
    elif uhgu is not None:
        ga = uhgu * (s.unsqueeze(-2) / e)
    else:
        ga = s.unsqueeze(-1) * (vhgv / e)
    if gs is not None:
        ga = ga + gs.unsqueeze(-1) * eye
    if m > k and gu is not None:
        ga = u @ ga
        gu_sinv = gu / s.unsqueeze(-2)
        ga = ga + gu_sinv - u @ (_mT(u) @ gu_sinv)
        return ga @ vh
    if n > k and gvh is not None:
        ga = ga @ vh
        sinv_gvh = gvh / s.unsqueeze(-1)
        ga = ga + sinv_gvh - (sinv_gvh @ _mT(vh)) @ vh
        return u @ ga
    return u @ (ga @ vh) if m >= n else (u @ ga) @ vh


# ------------------------------------------------------------------ argument checks
def _float_input(a: Tensor, op: str) -> None:
    if a._data.dtype.kind != "f":
        raise RuntimeError(f"{op}: Expected a floating point tensor as input. Got "
                           f"{a._data.dtype}")


def _with_dtype(a: Tensor, dtype: Any, op: str) -> Tensor:
    """torch's ``dtype=``: compute in that floating dtype, never narrowing the input's."""
    _float_input(a, op)
    if dtype is None:
        return a
    dt = resolve_dtype(dtype)
    if dt.kind != "f":
        raise RuntimeError(f"{op}: dtype should be floating point, but got {dt}")
    if dt.itemsize < a._data.dtype.itemsize:
        raise RuntimeError(f"{op}: the dtype of the input ({a._data.dtype}) should be "
                           f"convertible without narrowing to the specified dtype ({dt})")
    return a.to(dt)


def _is_number(x: Any) -> bool:
    return isinstance(x, (int, float, np.integer, np.floating)) and not isinstance(x, bool)


_MATRIX_ORDS = (1.0, -1.0, 2.0, -2.0, math.inf, -math.inf)


def _matrix_ord(ord: Any) -> Any:  # noqa: A002 - torch's name
    if isinstance(ord, str):
        if ord in ("fro", "nuc"):
            return ord
    elif _is_number(ord) and float(ord) in _MATRIX_ORDS:
        return float(ord)
    raise RuntimeError(f"linalg.matrix_norm: Order {ord!r} not supported (use 'fro', 'nuc', "
                       "1, -1, 2, -2, inf or -inf)")


def _matrix_dims(dim: Any, ndim: int) -> tuple[int, int]:
    op = "linalg.matrix_norm"
    if ndim < 2:
        raise RuntimeError(f"{op}: The input tensor A must have at least 2 dimensions "
                           f"(got {ndim})")
    if isinstance(dim, (str, bytes)) or not hasattr(dim, "__len__") or len(dim) != 2:
        raise RuntimeError(f"{op}: dim must be a 2-tuple of ints. Got {dim!r}")
    d0, d1 = (wrap_dim(d, ndim, op) for d in dim)
    if d0 == d1:
        raise RuntimeError(f"{op}: dims must be different. Got ({dim[0]}, {dim[1]})")
    return d0, d1


def _to_end(a: Tensor, d0: int, d1: int) -> Tensor:
    """The dims ``(d0, d1)`` moved to the end, in that order."""
    rest = [i for i in range(a.ndim) if i not in (d0, d1)]
    perm = (*rest, d0, d1)
    return a if perm == tuple(range(a.ndim)) else a.permute(*perm)


def _max_min(t: Tensor, dim: int, keepdim: bool, largest: bool) -> Tensor:
    if largest and t.shape[dim] == 0:
        # torch: the max over nothing is 0 here (norms are non-negative), a new tensor outside
        # the graph; the min over nothing fails in amin, as torch's does.
        shape = list(t.shape)
        if keepdim:
            shape[dim] = 1
        else:
            del shape[dim]
        return wrap(np.zeros(shape, t.dtype))
    return (X.amax if largest else X.amin)(t, dim, keepdim)


def _svd_reduce(a: Tensor, d0: int, d1: int, keepdim: bool, how: str) -> Tensor:
    s = svdvals(_to_end(a, d0, d1))
    if how == "sum":
        r = s.sum(-1)
    else:
        r = _max_min(s, s.ndim - 1, False, how == "max")
    if keepdim:
        for d in sorted((d0, d1)):
            r = r.unsqueeze(d)
    return r


# ------------------------------------------------------------------ public functions
def svdvals(A: Any) -> Tensor:  # noqa: N803 - torch's name
    """Singular values of the matrices in the last two dims, in descending order."""
    a = as_tensor(A)
    _float_input(a, "linalg.svdvals")
    if a.ndim < 2:
        raise RuntimeError(f"linalg.svdvals: The input tensor A must have at least 2 "
                           f"dimensions (got {a.ndim})")
    if a._data.dtype == np.float16:
        raise RuntimeError("linalg.svdvals: Low precision dtypes not supported. Got float16")
    return Svd.apply(a)[1]


def vector_norm(x: Any, ord: Any = 2, dim: Any = None, keepdim: bool = False,  # noqa: A002
                *, dtype: Any = None) -> Tensor:
    """torch.linalg.vector_norm: the ``ord``-norm of the elements over ``dim`` (all when
    None): any number, inf, -inf or 0."""
    a = as_tensor(x)
    if not _is_number(ord):
        raise TypeError(f"linalg.vector_norm: ord must be a number, got {ord!r}")
    if dim is not None and not isinstance(dim, (int, np.integer, tuple, list)):
        raise TypeError(f"linalg.vector_norm: dim must be an int or a tuple of ints, got "
                        f"{dim!r}")
    a = _with_dtype(a, dtype, "linalg.vector_norm")
    if dim is not None and not isinstance(dim, (int, np.integer)) and len(dim) == 0:
        dim = None  # torch: an empty dim list reduces every dim
    return R.norm(a, float(ord), dim, keepdim)


def matrix_norm(A: Any, ord: Any = "fro", dim: Any = (-2, -1),  # noqa: A002, N803
                keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    """torch.linalg.matrix_norm over the two dims ``dim`` (batched over the others): ord
    'fro', 'nuc', 1, -1, 2, -2, inf, -inf."""
    a = as_tensor(A)
    order = _matrix_ord(ord)
    a = _with_dtype(a, dtype, "linalg.matrix_norm")
    d0, d1 = _matrix_dims(dim, a.ndim)
    if order == "fro":
        return R.norm(a, 2.0, (d0, d1), keepdim)
    if a._data.dtype == np.float16 and order in ("nuc", 2.0, -2.0):
        raise RuntimeError("linalg.matrix_norm: Low precision dtypes not supported. Got "
                           "float16")
    if order == "nuc":
        return _svd_reduce(a, d0, d1, keepdim, "sum")
    if abs(order) == 2.0:
        return _svd_reduce(a, d0, d1, keepdim, "max" if order > 0 else "min")
    if abs(order) == math.inf:
        d0, d1 = d1, d0  # the inf-norm is the 1-norm of the transpose
    r = R.norm(a, 1.0, d0, keepdim)
    if not keepdim and d0 < d1:
        d1 -= 1
    return _max_min(r, d1, keepdim, order > 0)


def linalg_norm(A: Any, ord: Any = None, dim: Any = None, keepdim: bool = False,  # noqa: A002, N803
                *, dtype: Any = None) -> Tensor:
    """torch.linalg.norm: a vector norm for one dim (or a 1-D input), a matrix norm for two
    dims (or a 2-D input with ``ord`` given); without ord and dim, the 2-norm of all
    elements."""
    a = as_tensor(A)
    if dim is not None:
        dims = (dim,) if isinstance(dim, (int, np.integer)) else tuple(dim)
        if len(dims) == 1 and not isinstance(ord, str):
            return vector_norm(a, 2 if ord is None else ord, dims, keepdim, dtype=dtype)
        if len(dims) <= 2:  # a string ord with one dim: matrix_norm names the problem
            return matrix_norm(a, "fro" if ord is None else ord, dims, keepdim, dtype=dtype)
        raise RuntimeError(f"linalg.norm: If dim is specified, it must be of length 1 or 2. "
                           f"Got {list(dims)}")
    if ord is None:
        return vector_norm(a, 2, None, keepdim, dtype=dtype)
    if a.ndim not in (1, 2):
        raise RuntimeError(f"linalg.norm: If dim is not specified but ord is, the input must "
                           f"be 1D or 2D. Got {a.ndim}D.")
    if a.ndim == 2 or isinstance(ord, str):
        return matrix_norm(a, ord, (-2, -1), keepdim, dtype=dtype)
    return vector_norm(a, ord, None, keepdim, dtype=dtype)


def nuclear_norm(a: Tensor, dim: Any, keepdim: bool) -> Tensor:
    """``torch.norm(x, p='nuc', dim)``: dim None means all dims, so the input must be 2-D."""
    if dim is None:
        dim = tuple(range(a.ndim))
    elif isinstance(dim, (int, np.integer)):
        dim = (dim,)
    return matrix_norm(a, "nuc", dim, keepdim)
