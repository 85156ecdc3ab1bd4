"""``conv_transpose1d``/``conv_transpose2d`` (the "deconvolution": the gradient of a
convolution with respect to its input), as a plain convolution: the input is dilated by the
stride (zeros between its elements), padded by dilation * (kernel - 1) - padding per side (plus
``output_padding`` at the end), and convolved at stride 1 with the kernel flipped and its
in/out channels swapped per group. Made only of pad/reshape/flip and ``conv2d``, so it is
differentiable to any order."""

from __future__ import annotations

from typing import Any

from ...tensor import Tensor
from ._utils import check_float, pair
from .conv import conv2d
from .padding import pad

__all__ = ["conv_transpose1d", "conv_transpose2d"]


def _dilate(x: Tensor, s: int, dim: int) -> Tensor:
    """Insert s - 1 zeros between consecutive elements along ``dim`` (of a 4-D tensor)."""
    if s == 1 or x.shape[dim] == 0:
        return x
    n = x.shape[dim]
    y = x.unsqueeze(dim + 1)  # (..., n, 1, ...)
    widths = [0, 0] * (y.ndim - dim - 2) + [0, s - 1]
    y = pad(y, widths)  # (..., n, s, ...)
    shape = list(x.shape)
    shape[dim] = n * s
    y = y.reshape(*shape)
    return y.narrow(dim, 0, (n - 1) * s + 1)


def _transpose2d(x: Tensor, weight: Tensor, bias: Tensor | None, stride: tuple, padding: tuple,
                 output_padding: tuple, groups: int, dilation: tuple, fn: str) -> Tensor:
    if x.ndim != 4:
        raise RuntimeError(f"{fn}: expected a batched or unbatched input, got shape "
                           f"{tuple(x.shape)}")
    c_in = x.shape[1]
    if weight.ndim != 4 or weight.shape[0] != c_in:
        raise RuntimeError(f"Given transposed=1, weight of size {list(weight.shape)}, expected "
                           f"input{list(x.shape)} to have {weight.shape[0]} channels, but got "
                           f"{c_in} channels instead")
    if groups <= 0 or c_in % groups:
        raise RuntimeError(f"{fn}: groups={groups} must divide the input channels ({c_in})")
    for o, s, d in zip(output_padding, stride, dilation):
        if o < 0 or (o >= s and o >= d):
            raise RuntimeError(f"output padding must be smaller than either stride or dilation, "
                               f"but got output_padding={output_padding}, stride={stride}, "
                               f"dilation={dilation}")
    if min(stride) <= 0 or min(dilation) <= 0 or min(padding) < 0:
        raise RuntimeError(f"{fn}: stride and dilation must be positive and padding "
                           f"non-negative, got stride={stride}, padding={padding}, "
                           f"dilation={dilation}")
    kh, kw = weight.shape[2], weight.shape[3]
    c_out_g = weight.shape[1]
    xd = _dilate(_dilate(x, stride[0], 2), stride[1], 3)
    ph = dilation[0] * (kh - 1) - padding[0]
    pw = dilation[1] * (kw - 1) - padding[1]
    xp = pad(xd, (pw, pw + output_padding[1], ph, ph + output_padding[0]))
    if xp.shape[2] < dilation[0] * (kh - 1) + 1 or xp.shape[3] < dilation[1] * (kw - 1) + 1:
        raise RuntimeError(f"{fn}: the padding {padding} is too large for input {tuple(x.shape)}"
                           f" and kernel ({kh}, {kw}): the output would be empty")
    w = weight.reshape(groups, c_in // groups, c_out_g, kh, kw).transpose(1, 2)
    w = w.reshape(groups * c_out_g, c_in // groups, kh, kw).flip(2, 3)
    return conv2d(xp, w, bias, 1, 0, dilation, groups)


def conv_transpose2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1,
                     padding: Any = 0, output_padding: Any = 0, groups: int = 1,
                     dilation: Any = 1) -> Tensor:
    """Transposed 2-D convolution of (N, C_in, H, W) or (C_in, H, W) input with a
    (C_in, C_out / groups, kh, kw) weight; output size (H - 1) * stride - 2 * padding +
    dilation * (kh - 1) + output_padding + 1."""
    check_float(input, "conv_transpose2d")
    check_float(weight, "conv_transpose2d", "weight")
    if input.ndim not in (3, 4):
        raise RuntimeError(f"conv_transpose2d: expected 3D (C, H, W) or 4D (N, C, H, W) input, "
                           f"got shape {tuple(input.shape)}")
    unbatched = input.ndim == 3
    x = input.unsqueeze(0) if unbatched else input
    out = _transpose2d(x, weight, bias, pair(stride, 2, "stride"), pair(padding, 2, "padding"),
                       pair(output_padding, 2, "output_padding"), groups,
                       pair(dilation, 2, "dilation"), "conv_transpose2d")
    return out.squeeze(0) if unbatched else out


def conv_transpose1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1,
                     padding: Any = 0, output_padding: Any = 0, groups: int = 1,
                     dilation: Any = 1) -> Tensor:
    """Transposed 1-D convolution of (N, C_in, L) or (C_in, L) input with a
    (C_in, C_out / groups, k) weight (a height-1 conv_transpose2d)."""
    check_float(input, "conv_transpose1d")
    check_float(weight, "conv_transpose1d", "weight")
    if input.ndim not in (2, 3):
        raise RuntimeError(f"conv_transpose1d: expected 2D (C, L) or 3D (N, C, L) input, got "
                           f"shape {tuple(input.shape)}")
    if weight.ndim != 3:
        raise RuntimeError(f"conv_transpose1d: expected a 3D weight (C_in, C_out / groups, k), "
                           f"got shape {tuple(weight.shape)}")
    unbatched = input.ndim == 2
    x = (input.unsqueeze(0) if unbatched else input).unsqueeze(2)
    (s,), (p,) = pair(stride, 1, "stride"), pair(padding, 1, "padding")
    (o,), (d,) = pair(output_padding, 1, "output_padding"), pair(dilation, 1, "dilation")
    out = _transpose2d(x, weight.unsqueeze(2), bias, (1, s), (0, p), (0, o), groups, (1, d),
                       "conv_transpose1d").squeeze(2)
    return out.squeeze(0) if unbatched else out
