"""Max, average and adaptive-average pooling over (N, C, H, W) or (C, H, W) input.

Max pooling records the flat index of each window's maximum; its backward scatter-adds with
``np.bincount`` (overlapping windows sum) and the scatter's own backward is a gather, so the
pair is closed under differentiation. Average pooling is linear: forward and backward are each
other's adjoint. Adaptive average pooling is two constant averaging matrices applied with
``matmul``, so it needs no Function at all.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.lib.stride_tricks import as_strided

from ...autograd.function import Function, FunctionCtx
from ...tensor import Tensor
from ._utils import check_float, const, pair, wrap

__all__ = ["max_pool1d", "max_pool2d", "avg_pool1d", "avg_pool2d", "adaptive_avg_pool1d",
           "adaptive_avg_pool2d"]


def _pool_out(size: int, k: int, s: int, p: int, d: int, ceil_mode: bool) -> int:
    span = size + 2 * p - d * (k - 1) - 1
    out = (-(-span // s) if ceil_mode else span // s) + 1
    # torch: with ceil_mode the last window must start inside the input or the left padding.
    if ceil_mode and (out - 1) * s >= size + p:
        out -= 1
    return out


def _windows(xp: np.ndarray, k: tuple, s: tuple, d: tuple, out: tuple) -> np.ndarray:
    st = xp.strides
    return as_strided(xp, xp.shape[:2] + out + k,
                      st[:2] + (st[2] * s[0], st[3] * s[1], st[2] * d[0], st[3] * d[1]),
                      writeable=False)


def _geometry(x: Tensor, kernel_size: Any, stride: Any, padding: Any, dilation: Any,
              ceil_mode: bool, fn: str) -> tuple:
    k = pair(kernel_size, 2, "kernel_size")
    s = k if stride is None or (not isinstance(stride, int) and len(stride) == 0) else pair(
        stride, 2, "stride")
    p = pair(padding, 2, "padding")
    d = pair(dilation, 2, "dilation")
    if min(k) < 1 or min(s) < 1 or min(d) < 1:
        raise ValueError(f"{fn}: kernel_size, stride and dilation must be positive, got "
                         f"kernel_size={k}, stride={s}, dilation={d}")
    for pi, ki, di in zip(p, k, d):
        if pi < 0 or pi > (di * (ki - 1) + 1) // 2:
            raise ValueError(f"{fn}: pad should be at most half of effective kernel size, but "
                             f"got pad={pi}, kernel_size={ki} and dilation={di}")
    h, w = x.shape[2], x.shape[3]
    out = (_pool_out(h, k[0], s[0], p[0], d[0], ceil_mode),
           _pool_out(w, k[1], s[1], p[1], d[1], ceil_mode))
    if out[0] < 1 or out[1] < 1:
        raise RuntimeError(f"{fn}: input of shape {tuple(x.shape)} is too small for "
                           f"kernel_size={k}, dilation={d}, padding={p} (output {out})")
    # Extra right/bottom padding so that ceil_mode's last (partial) window is addressable.
    extra = tuple(max(0, (o - 1) * si + di * (ki - 1) + 1 - (n + 2 * pi))
                  for o, si, di, ki, n, pi in zip(out, s, d, k, (h, w), p))
    return k, s, p, d, out, extra


def _as_4d(x: Tensor, fn: str) -> tuple[Tensor, bool]:
    check_float(x, fn)
    if x.ndim == 3:
        return x.unsqueeze(0), True
    if x.ndim != 4:
        raise RuntimeError(f"{fn}: expected 3D (unbatched) or 4D (batched) input, got input "
                           f"of shape {tuple(x.shape)}")
    return x, False


# ---------------------------------------------------------------------------- max pooling
def _native() -> Any:
    """``_core``'s max-pooling loops (csrc/forward_nn.cpp: the NumPy code's values, indices and
    sums, bit for bit), or None without the C++ core. Forward math, so both engines use them."""
    try:
        from ... import _core
    except ImportError:
        return None
    return _core


_CORE = _native()


class _MaxPool(Function):
    _backward_name = "MaxPool2DWithIndicesBackward0"

    @staticmethod
    def forward(ctx: FunctionCtx, x: Tensor, geom: tuple) -> tuple:
        k, s, p, d, out, extra = geom
        a = x._data
        ctx.in_shape = a.shape
        got = _CORE.max_pool2d_forward(a, k, s, p, d, out) if _CORE is not None else None
        if got is not None:
            ctx.idx = got[1]
            ind = wrap(got[1])
            ctx.mark_non_differentiable(ind)
            return wrap(got[0]), ind
        n, c, h, w = a.shape
        fill = -np.inf
        xp = np.pad(a, ((0, 0), (0, 0), (p[0], p[0] + extra[0]), (p[1], p[1] + extra[1])),
                    constant_values=fill)
        win = _windows(xp, k, s, d, out).reshape(n, c, out[0], out[1], k[0] * k[1])
        # torch's rule: scan the window's cells inside the input, starting from the first of
        # them at -inf; a larger value or any NaN takes over. So the first maximum wins, the
        # last NaN wins, and a window whose cells are all -inf points at its first cell inside
        # the input (never at padding).
        arg = win.argmax(axis=-1)
        kk = k[0] * k[1]
        ka, kb = np.divmod(np.arange(kk), k[1])
        in_r = np.arange(out[0])[:, None] * s[0] - p[0] + ka * d[0]  # (oh, K)
        in_c = np.arange(out[1])[:, None] * s[1] - p[1] + kb * d[1]  # (ow, K)
        inside = (((in_r >= 0) & (in_r < h))[:, None, :] & ((in_c >= 0) & (in_c < w))[None])
        first_inside = inside.argmax(axis=-1)  # (oh, ow)
        peak = np.take_along_axis(win, arg[..., None], axis=-1)[..., 0]
        arg = np.where(peak == -np.inf, first_inside, arg)
        isnan = np.isnan(win)
        last_nan = kk - 1 - isnan[..., ::-1].argmax(axis=-1)
        arg = np.where(isnan.any(axis=-1), last_nan, arg)
        vals = np.take_along_axis(win, arg[..., None], axis=-1)[..., 0]
        # Window-local position -> flat index into the unpadded H*W plane (torch's indices).
        ki, kj = np.divmod(arg, k[1])
        rows = np.arange(out[0])[:, None] * s[0] - p[0] + ki * d[0]
        cols = np.arange(out[1])[None, :] * s[1] - p[1] + kj * d[1]
        idx = (rows * w + cols).astype(np.int64)
        ctx.idx = idx
        ind = wrap(idx)
        ctx.mark_non_differentiable(ind)
        return wrap(np.ascontiguousarray(vals)), ind

    @staticmethod
    def backward(ctx: FunctionCtx, g: Tensor, _gi: Tensor) -> tuple:
        return _ScatterPlane.apply(g, ctx.idx, ctx.in_shape), None


class _ScatterPlane(Function):
    """Add g[n, c, i, j] into out[n, c, idx[n, c, i, j]] (flat H*W index)."""

    _backward_name = "MaxPool2DWithIndicesBackwardBackward0"

    @staticmethod
    def forward(ctx: FunctionCtx, g: Tensor, idx: np.ndarray, in_shape: tuple) -> Tensor:
        ctx.idx = idx
        got = _CORE.max_pool2d_scatter(g._data, idx, in_shape) if _CORE is not None else None
        if got is not None:
            return wrap(got)
        n, c, h, w = in_shape
        base = (np.arange(n * c, dtype=np.int64) * (h * w)).reshape(n, c, 1, 1)
        flat = np.bincount((idx + base).ravel(), weights=g._data.ravel(), minlength=n * c * h * w)
        return wrap(flat.astype(g._data.dtype, copy=False).reshape(in_shape))

    @staticmethod
    def backward(ctx: FunctionCtx, gg: Tensor) -> tuple:
        return _GatherPlane.apply(gg, ctx.idx), None, None


class _GatherPlane(Function):
    _backward_name = "GatherBackward0"

    @staticmethod
    def forward(ctx: FunctionCtx, x: Tensor, idx: np.ndarray) -> Tensor:
        ctx.idx = idx
        ctx.in_shape = x._data.shape
        n, c = idx.shape[:2]
        flat = x._data.reshape(n, c, -1)
        return wrap(np.take_along_axis(flat, idx.reshape(n, c, -1), axis=2).reshape(idx.shape))

    @staticmethod
    def backward(ctx: FunctionCtx, g: Tensor) -> tuple:
        return _ScatterPlane.apply(g, ctx.idx, ctx.in_shape), None


def max_pool2d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,
               dilation: Any = 1, ceil_mode: bool = False, return_indices: bool = False) -> Any:
    """Max over each (dilated) window; ``return_indices`` gives flat H*W positions."""
    x, unbatched = _as_4d(input, "max_pool2d")
    geom = _geometry(x, kernel_size, stride, padding, dilation, ceil_mode, "max_pool2d")
    out, idx = _MaxPool.apply(x, geom)
    if unbatched:
        out, idx = out.squeeze(0), wrap(idx._data[0])
    return (out, idx) if return_indices else out


def max_pool1d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,
               dilation: Any = 1, ceil_mode: bool = False, return_indices: bool = False) -> Any:
    x, unbatched = _as_3d(input, "max_pool1d")
    (k,) = pair(kernel_size, 1, "kernel_size")
    s = k if stride is None else pair(stride, 1, "stride")[0]
    r = max_pool2d(x.unsqueeze(2), (1, k), (1, s), (0, pair(padding, 1, "padding")[0]),
                   (1, pair(dilation, 1, "dilation")[0]), ceil_mode, True)
    out, idx = r[0].squeeze(2), wrap(r[1]._data[:, :, 0])
    if unbatched:
        out, idx = out.squeeze(0), wrap(idx._data[0])
    return (out, idx) if return_indices else out


def _as_3d(x: Tensor, fn: str) -> tuple[Tensor, bool]:
    check_float(x, fn)
    if x.ndim == 2:
        return x.unsqueeze(0), True
    if x.ndim != 3:
        raise RuntimeError(f"{fn}: expected 2D (unbatched) or 3D (batched) input, got input "
                           f"of shape {tuple(x.shape)}")
    return x, False


# ---------------------------------------------------------------------------- avg pooling
def _divisor(geom: tuple, hw: tuple, count_include_pad: bool,
             divisor_override: int | None) -> np.ndarray:
    k, s, p, _, out, _ = geom
    if divisor_override:
        return np.full(out, float(divisor_override))
    sizes = []
    for o, ki, si, pi, n in zip(out, k, s, p, hw):
        start = np.arange(o) * si - pi
        end = np.minimum(start + ki, n + pi)
        full = end - start
        real = np.minimum(end, n) - np.maximum(start, 0)
        sizes.append(full if count_include_pad else real)
    return np.outer(sizes[0], sizes[1]).astype(np.float64)


class _AvgPool(Function):
    _backward_name = "AvgPool2DBackward0"

    @staticmethod
    def forward(ctx: FunctionCtx, x: Tensor, geom: tuple, div: np.ndarray) -> Tensor:
        k, s, p, d, out, extra = geom
        a = x._data
        ctx.geom, ctx.div, ctx.in_shape = geom, div, a.shape
        xp = np.pad(a, ((0, 0), (0, 0), (p[0], p[0] + extra[0]), (p[1], p[1] + extra[1])))
        total = _windows(xp, k, s, d, out).sum(axis=(-2, -1))
        return wrap((total / div.astype(a.dtype)).astype(a.dtype, copy=False))

    @staticmethod
    def backward(ctx: FunctionCtx, g: Tensor) -> tuple:
        return _AvgPoolAdjoint.apply(g, ctx.geom, ctx.div, ctx.in_shape), None, None


class _AvgPoolAdjoint(Function):
    _backward_name = "AvgPool2DBackwardBackward0"

    @staticmethod
    def forward(ctx: FunctionCtx, g: Tensor, geom: tuple, div: np.ndarray,
                in_shape: tuple) -> Tensor:
        k, s, p, d, out, extra = geom
        ctx.geom, ctx.div = geom, div
        n, c, h, w = in_shape
        gd = g._data / div.astype(g._data.dtype)
        gxp = np.zeros((n, c, h + 2 * p[0] + extra[0], w + 2 * p[1] + extra[1]),
                       dtype=g._data.dtype)
        for i in range(k[0]):
            r0 = i * d[0]
            for j in range(k[1]):
                c0 = j * d[1]
                gxp[:, :, r0:r0 + s[0] * (out[0] - 1) + 1:s[0],
                    c0:c0 + s[1] * (out[1] - 1) + 1:s[1]] += gd
        return wrap(np.ascontiguousarray(gxp[:, :, p[0]:p[0] + h, p[1]:p[1] + w]))

    @staticmethod
    def backward(ctx: FunctionCtx, gg: Tensor) -> tuple:
        return _AvgPool.apply(gg, ctx.geom, ctx.div), None, None, None


def avg_pool2d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,
               ceil_mode: bool = False, count_include_pad: bool = True,
               divisor_override: int | None = None) -> Tensor:
    """Mean over each window; the divisor follows torch (``count_include_pad``,
    ``divisor_override``, partial windows with ``ceil_mode``)."""
    x, unbatched = _as_4d(input, "avg_pool2d")
    if divisor_override is not None and divisor_override == 0:
        raise ValueError("avg_pool2d: divisor must be not zero")
    geom = _geometry(x, kernel_size, stride, padding, 1, ceil_mode, "avg_pool2d")
    div = _divisor(geom, (x.shape[2], x.shape[3]), count_include_pad, divisor_override)
    out = _AvgPool.apply(x, geom, div)
    return out.squeeze(0) if unbatched else out


def avg_pool1d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,
               ceil_mode: bool = False, count_include_pad: bool = True) -> Tensor:
    x, unbatched = _as_3d(input, "avg_pool1d")
    (k,) = pair(kernel_size, 1, "kernel_size")
    s = k if stride is None else pair(stride, 1, "stride")[0]
    out = avg_pool2d(x.unsqueeze(2), (1, k), (1, s), (0, pair(padding, 1, "padding")[0]),
                     ceil_mode, count_include_pad).squeeze(2)
    return out.squeeze(0) if unbatched else out


# ---------------------------------------------------------------------------- adaptive
def _adaptive_matrix(n_in: int, n_out: int) -> np.ndarray:
    """Row i averages input[floor(i*n_in/n_out) : ceil((i+1)*n_in/n_out)] (torch's bins)."""
    m = np.zeros((n_out, n_in))
    for i in range(n_out):
        start = (i * n_in) // n_out
        end = -(-((i + 1) * n_in) // n_out)
        m[i, start:end] = 1.0 / (end - start)
    return m


def adaptive_avg_pool2d(input: Tensor, output_size: Any) -> Tensor:
    """Average over torch's adaptive bins; ``None`` in ``output_size`` keeps that size."""
    check_float(input, "adaptive_avg_pool2d")
    if input.ndim not in (3, 4):
        raise RuntimeError(f"adaptive_avg_pool2d: expected 3D or 4D input, got input of shape "
                           f"{tuple(input.shape)}")
    h, w = input.shape[-2], input.shape[-1]
    if isinstance(output_size, (int, np.integer)) or output_size is None:
        output_size = (output_size, output_size)
    oh, ow = (h if output_size[0] is None else output_size[0],
              w if output_size[1] is None else output_size[1])
    if math.prod((oh, ow)) <= 0 or h == 0 or w == 0:
        raise ValueError(f"adaptive_avg_pool2d: invalid output_size {output_size} for input "
                         f"of shape {tuple(input.shape)}")
    out = input if (oh, ow) != (h, w) else input.clone()
    if oh != h:
        out = const(_adaptive_matrix(h, oh), input) @ out
    if ow != w:
        out = out @ const(_adaptive_matrix(w, ow).T, input)
    return out


def adaptive_avg_pool1d(input: Tensor, output_size: int) -> Tensor:
    check_float(input, "adaptive_avg_pool1d")
    if input.ndim not in (2, 3):
        raise RuntimeError(f"adaptive_avg_pool1d: expected 2D or 3D input, got input of shape "
                           f"{tuple(input.shape)}")
    (o,) = pair(output_size, 1, "output_size")
    if o <= 0:
        raise ValueError(f"adaptive_avg_pool1d: invalid output_size {output_size}")
    return input @ const(_adaptive_matrix(input.shape[-1], o).T, input)
