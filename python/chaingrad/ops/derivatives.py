"""Differentiable backward formulas of the native kinds, used when ``create_graph=True``.

They are written with Tensor ops, so the backward pass is itself recorded. Each mirrors the
array kernel (``_reference/kernels.py``, ``csrc/kernels.cpp``) operation for operation, so first
derivatives agree bitwise whichever path computed them.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from .. import _kinds as K
from ..tensor import Tensor
from ._common import wrap


def _sum_back(node: Any, g: Tensor, mean: bool) -> Tensor:
    shape = node.meta[0][0]
    keepdim = bool(node.scalars[0])
    dims = sorted(int(d) for d in node.scalars[1:])
    if dims and not keepdim:
        for d in dims:
            g = g.unsqueeze(d)
    if mean:
        count = int(np.prod(shape)) // max(g.numel(), 1) if shape else 1
        if count:
            g = g / float(count)
    return g.expand(*shape)


def _matmul_back(node: Any, g: Tensor, need: tuple) -> tuple:
    a, b = node.saved_tensors
    ga = gb = None
    if a.ndim == 1 and b.ndim == 1:
        return (g * b if need[0] else None, g * a if need[1] else None)
    a2 = a.unsqueeze(0) if a.ndim == 1 else a
    b2 = b.unsqueeze(1) if b.ndim == 1 else b
    g2 = g
    if a.ndim == 1:
        g2 = g2.unsqueeze(-2)
    if b.ndim == 1:
        g2 = g2.unsqueeze(-1)
    if need[0]:
        ga = g2 @ b2.transpose(-1, -2)
        if a.ndim == 1:
            ga = ga.squeeze(-2)
    if need[1]:
        gb = a2.transpose(-1, -2) @ g2
        if b.ndim == 1:
            gb = gb.squeeze(-1)
    return ga, gb


def _formula(kind: int) -> Callable[[Any, Tensor, tuple], tuple]:
    def f(node: Any, g: Tensor, need: tuple) -> tuple:
        s = node.scalars
        if kind == K.ADD:
            return (g if need[0] else None, g if need[1] else None)
        if kind == K.SUB:
            return (g if need[0] else None, -g if need[1] else None)
        if kind == K.MUL:
            a, b = node.saved_tensors
            return (g * b if need[0] else None, g * a if need[1] else None)
        if kind == K.DIV:
            a, b = node.saved_tensors
            return (g / b if need[0] else None, -g * ((a / b) / b) if need[1] else None)
        if kind in (K.NEG, K.RSUB_SCALAR):
            return (-g,)
        if kind == K.ADD_SCALAR:
            return (g,)
        if kind == K.MUL_SCALAR:
            return (g * s[0],)
        if kind == K.DIV_SCALAR:
            return (g / s[0],)
        if kind == K.RDIV_SCALAR:
            x = node.saved_tensors[0]
            r = 1.0 / x
            return (-(g * s[0]) * (r * r),)
        if kind == K.POW_SCALAR:
            (x,) = node.saved_tensors
            if s[0] == 0:
                return (g * 0.0,)
            return (g * (s[0] * x ** (s[0] - 1)),)
        if kind == K.EXP:
            return (g * node.saved_tensors[0],)
        if kind == K.LOG:
            return (g / node.saved_tensors[0],)
        if kind == K.TANH:
            y = node.saved_tensors[0]
            return (g * (1 - y * y),)
        if kind == K.SIGMOID:
            y = node.saved_tensors[0]
            return ((g * (1 - y)) * y,)
        if kind == K.RELU:
            y = node.saved_tensors[0]
            return (g * wrap(np.asarray(y._data > 0).astype(g.dtype)),)
        if kind == K.SUM:
            return (_sum_back(node, g, False),)
        if kind == K.MEAN:
            return (_sum_back(node, g, True),)
        if kind == K.MATMUL:
            return _matmul_back(node, g, need)
        raise RuntimeError(f"no differentiable formula for node kind {kind} ({node.name()})")

    return f


_FORMULAS: dict[int, Callable[[Any, Tensor, tuple], tuple]] = {
    k: _formula(k) for k in range(2, K.NUM_KINDS)
}


def register_formula(kind: int, fn: Callable[[Any, Tensor, tuple], tuple]) -> None:
    """Add the differentiable backward of a new native kind: ``fn(node, g, need)``."""
    _FORMULAS[kind] = fn


def graph_backward(node: Any, g: Any) -> tuple:
    """Differentiable backward of a native node: Tensor in, Tensors (or None) out."""
    if not isinstance(g, Tensor):
        g = wrap(np.asarray(g))
    need = tuple(f[0] is not None for f in node.next_functions)
    kind = node.kind
    fn = _FORMULAS.get(kind)
    if fn is None:
        raise RuntimeError(f"no differentiable formula for node kind {kind} ({node.name()})")
    return fn(node, g, need)


# The formulas of the kinds added by the full op set register themselves on import.
from . import derivatives_nn, derivatives_pointwise, derivatives_reduction, derivatives_shape  # noqa: E402,F401,E501
