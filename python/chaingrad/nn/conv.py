"""``Conv1d`` and ``Conv2d`` (stride, padding incl. 'same', dilation, groups, padding_mode)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..dtypes import get_default_dtype
from ..tensor import Tensor
from . import functional as F
from . import init
from ._checks import check_device, check_input
from .functional._utils import pair
from .module import Module
from .parameter import Parameter

__all__ = ["Conv1d", "Conv2d"]

_PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


class _ConvNd(Module):
    _nd = 2

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1,
                 padding: Any = 0, dilation: Any = 1, groups: int = 1, bias: bool = True,
                 padding_mode: str = "zeros", device: Any = None, dtype: Any = None) -> None:
        check_device(device)
        super().__init__()
        n = self._nd
        if groups <= 0:
            raise ValueError("groups must be a positive integer")
        if in_channels % groups != 0:
            raise ValueError("in_channels must be divisible by groups")
        if out_channels % groups != 0:
            raise ValueError("out_channels must be divisible by groups")
        if padding_mode not in _PADDING_MODES:
            raise ValueError(f"padding_mode must be one of {list(_PADDING_MODES)}, but got "
                             f"padding_mode='{padding_mode}'")
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size = pair(kernel_size, n, "kernel_size")
        self.stride = pair(stride, n, "stride")
        self.dilation = pair(dilation, n, "dilation")
        if isinstance(padding, str):
            if padding not in ("same", "valid"):
                raise ValueError(f"Invalid padding string '{padding}', should be one of "
                                 "['valid', 'same']")
            if padding == "same" and any(s != 1 for s in self.stride):
                raise ValueError("padding='same' is not supported for strided convolutions")
            self.padding: Any = padding
        else:
            self.padding = pair(padding, n, "padding")
        self.groups = groups
        self.padding_mode = padding_mode
        w = np.empty((out_channels, in_channels // groups) + self.kernel_size,
                     dtype=dtype or get_default_dtype())
        self.weight = Parameter(Tensor._from_array(w))
        if bias:
            self.bias = Parameter(Tensor._from_array(np.empty(out_channels, dtype=w.dtype)))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        # torch's default: kaiming_uniform(a=sqrt(5)) == U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            if fan_in != 0:
                bound = 1 / math.sqrt(fan_in)
                init.uniform_(self.bias, -bound, bound)

    def _check(self, x: Any) -> Tensor:
        check_input(self, x, self.weight.dtype)
        n = self._nd
        spatial = "L" if n == 1 else "H, W"
        if x.ndim not in (n + 1, n + 2) or x.shape[-n - 1] != self.in_channels:
            c = self.in_channels
            raise RuntimeError(
                f"{self._layer()}: expected input of shape (N, {c}, {spatial}) or "
                f"({c}, {spatial}), got shape {tuple(x.shape)}"
            )
        return x

    def _explicit_pad(self, x: Tensor) -> Tensor:
        """Non-zero padding modes pad with F.pad first, then convolve without padding."""
        if isinstance(self.padding, str):
            pads: list[int] = []
            for k, d in zip(self.kernel_size, self.dilation):
                total = d * (k - 1)
                pads = [total // 2, total - total // 2] + pads if self.padding == "same" \
                    else [0, 0] + pads
        else:
            pads = [v for p in reversed(self.padding) for v in (p, p)]
        mode = {"reflect": "reflect", "replicate": "replicate", "circular": "circular"}
        return F.pad(x, pads, mode[self.padding_mode])

    def extra_repr(self) -> str:
        n = self._nd
        s = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
             f"stride={self.stride}")
        if self.padding != (0,) * n:
            s += f", padding={self.padding}"
        if self.dilation != (1,) * n:
            s += f", dilation={self.dilation}"
        output_padding = getattr(self, "output_padding", (0,) * n)  # transposed convolutions
        if output_padding != (0,) * n:
            s += f", output_padding={output_padding}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += f", padding_mode={self.padding_mode}"
        return s


class Conv1d(_ConvNd):
    """1-D convolution over (N, C_in, L) input; weight (C_out, C_in/groups, k)."""

    _nd = 1

    def forward(self, input: Tensor) -> Tensor:
        x = self._check(input)
        if self.padding_mode != "zeros":
            return F.conv1d(self._explicit_pad(x), self.weight, self.bias, self.stride, 0,
                            self.dilation, self.groups)
        return F.conv1d(x, self.weight, self.bias, self.stride, self.padding, self.dilation,
                        self.groups)


class Conv2d(_ConvNd):
    """2-D convolution over (N, C_in, H, W) input; weight (C_out, C_in/groups, kh, kw).

    Computed as im2col + one matrix product per group (see ``functional/conv.py``).
    """

    _nd = 2

    def forward(self, input: Tensor) -> Tensor:
        x = self._check(input)
        if self.padding_mode != "zeros":
            return F.conv2d(self._explicit_pad(x), self.weight, self.bias, self.stride, 0,
                            self.dilation, self.groups)
        return F.conv2d(x, self.weight, self.bias, self.stride, self.padding, self.dilation,
                        self.groups)
