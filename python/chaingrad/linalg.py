"""``chaingrad.linalg``: torch.linalg's norms, decompositions and solvers.

``vector_norm``, ``matrix_norm`` (ord 'fro', 'nuc', 1, -1, 2, -2, inf, -inf), ``norm`` and
``svdvals`` (``ops/matrix_norm.py``); inv, det, slogdet, solve, solve_triangular, cholesky,
eigh, eigvalsh, svd, qr, lstsq, pinv, matrix_power, matrix_exp, multi_dot, cond, matrix_rank,
vander, vecdot, cross, diagonal, matmul, the ``*_ex`` variants and ``LinAlgError``
(``ops/linalg_more.py``), with torch's argument names, semantics and gradients.
"""

from __future__ import annotations

from . import _missing
from .ops.linalg import matmul
from .ops.linalg_more import (
    LinAlgError,
    cholesky,
    cholesky_ex,
    cond,
    det,
    eigh,
    eigvalsh,
    inv,
    inv_ex,
    lstsq,
    matrix_exp,
    matrix_power,
    matrix_rank,
    multi_dot,
    pinv,
    qr,
    slogdet,
    solve,
    solve_ex,
    solve_triangular,
    svd,
    vander,
    vecdot,
)
from .ops.linalg_more import linalg_cross as cross
from .ops.linalg_more import linalg_diagonal as diagonal
from .ops.matrix_norm import linalg_norm as norm
from .ops.matrix_norm import matrix_norm, svdvals, vector_norm

__all__ = [
    "matrix_norm", "norm", "svdvals", "vector_norm", "LinAlgError", "cholesky", "cholesky_ex",
    "cond", "cross", "det", "diagonal", "eigh", "eigvalsh", "inv", "inv_ex", "matmul",
    "matrix_exp", "matrix_power", "matrix_rank", "multi_dot", "pinv", "slogdet", "solve",
    "solve_ex", "solve_triangular", "svd", "vander", "vecdot", "qr", "lstsq",
]
__getattr__ = _missing.module_getattr("torch.linalg", __name__)
