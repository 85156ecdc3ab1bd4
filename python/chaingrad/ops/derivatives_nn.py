"""Differentiable backward formulas of the nn layer kinds (``create_graph=True``), mirroring
``_reference/kernels_nn.py`` operation for operation."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import _kinds as K
from ..tensor import Tensor
from ._common import wrap
from .derivatives import register_formula


def _as_2d(t: Tensor) -> Tensor:
    return t if t.ndim == 2 else t.reshape(-1, t.shape[-1])


def _linear(node: Any, g: Tensor, need: tuple) -> tuple:
    x, w = node.saved_tensors
    gx = g @ w if need[0] else None
    gw = _as_2d(g).T @ _as_2d(x) if need[1] else None
    gb = g if need[2] else None
    return gx, gw, gb


def _cross_entropy(node: Any, g: Tensor, need: tuple) -> tuple:
    from ..nn.functional.activation import log_softmax

    x, _, t = node.saved_tensors
    reduction, n = int(node.scalars[0]), node.scalars[1]
    onehot = np.zeros(tuple(x.shape), dtype=x.dtype)
    onehot[np.arange(onehot.shape[0]), t] = 1
    d = log_softmax(x, 1).exp() - wrap(onehot)
    if reduction == 0:
        return (d * g.reshape(-1, 1),)
    return (d * g,) if reduction == 1 else (d * (g / n),)


register_formula(K.LINEAR, _linear)
register_formula(K.CROSS_ENTROPY, _cross_entropy)
