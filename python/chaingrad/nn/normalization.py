"""``LayerNorm`` and ``BatchNorm1d``/``BatchNorm2d`` (running statistics, momentum)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..dtypes import get_default_dtype
from ..tensor import Tensor
from . import functional as F
from . import init
from ._checks import check_device, check_input
from .module import Module
from .parameter import Parameter

__all__ = ["LayerNorm", "BatchNorm1d", "BatchNorm2d"]


class _AffineNorm(Module):
    """A normalisation layer's optional elementwise scale (ones) and shift (zeros)."""

    def _init_affine(self, on: bool, shape: tuple[int, ...], dtype: Any,
                     bias: bool | None) -> None:
        """Register ``weight`` and ``bias`` (``None`` when off), in torch's order;
        ``bias=None``: the layer has no shift at all (RMSNorm)."""
        dt = dtype or get_default_dtype()
        if on:
            self.weight = Parameter(Tensor._from_array(np.ones(shape, dtype=dt)))
        else:
            self.register_parameter("weight", None)
        if bias is not None:
            if on and bias:
                self.bias = Parameter(Tensor._from_array(np.zeros(shape, dtype=dt)))
            else:
                self.register_parameter("bias", None)

    def reset_parameters(self) -> None:
        if self.weight is not None:
            init.ones_(self.weight)
        if getattr(self, "bias", None) is not None:
            init.zeros_(self.bias)


class LayerNorm(_AffineNorm):
    """Normalise each sample over its trailing ``normalized_shape`` dims, then scale/shift
    elementwise (weight ones, bias zeros)."""

    def __init__(self, normalized_shape: int | Sequence[int], eps: float = 1e-5,
                 elementwise_affine: bool = True, bias: bool = True,
                 device: Any = None, dtype: Any = None) -> None:
        check_device(device)
        super().__init__()
        shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(
            normalized_shape)
        self.normalized_shape = shape
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        self._init_affine(elementwise_affine, shape, dtype, bias)

    def forward(self, input: Tensor) -> Tensor:
        check_input(self, input, self.weight.dtype if self.weight is not None else None)
        k = len(self.normalized_shape)
        if input.ndim < k or tuple(input.shape[input.ndim - k:]) != self.normalized_shape:
            raise RuntimeError(
                f"{self._layer()}: expected input with shape [*, "
                f"{', '.join(map(str, self.normalized_shape))}], got shape {tuple(input.shape)}"
            )
        return F.layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.normalized_shape}, eps={self.eps}, "
                f"elementwise_affine={self.elementwise_affine}, bias={self.bias is not None}")


class _BatchNorm(_AffineNorm):
    _ndims: tuple[int, ...] = ()
    _what = ""

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1,
                 affine: bool = True, track_running_stats: bool = True,
                 device: Any = None, dtype: Any = None, *,
                 bias: bool = True) -> None:
        check_device(device)
        super().__init__()
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.affine, self.track_running_stats = affine, track_running_stats
        dt = dtype or get_default_dtype()
        self._init_affine(affine, (num_features,), dtype, bias)
        if track_running_stats:
            self.register_buffer("running_mean",
                                 Tensor._from_array(np.zeros(num_features, dtype=dt)))
            self.register_buffer("running_var", Tensor._from_array(np.ones(num_features,
                                                                           dtype=dt)))
            self.register_buffer("num_batches_tracked",
                                 Tensor._from_array(np.zeros((), dtype=np.int64)))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)

    def reset_running_stats(self) -> None:
        if self.track_running_stats:
            self.running_mean._data[...] = 0
            self.running_var._data[...] = 1
            self.num_batches_tracked._data[...] = 0
            for b in (self.running_mean, self.running_var, self.num_batches_tracked):
                b._bump_version()

    def reset_parameters(self) -> None:
        self.reset_running_stats()
        super().reset_parameters()

    def _check_batch(self, input: Tensor, min_values: int = 2) -> None:
        dtype = self.weight.dtype if self.weight is not None else None
        check_input(self, input, dtype)
        if input.ndim not in self._ndims or input.shape[1] != self.num_features:
            raise RuntimeError(f"{self._layer()}: expected {self._what} input with "
                               f"{self.num_features} channels (dim 1), got shape "
                               f"{tuple(input.shape)}")
        if self.training and input.numel() // max(self.num_features, 1) < min_values:
            # Checked here, before num_batches_tracked moves, so a bad batch changes nothing.
            raise ValueError(f"{self._layer()}: Expected more than 1 value per channel when "
                             f"training, got input size {list(input.shape)}")

    def _momentum_factor(self) -> float:
        """The running statistics' update weight for this forward (counts the batch)."""
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats:
            self.num_batches_tracked._data += 1
            self.num_batches_tracked._bump_version()
            if self.momentum is None:
                # Cumulative moving average over all batches seen so far.
                factor = 1.0 / float(self.num_batches_tracked._data)
        return factor

    def forward(self, input: Tensor) -> Tensor:
        self._check_batch(input)
        factor = self._momentum_factor()
        # Batch statistics in training, and also in eval when no running stats are tracked.
        use_batch = self.training or self.running_mean is None
        update = self.training and self.track_running_stats
        return F.batch_norm(input, self.running_mean if (update or not use_batch) else None,
                            self.running_var if (update or not use_batch) else None,
                            self.weight, self.bias, use_batch, factor, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
                f"affine={self.affine}, bias={self.bias is not None}, "
                f"track_running_stats={self.track_running_stats}")


class BatchNorm1d(_BatchNorm):
    """Batch norm over (N, C) or (N, C, L) input: per-channel statistics over the batch
    (and length). Training uses batch statistics and updates the running ones; eval uses the
    running ones."""

    _ndims = (2, 3)
    _what = "2D (N, C) or 3D (N, C, L)"


class BatchNorm2d(_BatchNorm):
    """Batch norm over (N, C, H, W) input: per-channel statistics over N, H and W."""

    _ndims = (4,)
    _what = "4D (N, C, H, W)"
