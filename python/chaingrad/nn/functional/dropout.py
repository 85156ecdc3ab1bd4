"""Dropout (Srivastava et al., 2014): zero each element with probability p in training."""

from __future__ import annotations

import numpy as np

from ... import _distributions as D
from ..._generator import default_generator
from ...tensor import Tensor
from ._utils import check_float, const

__all__ = ["dropout", "dropout1d", "dropout2d"]


def _check_p(p: float) -> float:
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    return float(p)


def _keep(shape: tuple, p: float, dtype: np.dtype) -> np.ndarray:
    """torch's noise: ``empty(shape).bernoulli_(1 - p).div_(1 - p)`` in the input's dtype."""
    n = int(np.prod(shape, dtype=np.int64))
    noise = D.bernoulli_scalar(default_generator, n, 1.0 - p, dtype).reshape(shape)
    return noise / dtype.type(1.0 - p)


def _apply_mask(input: Tensor, noise: np.ndarray, p: float, inplace: bool) -> Tensor:
    # Survivors are scaled by 1/(1-p) so the expected activation is unchanged ("inverted"
    # dropout): eval mode is then the identity. Same draws as torch's bernoulli_(1 - p).
    mask = const(noise, input)
    if inplace and not input.requires_grad:
        input._data *= mask._data
        input._bump_version()
        return input
    return input * mask


def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False
            ) -> Tensor:
    """Zero elements with probability ``p`` and scale the rest by 1/(1-p); identity in eval."""
    check_float(input, "dropout")
    p = _check_p(p)
    if not training or p == 0.0:
        return input
    if p == 1.0:
        return _apply_mask(input, np.zeros(input._data.shape, input._data.dtype), p, inplace)
    return _apply_mask(input, _keep(input._data.shape, p, input._data.dtype), p, inplace)


def _channel_dropout(input: Tensor, p: float, training: bool, inplace: bool, batched_ndim: int,
                     fn: str) -> Tensor:
    check_float(input, fn)
    p = _check_p(p)
    if input.ndim not in (batched_ndim - 1, batched_ndim):
        raise RuntimeError(f"{fn}: expected {batched_ndim - 1}D or {batched_ndim}D input, got "
                           f"shape {tuple(input.shape)}")
    if not training or p == 0.0:
        return input
    lead = input.ndim - (batched_ndim - 2)
    shape = tuple(input.shape[:lead]) + (1,) * (input.ndim - lead)
    if p == 1.0:
        return _apply_mask(input, np.zeros(shape, input._data.dtype), p, inplace)
    return _apply_mask(input, _keep(shape, p, input._data.dtype), p, inplace)


def dropout1d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False
              ) -> Tensor:
    """Zero whole channels of (N, C, L) input."""
    return _channel_dropout(input, p, training, inplace, 3, "dropout1d")


def dropout2d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False
              ) -> Tensor:
    """Zero whole channels (feature maps) of (N, C, H, W) input."""
    return _channel_dropout(input, p, training, inplace, 4, "dropout2d")
