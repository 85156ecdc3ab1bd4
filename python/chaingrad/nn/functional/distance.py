"""Distances and similarities: ``cosine_similarity``, ``pairwise_distance``, ``pdist``.

All are Tensor-op compositions (``linalg.vector_norm`` for the p-norms), so they are
differentiable to any order.
"""

from __future__ import annotations

import numpy as np

from ... import linalg
from ...tensor import Tensor
from ._utils import check_float, normalize_dim

__all__ = ["cosine_similarity", "pairwise_distance", "pdist"]


def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """sum(x1 * x2, dim) / (max(||x1||, eps) * max(||x2||, eps)), broadcasting x1 and x2."""
    check_float(x1, "cosine_similarity", "x1")
    check_float(x2, "cosine_similarity", "x2")
    try:
        shape = np.broadcast_shapes(tuple(x1.shape), tuple(x2.shape))
    except ValueError:
        raise RuntimeError(f"cosine_similarity: x1 of shape {tuple(x1.shape)} and x2 of shape "
                           f"{tuple(x2.shape)} are not broadcastable") from None
    d = normalize_dim(dim, max(len(shape), 1), "cosine_similarity")
    a, b = x1.expand(*shape), x2.expand(*shape)
    na = linalg.vector_norm(a, 2, dim=d, keepdim=True).clamp_min(eps)
    nb = linalg.vector_norm(b, 2, dim=d, keepdim=True).clamp_min(eps)
    return ((a / na) * (b / nb)).sum(d)


def pairwise_distance(x1: Tensor, x2: Tensor, p: float = 2.0, eps: float = 1e-6,
                      keepdim: bool = False) -> Tensor:
    """||x1 - x2 + eps||_p over the last dim (broadcasting x1 and x2)."""
    check_float(x1, "pairwise_distance", "x1")
    check_float(x2, "pairwise_distance", "x2")
    try:
        shape = np.broadcast_shapes(tuple(x1.shape), tuple(x2.shape))
    except ValueError:
        raise RuntimeError(f"pairwise_distance: x1 of shape {tuple(x1.shape)} and x2 of shape "
                           f"{tuple(x2.shape)} are not broadcastable") from None
    if len(shape) == 0:
        return (x1 - x2 + eps).abs() if p != 0 else ((x1 - x2 + eps) != 0).to(x1.dtype)
    return linalg.vector_norm(x1 - x2 + eps, p, dim=len(shape) - 1, keepdim=keepdim)


def pdist(input: Tensor, p: float = 2) -> Tensor:
    """The p-norm distances between the rows of an (N, M) input, for i < j in row-major order
    (N * (N - 1) / 2 values)."""
    check_float(input, "pdist")
    if input.ndim != 2:
        raise RuntimeError(f"pdist only supports 2D tensors, got: {input.ndim}D")
    if p < 0:
        raise RuntimeError("pdist only supports non-negative p values")
    i, j = np.triu_indices(input.shape[0], 1)
    if i.size == 0:
        return input.sum(1)[:0]
    return linalg.vector_norm(input[i] - input[j], p, dim=1)
