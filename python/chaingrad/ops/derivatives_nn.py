"""Differentiable backward formulas of the nn layer kinds (``create_graph=True``), mirroring
``_reference/kernels_nn.py`` operation for operation."""

from __future__ import annotations

from typing import Any

from .. import _kinds as K
from ..tensor import Tensor
from .derivatives import register_formula


def _as_2d(t: Tensor) -> Tensor:
    return t if t.ndim == 2 else t.reshape(-1, t.shape[-1])


def _linear(node: Any, g: Tensor, need: tuple) -> tuple:
    x, w = node.saved_tensors
    gx = g @ w if need[0] else None
    gw = _as_2d(g).T @ _as_2d(x) if need[1] else None
    gb = g if need[2] else None
    return gx, gw, gb


register_formula(K.LINEAR, _linear)
