"""Array-level backward of the native kinds, in NumPy (mirrors ``csrc/kernels.cpp``).

Each function takes the node's saved arrays, scalars, the output gradient and which inputs
need a gradient, and returns one array (or ``None``) per input. Broadcast reduction and
dtype casts are the engine's job, not the kernels'.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from .. import _kinds as K
from ..ops.elementwise import pow_scalar_array

_KERNELS: dict[int, Callable[..., tuple]] = {}


def register_kernel(kind: int) -> Callable:
    """Decorator: the array-level backward ``fn(saved, scalars, meta, g, need)`` of a new kind."""

    def deco(fn: Callable[..., tuple]) -> Callable[..., tuple]:
        _KERNELS[kind] = fn
        return fn

    return deco


def _sum_back(g, scalars, in_shape, mean):
    keepdim = bool(scalars[0])
    dims = [int(d) for d in scalars[1:]]
    if dims and not keepdim:
        g = np.expand_dims(g, tuple(sorted(dims)))
    if mean:
        count = int(np.prod(in_shape)) // max(int(np.prod(g.shape)), 1) if in_shape else 1
        g = g / g.dtype.type(count) if count else g
    return np.array(np.broadcast_to(g, in_shape))


def _matmul_back(a, b, g, need):
    ga = gb = None
    if a.ndim == 1 and b.ndim == 1:
        if need[0]:
            ga = g * b
        if need[1]:
            gb = g * a
        return ga, gb
    a2 = a[None, :] if a.ndim == 1 else a
    b2 = b[:, None] if b.ndim == 1 else b
    g2 = g
    if a.ndim == 1:
        g2 = np.expand_dims(g2, -2)
    if b.ndim == 1:
        g2 = np.expand_dims(g2, -1)
    if need[0]:
        ga = np.matmul(g2, np.swapaxes(b2, -1, -2))
        if a.ndim == 1:
            ga = ga.reshape(ga.shape[:-2] + ga.shape[-1:])
    if need[1]:
        gb = np.matmul(np.swapaxes(a2, -1, -2), g2)
        if b.ndim == 1:
            gb = gb.reshape(gb.shape[:-1])
    return ga, gb


def backward(kind: int, saved: list, scalars: tuple, meta: tuple, g, need: tuple) -> tuple:
    if kind == K.ADD:
        return (g if need[0] else None, g if need[1] else None)
    if kind == K.SUB:
        return (g if need[0] else None, np.negative(g) if need[1] else None)
    if kind == K.MUL:
        a, b = saved
        return (g * b if need[0] else None, g * a if need[1] else None)
    if kind == K.DIV:
        a, b = saved
        ga = g / b if need[0] else None
        gb = -g * ((a / b) / b) if need[1] else None
        return (ga, gb)
    if kind == K.NEG or kind == K.RSUB_SCALAR:
        return (np.negative(g),)
    if kind == K.ADD_SCALAR:
        return (g,)
    if kind == K.MUL_SCALAR:
        return (g * g.dtype.type(scalars[0]),)
    if kind == K.DIV_SCALAR:
        return (g / g.dtype.type(scalars[0]),)
    if kind == K.RDIV_SCALAR:
        r = saved[1]  # 1 / x: torch computes s / x as reciprocal(x) * s
        return (-(g * g.dtype.type(scalars[0])) * (r * r),)
    if kind == K.POW_SCALAR:
        (x,) = saved
        p = x.dtype.type(scalars[0])
        if p == 0:
            return (np.zeros_like(g),)
        return (g * (p * pow_scalar_array(x, scalars[0] - 1)),)
    if kind == K.EXP:
        return (g * saved[0],)
    if kind == K.LOG:
        return (g / saved[0],)
    if kind == K.TANH:
        y = saved[0]
        return (g * (1 - y * y),)
    if kind == K.SIGMOID:
        y = saved[0]
        return ((g * (1 - y)) * y,)
    if kind == K.RELU:
        return (np.where(saved[0] > 0, g, g.dtype.type(0)),)
    if kind == K.SUM:
        return (_sum_back(g, scalars, meta[0][0], False),)
    if kind == K.MEAN:
        return (_sum_back(g, scalars, meta[0][0], True),)
    if kind == K.MATMUL:
        return _matmul_back(saved[0], saved[1], g, need)
    fn = _KERNELS.get(kind)
    if fn is None:
        raise RuntimeError(f"reference engine: no kernel for node kind {kind}")
    return fn(saved, scalars, meta, g, need)


# The kernels of the kinds added by the full op set register themselves on import.
from . import kernels_nn, kernels_pointwise, kernels_reduction, kernels_shape  # noqa: E402,F401,I001
