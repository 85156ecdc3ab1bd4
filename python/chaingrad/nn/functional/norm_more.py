"""Group, instance and RMS normalisation.

Group and instance norm reuse layer/batch norm's ``_Normalize`` Function (NumPy forward,
differentiable Tensor-op backward) over the right dims; RMS norm is a few Tensor ops.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ...tensor import Tensor
from ._utils import check_float
from .normalization import _Normalize, _per_channel, _stats, _with_running_stats

__all__ = ["group_norm", "instance_norm", "rms_norm"]


def group_norm(input: Tensor, num_groups: int, weight: Tensor | None = None,
               bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:
    """Split the channels (dim 1) into ``num_groups`` groups and normalise each sample's group
    over its channels and spatial dims (Wu & He), then scale/shift per channel."""
    check_float(input, "group_norm")
    if input.ndim < 2:
        raise RuntimeError(f"group_norm: expected at least 2D input (N, C, ...), got shape "
                           f"{tuple(input.shape)}")
    n, c = input.shape[0], input.shape[1]
    if not isinstance(num_groups, int) or num_groups <= 0 or c % num_groups:
        raise RuntimeError(f"Expected number of channels in input to be divisible by "
                           f"num_groups, but got input of shape {list(input.shape)} and "
                           f"num_groups={num_groups}")
    for name, p in (("weight", weight), ("bias", bias)):
        if p is not None and tuple(p.shape) != (c,):
            raise RuntimeError(f"group_norm: expected {name} of shape [{c}] (the input's "
                               f"channels), got {list(p.shape)}")
    grouped = input.reshape(n, num_groups, -1)
    mean, var = _stats(grouped._data, (2,))
    out = _Normalize.apply(grouped, None, None, (2,), float(eps), mean, var)
    out = out.reshape(tuple(input.shape))
    bshape = (1, c) + (1,) * (input.ndim - 2)
    if weight is not None:
        out = out * weight.reshape(bshape)
    if bias is not None:
        out = out + bias.reshape(bshape)
    return out


def instance_norm(input: Tensor, running_mean: Tensor | None = None,
                  running_var: Tensor | None = None, weight: Tensor | None = None,
                  bias: Tensor | None = None, use_input_stats: bool = True,
                  momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Normalise each sample's each channel over its spatial dims (Ulyanov et al.).

    With ``use_input_stats`` the statistics are the input's own and the running ones (if
    given) move towards their batch average (unbiased variance), as in torch; otherwise the
    running statistics are used.
    """
    check_float(input, "instance_norm")
    if input.ndim < 3:
        raise ValueError(f"instance_norm: expected at least 3D input (N, C, *), got shape "
                         f"{tuple(input.shape)}")
    c, bshape, w, b = _per_channel("instance_norm", input, weight, bias, running_mean,
                                  running_var)
    if not use_input_stats:
        if running_mean is None or running_var is None:
            raise ValueError("Expected running_mean and running_var to be defined when "
                             "use_input_stats is false")
        return _with_running_stats(input, running_mean, running_var, w, b, bshape, eps)
    spatial = int(np.prod(input.shape[2:]))
    if spatial <= 1:
        raise ValueError(f"Expected more than 1 spatial element when training, got input size "
                         f"{list(input.shape)}")
    dims = tuple(range(2, input.ndim))
    mean, var = _stats(input._data, dims)
    if running_mean is not None and running_var is not None:
        m = float(momentum)
        rm, rv = running_mean._data, running_var._data
        rm *= 1 - m
        rm += m * mean.reshape(input.shape[0], c).mean(axis=0).astype(rm.dtype)
        rv *= 1 - m
        rv += (m * var.reshape(input.shape[0], c).mean(axis=0)
               * (spatial / (spatial - 1))).astype(rv.dtype)
        running_mean._bump_version()
        running_var._bump_version()
    return _Normalize.apply(input, w, b, dims, float(eps), mean, var)


def rms_norm(input: Tensor, normalized_shape: Sequence[int] | int,
             weight: Tensor | None = None, eps: float | None = None) -> Tensor:
    """``x / sqrt(mean(x**2) + eps) * weight`` over the trailing ``normalized_shape`` dims
    (Zhang & Sennrich); ``eps=None`` is the input dtype's machine epsilon, as in torch."""
    check_float(input, "rms_norm")
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    k = len(shape)
    if k == 0 or input.ndim < k or tuple(input.shape[input.ndim - k:]) != shape:
        raise RuntimeError(
            f"Given normalized_shape={list(shape)}, expected input with shape "
            f"[*, {', '.join(map(str, shape))}], but got input of size{list(input.shape)}")
    if weight is not None and tuple(weight.shape) != shape:
        raise RuntimeError(f"rms_norm: expected weight of shape {list(shape)}, got "
                           f"{list(weight.shape)}")
    if eps is None:
        eps = float(np.finfo(input._data.dtype).eps)
    dims = tuple(range(input.ndim - k, input.ndim))
    out = input * ((input * input).mean(dims, keepdim=True) + eps) ** -0.5
    if weight is not None:
        out = out * weight
    return out
