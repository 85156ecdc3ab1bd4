"""Embedding lookup (rows of a weight matrix by integer index) and ``one_hot``."""

from __future__ import annotations

from typing import Any

import numpy as np

from ... import grad_mode as _gm
from ...autograd.function import Function, FunctionCtx
from ...tensor import Tensor
from ._utils import check_float, check_tensor, wrap

__all__ = ["embedding", "one_hot"]


class _Embedding(Function):
    _backward_name = "EmbeddingBackward0"

    @staticmethod
    def forward(ctx: FunctionCtx, w: Tensor, idx: np.ndarray, padding_idx: int | None
                ) -> Tensor:
        ctx.idx, ctx.padding_idx, ctx.num = idx, padding_idx, w._data.shape[0]
        return wrap(w._data[idx])

    @staticmethod
    def backward(ctx: FunctionCtx, g: Tensor) -> tuple:
        return _EmbeddingScatter.apply(g, ctx.idx, ctx.num, ctx.padding_idx), None, None


class _EmbeddingScatter(Function):
    """Sum gradient rows into a (num_embeddings, dim) zero matrix; the padding row stays 0."""

    _backward_name = "EmbeddingDenseBackward0"

    @staticmethod
    def forward(ctx: FunctionCtx, g: Tensor, idx: np.ndarray, num: int,
                padding_idx: int | None) -> Tensor:
        ctx.idx, ctx.padding_idx = idx, padding_idx
        gd = g._data
        dim = gd.shape[-1]
        out = np.zeros((num, dim), dtype=gd.dtype)
        np.add.at(out, idx.ravel(), gd.reshape(-1, dim))  # repeated indices must add up
        if padding_idx is not None:
            out[padding_idx] = 0
        return wrap(out)

    @staticmethod
    def backward(ctx: FunctionCtx, gg: Tensor) -> tuple:
        return _GatherRows.apply(gg, ctx.idx, ctx.padding_idx), None, None, None


class _GatherRows(Function):
    _backward_name = "EmbeddingBackward0"

    @staticmethod
    def forward(ctx: FunctionCtx, w: Tensor, idx: np.ndarray, padding_idx: int | None
                ) -> Tensor:
        ctx.idx, ctx.padding_idx, ctx.num = idx, padding_idx, w._data.shape[0]
        out = w._data[idx]
        if padding_idx is not None:
            out[idx == padding_idx] = 0
        return wrap(out)

    @staticmethod
    def backward(ctx: FunctionCtx, g: Tensor) -> tuple:
        return _EmbeddingScatter.apply(g, ctx.idx, ctx.num, ctx.padding_idx), None, None


def _check_indices(input: Any, num: int, fn: str) -> np.ndarray:
    check_tensor(input, fn)
    idx = input._data
    if idx.dtype.kind not in "iu":
        raise RuntimeError(
            f"{fn}: expected indices of an integer dtype (int64 or int32), got {idx.dtype}"
        )
    if idx.size and (idx.min() < 0 or idx.max() >= num):
        bad = int(idx.min()) if idx.min() < 0 else int(idx.max())
        raise IndexError(f"{fn}: index {bad} is out of range for {num} embeddings "
                         f"(valid: 0..{num - 1})")
    return idx


def embedding(input: Tensor, weight: Tensor, padding_idx: int | None = None,
              max_norm: float | None = None, norm_type: float = 2.0,
              scale_grad_by_freq: bool = False, sparse: bool = False) -> Tensor:
    """Rows of ``weight`` at the integer ``input`` indices; ``padding_idx``'s row gets no
    gradient. With ``max_norm``, looked-up rows whose norm exceeds it are rescaled in place
    first (as torch does)."""
    check_float(weight, "embedding", "weight")
    if weight.ndim != 2:
        raise RuntimeError(f"embedding: weight must be 2D, got shape {tuple(weight.shape)}")
    if scale_grad_by_freq or sparse:
        raise NotImplementedError("embedding: scale_grad_by_freq and sparse gradients are not "
                                  "supported by chaingrad")
    num = weight.shape[0]
    if padding_idx is not None:
        if not -num <= padding_idx < num:
            raise ValueError("Padding_idx must be within num_embeddings")
        padding_idx %= num
    idx = _check_indices(input, num, "embedding")
    if max_norm is not None:
        with _gm.no_grad():
            rows = np.unique(idx)
            w = weight._data
            norms = np.linalg.norm(w[rows], ord=norm_type, axis=1)
            over = norms > max_norm
            if over.any():
                w[rows[over]] *= (max_norm / (norms[over] + 1e-7))[:, None]
                weight._bump_version()
    return _Embedding.apply(weight, idx, padding_idx)


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """int64 tensor of shape (*, num_classes) with a 1 at each index."""
    check_tensor(tensor, "one_hot")
    idx = tensor._data
    if idx.dtype.kind not in "iu":
        raise RuntimeError("one_hot is only applicable to index tensor (integer dtype)")
    if num_classes == -1:
        num_classes = int(idx.max()) + 1 if idx.size else 0
    if idx.size and (idx.min() < 0 or idx.max() >= num_classes):
        raise RuntimeError("Class values must be smaller than num_classes and non-negative")
    out = np.zeros(idx.shape + (num_classes,), dtype=np.int64)
    np.put_along_axis(out, idx[..., None].astype(np.int64), 1, axis=-1)
    return wrap(out)
