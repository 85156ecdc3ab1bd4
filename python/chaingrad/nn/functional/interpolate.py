"""``interpolate`` (and the deprecated ``upsample*`` spellings): nearest, nearest-exact,
(bi/tri)linear with or without ``align_corners``, and area.

Each spatial dim is resampled on its own with ``index_select`` (nearest) or two
``index_select``s blended by constant weights (linear), so the result is differentiable to any
order. Source indices and weights follow torch's CPU kernels, including their arithmetic
(float32 for the nearest modes' index computation), so the same output positions are picked.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence

import numpy as np

from ...tensor import Tensor
from ._utils import check_tensor, const
from .pooling import adaptive_avg_pool1d, adaptive_avg_pool2d

__all__ = ["interpolate", "upsample", "upsample_nearest", "upsample_bilinear"]

_LINEAR = {"linear": 1, "bilinear": 2, "trilinear": 3}
_MODES = ("nearest", "nearest-exact", "linear", "bilinear", "trilinear", "area", "bicubic")


def _nearest_index(n_in: int, n_out: int, scale: float | None, exact: bool) -> np.ndarray:
    dst = np.arange(n_out, dtype=np.float32)
    if not exact and n_out == n_in:
        return np.arange(n_out)
    if not exact and n_out == 2 * n_in:
        return np.arange(n_out) >> 1
    s = np.float32(1.0 / scale) if scale is not None and scale > 0 else (
        np.float32(n_in) / np.float32(n_out))
    src = np.floor((dst + np.float32(0.5)) * s if exact else dst * s).astype(np.int64)
    return np.minimum(src, n_in - 1)


def _linear_weights(n_in: int, n_out: int, scale: float | None, align_corners: bool,
                    dtype: np.dtype) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    t = np.dtype(dtype).type
    if align_corners:
        s = t(n_in - 1) / t(n_out - 1) if n_out > 1 else t(0)
    else:
        s = t(1.0 / scale) if scale is not None and scale > 0 else t(n_in) / t(n_out)
    dst = np.arange(n_out).astype(dtype)
    if align_corners:
        src = s * dst
    else:
        # torch: scale * (dst + 0.5) - 0.5 with double literals, rounded to the dtype after
        src = np.maximum((np.float64(s) * (np.arange(n_out) + 0.5) - 0.5).astype(dtype), t(0))
    i0 = src.astype(np.int64)
    lam1 = np.clip(src - i0.astype(dtype), 0, 1).astype(dtype)
    i1 = i0 + (i0 < n_in - 1)
    return i0, i1, (t(1) - lam1).astype(dtype), lam1


def _tuple(v: object, n: int, name: str) -> tuple:
    if isinstance(v, (list, tuple)):
        if len(v) != n:
            raise ValueError(f"Input and output must have the same number of spatial "
                             f"dimensions, but got input with spatial dimensions of {n} and "
                             f"{name} of {tuple(v)}. Please provide input tensor in (N, C, d1, "
                             f"d2, ...,dK) format and {name} in (o1, o2, ...,oK) format.")
        return tuple(v)
    return (v,) * n


def interpolate(input: Tensor, size: int | Sequence[int] | None = None,
                scale_factor: float | Sequence[float] | None = None, mode: str = "nearest",
                align_corners: bool | None = None, recompute_scale_factor: bool | None = None,
                antialias: bool = False) -> Tensor:
    """Resize the spatial dims (all but N and C) of (N, C, L), (N, C, H, W) or
    (N, C, D, H, W) input to ``size``, or by ``scale_factor`` (output floor(in * scale))."""
    check_tensor(input, "interpolate")
    if mode not in _MODES:
        raise NotImplementedError(f"interpolate: mode {mode!r} is not one of {list(_MODES)}")
    if mode == "bicubic":
        raise NotImplementedError("interpolate: mode='bicubic' is not implemented by chaingrad; "
                                  "use 'bilinear'")
    if antialias:
        raise NotImplementedError("interpolate: antialias=True is not implemented by chaingrad")
    if mode in _LINEAR:
        align = bool(align_corners)
    elif align_corners is not None:
        raise ValueError("align_corners option can only be set with the interpolating modes: "
                         "linear | bilinear | bicubic | trilinear")
    else:
        align = False
    nd = input.ndim - 2
    if nd not in (1, 2, 3):
        raise NotImplementedError(f"Input Error: Only 3D, 4D and 5D input Tensors supported "
                                  f"(got {input.ndim}D) for the modes: nearest | linear | "
                                  f"bilinear | bicubic | trilinear | area | nearest-exact "
                                  f"(got {mode})")
    if mode in _LINEAR and _LINEAR[mode] != nd:
        raise NotImplementedError(f"Got {input.ndim}D input, but {mode} mode needs "
                                  f"{_LINEAR[mode] + 2}D input")
    if input._data.dtype.kind != "f" and mode != "nearest" and mode != "nearest-exact":
        raise TypeError(f"interpolate(): expected a floating point input for mode {mode!r}, "
                        f"got dtype {input._data.dtype}")
    if (size is None) == (scale_factor is None):
        raise ValueError("only one of size or scale_factor should be defined" if size is not None
                         else "either size or scale_factor should be defined")
    spatial = tuple(input.shape[2:])
    if size is not None:
        out = tuple(int(s) for s in _tuple(size, nd, "output size"))
        scales: tuple = (None,) * nd
    else:
        sf = tuple(float(s) for s in _tuple(scale_factor, nd, "scale_factor"))
        if any(not math.isfinite(s) or s <= 0 for s in sf):
            raise ValueError(f"interpolate: scale_factor must be positive and finite, got "
                             f"{scale_factor}")
        out = tuple(math.floor(float(n) * s) for n, s in zip(spatial, sf))
        scales = (None,) * nd if recompute_scale_factor else sf
    if any(o <= 0 for o in out):
        raise ValueError(f"interpolate: the output size {out} must be positive (input spatial "
                         f"size {spatial})")
    if mode == "area":
        if nd == 1:
            return adaptive_avg_pool1d(input, out[0])
        if nd == 2:
            return adaptive_avg_pool2d(input, out)
        raise NotImplementedError("interpolate: mode='area' is implemented for 3D and 4D input "
                                  "only (chaingrad has no adaptive_avg_pool3d)")
    x = input
    for k in range(nd):
        dim = 2 + k
        n_in, n_out = spatial[k], out[k]
        if mode in ("nearest", "nearest-exact"):
            idx = _nearest_index(n_in, n_out, scales[k], mode == "nearest-exact")
            x = x.index_select(dim, Tensor._from_array(idx))
            continue
        i0, i1, w0, w1 = _linear_weights(n_in, n_out, scales[k], align, x._data.dtype)
        bshape = [1] * x.ndim
        bshape[dim] = n_out
        a = x.index_select(dim, Tensor._from_array(i0))
        b = x.index_select(dim, Tensor._from_array(i1))
        x = a * const(w0.reshape(bshape), x) + b * const(w1.reshape(bshape), x)
    return x


def upsample(input: Tensor, size: int | Sequence[int] | None = None,
             scale_factor: float | Sequence[float] | None = None, mode: str = "nearest",
             align_corners: bool | None = None) -> Tensor:
    """Deprecated spelling of ``interpolate``."""
    warnings.warn("nn.functional.upsample is deprecated. Use nn.functional.interpolate "
                  "instead.", stacklevel=2)
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input: Tensor, size: int | Sequence[int] | None = None,
                     scale_factor: float | Sequence[float] | None = None) -> Tensor:
    """Deprecated: ``interpolate(..., mode='nearest')``."""
    warnings.warn("nn.functional.upsample_nearest is deprecated. Use "
                  "nn.functional.interpolate instead.", stacklevel=2)
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input: Tensor, size: int | Sequence[int] | None = None,
                      scale_factor: float | Sequence[float] | None = None) -> Tensor:
    """Deprecated: ``interpolate(..., mode='bilinear', align_corners=True)``."""
    warnings.warn("nn.functional.upsample_bilinear is deprecated. Use "
                  "nn.functional.interpolate instead.", stacklevel=2)
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)
