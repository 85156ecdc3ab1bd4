"""Dropout (Srivastava et al., 2014): zero each element with probability p in training."""

from __future__ import annotations

import numpy as np

from ...creation import default_generator
from ...tensor import Tensor
from ._utils import check_float, const

__all__ = ["dropout", "dropout1d", "dropout2d"]


def _check_p(p: float) -> float:
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    return float(p)


def _apply_mask(input: Tensor, keep: np.ndarray, p: float, inplace: bool) -> Tensor:
    # Survivors are scaled by 1/(1-p) so the expected activation is unchanged ("inverted"
    # dropout): eval mode is then the identity.
    scale = 0.0 if p == 1.0 else 1.0 / (1.0 - p)
    mask = const(keep * scale, input)
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
    keep = default_generator().random(input._data.shape) >= p
    return _apply_mask(input, keep, p, inplace)


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
    keep = default_generator().random(shape) >= p
    return _apply_mask(input, keep, p, inplace)


def dropout1d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False
              ) -> Tensor:
    """Zero whole channels of (N, C, L) input."""
    return _channel_dropout(input, p, training, inplace, 3, "dropout1d")


def dropout2d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False
              ) -> Tensor:
    """Zero whole channels (feature maps) of (N, C, H, W) input."""
    return _channel_dropout(input, p, training, inplace, 4, "dropout2d")
