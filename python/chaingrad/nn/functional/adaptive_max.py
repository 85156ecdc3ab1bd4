"""Adaptive max pooling (1-D and 2-D): torch's bins [floor(i * in / out), ceil((i + 1) * in /
out)), the first maximum of each bin (row-major scan, as torch's kernel), and flat indices into
L or H * W. The values are a ``gather`` of the input, so the gradient goes to that element."""

from __future__ import annotations

from typing import Any

import numpy as np

from ...tensor import Tensor
from ._utils import check_float

__all__ = ["adaptive_max_pool1d", "adaptive_max_pool2d", "adaptive_max_pool1d_with_indices",
           "adaptive_max_pool2d_with_indices"]


def _bins(n_in: int, n_out: int) -> list[np.ndarray]:
    i = np.arange(n_out)
    start = (i * n_in) // n_out
    end = -((-(i + 1) * n_in) // n_out)
    return [np.arange(a, b) for a, b in zip(start, end)]


def _pool(x: Tensor, windows: list[np.ndarray], out_shape: tuple[int, ...]
          ) -> tuple[Tensor, Tensor]:
    """x: (N, C, S) flat spatial; windows: per output cell, the flat indices it covers."""
    width = max(len(w) for w in windows)
    table = np.stack([np.concatenate([w, np.full(width - len(w), w[0])]) for w in windows])
    d = x._data
    vals = d[:, :, table]  # (N, C, cells, width)
    pick = np.argmax(np.where(np.isnan(vals), np.inf, vals), axis=-1)
    nan_first = np.isnan(vals).any(-1)
    if nan_first.any():  # torch propagates NaN: the first NaN of the bin is the max
        pick = np.where(nan_first, np.argmax(np.isnan(vals), axis=-1), pick)
    idx = np.take_along_axis(np.broadcast_to(table, vals.shape), pick[..., None], -1)[..., 0]
    out = x.gather(2, Tensor._from_array(idx))
    n, c = d.shape[:2]
    return (out.reshape(n, c, *out_shape),
            Tensor._from_array(idx.reshape(n, c, *out_shape).astype(np.int64)))


def _size(v: Any, n: int, default: tuple[int, ...], fn: str) -> tuple[int, ...]:
    t = (v,) * n if v is None or isinstance(v, (int, np.integer)) else tuple(v)
    if len(t) != n:
        raise ValueError(f"{fn}: output_size must be an int or a tuple of {n}, got {v}")
    out = tuple(d if s is None else int(s) for s, d in zip(t, default))
    if any(s <= 0 for s in out):
        raise RuntimeError(f"{fn}: elements of output_size must be greater than 0, got {v}")
    return out


def adaptive_max_pool2d_with_indices(input: Tensor, output_size: Any,
                                     return_indices: bool = False) -> tuple[Tensor, Tensor]:
    """(values, flat H*W indices) of the 2-D adaptive max pool."""
    check_float(input, "adaptive_max_pool2d")
    if input.ndim not in (3, 4) or 0 in input.shape[-2:]:
        raise RuntimeError(f"adaptive_max_pool2d: expected 3D or 4D input with non-zero spatial "
                           f"sizes, got input of shape {tuple(input.shape)}")
    batched = input.ndim == 4
    x = input if batched else input.unsqueeze(0)
    h, w = x.shape[2], x.shape[3]
    oh, ow = _size(output_size, 2, (h, w), "adaptive_max_pool2d")
    windows = [(r[:, None] * w + cc[None, :]).reshape(-1)
               for r in _bins(h, oh) for cc in _bins(w, ow)]
    out, idx = _pool(x.reshape(x.shape[0], x.shape[1], h * w), windows, (oh, ow))
    return (out, idx) if batched else (out.squeeze(0), idx.squeeze(0))


def adaptive_max_pool1d_with_indices(input: Tensor, output_size: Any,
                                     return_indices: bool = False) -> tuple[Tensor, Tensor]:
    """(values, indices into L) of the 1-D adaptive max pool."""
    check_float(input, "adaptive_max_pool1d")
    if input.ndim not in (2, 3) or input.shape[-1] == 0:
        raise RuntimeError(f"adaptive_max_pool1d: expected 2D or 3D input with a non-zero "
                           f"length, got input of shape {tuple(input.shape)}")
    batched = input.ndim == 3
    x = input if batched else input.unsqueeze(0)
    (ol,) = _size(output_size, 1, (x.shape[2],), "adaptive_max_pool1d")
    out, idx = _pool(x, _bins(x.shape[2], ol), (ol,))
    return (out, idx) if batched else (out.squeeze(0), idx.squeeze(0))


def adaptive_max_pool2d(input: Tensor, output_size: Any,
                        return_indices: bool = False) -> Tensor | tuple[Tensor, Tensor]:
    """Max over torch's adaptive bins; ``None`` in ``output_size`` keeps that size."""
    out, idx = adaptive_max_pool2d_with_indices(input, output_size)
    return (out, idx) if return_indices else out


def adaptive_max_pool1d(input: Tensor, output_size: Any,
                        return_indices: bool = False) -> Tensor | tuple[Tensor, Tensor]:
    """Max over torch's adaptive bins of the last dim."""
    out, idx = adaptive_max_pool1d_with_indices(input, output_size)
    return (out, idx) if return_indices else out
