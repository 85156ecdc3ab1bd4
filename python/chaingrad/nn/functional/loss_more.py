"""More losses with torch's formulas, options and checks: margin/embedding losses
(``cosine_embedding_loss``, ``margin_ranking_loss``, ``hinge_embedding_loss``,
``soft_margin_loss``, ``multilabel_soft_margin_loss``, ``multi_margin_loss``,
``triplet_margin_loss``) and likelihoods (``poisson_nll_loss``, ``gaussian_nll_loss``).

Each is a composition of Tensor ops, so every one is differentiable to any order.
"""

from __future__ import annotations

import math

import numpy as np

from ...tensor import Tensor
from . import activation as _act
from ._utils import check_float, check_reduction, check_tensor, const
from ._utils import reduce as _reduce
from .distance import pairwise_distance
from .loss import _legacy_reduction

__all__ = [
    "cosine_embedding_loss", "margin_ranking_loss", "hinge_embedding_loss", "soft_margin_loss",
    "multilabel_soft_margin_loss", "multi_margin_loss", "triplet_margin_loss",
    "poisson_nll_loss", "gaussian_nll_loss",
]


def _where(mask: np.ndarray, a: Tensor) -> Tensor:
    """``a`` where ``mask``, else 0 (the gradient is zero there too)."""
    return a * const(mask, a)


def cosine_embedding_loss(input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0,
                          size_average: bool | None = None, reduce: bool | None = None,
                          reduction: str = "mean") -> Tensor:
    """1 - cos(x1, x2) where target is 1; max(0, cos(x1, x2) - margin) where it is -1."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    check_float(input1, "cosine_embedding_loss", "input1")
    check_float(input2, "cosine_embedding_loss", "input2")
    check_tensor(target, "cosine_embedding_loss", "target")
    if input1.ndim not in (1, 2) or tuple(input1.shape) != tuple(input2.shape):
        raise RuntimeError(f"cosine_embedding_loss: expected input1 and input2 of the same 1D "
                           f"or 2D shape, got {tuple(input1.shape)} and {tuple(input2.shape)}")
    if target.ndim != input1.ndim - 1 or (target.ndim == 1 and target.shape[0] !=
                                          input1.shape[0]):
        raise RuntimeError(f"cosine_embedding_loss: expected target of shape "
                           f"{tuple(input1.shape[:-1])}, got {tuple(target.shape)}")
    dim = input1.ndim - 1
    eps = 1e-12
    prod = (input1 * input2).sum(dim)
    m1 = (input1 * input1).sum(dim) + eps
    m2 = (input2 * input2).sum(dim) + eps
    cos = prod / (m1 * m2).sqrt()
    t = np.asarray(target._data)
    loss = _where(t == 1, 1 - cos) + _where(t == -1, (cos - margin).clamp_min(0))
    return _reduce(loss, reduction)


def margin_ranking_loss(input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0,
                        size_average: bool | None = None, reduce: bool | None = None,
                        reduction: str = "mean") -> Tensor:
    """max(0, -target * (input1 - input2) + margin)."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    for name, t in (("input1", input1), ("input2", input2), ("target", target)):
        check_float(t, "margin_ranking_loss", name)
    if not input1.ndim == input2.ndim == target.ndim:
        raise RuntimeError(f"margin_ranking_loss : All input tensors should have same "
                           f"dimension but got sizes: input1: {tuple(input1.shape)}, input2: "
                           f"{tuple(input2.shape)}, target: {tuple(target.shape)} ")
    return _reduce((-target * (input1 - input2) + margin).clamp_min(0), reduction)


def hinge_embedding_loss(input: Tensor, target: Tensor, margin: float = 1.0,
                         size_average: bool | None = None, reduce: bool | None = None,
                         reduction: str = "mean") -> Tensor:
    """x where target is 1; max(0, margin - x) where target is -1."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    check_float(input, "hinge_embedding_loss")
    check_tensor(target, "hinge_embedding_loss", "target")
    t = np.broadcast_to(np.asarray(target._data), tuple(input.shape))
    loss = _where(t != 1, (margin - input).clamp_min(0)) + _where(t != -1, input)
    return _reduce(loss, reduction)


def soft_margin_loss(input: Tensor, target: Tensor, size_average: bool | None = None,
                     reduce: bool | None = None, reduction: str = "mean") -> Tensor:
    """log(1 + exp(-target * input))."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    check_float(input, "soft_margin_loss")
    check_float(target, "soft_margin_loss", "target")
    if tuple(input.shape) != tuple(target.shape):
        raise ValueError(f"Using a target size ({tuple(target.shape)}) that is different to "
                         f"the input size ({tuple(input.shape)}) is not supported")
    return _reduce((-input * target).exp().log1p(), reduction)


def multilabel_soft_margin_loss(input: Tensor, target: Tensor, weight: Tensor | None = None,
                                size_average: bool | None = None, reduce: bool | None = None,
                                reduction: str = "mean") -> Tensor:
    """-(y log sigmoid(x) + (1 - y) log sigmoid(-x)), weighted, averaged over the classes
    (the last dim)."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    check_float(input, "multilabel_soft_margin_loss")
    check_float(target, "multilabel_soft_margin_loss", "target")
    if input.ndim == 0 or tuple(input.shape) != tuple(target.shape):
        raise ValueError(f"multilabel_soft_margin_loss: expected input and target of the same "
                         f"shape (N, C) or (C,), got {tuple(input.shape)} and "
                         f"{tuple(target.shape)}")
    loss = -(target * _act.logsigmoid(input) + (1 - target) * _act.logsigmoid(-input))
    if weight is not None:
        loss = loss * weight
    c = input.ndim - 1
    loss = loss.sum(c) / input.shape[c]
    return _reduce(loss, check_reduction(reduction))


def multi_margin_loss(input: Tensor, target: Tensor, p: int = 1, margin: float = 1.0,
                      weight: Tensor | None = None, size_average: bool | None = None,
                      reduce: bool | None = None, reduction: str = "mean") -> Tensor:
    """sum over i != y of max(0, margin - x[y] + x[i]) ** p (times weight[y]), divided by
    the number of classes."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    check_float(input, "multi_margin_loss")
    check_tensor(target, "multi_margin_loss", "target")
    if p not in (1, 2):
        raise ValueError("only p == 1 and p == 2 supported")
    if input.ndim not in (1, 2) or (input.ndim == 2 and input.shape[1] == 0):
        raise RuntimeError(f"multi_margin_loss: expected a non-empty 1D (C,) or 2D (N, C) "
                           f"input, got shape {tuple(input.shape)}")
    if target._data.dtype.kind not in "iu":
        raise RuntimeError(f"multi_margin_loss: expected an integer target, got dtype "
                           f"{target._data.dtype}")
    x = input if input.ndim == 2 else input.reshape(1, -1)
    n, c = x.shape
    y = np.asarray(target._data).reshape(-1)
    if y.shape[0] != n or (input.ndim == 1 and target.ndim != 0 and target.numel() != 1):
        raise RuntimeError(f"inconsistent target size: {list(target.shape)} for input of size: "
                           f"{list(input.shape)}")
    if y.size and (y.min() < 0 or y.max() >= c):
        raise IndexError(f"multi_margin_loss: target {int(y.min() if y.min() < 0 else y.max())}"
                         f" is out of bounds for {c} classes")
    if weight is not None and tuple(weight.shape) != (c,):
        raise RuntimeError(f"multi_margin_loss: expected weight of shape ({c},), got "
                           f"{tuple(weight.shape)}")
    rows = np.arange(n)
    xy = x[rows, y].reshape(n, 1)
    z = (margin - xy + x).clamp_min(0)
    if p == 2:
        z = z * z
    if weight is not None:
        z = z * weight[y].reshape(n, 1)
    others = np.ones((n, c), dtype=bool)
    others[rows, y] = False
    loss = _where(others, z).sum(1) / c
    if input.ndim == 1:
        loss = loss.reshape(())
    return _reduce(loss, reduction)


def triplet_margin_loss(anchor: Tensor, positive: Tensor, negative: Tensor,
                        margin: float = 1.0, p: float = 2, eps: float = 1e-6,
                        swap: bool = False, size_average: bool | None = None,
                        reduce: bool | None = None, reduction: str = "mean") -> Tensor:
    """max(0, d(a, p) - d(a, n) + margin) with d the pairwise p-norm distance; ``swap`` uses
    min(d(a, n), d(p, n)) (Balntas et al.)."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    for name, t in (("anchor", anchor), ("positive", positive), ("negative", negative)):
        check_float(t, "triplet_margin_loss", name)
    if not anchor.ndim == positive.ndim == negative.ndim:
        raise RuntimeError(f"The anchor, positive, and negative tensors are expected to have "
                           f"the same number of dimensions, but got: anchor {anchor.ndim}D, "
                           f"positive {positive.ndim}D, and negative {negative.ndim}D inputs")
    if margin <= 0:
        raise ValueError(f"TripletMarginLoss: expected margin to be greater than 0, got "
                         f"{margin} instead")
    d_pos = pairwise_distance(anchor, positive, p, eps)
    d_neg = pairwise_distance(anchor, negative, p, eps)
    if swap:
        d_swap = pairwise_distance(positive, negative, p, eps)
        pick = np.asarray(d_swap._data) < np.asarray(d_neg._data)
        d_neg = _where(pick, d_swap) + _where(~pick, d_neg)
    return _reduce((margin + d_pos - d_neg).clamp_min(0), reduction)


def poisson_nll_loss(input: Tensor, target: Tensor, log_input: bool = True, full: bool = False,
                     size_average: bool | None = None, eps: float = 1e-8,
                     reduce: bool | None = None, reduction: str = "mean") -> Tensor:
    """exp(input) - target * input (``log_input``), else input - target * log(input + eps);
    ``full`` adds Stirling's approximation of log(target!) where target > 1."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    check_float(input, "poisson_nll_loss")
    check_float(target, "poisson_nll_loss", "target")
    if log_input:
        loss = input.exp() - target * input
    else:
        loss = input - target * (input + eps).log()
    if full:
        t = np.asarray(target._data, dtype=np.float64)
        with np.errstate(divide="ignore", invalid="ignore"):
            st = t * np.log(t) - t + 0.5 * np.log(2 * math.pi * t)
        loss = loss + const(np.where(t > 1, st, 0.0), loss)
    return _reduce(loss, reduction)


def gaussian_nll_loss(input: Tensor, target: Tensor, var: Tensor | float, full: bool = False,
                      eps: float = 1e-6, reduction: str = "mean") -> Tensor:
    """0.5 * (log(var) + (input - target) ** 2 / var) (+ 0.5 * log(2 pi) with ``full``);
    var is clamped to at least eps, the gradient passing through as if it were not (torch)."""
    check_float(input, "gaussian_nll_loss")
    check_float(target, "gaussian_nll_loss", "target")
    if isinstance(var, (int, float)):
        if var < 0:
            raise ValueError("var has negative entry/entries")
        var = const(np.full(tuple(input.shape), float(var)), input)
    else:
        check_float(var, "gaussian_nll_loss", "var")
        if np.any(np.asarray(var._data) < 0):
            raise ValueError("var has negative entry/entries")
    if tuple(var.shape) != tuple(input.shape):
        if tuple(input.shape[:-1]) == tuple(var.shape):
            var = var.unsqueeze(-1)
        elif input.ndim == var.ndim and sum(
                b for a, b in zip(input.shape, var.shape) if a != b) == 1:
            pass
        else:
            raise ValueError("var is of incorrect size")
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(reduction + " is not valid")
    v = np.asarray(var._data)
    var = var + const(np.maximum(v, eps) - v, var)
    loss = 0.5 * (var.log() + (input - target) ** 2 / var)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduce(loss, reduction)
