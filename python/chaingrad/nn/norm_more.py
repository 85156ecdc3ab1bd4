"""``GroupNorm``, ``InstanceNorm1d/2d/3d`` and ``RMSNorm``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..tensor import Tensor
from . import functional as F
from ._checks import check_device, check_input
from .normalization import _AffineNorm, _BatchNorm

__all__ = ["GroupNorm", "InstanceNorm1d", "InstanceNorm2d", "InstanceNorm3d", "RMSNorm"]


class GroupNorm(_AffineNorm):
    """Normalise each sample over groups of ``num_channels // num_groups`` channels (and the
    spatial dims), then scale/shift per channel (weight ones, bias zeros)."""

    def __init__(self, num_groups: int, num_channels: int, eps: float = 1e-5,
                 affine: bool = True, device: Any = None, dtype: Any = None, *,
                 bias: bool = True) -> None:
        check_device(device)
        super().__init__()
        if num_groups <= 0 or num_channels % num_groups:
            raise ValueError("num_channels must be divisible by num_groups")
        self.num_groups, self.num_channels = num_groups, num_channels
        self.eps, self.affine = eps, affine
        self._init_affine(affine, (num_channels,), dtype, bias)

    def forward(self, input: Tensor) -> Tensor:
        check_input(self, input, self.weight.dtype if self.weight is not None else None)
        if input.ndim < 2 or input.shape[1] != self.num_channels:
            raise RuntimeError(f"{self._layer()}: expected input (N, {self.num_channels}, *), "
                               f"got shape {tuple(input.shape)}")
        return F.group_norm(input, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return f"{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}"


class _InstanceNorm(_BatchNorm):
    """Parameters, running-stat buffers and their resets are BatchNorm's (torch's _NormBase);
    only the defaults (no affine, no running stats) and the normalisation differ."""

    _dim = 0

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float = 0.1,
                 affine: bool = False, track_running_stats: bool = False,
                 device: Any = None, dtype: Any = None, *, bias: bool = True) -> None:
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device,
                         dtype, bias=bias)

    def forward(self, input: Tensor) -> Tensor:
        check_input(self, input, self.weight.dtype if self.weight is not None else None)
        d = self._dim
        if input.ndim not in (d + 1, d + 2):
            raise ValueError(f"expected {d + 1}D or {d + 2}D input (got {input.ndim}D input)")
        unbatched = input.ndim == d + 1
        if input.shape[-d - 1] != self.num_features and self.affine:
            raise ValueError(f"expected input's size at dim={input.ndim - d - 1} to match "
                             f"num_features ({self.num_features}), but got: "
                             f"{input.shape[-d - 1]}.")
        x = input.unsqueeze(0) if unbatched else input
        out = F.instance_norm(x, self.running_mean, self.running_var, self.weight, self.bias,
                              self.training or not self.track_running_stats,
                              self.momentum if self.momentum is not None else 0.0, self.eps)
        return out.squeeze(0) if unbatched else out

    def extra_repr(self) -> str:
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
                f"affine={self.affine}, track_running_stats={self.track_running_stats}")


class InstanceNorm1d(_InstanceNorm):
    """Instance norm over (N, C, L) or unbatched (C, L) input: statistics over L."""

    _dim = 1


class InstanceNorm2d(_InstanceNorm):
    """Instance norm over (N, C, H, W) or unbatched (C, H, W): statistics over H and W."""

    _dim = 2


class InstanceNorm3d(_InstanceNorm):
    """Instance norm over (N, C, D, H, W) or unbatched (C, D, H, W)."""

    _dim = 3


class RMSNorm(_AffineNorm):
    """``x / sqrt(mean(x**2) + eps) * weight`` over the trailing ``normalized_shape`` dims."""

    def __init__(self, normalized_shape: int | Sequence[int], eps: float | None = None,
                 elementwise_affine: bool = True, device: Any = None,
                 dtype: Any = None) -> None:
        check_device(device)
        super().__init__()
        shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(
            normalized_shape)
        self.normalized_shape = shape
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        self._init_affine(elementwise_affine, shape, dtype, None)

    def forward(self, x: Tensor) -> Tensor:
        check_input(self, x, self.weight.dtype if self.weight is not None else None)
        return F.rms_norm(x, self.normalized_shape, self.weight, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.normalized_shape}, eps={self.eps}, "
                f"elementwise_affine={self.elementwise_affine}")
