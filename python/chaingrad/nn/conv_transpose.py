"""``ConvTranspose1d`` and ``ConvTranspose2d`` over ``nn.functional.conv_transpose*``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..dtypes import get_default_dtype
from ..tensor import Tensor
from . import functional as F
from ._checks import check_device, check_input
from .conv import _ConvNd
from .functional._utils import pair
from .module import Module
from .parameter import Parameter

__all__ = ["ConvTranspose1d", "ConvTranspose2d"]


class _ConvTransposeNd(Module):
    _nd = 2

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1,
                 padding: Any = 0, output_padding: Any = 0, groups: int = 1, bias: bool = True,
                 dilation: Any = 1, padding_mode: str = "zeros", device: Any = None,
                 dtype: Any = None) -> None:
        check_device(device)
        super().__init__()
        n = self._nd
        if groups <= 0:
            raise ValueError("groups must be a positive integer")
        if in_channels % groups != 0:
            raise ValueError("in_channels must be divisible by groups")
        if out_channels % groups != 0:
            raise ValueError("out_channels must be divisible by groups")
        if padding_mode != "zeros":
            raise ValueError(f'Only "zeros" padding mode is supported for '
                             f"{type(self).__name__}")
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size = pair(kernel_size, n, "kernel_size")
        self.stride = pair(stride, n, "stride")
        self.padding = pair(padding, n, "padding")
        self.output_padding = pair(output_padding, n, "output_padding")
        self.dilation = pair(dilation, n, "dilation")
        self.groups, self.padding_mode = groups, padding_mode
        self.transposed = True
        w = np.empty((in_channels, out_channels // groups) + self.kernel_size,
                     dtype=dtype or get_default_dtype())
        self.weight = Parameter(Tensor._from_array(w))
        if bias:
            self.bias = Parameter(Tensor._from_array(np.empty(out_channels, dtype=w.dtype)))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    # torch's default init, the convolution's: fan_in comes from the weight's dim 1, which for
    # a transposed convolution is out_channels / groups.
    reset_parameters = _ConvNd.reset_parameters

    def _output_padding(self, input: Tensor, output_size: Sequence[int] | None
                        ) -> tuple[int, ...]:
        if output_size is None:
            return self.output_padding
        n = self._nd
        size = [int(s) for s in output_size]
        if len(size) not in (n, n + 1, n + 2):
            raise ValueError(f"ConvTranspose{n}D: for {input.ndim}D input, output_size must "
                             f"have {n} or {n + 2} elements (got {len(size)})")
        size = size[-n:]
        out = []
        for k in range(n):
            dim = input.shape[input.ndim - n + k]
            lo = ((dim - 1) * self.stride[k] - 2 * self.padding[k]
                  + self.dilation[k] * (self.kernel_size[k] - 1) + 1)
            hi = lo + self.stride[k] - 1
            if not lo <= size[k] <= hi:
                raise ValueError(f"requested an output size of {size}, but valid sizes range "
                                 f"from {lo} to {hi} (for an input of "
                                 f"{list(input.shape[-n:])})")
            out.append(size[k] - lo)
        return tuple(out)

    def _check(self, x: Any) -> Tensor:
        check_input(self, x, self.weight.dtype)
        n = self._nd
        spatial = "L" if n == 1 else "H, W"
        if x.ndim not in (n + 1, n + 2) or x.shape[-n - 1] != self.in_channels:
            c = self.in_channels
            raise RuntimeError(f"{self._layer()}: expected input of shape (N, {c}, {spatial}) "
                               f"or ({c}, {spatial}), got shape {tuple(x.shape)}")
        return x

    # torch's convolution repr, which also prints output_padding when set
    extra_repr = _ConvNd.extra_repr


class ConvTranspose1d(_ConvTransposeNd):
    """Transposed 1-D convolution over (N, C_in, L); weight (C_in, C_out/groups, k)."""

    _nd = 1

    def forward(self, input: Tensor, output_size: Sequence[int] | None = None) -> Tensor:
        x = self._check(input)
        return F.conv_transpose1d(x, self.weight, self.bias, self.stride, self.padding,
                                  self._output_padding(x, output_size), self.groups,
                                  self.dilation)


class ConvTranspose2d(_ConvTransposeNd):
    """Transposed 2-D convolution over (N, C_in, H, W); weight (C_in, C_out/groups, kh, kw)."""

    _nd = 2

    def forward(self, input: Tensor, output_size: Sequence[int] | None = None) -> Tensor:
        x = self._check(input)
        return F.conv_transpose2d(x, self.weight, self.bias, self.stride, self.padding,
                                  self._output_padding(x, output_size), self.groups,
                                  self.dilation)
