"""torch.linalg's decompositions and solvers on NumPy's LAPACK: inv, det, slogdet, solve,
solve_triangular, cholesky, eigh, eigvalsh, svd, pinv, matrix_power, matrix_exp, multi_dot,
cond, matrix_rank, vander, vecdot, cross, diagonal, matmul and the ``*_ex`` variants, plus the
top-level torch.det/inverse/logdet/slogdet/pinverse/matrix_power/matrix_exp/cholesky and their
Tensor methods.

Each primitive is a ``Function`` whose backward is torch's formula written in differentiable
Tensor ops (calling these same functions), so second derivatives work too. Inputs are batches
of matrices (``(..., m, n)``); batch dimensions broadcast where torch broadcasts them. Singular
or non-positive-definite inputs raise ``LinAlgError`` (a ``RuntimeError``, as torch's).
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

import numpy as np

from ..autograd.function import Function, FunctionCtx
from ..tensor import Tensor
from ._common import as_tensor, wrap
from .matrix_norm import Svd, matrix_norm, svd_backward, svdvals

__all__ = [
    "LinAlgError", "inv", "inv_ex", "det", "slogdet", "logdet", "solve", "solve_ex",
    "solve_triangular", "cholesky", "cholesky_ex", "eigh", "eigvalsh", "svd", "pinv",
    "matrix_power", "matrix_exp", "multi_dot", "cond", "matrix_rank", "vander", "vecdot",
    "linalg_cross", "linalg_diagonal", "inverse", "pinverse", "torch_cholesky", "torch_vander",
    "qr", "lstsq",
]


class LinAlgError(RuntimeError):
    """A linear-algebra routine failed on its input (singular matrix, not positive-definite,
    no convergence); a ``RuntimeError``, like torch's ``torch.linalg.LinAlgError``."""


class linalg_slogdet(NamedTuple):  # noqa: N801 - torch's return type names
    sign: Tensor
    logabsdet: Tensor


class linalg_eigh(NamedTuple):  # noqa: N801
    eigenvalues: Tensor
    eigenvectors: Tensor


class linalg_svd(NamedTuple):  # noqa: N801
    U: Tensor
    S: Tensor
    Vh: Tensor


class linalg_inv_ex(NamedTuple):  # noqa: N801
    inverse: Tensor
    info: Tensor


class linalg_cholesky_ex(NamedTuple):  # noqa: N801
    L: Tensor
    info: Tensor


class linalg_solve_ex(NamedTuple):  # noqa: N801
    result: Tensor
    info: Tensor


# ------------------------------------------------------------------ checks and helpers
def _matrix(a: Any, op: str, square: bool = False) -> Tensor:
    t = as_tensor(a, f"{op}: A")
    if t._data.ndim < 2:
        raise RuntimeError(f"{op}: The input tensor A must have at least 2 dimensions.")
    if t._data.dtype.kind != "f":
        raise RuntimeError(f"{op}: Expected a floating point tensor as input. Got "
                           f"{t._data.dtype}")
    if square and t._data.shape[-1] != t._data.shape[-2]:
        m, n = t._data.shape[-2:]
        raise RuntimeError(f"{op}: A must be batches of square matrices, but they are {m} by "
                           f"{n} matrices")
    return t


def _mT(t: Tensor) -> Tensor:
    return t.transpose(-2, -1)


def _eye(n: int, dtype: Any) -> Tensor:
    return wrap(np.eye(n, dtype=dtype))


def _batch_where(msg: str, d: np.ndarray, index: int) -> str:
    if d.ndim > 2:
        pos = np.unravel_index(index, d.shape[:-2])
        return f"(Batch element {', '.join(str(int(i)) for i in pos)}): {msg}"
    return msg


def _first_zero_pivot(a: np.ndarray) -> int:
    """1-based index of the first zero pivot of an LU with partial pivoting (LAPACK's getrf
    ``info``), or the order when rounding hid it."""
    a = np.array(a, dtype=np.float64, copy=True)
    n = a.shape[0]
    for k in range(n):
        p = k + int(np.argmax(np.abs(a[k:, k])))
        if a[p, k] == 0:
            return k + 1
        a[[k, p]] = a[[p, k]]
        a[k + 1:, k:] -= np.outer(a[k + 1:, k] / a[k, k], a[k, k:])
    return n


def _singular_info(d: np.ndarray) -> np.ndarray:
    """Per-matrix ``info`` (0: invertible, k: zero pivot at k), batch-shaped int32."""
    flat = d.reshape((-1,) + d.shape[-2:])
    info = np.zeros(flat.shape[0], dtype=np.int32)
    for i, m in enumerate(flat):
        try:
            np.linalg.inv(m)
        except np.linalg.LinAlgError:
            info[i] = _first_zero_pivot(m)
    return info.reshape(d.shape[:-2])


def _raise_singular(op: str, d: np.ndarray) -> None:
    info = _singular_info(d).reshape(-1)
    bad = int(np.flatnonzero(info)[0]) if info.any() else 0
    k = int(info[bad]) if info.any() else d.shape[-1]
    raise LinAlgError(_batch_where(
        f"{op}: The diagonal element {k} is zero, the inversion could not be completed because "
        "the input matrix is singular.", d, bad))


# ------------------------------------------------------------------ inverse
class _Inv(Function):
    _backward_name = "LinalgInvExBackward0"

    @staticmethod
    def forward(ctx: FunctionCtx, a: Tensor) -> Tensor:
        d = a._data
        try:
            out = np.linalg.inv(d)
        except np.linalg.LinAlgError:
            _raise_singular("linalg.inv", d)
        res = wrap(out)
        ctx.save_for_backward(res)
        return res

    @staticmethod
    def backward(ctx: FunctionCtx, g: Tensor) -> Tensor:
        (ainv,) = ctx.saved_tensors
        t = _mT(ainv)
        return -(t @ g @ t)


def inv(A: Any, *, out: Any = None) -> Tensor:
    """The inverse of each square matrix; ``LinAlgError`` if one is singular."""
    _no_out(out, "linalg.inv")
    return _Inv.apply(_matrix(A, "linalg.inv", square=True))


def inv_ex(A: Any, *, check_errors: bool = False, out: Any = None) -> linalg_inv_ex:
    """``(inverse, info)``: info is 0 where the matrix is invertible, else the (1-based) index
    of the zero pivot; singular matrices raise only with ``check_errors=True``."""
    _no_out(out, "linalg.inv_ex")
    a = _matrix(A, "linalg.inv_ex", square=True)
    info = _singular_info(a._data)
    if check_errors and info.any():
        _raise_singular("linalg.inv_ex", a._data)
    if not info.any():
        return linalg_inv_ex(_Inv.apply(a), wrap(info))
    flat = a._data.reshape((-1,) + a._data.shape[-2:])
    res = np.stack([np.linalg.pinv(m) * np.nan if k else np.linalg.inv(m)
                    for m, k in zip(flat, info.reshape(-1))]) if flat.shape[0] else flat.copy()
    return linalg_inv_ex(wrap(res.reshape(a._data.shape)), wrap(info))


def inverse(input: Any, *, out: Any = None) -> Tensor:  # noqa: A002 - torch's name
    """``torch.inverse``: alias of ``linalg.inv``."""
    _no_out(out, "inverse")
    return inv(input)


# ------------------------------------------------------------------ determinants
def _exclusive_prod(s: Tensor) -> Tensor:
    """prod_{j != i} s_j along the last dim (torch's prod_safe_zeros_backward), differentiable."""
    k = s.shape[-1]
    ones = s[..., :1] * 0 + 1
    left = ones if k == 1 else _cat([ones, s[..., :-1].cumprod(-1)])
    right_rev = ones if k == 1 else _cat([ones, s.flip(-1)[..., :-1].cumprod(-1)])
    return left * right_rev.flip(-1)


def _cat(ts: list[Tensor]) -> Tensor:
    from .join import cat
    return cat(ts, -1)


class _Det(Function):
    _backward_name = "LinalgDetBackward0"

    @staticmethod
    def forward(ctx: FunctionCtx, a: Tensor) -> Tensor:
        out = wrap(np.asarray(np.linalg.det(a._data), dtype=a._data.dtype))
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx: FunctionCtx, g: Tensor) -> Tensor:
        a, d = ctx.saved_tensors
        if a._data.size == 0 or np.all(d._data != 0):
            return (g * d).unsqueeze(-1).unsqueeze(-1) * _mT(inv(a))
        # Singular somewhere: det(A) = det(U) det(Vh) prod(S), so the gradient is
        # U diag(d prod(S)/dS) Vh (the adjugate), well defined at singular matrices.
        u, s, vh = svd(a, full_matrices=False)
        alpha = wrap(np.linalg.det(u._data) * np.linalg.det(vh._data))
        dd = (g * alpha).unsqueeze(-1) * _exclusive_prod(s)
        return (u * dd.unsqueeze(-2)) @ vh


def det(A: Any, *, out: Any = None) -> Tensor:
    """The determinant of each square matrix (its gradient stays finite at singular ones)."""
    _no_out(out, "linalg.det")
    return _Det.apply(_matrix(A, "linalg.det", square=True))


class _Slogdet(Function):
    _backward_name = "LinalgSlogdetBackward0"

    @staticmethod
    def forward(ctx: FunctionCtx, a: Tensor) -> tuple[Tensor, Tensor]:
        sign, logabs = np.linalg.slogdet(a._data)
        dt = a._data.dtype
        s, la = wrap(np.asarray(sign, dtype=dt)), wrap(np.asarray(logabs, dtype=dt))
        ctx.mark_non_differentiable(s)
        ctx.save_for_backward(a)
        return s, la

    @staticmethod
    def backward(ctx: FunctionCtx, gs: Any, gla: Tensor) -> Tensor:
        (a,) = ctx.saved_tensors
        return gla.unsqueeze(-1).unsqueeze(-1) * _mT(inv(a))


def slogdet(A: Any, *, out: Any = None) -> linalg_slogdet:
    """``(sign, logabsdet)`` of each square matrix; sign 0 and logabsdet -inf if singular."""
    _no_out(out, "linalg.slogdet")
    return linalg_slogdet(*_Slogdet.apply(_matrix(A, "linalg.slogdet", square=True)))


def logdet(input: Any) -> Tensor:  # noqa: A002
    """``torch.logdet``: log(det(A)); NaN where the determinant is negative, -inf where 0."""
    sign, la = slogdet(_matrix(input, "logdet", square=True))
    from .select import where
    return where(sign < 0, wrap(np.asarray(np.nan, dtype=la._data.dtype)), la)


# ------------------------------------------------------------------ solvers
def _no_out(out: Any, op: str) -> None:
    if out is not None:
        raise TypeError(f"{op}: out= is not supported by chaingrad; use the returned tensor")


def _broadcast_solve_args(a: Tensor, b: Tensor, op: str) -> tuple[Tensor, Tensor, bool]:
    n = a.shape[-1]
    vector = b._data.ndim == 1 or (b._data.ndim == a._data.ndim - 1
                                   and tuple(b.shape) == tuple(a.shape[:-1]))
    if b._data.dtype != a._data.dtype:
        dt = np.result_type(a._data.dtype, b._data.dtype)
        if dt.kind != "f":
            raise RuntimeError(f"{op}: Expected a floating point tensor as input. Got {dt}")
        a, b = a.to(dt), b.to(dt)
    if vector:
        b = b.unsqueeze(-1)
    if b.shape[-2] != n:
        raise RuntimeError(
            f"{op}: Incompatible shapes of A and B for the equation AX = B "
            f"({'x'.join(map(str, a.shape[-2:]))} and "
            f"{'x'.join(map(str, (b.shape[-2] if not vector else b.shape[-2],)))}"
            f"{'' if vector else 'x' + str(b.shape[-1])})")
    try:
        batch = np.broadcast_shapes(tuple(a.shape[:-2]), tuple(b.shape[:-2]))
    except ValueError:
        raise RuntimeError(f"{op}: the batch dimensions of A {tuple(a.shape[:-2])} and B "
                           f"{tuple(b.shape[:-2])} do not broadcast") from None
    if tuple(a.shape[:-2]) != batch:
        a = a.expand(*batch, n, n)
    if tuple(b.shape[:-2]) != batch:
        b = b.expand(*batch, n, b.shape[-1])
    return a, b, vector


class _Solve(Function):
    _backward_name = "LinalgSolveExBackward0"

    @staticmethod
    def forward(ctx: FunctionCtx, a: Tensor, b: Tensor) -> Tensor:
        try:
            x = np.linalg.solve(a._data, b._data)
        except np.linalg.LinAlgError:
            raise LinAlgError(_batch_where(
                "linalg.solve: The solver failed because the input matrix is singular.",
                a._data, int(np.flatnonzero(_singular_info(a._data).reshape(-1))[0])
                if a._data.ndim > 2 else 0)) from None
        out = wrap(x)
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx: FunctionCtx, g: Tensor) -> tuple[Tensor | None, Tensor | None]:
        a, x = ctx.saved_tensors
        gb = _Solve.apply(_mT(a), g)
        ga = -(gb @ _mT(x)) if ctx.needs_input_grad[0] else None
        return ga, gb


def solve(A: Any, B: Any, *, left: bool = True, out: Any = None) -> Tensor:
    """X with ``A X = B`` (``X A = B`` when ``left=False``); B may be a vector (``(..., n)``)
    or matrices; batch dims broadcast. ``LinAlgError`` if A is singular."""
    _no_out(out, "linalg.solve")
    a = _matrix(A, "linalg.solve", square=True)
    b = as_tensor(B, "linalg.solve: B")
    if not left:
        if b._data.ndim < 2:
            raise RuntimeError("linalg.solve: Vector broadcasting of the left hand side is not "
                               "supported for left=False. In this case linalg.solve is "
                               "equivalent to B / A.squeeze(-1)")
        return _mT(solve(_mT(a), _mT(b)))
    a2, b2, vector = _broadcast_solve_args(a, b, "linalg.solve")
    x = _Solve.apply(a2, b2)
    return x.squeeze(-1) if vector else x


def solve_ex(A: Any, B: Any, *, left: bool = True, check_errors: bool = False,
             out: Any = None) -> linalg_solve_ex:
    """``(result, info)``; a singular A gives info > 0 (and NaN results) unless
    ``check_errors=True``, which raises."""
    _no_out(out, "linalg.solve_ex")
    a = _matrix(A, "linalg.solve_ex", square=True)
    info = _singular_info(a._data)
    if info.any() and check_errors:
        _raise_singular("linalg.solve_ex", a._data)
    if not info.any():
        return linalg_solve_ex(solve(a, B, left=left), wrap(info))
    res = solve(wrap(np.where(info[..., None, None] != 0, np.eye(a.shape[-1]), a._data)),
                as_tensor(B).detach(), left=left)
    bad = np.broadcast_to(info != 0, res._data.shape[:info.ndim]) if info.ndim else info != 0
    data = res._data.copy()
    data[bad] = np.nan
    return linalg_solve_ex(wrap(data), wrap(info))


def _tri(x: Tensor, upper: bool, unit: bool) -> Tensor:
    if upper:
        return x.triu(1 if unit else 0)
    return x.tril(-1 if unit else 0)


class _SolveTriangular(Function):
    _backward_name = "LinalgSolveTriangularBackward0"

    @staticmethod
    def forward(ctx: FunctionCtx, a: Tensor, b: Tensor, upper: bool, unit: bool) -> Tensor:
        t = np.triu(a._data) if upper else np.tril(a._data)
        if unit:
            n = t.shape[-1]
            t = t.copy()
            t[..., np.arange(n), np.arange(n)] = 1
        with np.errstate(divide="ignore", invalid="ignore"):
            try:
                x = np.linalg.solve(t, b._data)
            except np.linalg.LinAlgError:
                # A zero on the diagonal: like LAPACK's trtrs without a check, infinities.
                x = np.linalg.pinv(t) @ b._data * np.inf
        ctx.upper, ctx.unit = upper, unit
        out = wrap(x)
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx: FunctionCtx, g: Tensor) -> tuple[Any, ...]:
        a, x = ctx.saved_tensors
        gb = _SolveTriangular.apply(_mT(a), g, not ctx.upper, ctx.unit)
        ga = None
        if ctx.needs_input_grad[0]:
            ga = _tri(-(gb @ _mT(x)), ctx.upper, ctx.unit)
        return ga, gb, None, None


def solve_triangular(A: Any, B: Any, *, upper: bool, left: bool = True,
                     unitriangular: bool = False, out: Any = None) -> Tensor:
    """X with ``A X = B`` (``X A = B`` if ``left=False``) for triangular A: only its upper
    (``upper=True``) or lower triangle is read, and its diagonal is taken as ones with
    ``unitriangular=True``. B is a (batch of) matrix; batch dims broadcast."""
    _no_out(out, "linalg.solve_triangular")
    a = _matrix(A, "linalg.solve_triangular", square=True)
    b = as_tensor(B, "linalg.solve_triangular: B")
    if b._data.ndim < 2:
        raise RuntimeError("linalg.solve_triangular: The input tensor B must have at least 2 "
                           "dimensions.")
    if not left:
        return _mT(solve_triangular(_mT(a), _mT(b), upper=not upper, left=True,
                                    unitriangular=unitriangular))
    a2, b2, _ = _broadcast_solve_args(a, b, "linalg.solve_triangular")
    return _SolveTriangular.apply(a2, b2, bool(upper), bool(unitriangular))


# ------------------------------------------------------------------ cholesky
def _cholesky_info(d: np.ndarray) -> np.ndarray:
    flat = d.reshape((-1,) + d.shape[-2:])
    info = np.zeros(flat.shape[0], dtype=np.int32)
    for i, m in enumerate(flat):
        try:
            np.linalg.cholesky(m)
        except np.linalg.LinAlgError:
            for k in range(1, m.shape[0] + 1):
                try:
                    np.linalg.cholesky(m[:k, :k])
                except np.linalg.LinAlgError:
                    info[i] = k
                    break
    return info.reshape(d.shape[:-2])


def _raise_not_pd(op: str, d: np.ndarray) -> None:
    info = _cholesky_info(d).reshape(-1)
    bad = int(np.flatnonzero(info)[0]) if info.any() else 0
    raise LinAlgError(_batch_where(
        f"{op}: The factorization could not be completed because the input is not "
        f"positive-definite (the leading minor of order {int(info[bad])} is not "
        "positive-definite).", d, bad))


class _Cholesky(Function):
    _backward_name = "LinalgCholeskyExBackward0"

    @staticmethod
    def forward(ctx: FunctionCtx, a: Tensor, upper: bool) -> Tensor:
        try:
            low = np.linalg.cholesky(a._data)
        except np.linalg.LinAlgError:
            _raise_not_pd("linalg.cholesky", a._data)
        out = wrap(np.ascontiguousarray(np.swapaxes(low, -1, -2)) if upper else low)
        ctx.upper = upper
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: FunctionCtx, gl: Tensor) -> tuple[Tensor, None]:
        (low,) = ctx.saved_tensors
        if ctx.upper:
            low, gl = _mT(low), _mT(gl)
        # torch's cholesky_backward: L^{-H} Phi(L^H gL) L^{-1}, Phi = tril with half diagonal.
        ga = (_mT(low) @ gl).tril()
        ga = 0.5 * (ga + _mT(ga.tril(-1)))
        ga = solve_triangular(_mT(low), ga, upper=True, left=True)
        ga = solve_triangular(low, ga, upper=False, left=False)
        return ga, None


def cholesky(A: Any, *, upper: bool = False, out: Any = None) -> Tensor:
    """L with ``A = L L^T`` (lower; ``upper=True`` gives ``L^T``), reading A's lower triangle;
    ``LinAlgError`` if A is not positive-definite."""
    _no_out(out, "linalg.cholesky")
    return _Cholesky.apply(_matrix(A, "linalg.cholesky", square=True), bool(upper))


def cholesky_ex(A: Any, *, upper: bool = False, check_errors: bool = False,
                out: Any = None) -> linalg_cholesky_ex:
    """``(L, info)``: info is 0, or the order of the first leading minor that is not
    positive-definite (then L is not meaningful) unless ``check_errors=True``, which raises."""
    _no_out(out, "linalg.cholesky_ex")
    a = _matrix(A, "linalg.cholesky_ex", square=True)
    info = _cholesky_info(a._data)
    if info.any():
        if check_errors:
            _raise_not_pd("linalg.cholesky_ex", a._data)
        n = a.shape[-1]
        safe = np.where(info[..., None, None] != 0, np.eye(n), a._data)
        low = np.linalg.cholesky(safe)
        low[info != 0] = np.nan
        out = low if not upper else np.swapaxes(low, -1, -2)
        return linalg_cholesky_ex(wrap(np.ascontiguousarray(out)), wrap(info))
    return linalg_cholesky_ex(cholesky(a, upper=upper), wrap(info))


def torch_cholesky(input: Any, upper: bool = False, *, out: Any = None) -> Tensor:  # noqa: A002
    """``torch.cholesky`` (deprecated in torch for ``linalg.cholesky``), same factor."""
    _no_out(out, "cholesky")
    return cholesky(input, upper=upper)


# ------------------------------------------------------------------ eigh
class _Eigh(Function):
    _backward_name = "LinalgEighBackward0"

    @staticmethod
    def forward(ctx: FunctionCtx, a: Tensor, uplo: str) -> tuple[Tensor, Tensor]:
        if not np.isfinite(a._data).all():
            raise LinAlgError("linalg.eigh: the input matrix contains non-finite values")
        try:
            w, v = np.linalg.eigh(a._data, UPLO=uplo)
        except np.linalg.LinAlgError as e:
            raise LinAlgError(f"linalg.eigh: The algorithm failed to converge ({e})") from None
        ctx.set_materialize_grads(False)
        out = (wrap(w), wrap(v))
        ctx.save_for_backward(*out)
        return out

    @staticmethod
    def backward(ctx: FunctionCtx, gw: Any, gv: Any) -> tuple[Any, None]:
        if gw is None and gv is None:
            return None, None
        w, v = ctx.saved_tensors
        return eigh_backward(gw, gv, w, v), None


def eigh_backward(gw: Tensor | None, gv: Tensor | None, w: Tensor, v: Tensor) -> Tensor:
    """torch's linalg_eig_backward for Hermitian input (real case)."""
    if gv is None:
        return (v * gw.unsqueeze(-2)) @ _mT(v)
    n = w.shape[-1]
    vhgv = _mT(v) @ gv
    vhgv = 0.5 * (vhgv - _mT(vhgv))
    e = w.unsqueeze(-2) - w.unsqueeze(-1) + _eye(n, w._data.dtype)
    ret = vhgv / e
    if gw is not None:
        ret = ret + gw.unsqueeze(-1) * _eye(n, w._data.dtype)
    return v @ ret @ _mT(v)


def _check_uplo(uplo: Any, op: str) -> str:
    if not isinstance(uplo, str) or uplo.upper() not in ("L", "U"):
        raise RuntimeError(f"{op}: Expected UPLO argument to be 'L' or 'U', but got {uplo}")
    return uplo.upper()


def eigh(A: Any, UPLO: str = "L", *, out: Any = None) -> linalg_eigh:  # noqa: N803
    """Eigenvalues (ascending) and orthonormal eigenvectors of each symmetric matrix, reading
    the lower (``UPLO='L'``) or upper triangle. Gradients through the eigenvectors divide by
    eigenvalue gaps (infinite at repeated eigenvalues, as in torch)."""
    _no_out(out, "linalg.eigh")
    uplo = _check_uplo(UPLO, "linalg.eigh")
    return linalg_eigh(*_Eigh.apply(_matrix(A, "linalg.eigh", square=True), uplo))


def eigvalsh(A: Any, UPLO: str = "L", *, out: Any = None) -> Tensor:  # noqa: N803
    """The eigenvalues (ascending) of each symmetric matrix."""
    _no_out(out, "linalg.eigvalsh")
    uplo = _check_uplo(UPLO, "linalg.eigvalsh")
    return _Eigh.apply(_matrix(A, "linalg.eigvalsh", square=True), uplo)[0]


# ------------------------------------------------------------------ svd, pinv
class _FullSvd(Function):
    """SVD with square U (m x m) and Vh (n x n); like torch, the gradient only flows through
    the first min(m, n) singular vectors."""

    _backward_name = "LinalgSvdBackward0"

    @staticmethod
    def forward(ctx: FunctionCtx, a: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        if not np.isfinite(a._data).all():
            raise LinAlgError("linalg.svd: the input matrix contains non-finite values (NaN or "
                              "infinity); the SVD is undefined")
        try:
            u, s, vh = np.linalg.svd(a._data, full_matrices=True)
        except np.linalg.LinAlgError as e:
            raise LinAlgError(f"linalg.svd: The algorithm failed to converge ({e})") from None
        ctx.set_materialize_grads(False)
        out = (wrap(u), wrap(s), wrap(vh))
        ctx.save_for_backward(*out)
        return out

    @staticmethod
    def backward(ctx: FunctionCtx, gu: Any, gs: Any, gvh: Any) -> Tensor | None:
        if gu is None and gs is None and gvh is None:
            return None
        u, s, vh = ctx.saved_tensors
        k = s.shape[-1]
        u, vh = u[..., :k], vh[..., :k, :]
        gu = None if gu is None else gu[..., :k]
        gvh = None if gvh is None else gvh[..., :k, :]
        return svd_backward(gu, gs, gvh, u, s, vh)


def svd(A: Any, full_matrices: bool = True, *, driver: str | None = None,
        out: Any = None) -> linalg_svd:
    """``A = U diag(S) Vh`` (S descending). ``full_matrices=False`` gives the reduced factors.
    Gradients through U/Vh need distinct singular values (as in torch)."""
    _no_out(out, "linalg.svd")
    if driver is not None:
        raise RuntimeError("linalg.svd: keyword argument `driver=` is only supported on CUDA "
                           "inputs with cuSOLVER backend.")
    a = _matrix(A, "linalg.svd")
    m, n = a.shape[-2:]
    if not full_matrices or m == n or a._data.size == 0:
        if full_matrices and a._data.size == 0:
            batch = tuple(a.shape[:-2])
            eye_u = np.broadcast_to(np.eye(m, dtype=a._data.dtype), batch + (m, m)).copy()
            eye_v = np.broadcast_to(np.eye(n, dtype=a._data.dtype), batch + (n, n)).copy()
            return linalg_svd(wrap(eye_u), wrap(np.zeros(batch + (0,), a._data.dtype)),
                              wrap(eye_v))
        return linalg_svd(*Svd.apply(a))
    return linalg_svd(*_FullSvd.apply(a))


def _pinv_cutoff(s: np.ndarray, atol: Any, rtol: Any, shape: tuple[int, int]) -> np.ndarray:
    def val(x: Any) -> Any:
        return x._data if isinstance(x, Tensor) else x
    atol, rtol = val(atol), val(rtol)
    if rtol is None:
        rtol = (np.finfo(s.dtype).eps * max(shape)) if atol is None or np.all(atol == 0) \
            else 0.0
    atol = 0.0 if atol is None else atol
    smax = s[..., :1] if s.shape[-1] else np.zeros(s.shape[:-1] + (1,), s.dtype)
    return np.maximum(np.asarray(atol)[..., None] if np.ndim(atol) else atol,
                      (np.asarray(rtol)[..., None] if np.ndim(rtol) else rtol) * smax)


class _Pinv(Function):
    _backward_name = "LinalgPinvBackward0"

    @staticmethod
    def forward(ctx: FunctionCtx, a: Tensor, atol: Any, rtol: Any, hermitian: bool) -> Tensor:
        d = a._data
        m, n = d.shape[-2:]
        if d.size == 0:
            res = np.zeros(d.shape[:-2] + (n, m), d.dtype)
        elif hermitian:
            w, v = np.linalg.eigh(d)
            aw = np.abs(w)
            order = np.argsort(-aw, axis=-1)
            cut = _pinv_cutoff(np.take_along_axis(aw, order, -1), atol, rtol, (m, n))
            with np.errstate(divide="ignore"):
                inv_w = np.where(aw > cut, 1.0 / w, 0.0).astype(d.dtype)
            res = (v * inv_w[..., None, :]) @ np.swapaxes(v, -1, -2)
        else:
            u, s, vh = np.linalg.svd(d, full_matrices=False)
            cut = _pinv_cutoff(s, atol, rtol, (m, n))
            with np.errstate(divide="ignore"):
                inv_s = np.where(s > cut, 1.0 / s, 0.0).astype(d.dtype)
            res = (np.swapaxes(vh, -1, -2) * inv_s[..., None, :]) @ np.swapaxes(u, -1, -2)
        out = wrap(np.ascontiguousarray(res))
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx: FunctionCtx, g: Tensor) -> tuple[Any, ...]:
        a, p = ctx.saved_tensors
        return pinv_backward(g, p, a), None, None, None


def pinv_backward(g: Tensor, p: Tensor, a: Tensor) -> Tensor:
    """torch's pinv_backward (real case)."""
    m, n = a.shape[-2:]
    ph, gh = _mT(p), _mT(g)
    if m <= n:
        k = gh @ p
        kph = k @ ph
        return -_mT(p @ k) + kph - (a @ p) @ kph + (ph @ p) @ (gh - k @ a)
    k = p @ gh
    phk = ph @ k
    return -_mT(k @ p) + (gh - a @ k) @ p @ ph + phk - phk @ p @ a


def pinv(A: Any, *, atol: Any = None, rtol: Any = None, hermitian: bool = False,
         out: Any = None) -> Tensor:
    """Moore-Penrose pseudo-inverse; singular values at or below ``max(atol, rtol * s_max)``
    count as zero (default rtol: eps * max(m, n)). ``hermitian=True`` uses eigh."""
    _no_out(out, "linalg.pinv")
    a = _matrix(A, "linalg.pinv", square=hermitian)
    return _Pinv.apply(a, atol, rtol, bool(hermitian))


def pinverse(input: Any, rcond: float = 1e-15) -> Tensor:  # noqa: A002
    """``torch.pinverse``: ``linalg.pinv(input, rtol=rcond)``."""
    return pinv(input, rtol=rcond)


# ------------------------------------------------------------------ powers and exponential
def matrix_power(A: Any, n: int, *, out: Any = None) -> Tensor:
    """A^n by repeated squaring; n = 0 gives the identity, n < 0 the power of the inverse."""
    _no_out(out, "linalg.matrix_power")
    if not isinstance(n, (int, np.integer)) or isinstance(n, bool):
        raise TypeError(f"linalg.matrix_power: n must be an int, got {type(n).__name__}")
    a = as_tensor(A, "linalg.matrix_power: A")
    if a._data.ndim < 2 or a.shape[-1] != a.shape[-2]:
        raise RuntimeError("linalg.matrix_power: A must be batches of square matrices, but "
                           f"they are {'x'.join(map(str, a.shape[-2:]))} matrices"
                           if a._data.ndim >= 2 else
                           "linalg.matrix_power: The input tensor A must have at least 2 "
                           "dimensions.")
    if n == 0:
        eye = np.broadcast_to(np.eye(a.shape[-1], dtype=a._data.dtype), tuple(a.shape))
        return a * 0 + wrap(np.ascontiguousarray(eye))
    if n < 0:
        a, n = inv(a), -n
    if n == 1:
        return a.clone()
    result = None
    base = a
    while n:
        if n & 1:
            result = base if result is None else result @ base
        n >>= 1
        if n:
            base = base @ base
    return result


_PADE13 = (64764752532480000., 32382376266240000., 7771770303897600., 1187353796428800.,
           129060195264000., 10559470521600., 670442572800., 33522128640., 1323241920.,
           40840800., 960960., 16380., 182., 1.)


def _expm(a: np.ndarray) -> np.ndarray:
    """exp of one matrix: Higham's scaling and squaring with a [13/13] Padé approximant."""
    n = a.shape[-1]
    norm = np.abs(a).sum(axis=-2).max() if a.size else 0.0
    s = max(0, int(math.ceil(math.log2(norm / 5.371920351148152)))) if norm > 0 else 0
    a = a / (2.0**s)
    b = _PADE13
    ident = np.eye(n, dtype=a.dtype)
    a2 = a @ a
    a4 = a2 @ a2
    a6 = a4 @ a2
    u = a @ (a6 @ (b[13] * a6 + b[11] * a4 + b[9] * a2) + b[7] * a6 + b[5] * a4 + b[3] * a2
             + b[1] * ident)
    v = a6 @ (b[12] * a6 + b[10] * a4 + b[8] * a2) + b[6] * a6 + b[4] * a4 + b[2] * a2 \
        + b[0] * ident
    r = np.linalg.solve(v - u, v + u)
    for _ in range(s):
        r = r @ r
    return r


class _MatrixExp(Function):
    _backward_name = "LinalgMatrixExpBackward0"

    @staticmethod
    def forward(ctx: FunctionCtx, a: Tensor) -> Tensor:
        d = a._data
        flat = d.reshape((-1,) + d.shape[-2:])
        res = np.stack([_expm(m) for m in flat]) if flat.shape[0] else flat.copy()
        ctx.save_for_backward(a)
        return wrap(res.reshape(d.shape).astype(d.dtype, copy=False))

    @staticmethod
    def backward(ctx: FunctionCtx, g: Tensor) -> Tensor:
        (a,) = ctx.saved_tensors
        # torch's differential_analytic_matrix_function: exp([[A^T, G], [0, A^T]])[:n, n:].
        n = a.shape[-1]
        at = _mT(a)
        from .join import cat
        top = cat([at, g], -1)
        bottom = cat([g * 0, at], -1)
        big = cat([top, bottom], -2)
        return matrix_exp(big)[..., :n, n:]


def matrix_exp(A: Any) -> Tensor:
    """The matrix exponential of each square matrix (scaling and squaring, Padé 13)."""
    return _MatrixExp.apply(_matrix(A, "linalg.matrix_exp", square=True))


# ------------------------------------------------------------------ products and friends
def multi_dot(tensors: Any, *, out: Any = None) -> Tensor:
    """The product of a chain of matrices (the first may be a row vector, the last a column
    vector, 1-D), multiplied in the cheapest order."""
    _no_out(out, "linalg.multi_dot")
    ts = [as_tensor(t, "linalg.multi_dot") for t in tensors]
    if len(ts) < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {len(ts)}")
    first_vec, last_vec = ts[0]._data.ndim == 1, ts[-1]._data.ndim == 1
    for i, t in enumerate(ts):
        want = 1 if (i == 0 and first_vec) or (i == len(ts) - 1 and last_vec) else 2
        if t._data.ndim != want:
            raise RuntimeError(f"multi_dot(): tensor {i} must be {want}D but got "
                               f"{t._data.ndim}D")
    mats = list(ts)
    if first_vec:
        mats[0] = mats[0].unsqueeze(0)
    if last_vec:
        mats[-1] = mats[-1].unsqueeze(-1)
    for i in range(len(mats) - 1):
        if mats[i].shape[1] != mats[i + 1].shape[0]:
            raise RuntimeError(f"multi_dot(): tensors {i} and {i + 1} with shapes "
                               f"{tuple(ts[i].shape)} and {tuple(ts[i + 1].shape)} cannot be "
                               "multiplied")
    dims = [mats[0].shape[0]] + [m.shape[1] for m in mats]
    k = len(mats)
    cost = [[0] * k for _ in range(k)]
    split = [[0] * k for _ in range(k)]
    for length in range(1, k):
        for i in range(k - length):
            j = i + length
            cost[i][j] = -1
            for s in range(i, j):
                c = cost[i][s] + cost[s + 1][j] + dims[i] * dims[s + 1] * dims[j + 1]
                if cost[i][j] < 0 or c < cost[i][j]:
                    cost[i][j], split[i][j] = c, s

    def chain(i: int, j: int) -> Tensor:
        if i == j:
            return mats[i]
        return chain(i, split[i][j]) @ chain(split[i][j] + 1, j)

    r = chain(0, k - 1)
    if first_vec:
        r = r.squeeze(0)
    if last_vec:
        r = r.squeeze(-1)
    return r


def vecdot(x: Any, y: Any, *, dim: int = -1, out: Any = None) -> Tensor:
    """Dot products along ``dim`` (inputs broadcast)."""
    _no_out(out, "linalg.vecdot")
    a, b = as_tensor(x, "linalg.vecdot: x"), as_tensor(y, "linalg.vecdot: y")
    return (a * b).sum(dim)


def linalg_cross(input: Any, other: Any, *, dim: int = -1, out: Any = None) -> Tensor:  # noqa: A002
    """The 3-vector cross product along ``dim`` (default the last); inputs broadcast."""
    _no_out(out, "linalg.cross")
    from .matrix import cross
    a, b = as_tensor(input, "linalg.cross: input"), as_tensor(other, "linalg.cross: other")
    nd = max(a._data.ndim, b._data.ndim)
    d = dim + nd if dim < 0 else dim
    for t, name in ((a, "input"), (b, "other")):
        td = d - (nd - t._data.ndim)
        if 0 <= td < t._data.ndim and t.shape[td] != 3:
            raise RuntimeError(f"linalg.cross: inputs dimension {dim} must have length 3. Got "
                               f"{a.shape[td] if name == 'input' else t.shape[td]} and "
                               f"{b.shape[d - (nd - b._data.ndim)] if name == 'input' else 3}")
    return cross(a, b, dim=dim)


def linalg_diagonal(A: Any, *, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:
    """The diagonal of each matrix (a view), like ``torch.diagonal`` with the last two dims."""
    from .matrix import diagonal
    return diagonal(as_tensor(A, "linalg.diagonal: A"), offset, dim1, dim2)


def vander(x: Any, *, N: int | None = None) -> Tensor:  # noqa: N803
    """``x[..., i] ** j`` for j < N (increasing powers): shape ``(..., n, N)``."""
    t = as_tensor(x, "linalg.vander: x")
    if t._data.ndim < 1:
        raise RuntimeError("linalg.vander: x must have at least one dimension")
    n = t.shape[-1] if N is None else N
    if n < 1:
        raise RuntimeError(f"linalg.vander: N must be greater than 1, got {n}")
    ones = t.unsqueeze(-1) * 0 + 1
    if n == 1:
        return ones
    rest = t.unsqueeze(-1).expand(*t.shape, n - 1)
    return _cat([ones, rest]).cumprod(-1)


def torch_vander(x: Any, N: int | None = None, increasing: bool = False) -> Tensor:  # noqa: N803
    """``torch.vander``: 1-D x, decreasing powers unless ``increasing=True``."""
    t = as_tensor(x, "vander: x")
    if t._data.ndim != 1:
        raise RuntimeError("x must be a one-dimensional tensor.")
    if N is not None and N < 0:
        raise RuntimeError("N must be non-negative.")
    if N == 0:
        return wrap(np.zeros((t.shape[0], 0), dtype=t._data.dtype))
    v = vander(t, N=N)
    return v if increasing else v.flip(-1)


def matrix_rank(A: Any, *, atol: Any = None, rtol: Any = None, hermitian: bool = False,
                out: Any = None) -> Tensor:
    """The number of singular values above ``max(atol, rtol * s_max)`` (int64, no gradient);
    default rtol eps * max(m, n)."""
    _no_out(out, "linalg.matrix_rank")
    a = _matrix(A, "linalg.matrix_rank", square=hermitian)
    d = a._data
    if hermitian:
        s = -np.sort(-np.abs(np.linalg.eigvalsh(d)), axis=-1)
    else:
        s = np.linalg.svd(d, compute_uv=False) if d.size else np.zeros(d.shape[:-2] + (0,))
    cut = _pinv_cutoff(s, atol, rtol, d.shape[-2:])
    return wrap(np.asarray((s > cut).sum(-1), dtype=np.int64))


def cond(A: Any, p: Any = None, *, out: Any = None) -> Tensor:
    """The condition number ``norm(A, p) * norm(inv(A), p)``; for p None/2/-2 the ratio of
    extreme singular values (any shape). Other p need square invertible matrices."""
    _no_out(out, "linalg.cond")
    a = _matrix(A, "linalg.cond")
    if p in (None, 2, -2):
        s = svdvals(a)
        r = s[..., 0] / s[..., -1]
        return r if p != -2 else s[..., -1] / s[..., 0]
    if p not in ("fro", "nuc", 1, -1, math.inf, -math.inf):
        raise RuntimeError(f"linalg.cond got an invalid norm type: {p}")
    if a.shape[-1] != a.shape[-2]:
        raise RuntimeError(f"linalg.cond(ord={p}): A must be batches of square matrices, but "
                           f"they are {a.shape[-2]} by {a.shape[-1]} matrices")
    return matrix_norm(a, p) * matrix_norm(inv(a), p)


# ------------------------------------------------------------------ Tensor methods
def _install_methods() -> None:
    def _slogdet_method(self: Tensor) -> linalg_slogdet:
        return slogdet(self)

    for name, fn in (("det", det), ("inverse", inverse), ("logdet", logdet),
                     ("slogdet", _slogdet_method), ("pinverse", pinverse),
                     ("matrix_power", matrix_power), ("matrix_exp", matrix_exp),
                     ("cholesky", torch_cholesky)):
        setattr(Tensor, name, fn)


_install_methods()


# ------------------------------------------------------------------ qr, lstsq
class linalg_qr(NamedTuple):  # noqa: N801
    Q: Tensor
    R: Tensor


class linalg_lstsq(NamedTuple):  # noqa: N801
    solution: Tensor
    residuals: Tensor
    rank: Tensor
    singular_values: Tensor


def _copyltu(m: Tensor) -> Tensor:
    """The symmetric matrix with m's lower triangle."""
    return m.tril() + _mT(m.tril(-1))


def _qr_backward_tall(gq: Tensor | None, gr: Tensor | None, q: Tensor, r: Tensor) -> Tensor:
    """A = QR with m >= n (reduced): gA = (gQ + Q copyltu(M)) R^{-T}, M = R gR^T - gQ^T Q."""
    if gr is not None and gq is not None:
        m = r @ _mT(gr) - _mT(gq) @ q
    elif gr is not None:
        m = r @ _mT(gr)
    else:
        m = -(_mT(gq) @ q)
    b = q @ _copyltu(m)
    if gq is not None:
        b = b + gq
    return solve_triangular(_mT(r), b, upper=False, left=False)


class _Qr(Function):
    _backward_name = "LinalgQrBackward0"

    @staticmethod
    def forward(ctx: FunctionCtx, a: Tensor, mode: str) -> tuple[Tensor, Tensor]:
        d = a._data
        m, n = d.shape[-2:]
        if mode == "r":
            r = np.linalg.qr(d, mode="r") if d.size else np.zeros(d.shape[:-2] + (min(m, n), n),
                                                                 d.dtype)
            q = np.zeros((0,), d.dtype)
        elif d.size:
            q, r = np.linalg.qr(d, mode=mode)
        else:
            k = m if mode == "complete" else min(m, n)
            q = np.broadcast_to(np.eye(m, k, dtype=d.dtype), d.shape[:-2] + (m, k)).copy()
            r = np.zeros(d.shape[:-2] + (k, n), d.dtype)
        ctx.mode = mode
        ctx.set_materialize_grads(False)
        out = (wrap(np.ascontiguousarray(q)), wrap(np.ascontiguousarray(r)))
        ctx.save_for_backward(*out)
        return out

    @staticmethod
    def backward(ctx: FunctionCtx, gq: Any, gr: Any) -> tuple[Any, None]:
        if gq is None and gr is None:
            return None, None
        q, r = ctx.saved_tensors
        if ctx.mode == "r":
            raise RuntimeError("The derivative of linalg.qr depends on Q, which is not computed "
                               "when mode='r'. Please use linalg.qr(A, mode='reduced') if you "
                               "are going to differentiate through linalg.qr.")
        m, n = q.shape[-2], r.shape[-1]
        if ctx.mode == "complete" and m > n:
            raise RuntimeError("The QR decomposition is not differentiable when mode='complete' "
                               "and nrows > ncols.")
        if m >= n:
            return _qr_backward_tall(gq, gr, q, r), None
        # m < n: A = [X | Y] with X = Q U (square), Y = Q V.
        u, v = r[..., :, :m], r[..., :, m:]
        gu = None if gr is None else gr[..., :, :m]
        gv = None if gr is None else gr[..., :, m:]
        y = q @ v
        gq2 = gq  # the gradient reaching Q through Y = Q V is Y gV^T
        if gv is not None:
            gq2 = y @ _mT(gv) if gq is None else gq + y @ _mT(gv)
        gx = _qr_backward_tall(gq2, gu, q, u)
        gy = q @ gv if gv is not None else y * 0
        from .join import cat
        return cat([gx, gy], -1), None


def qr(A: Any, mode: str = "reduced", *, out: Any = None) -> linalg_qr:
    """``A = Q R`` (Householder, LAPACK's signs). mode 'reduced' (Q m x k), 'complete'
    (Q m x m) or 'r' (R only; Q is empty and there is no gradient)."""
    _no_out(out, "linalg.qr")
    if mode not in ("reduced", "complete", "r"):
        raise RuntimeError(f"qr received unrecognized mode '{mode}' but expected one of "
                           "'reduced' (default), 'r', or 'complete'")
    return linalg_qr(*_Qr.apply(_matrix(A, "linalg.qr"), mode))


def lstsq(A: Any, B: Any, rcond: float | None = None, *,
          driver: str | None = None) -> linalg_lstsq:
    """Least-squares solutions ``argmin ||A X - B||`` (the minimum-norm one when A is
    rank-deficient, through ``pinv``, whose gradient torch's lstsq backward also uses).
    ``driver`` 'gelsy' (default), 'gels', 'gelsd' or 'gelss' decides, as in torch, which of
    residuals (m > n, full rank, not gelsy), rank (not gels) and singular values (gelsd,
    gelss) are returned; the others are empty."""
    drivers = ("gels", "gelsy", "gelsd", "gelss")
    if driver is None:
        driver = "gelsy"
    if driver not in drivers:
        raise RuntimeError(f"parameter `driver` should be one of {drivers}")
    a = _matrix(A, "linalg.lstsq")
    b = as_tensor(B, "linalg.lstsq: B")
    vector = b._data.ndim == a._data.ndim - 1
    if vector:
        b = b.unsqueeze(-1)
    if b._data.ndim < 2 or b.shape[-2] != a.shape[-2]:
        raise RuntimeError(f"torch.linalg.lstsq: input.size(-2) should match other.size(-2), "
                           f"got {a.shape[-2]} and {b.shape[-2] if b._data.ndim >= 2 else 0}")
    m, n = a.shape[-2:]
    eps_rcond = np.finfo(a._data.dtype).eps * max(m, n) if rcond is None or rcond < 0 \
        else rcond
    x = pinv(a, rtol=eps_rcond) @ b
    dt = a._data.dtype
    s = np.linalg.svd(a._data, compute_uv=False) if a._data.size else \
        np.zeros(a._data.shape[:-2] + (0,), dt)
    cut = eps_rcond * (s[..., :1] if s.shape[-1] else 0)
    rank_np = (s > cut).sum(-1).astype(np.int64)
    if driver == "gels" and np.any(rank_np < min(m, n)):
        raise LinAlgError("torch.linalg.lstsq: The least squares solution could not be computed "
                          "because the input matrix does not have full rank (driver 'gels' "
                          "needs full rank; use 'gelsy', 'gelsd' or 'gelss').")
    rank = wrap(np.zeros((0,), np.int64)) if driver == "gels" else wrap(np.asarray(rank_np))
    sv = wrap(s.astype(dt)) if driver in ("gelsd", "gelss") else wrap(np.zeros((0,), dt))
    if m > n and driver != "gelsy" and np.all(rank_np == n):
        res = a @ x - b
        residuals = (res * res).sum(-2)
        if vector:
            residuals = residuals.squeeze(-1)
    else:
        residuals = wrap(np.zeros((0,), dt))
    return linalg_lstsq(x.squeeze(-1) if vector else x, residuals, rank, sv)
