"""``unfold`` (im2col: sliding blocks as columns) and ``fold`` (col2im: the columns summed back
into an image), each the other's adjoint. Both are an ``index_select``/``index_add`` through one
index map over the zero-padded image, so they are differentiable to any order."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ...tensor import Tensor
from ._utils import check_float
from .padding import pad

__all__ = ["unfold", "fold"]


def _pair(v: int | Sequence[int], name: str, fn: str) -> tuple[int, int]:
    t = (int(v), int(v)) if isinstance(v, (int, np.integer)) else tuple(int(a) for a in v)
    if len(t) != 2:
        raise ValueError(f"{fn}: {name} must be an int or a pair of ints, got {v}")
    return t  # type: ignore[return-value]


def _params(kernel_size, dilation, padding, stride, fn: str):
    k = _pair(kernel_size, "kernel_size", fn)
    d = _pair(dilation, "dilation", fn)
    p = _pair(padding, "padding", fn)
    s = _pair(stride, "stride", fn)
    if min(k) <= 0 or min(d) <= 0 or min(s) <= 0 or min(p) < 0:
        raise RuntimeError(f"{fn}: kernel_size, dilation and stride must be positive and padding "
                           f"non-negative, got kernel_size={k}, dilation={d}, padding={p}, "
                           f"stride={s}")
    return k, d, p, s


def _blocks(h: int, w: int, k, d, p, s, fn: str) -> tuple[np.ndarray, int, int]:
    """Flat indices into the padded (h + 2p) x (w + 2p) image, shape (kh * kw * L,), and the
    number of block positions along each dim."""
    hp, wp = h + 2 * p[0], w + 2 * p[1]
    nh = (hp - d[0] * (k[0] - 1) - 1) // s[0] + 1
    nw = (wp - d[1] * (k[1] - 1) - 1) // s[1] + 1
    if nh <= 0 or nw <= 0:
        raise RuntimeError(f"{fn}: the padded input ({hp}, {wp}) is smaller than the dilated "
                           f"kernel ({d[0] * (k[0] - 1) + 1}, {d[1] * (k[1] - 1) + 1})")
    ki, kj = np.meshgrid(np.arange(k[0]) * d[0], np.arange(k[1]) * d[1], indexing="ij")
    oi, oj = np.meshgrid(np.arange(nh) * s[0], np.arange(nw) * s[1], indexing="ij")
    rows = ki.reshape(-1, 1) + oi.reshape(1, -1)
    cols = kj.reshape(-1, 1) + oj.reshape(1, -1)
    return (rows * wp + cols).reshape(-1), nh, nw


def unfold(input: Tensor, kernel_size: int | Sequence[int], dilation: int | Sequence[int] = 1,
           padding: int | Sequence[int] = 0, stride: int | Sequence[int] = 1) -> Tensor:
    """(N, C, H, W) -> (N, C * kh * kw, L): every sliding block as a column (L blocks)."""
    check_float(input, "unfold")
    if input.ndim not in (3, 4):
        raise RuntimeError(f"Input Error: Only 3D or 4D input Tensors are supported (got "
                           f"{input.ndim}D)")
    batched = input.ndim == 4
    x = input if batched else input.unsqueeze(0)
    k, d, p, s = _params(kernel_size, dilation, padding, stride, "unfold")
    n, c, h, w = x.shape
    idx, nh, nw = _blocks(h, w, k, d, p, s, "unfold")
    xp = pad(x, (p[1], p[1], p[0], p[0])) if any(p) else x
    cols = xp.reshape(n, c, -1).index_select(2, Tensor._from_array(idx))
    out = cols.reshape(n, c * k[0] * k[1], nh * nw)
    return out if batched else out.squeeze(0)


def fold(input: Tensor, output_size: int | Sequence[int], kernel_size: int | Sequence[int],
         dilation: int | Sequence[int] = 1, padding: int | Sequence[int] = 0,
         stride: int | Sequence[int] = 1) -> Tensor:
    """(N, C * kh * kw, L) -> (N, C, H, W): each column added back at its block's place
    (overlaps sum), the adjoint of ``unfold``."""
    check_float(input, "fold")
    if input.ndim not in (2, 3):
        raise RuntimeError(f"Input Error: Only unbatched (2D) or batched (3D) input Tensors are "
                           f"supported (got {input.ndim}D)")
    batched = input.ndim == 3
    x = input if batched else input.unsqueeze(0)
    k, d, p, s = _params(kernel_size, dilation, padding, stride, "fold")
    h, w = _pair(output_size, "output_size", "fold")
    n, ckk, length = x.shape
    if ckk % (k[0] * k[1]):
        raise RuntimeError(f"Expected size of input's dimension 1 to be divisible by the product "
                           f"of kernel_size, but got input.size(1)={ckk} and "
                           f"kernel_size={k}")
    idx, nh, nw = _blocks(h, w, k, d, p, s, "fold")
    if nh * nw != length:
        raise RuntimeError(f"Given output_size={(h, w)}, kernel_size={k}, dilation={d}, "
                           f"padding={p}, stride={s}, expected size of input's dimension 2 to "
                           f"match the calculated number of sliding blocks {nh} * {nw} = "
                           f"{nh * nw}, but got input.size(2)={length}.")
    c = ckk // (k[0] * k[1])
    hp, wp = h + 2 * p[0], w + 2 * p[1]
    cols = x.reshape(n, c, -1)
    zeros = Tensor._from_array(np.zeros((n, c, hp * wp), dtype=x._data.dtype))
    img = zeros.index_add(2, Tensor._from_array(idx), cols).reshape(n, c, hp, wp)
    if any(p):
        img = img[:, :, p[0]:p[0] + h, p[1]:p[1] + w]
    return img if batched else img.squeeze(0)
