"""NumPy backward kernels of the reduction native kinds (see ``_kinds.py`` for each node's
layout). Every formula is torch's (FunctionsManual.cpp: prod_backward,
evenly_distribute_backward, value_selecting_reduction_backward, scale_grad_by_count,
var_backward, std_backward, logsumexp_backward, norm_backward, cumsum_backward) with the same
operation order, and mirrors ``ops/derivatives_reduction.py``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import _kinds as K
from ..ops.elementwise import pow_scalar_array
from ..ops.reduction import cumsum_array
from ..ops.unary import sign_array
from .kernels import register_kernel

_Arr = Any


def _keepdim_dims(scalars: tuple) -> tuple[bool, tuple[int, ...]]:
    return bool(scalars[0]), tuple(int(d) for d in scalars[1:])


def restore_dims(a: _Arr, dims: tuple, keepdim: bool, ndim: int) -> _Arr:
    """Put reduced dimensions back as size 1 (torch's unsqueeze_multiple)."""
    if keepdim or not dims or ndim == 0:
        return a
    return np.expand_dims(a, tuple(sorted(dims)))


def _axis(dims: tuple) -> Any:
    return dims if dims else None


def exclusive_prod(x: _Arr, dim: int) -> _Arr:
    """Product of every other element along ``dim`` (torch's prod_safe_zeros_backward), exact
    with zeros: cumulative products from the left times those from the right."""
    ones_shape = list(x.shape)
    ones_shape[dim] = 1
    ones = np.ones(ones_shape, dtype=x.dtype)
    n = x.shape[dim]
    head = np.take(x, np.arange(0, n - 1), axis=dim)
    tail = np.flip(np.take(x, np.arange(1, n), axis=dim), dim)
    left = np.cumprod(np.concatenate([ones, head], axis=dim), axis=dim)
    right = np.flip(np.cumprod(np.concatenate([ones, tail], axis=dim), axis=dim), dim)
    return left * right


@register_kernel(K.PROD)
def _prod(saved: list, scalars: tuple, meta: tuple, g: _Arr, need: tuple) -> tuple:
    x, y = saved
    if x.ndim == 0:
        return (g,)
    if scalars:
        keepdim, (dim,) = _keepdim_dims(scalars)
        g = restore_dims(g, (dim,), keepdim, x.ndim)
        y = restore_dims(y, (dim,), keepdim, x.ndim)
    if not (x == 0).any():
        return (g * (y / x),)
    if not scalars:
        flat = x.reshape(-1)
        return ((g * exclusive_prod(flat, 0)).reshape(x.shape),)
    if x.shape[dim] == 1:
        return (g,)
    return (g * exclusive_prod(x, dim),)


def evenly_distribute_mask(x: _Arr, y: _Arr) -> _Arr:
    """The elements ``max()``/``min()`` selected: equal to the result, or NaN if it is NaN."""
    return np.isnan(x) if np.isnan(y) else x == y


@register_kernel(K.MAXMIN_ALL)
def _maxmin_all(saved: list, scalars: tuple, meta: tuple, g: _Arr, need: tuple) -> tuple:
    x, y = saved
    mask = evenly_distribute_mask(x, y)
    out = np.zeros(x.shape, dtype=g.dtype)
    out[mask] = g / g.dtype.type(np.count_nonzero(mask))
    return (out,)


@register_kernel(K.MAXMIN_DIM)
def _maxmin_dim(saved: list, scalars: tuple, meta: tuple, g: _Arr, need: tuple) -> tuple:
    idx = saved[0]
    shape = meta[0][0]
    if len(shape) == 0:
        return (g,)
    keepdim, (dim,) = _keepdim_dims(scalars)
    g = restore_dims(g, (dim,), keepdim, len(shape))
    out = np.zeros(shape, dtype=g.dtype)
    np.put_along_axis(out, idx, g, axis=dim)
    return (out,)


@register_kernel(K.AMAXMIN)
def _amaxmin(saved: list, scalars: tuple, meta: tuple, g: _Arr, need: tuple) -> tuple:
    x, y = saved
    keepdim, dims = _keepdim_dims(scalars)
    g = restore_dims(g, dims, keepdim, x.ndim)
    y = restore_dims(y, dims, keepdim, x.ndim)
    mask = y == x
    count = np.sum(mask, axis=_axis(dims), keepdims=True).astype(g.dtype)
    with np.errstate(divide="ignore", invalid="ignore"):
        return ((g / count) * mask,)


def var_backward(g: _Arr, x: _Arr, corr: float, keepdim: bool, dims: tuple) -> _Arr:
    dt = g.dtype.type
    with np.errstate(divide="ignore", invalid="ignore"):
        if x.ndim == 0 or not dims:
            dof = x.size - corr
            if dof <= 0:
                nan_inf = np.where(x == x.mean(), np.float32(np.nan), np.float32(np.inf))
                return g * nan_inf
            return (g * dt(2.0 / dof)) * (x - x.mean())
        g = restore_dims(g, dims, keepdim, x.ndim)
        n = 1
        for d in dims:
            n *= x.shape[d]
        scale = dt(np.float64(2.0) / np.float64(n - corr))
        return (g * scale) * (x - x.mean(axis=dims, keepdims=True))


@register_kernel(K.VAR)
def _var(saved: list, scalars: tuple, meta: tuple, g: _Arr, need: tuple) -> tuple:
    corr = scalars[0]
    keepdim, dims = _keepdim_dims(scalars[1:])
    return (var_backward(g, saved[0], corr, keepdim, dims),)


@register_kernel(K.STD)
def _std(saved: list, scalars: tuple, meta: tuple, g: _Arr, need: tuple) -> tuple:
    x, y = saved
    corr = scalars[0]
    keepdim, dims = _keepdim_dims(scalars[1:])
    with np.errstate(divide="ignore", invalid="ignore"):
        grad_var = np.where(y == 0, g.dtype.type(0), g / (y * 2))
    return (var_backward(grad_var, x, corr, keepdim, dims),)


@register_kernel(K.LOGSUMEXP)
def _logsumexp(saved: list, scalars: tuple, meta: tuple, g: _Arr, need: tuple) -> tuple:
    x, y = saved
    keepdim, dims = _keepdim_dims(scalars)
    g = restore_dims(g, dims, keepdim, x.ndim)
    y = restore_dims(y, dims, keepdim, x.ndim)
    return (g * np.exp(x - y),)


@register_kernel(K.NORM)
def _norm(saved: list, scalars: tuple, meta: tuple, g: _Arr, need: tuple) -> tuple:
    x, y = saved
    p = scalars[0]
    keepdim, dims = _keepdim_dims(scalars[1:])
    g = restore_dims(g, dims, keepdim, x.ndim)
    y = restore_dims(y, dims, keepdim, x.ndim)
    z = g.dtype.type(0)
    with np.errstate(divide="ignore", invalid="ignore"):
        if p == 0.0:
            return (np.zeros(x.shape, dtype=g.dtype),)
        if p == 1.0:
            return (sign_array(x) * g,)
        if p == 2.0:
            return (g * np.where(y == 0, z, x / y),)
        ax = np.abs(x)
        if np.isinf(p):
            mask = (ax == y) | np.isnan(ax)
            count = np.sum(mask, axis=_axis(dims), keepdims=True).astype(g.dtype)
            return (sign_array(x) * ((g / count) * mask),)
        if p < 1.0:
            scaled = sign_array(x) * np.where(x == 0, z, pow_scalar_array(ax, p - 1))
            return ((scaled * g) * pow_scalar_array(y, 1 - p),)
        scale_v = np.where(y == 0, z, g / pow_scalar_array(y, p - 1))
        if p < 2.0:
            return ((sign_array(x) * pow_scalar_array(ax, p - 1)) * scale_v,)
        return ((x * pow_scalar_array(ax, p - 2)) * scale_v,)


@register_kernel(K.CUMSUM)
def _cumsum(saved: list, scalars: tuple, meta: tuple, g: _Arr, need: tuple) -> tuple:
    dim = int(scalars[0])
    if g.ndim == 0 or g.size <= 1 or g.shape[dim] == 1:
        return (g,)
    return (np.ascontiguousarray(np.flip(cumsum_array(np.flip(g, dim), dim), dim)),)
