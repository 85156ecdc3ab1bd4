"""Convolutions by im2col + matmul (BLAS), with stride, padding, dilation and groups.

Three bilinear Functions close under differentiation, so any order of gradient works:

- ``_Conv(x, w)``           y  = conv(x, w)
- ``_ConvInputGrad(gy, w)`` gx = conv_transpose(gy, w)  (the adjoint of conv in x)
- ``_ConvWeightGrad(x, gy)`` gw = correlation of x with gy (the adjoint of conv in w)

Each one's backward is made of the other two. ``conv1d`` is ``conv2d`` with a height of 1.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.lib.stride_tricks import as_strided

from ...autograd.function import Function, FunctionCtx
from ...tensor import Tensor
from ._utils import check_float, pair, wrap

__all__ = ["conv1d", "conv2d", "conv_output_size"]

# (stride_h, stride_w, pad_top, pad_bottom, pad_left, pad_right, dil_h, dil_w, groups)
_Params = tuple


def conv_output_size(size: int, kernel: int, stride: int, pad_total: int, dilation: int) -> int:
    return (size + pad_total - dilation * (kernel - 1) - 1) // stride + 1


def _out_hw(x_shape: tuple, w_shape: tuple, p: _Params) -> tuple[int, int]:
    sh, sw, pt, pb, pl, pr, dh, dw, _ = p
    return (conv_output_size(x_shape[2], w_shape[2], sh, pt + pb, dh),
            conv_output_size(x_shape[3], w_shape[3], sw, pl + pr, dw))


def _padded_nhwc(x: np.ndarray, p: _Params) -> np.ndarray:
    """(N, C, H, W) -> zero-padded channels-last (N, Hp, Wp, C), one copy.

    Channels-last makes each kernel window row (kw taps x C channels) one contiguous run, so
    the im2col copy below moves long runs instead of kw-element scraps.
    """
    _, _, pt, pb, pl, pr, _, _, _ = p
    n, c, h, w = x.shape
    xp = np.zeros((n, h + pt + pb, w + pl + pr, c), dtype=x.dtype)
    xp[:, pt:pt + h, pl:pl + w, :] = x.transpose(0, 2, 3, 1)
    return xp


def _im2col(x: np.ndarray, kh: int, kw: int, p: _Params, ho: int, wo: int) -> np.ndarray:
    """Patches of ``x`` as a (groups, N*Ho*Wo, kh*kw*C/groups) matrix."""
    sh, sw, _, _, _, _, dh, dw, g = p
    xp = _padded_nhwc(x, p)
    n, _, _, c = xp.shape
    cg = c // g
    s = xp.strides
    win = as_strided(xp, (n, ho, wo, kh, kw, g, cg),
                     (s[0], s[1] * sh, s[2] * sw, s[1] * dh, s[2] * dw, s[3] * cg, s[3]),
                     writeable=False)
    if g == 1:
        return win.reshape(1, n * ho * wo, kh * kw * cg)
    return win.transpose(5, 0, 1, 2, 3, 4, 6).reshape(g, n * ho * wo, kh * kw * cg)


def _weight_matrix(w: np.ndarray, g: int) -> np.ndarray:
    """(O, Cg, kh, kw) -> (g, O/g, kh*kw*Cg), matching the im2col column order."""
    o, cg, kh, kw = w.shape
    return w.reshape(g, o // g, cg, kh, kw).transpose(0, 1, 3, 4, 2).reshape(g, o // g, -1)


def _conv(x: np.ndarray, w: np.ndarray, p: _Params) -> np.ndarray:
    g = p[8]
    n = x.shape[0]
    o, _, kh, kw = w.shape
    ho, wo = _out_hw(x.shape, w.shape, p)
    cols = _im2col(x, kh, kw, p, ho, wo)
    out = np.matmul(cols, _weight_matrix(w, g).transpose(0, 2, 1))  # (g, N*Ho*Wo, O/g)
    out = out.reshape(g, n, ho, wo, o // g).transpose(1, 0, 4, 2, 3).reshape(n, o, ho, wo)
    return np.ascontiguousarray(out)


def _grad_out_matrix(gy: np.ndarray, g: int) -> np.ndarray:
    """(N, O, Ho, Wo) -> (g, N*Ho*Wo, O/g)."""
    n, o, ho, wo = gy.shape
    return gy.reshape(n, g, o // g, ho, wo).transpose(1, 0, 3, 4, 2).reshape(g, n * ho * wo,
                                                                           o // g)


def _conv_input_grad(gy: np.ndarray, w: np.ndarray, p: _Params, x_shape: tuple) -> np.ndarray:
    sh, sw, pt, pb, pl, pr, dh, dw, g = p
    n, c, h, wd = x_shape
    o, cg, kh, kw = w.shape
    ho, wo = gy.shape[2], gy.shape[3]
    gcols = np.matmul(_grad_out_matrix(gy, g), _weight_matrix(w, g))  # (g, NHoWo, kh*kw*Cg)
    # (kh, kw, N, Ho, Wo, g, Cg): one strided slab per kernel tap, added back (col2im).
    gcols = gcols.reshape(g, n, ho, wo, kh, kw, cg).transpose(4, 5, 1, 2, 3, 0, 6)
    gxp = np.zeros((n, h + pt + pb, wd + pl + pr, g, cg), dtype=gy.dtype)
    for i in range(kh):
        r0 = i * dh
        for j in range(kw):
            c0 = j * dw
            gxp[:, r0:r0 + sh * (ho - 1) + 1:sh, c0:c0 + sw * (wo - 1) + 1:sw] += gcols[i, j]
    gx = gxp[:, pt:pt + h, pl:pl + wd].reshape(n, h, wd, c).transpose(0, 3, 1, 2)
    return np.ascontiguousarray(gx)


def _conv_weight_grad(x: np.ndarray, gy: np.ndarray, p: _Params, w_shape: tuple) -> np.ndarray:
    g = p[8]
    o, cg, kh, kw = w_shape
    ho, wo = gy.shape[2], gy.shape[3]
    cols = _im2col(x, kh, kw, p, ho, wo)
    gw = np.matmul(_grad_out_matrix(gy, g).transpose(0, 2, 1), cols)  # (g, O/g, kh*kw*Cg)
    return np.ascontiguousarray(gw.reshape(o, kh, kw, cg).transpose(0, 3, 1, 2))


class _Conv(Function):
    _backward_name = "ConvolutionBackward0"

    @staticmethod
    def forward(ctx: FunctionCtx, x: Tensor, w: Tensor, p: _Params) -> Tensor:
        ctx.p = p
        ctx.save_for_backward(x, w)
        return wrap(_conv(x._data, w._data, p))

    @staticmethod
    def backward(ctx: FunctionCtx, gy: Tensor) -> tuple:
        x, w = ctx.saved_tensors
        gx = _ConvInputGrad.apply(gy, w, ctx.p, x.shape) if ctx.needs_input_grad[0] else None
        gw = _ConvWeightGrad.apply(x, gy, ctx.p, w.shape) if ctx.needs_input_grad[1] else None
        return gx, gw, None


class _ConvInputGrad(Function):
    _backward_name = "ConvolutionBackwardBackward0"

    @staticmethod
    def forward(ctx: FunctionCtx, gy: Tensor, w: Tensor, p: _Params, x_shape: tuple) -> Tensor:
        ctx.p = p
        ctx.save_for_backward(gy, w)
        return wrap(_conv_input_grad(gy._data, w._data, p, tuple(x_shape)))

    @staticmethod
    def backward(ctx: FunctionCtx, ggx: Tensor) -> tuple:
        gy, w = ctx.saved_tensors
        d_gy = _Conv.apply(ggx, w, ctx.p) if ctx.needs_input_grad[0] else None
        d_w = _ConvWeightGrad.apply(ggx, gy, ctx.p, w.shape) if ctx.needs_input_grad[1] else None
        return d_gy, d_w, None, None


class _ConvWeightGrad(Function):
    _backward_name = "ConvolutionBackwardBackward1"

    @staticmethod
    def forward(ctx: FunctionCtx, x: Tensor, gy: Tensor, p: _Params, w_shape: tuple) -> Tensor:
        ctx.p = p
        ctx.save_for_backward(x, gy)
        return wrap(_conv_weight_grad(x._data, gy._data, p, tuple(w_shape)))

    @staticmethod
    def backward(ctx: FunctionCtx, ggw: Tensor) -> tuple:
        x, gy = ctx.saved_tensors
        d_x = _ConvInputGrad.apply(gy, ggw, ctx.p, x.shape) if ctx.needs_input_grad[0] else None
        d_gy = _Conv.apply(x, ggw, ctx.p) if ctx.needs_input_grad[1] else None
        return d_x, d_gy, None, None


def _padding(padding: Any, kernel: tuple, dilation: tuple, stride: tuple, n: int,
             fn: str) -> tuple[int, ...]:
    """Per spatial dim (before, after) pads; 'same' may be asymmetric like torch's."""
    if isinstance(padding, str):
        if padding == "valid":
            return (0,) * (2 * n)
        if padding == "same":
            if any(s != 1 for s in stride):
                raise ValueError(f"{fn}: padding='same' is not supported for strided "
                                 "convolutions")
            out: list[int] = []
            for k, d in zip(kernel, dilation):
                total = d * (k - 1)
                out += [total // 2, total - total // 2]
            return tuple(out)
        raise ValueError(f"{fn}: Invalid padding string {padding!r}, should be one of "
                         "('valid', 'same')")
    pads = pair(padding, n, "padding")
    if any(v < 0 for v in pads):
        raise ValueError(f"{fn}: negative padding is not supported, got {padding!r}")
    return tuple(v for v in pads for _ in range(2))


def _check_conv(x: Tensor, w: Tensor, groups: int, nd: int, fn: str) -> None:
    check_float(x, fn)
    check_float(w, fn, "weight")
    if w.ndim != nd + 2:
        raise RuntimeError(f"{fn}: expected a {nd + 2}D weight, got shape {tuple(w.shape)}")
    if x.dtype != w.dtype:
        raise RuntimeError(f"{fn}: input type ({x.dtype}) and weight type ({w.dtype}) should "
                           "be the same")
    if not isinstance(groups, (int, np.integer)) or groups < 1:
        raise ValueError(f"{fn}: groups must be a positive integer, got {groups!r}")
    if x.ndim != nd + 2:
        raise RuntimeError(f"{fn}: expected {nd + 1}D (unbatched) or {nd + 2}D (batched) input, "
                           f"got input of shape {tuple(x.shape)}")
    c_in = x.shape[1]
    if w.shape[0] % groups:
        raise RuntimeError(f"{fn}: out_channels ({w.shape[0]}) must be divisible by groups "
                           f"({groups})")
    if c_in != w.shape[1] * groups:
        raise RuntimeError(
            f"{fn}: Given groups={groups}, weight of size {list(w.shape)}, expected input"
            f"{list(x.shape)} to have {w.shape[1] * groups} channels, but got {c_in} channels "
            "instead"
        )


def conv2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1,
           padding: Any = 0, dilation: Any = 1, groups: int = 1) -> Tensor:
    """2-D convolution (cross-correlation, like torch) of (N, C, H, W) or (C, H, W) input."""
    check_float(input, "conv2d")
    unbatched = input.ndim == 3
    x = input.unsqueeze(0) if unbatched else input
    _check_conv(x, weight, groups, 2, "conv2d")
    st = pair(stride, 2, "stride")
    dil = pair(dilation, 2, "dilation")
    if any(s < 1 for s in st) or any(d < 1 for d in dil):
        raise ValueError(f"conv2d: stride and dilation must be positive, got stride={stride!r},"
                         f" dilation={dilation!r}")
    pads = _padding(padding, tuple(weight.shape[2:]), dil, st, 2, "conv2d")
    p = (st[0], st[1], pads[0], pads[1], pads[2], pads[3], dil[0], dil[1], int(groups))
    ho, wo = _out_hw(tuple(x.shape), tuple(weight.shape), p)
    if ho < 1 or wo < 1:
        raise RuntimeError(
            f"conv2d: the kernel (size {tuple(weight.shape[2:])}, dilation {dil}) is larger "
            f"than the padded input (shape {tuple(x.shape)}, padding {pads}): output would be "
            f"{ho}x{wo}"
        )
    out = _Conv.apply(x, weight, p)
    if bias is not None:
        out = out + bias.reshape(1, -1, 1, 1)
    return out.squeeze(0) if unbatched else out


def conv1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1,
           padding: Any = 0, dilation: Any = 1, groups: int = 1) -> Tensor:
    """1-D convolution of (N, C, L) or (C, L) input: conv2d over a height-1 image."""
    check_float(input, "conv1d")
    unbatched = input.ndim == 2
    x = input.unsqueeze(0) if unbatched else input
    _check_conv(x, weight, groups, 1, "conv1d")
    (st,) = pair(stride, 1, "stride")
    (dil,) = pair(dilation, 1, "dilation")
    if st < 1 or dil < 1:
        raise ValueError(f"conv1d: stride and dilation must be positive, got stride={stride!r},"
                         f" dilation={dilation!r}")
    pl, pr = _padding(padding, (weight.shape[2],), (dil,), (st,), 1, "conv1d")
    p = (1, st, 0, 0, pl, pr, 1, dil, int(groups))
    lo = conv_output_size(x.shape[2], weight.shape[2], st, pl + pr, dil)
    if lo < 1:
        raise RuntimeError(
            f"conv1d: the kernel (size {weight.shape[2]}, dilation {dil}) is larger than the "
            f"padded input (shape {tuple(x.shape)}, padding {(pl, pr)})"
        )
    out = _Conv.apply(x.unsqueeze(2), weight.unsqueeze(2), p).squeeze(2)
    if bias is not None:
        out = out + bias.reshape(1, -1, 1)
    return out.squeeze(0) if unbatched else out
