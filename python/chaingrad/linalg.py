"""``chaingrad.linalg``: torch.linalg's norms and singular values.

``vector_norm``, ``matrix_norm`` (ord 'fro', 'nuc', 1, -1, 2, -2, inf, -inf), ``norm`` and
``svdvals`` with torch's argument names and semantics; see ``ops/matrix_norm.py``.
"""

from __future__ import annotations

from . import _missing
from .ops.matrix_norm import linalg_norm as norm
from .ops.matrix_norm import matrix_norm, svdvals, vector_norm

__all__ = ["matrix_norm", "norm", "svdvals", "vector_norm"]
__getattr__ = _missing.module_getattr("torch.linalg", __name__)
