"""Differentiable backward formulas of the reduction native kinds (``create_graph=True``).

Each mirrors its NumPy kernel in ``_reference/kernels_reduction.py`` operation for operation.
Selection masks (which elements were the max, which norms were zero) are constants.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import _kinds as K
from .._reference.kernels_reduction import evenly_distribute_mask
from ..tensor import Tensor
from ._common import wrap
from .derivatives import register_formula
from .elementwise import pow as _pow
from .join import stack
from .select import where
from .unary import sign


def _mask(m: np.ndarray) -> Tensor:
    return wrap(np.asarray(m))


def _keepdim_dims(scalars: tuple) -> tuple[bool, tuple[int, ...]]:
    return bool(scalars[0]), tuple(int(d) for d in scalars[1:])


def _restore(t: Tensor, dims: tuple, keepdim: bool, ndim: int) -> Tensor:
    if keepdim or not dims or ndim == 0:
        return t
    for d in sorted(dims):
        t = t.unsqueeze(d)
    return t


def _exclusive_prod(x: Tensor, dim: int) -> Tensor:
    """Tensor version of kernels_reduction.exclusive_prod, same multiplication order; O(n)
    ops along ``dim`` so it stays differentiable (torch's cumprod-based formula is too)."""
    n = x.shape[dim]
    ones = wrap(np.ones(x.select(dim, 0).shape, dtype=x.dtype))
    left = [ones]
    for i in range(1, n):
        left.append(left[-1] * x.select(dim, i - 1))
    right = [ones]
    for i in range(n - 2, -1, -1):
        right.append(right[-1] * x.select(dim, i + 1))
    right.reverse()
    return stack([lf * rt for lf, rt in zip(left, right)], dim)


def _prod(node: Any, g: Tensor, need: tuple) -> tuple:
    x, y = node.saved_tensors
    if x.ndim == 0:
        return (g,)
    dim = 0
    if node.scalars:
        keepdim, (dim,) = _keepdim_dims(node.scalars)
        g = _restore(g, (dim,), keepdim, x.ndim)
        y = _restore(y, (dim,), keepdim, x.ndim)
    if not (x._data == 0).any():
        return (g * (y / x),)
    if not node.scalars:
        return ((g * _exclusive_prod(x.reshape(-1), 0)).reshape(x.shape),)
    if x.shape[dim] == 1:
        return (g,)
    return (g * _exclusive_prod(x, dim),)


def _maxmin_all(node: Any, g: Tensor, need: tuple) -> tuple:
    x, y = node.saved_tensors
    mask = evenly_distribute_mask(x._data, y._data)
    return (where(_mask(mask), g / float(np.count_nonzero(mask)), 0.0),)


def _maxmin_dim(node: Any, g: Tensor, need: tuple) -> tuple:
    from .indexing import scatter_add

    idx = node.saved_tensors[0]
    shape, dtype = node.meta[0]
    if len(shape) == 0:
        return (g,)
    keepdim, (dim,) = _keepdim_dims(node.scalars)
    g = _restore(g, (dim,), keepdim, len(shape))
    zeros = wrap(np.zeros(shape, dtype=g.dtype))
    return (scatter_add(zeros, dim, wrap(np.asarray(idx)), g),)


def _count(mask: np.ndarray, dims: tuple, dtype: np.dtype) -> Tensor:
    return wrap(np.asarray(np.sum(mask, axis=dims if dims else None, keepdims=True), dtype=dtype))


def _amaxmin(node: Any, g: Tensor, need: tuple) -> tuple:
    x, y = node.saved_tensors
    keepdim, dims = _keepdim_dims(node.scalars)
    g = _restore(g, dims, keepdim, x.ndim)
    y = _restore(y, dims, keepdim, x.ndim)
    mask = y._data == x._data
    with np.errstate(divide="ignore", invalid="ignore"):
        return ((g / _count(mask, dims, g.dtype)) * _mask(mask.astype(g.dtype)),)


def _var_backward(g: Tensor, x: Tensor, corr: float, keepdim: bool, dims: tuple) -> Tensor:
    if x.ndim == 0 or not dims:
        dof = x.numel() - corr
        if dof <= 0:
            xd = x._data
            nan_inf = np.where(xd == xd.mean(), np.float32(np.nan), np.float32(np.inf))
            return g * _mask(nan_inf)
        return (g * (2.0 / dof)) * (x - x.mean())
    g = _restore(g, dims, keepdim, x.ndim)
    n = 1
    for d in dims:
        n *= x.shape[d]
    with np.errstate(divide="ignore"):
        scale = float(np.float64(2.0) / np.float64(n - corr))
    return (g * scale) * (x - x.mean(dims, keepdim=True))


def _var(node: Any, g: Tensor, need: tuple) -> tuple:
    keepdim, dims = _keepdim_dims(node.scalars[1:])
    return (_var_backward(g, node.saved_tensors[0], node.scalars[0], keepdim, dims),)


def _std(node: Any, g: Tensor, need: tuple) -> tuple:
    x, y = node.saved_tensors
    keepdim, dims = _keepdim_dims(node.scalars[1:])
    with np.errstate(divide="ignore", invalid="ignore"):
        grad_var = where(_mask(y._data == 0), 0.0, g / (y * 2))
    return (_var_backward(grad_var, x, node.scalars[0], keepdim, dims),)


def _logsumexp(node: Any, g: Tensor, need: tuple) -> tuple:
    x, y = node.saved_tensors
    keepdim, dims = _keepdim_dims(node.scalars)
    g = _restore(g, dims, keepdim, x.ndim)
    y = _restore(y, dims, keepdim, x.ndim)
    return (g * (x - y).exp(),)


def _norm(node: Any, g: Tensor, need: tuple) -> tuple:
    x, y = node.saved_tensors
    p = node.scalars[0]
    keepdim, dims = _keepdim_dims(node.scalars[1:])
    g = _restore(g, dims, keepdim, x.ndim)
    y = _restore(y, dims, keepdim, x.ndim)
    yzero = _mask(y._data == 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        if p == 0.0:
            return (wrap(np.zeros(x.shape, dtype=g.dtype)),)
        if p == 1.0:
            return (sign(x) * g,)
        if p == 2.0:
            return (g * where(yzero, 0.0, x / y),)
        ax = x.abs()
        if np.isinf(p):
            axd = ax._data
            mask = (axd == y._data) | np.isnan(axd)
            count = _count(mask, dims, g.dtype)
            return (sign(x) * ((g / count) * _mask(mask.astype(g.dtype))),)
        if p < 1.0:
            scaled = sign(x) * where(_mask(x._data == 0), 0.0, _pow(ax, p - 1))
            return ((scaled * g) * _pow(y, 1 - p),)
        scale_v = where(yzero, 0.0, g / _pow(y, p - 1))
        if p < 2.0:
            return ((sign(x) * _pow(ax, p - 1)) * scale_v,)
        return ((x * _pow(ax, p - 2)) * scale_v,)


def _cumsum(node: Any, g: Tensor, need: tuple) -> tuple:
    dim = int(node.scalars[0])
    if g.ndim == 0 or g.numel() <= 1 or g.shape[dim] == 1:
        return (g,)
    return (g.flip(dim).cumsum(dim).flip(dim),)


register_formula(K.PROD, _prod)
register_formula(K.MAXMIN_ALL, _maxmin_all)
register_formula(K.MAXMIN_DIM, _maxmin_dim)
register_formula(K.AMAXMIN, _amaxmin)
register_formula(K.VAR, _var)
register_formula(K.STD, _std)
register_formula(K.LOGSUMEXP, _logsumexp)
register_formula(K.NORM, _norm)
register_formula(K.CUMSUM, _cumsum)
