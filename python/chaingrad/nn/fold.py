"""``Unfold`` and ``Fold`` over ``nn.functional.unfold``/``fold``."""

from __future__ import annotations

from collections.abc import Sequence

from ..tensor import Tensor
from . import functional as F
from .module import Module

__all__ = ["Unfold", "Fold"]

_Size = int | Sequence[int]


class Unfold(Module):
    """Extract sliding blocks: (N, C, H, W) -> (N, C * kh * kw, L)."""

    def __init__(self, kernel_size: _Size, dilation: _Size = 1, padding: _Size = 0,
                 stride: _Size = 1) -> None:
        super().__init__()
        self.kernel_size, self.dilation = kernel_size, dilation
        self.padding, self.stride = padding, stride

    def forward(self, input: Tensor) -> Tensor:
        return F.unfold(input, self.kernel_size, self.dilation, self.padding, self.stride)

    def extra_repr(self) -> str:
        return ("kernel_size={kernel_size}, dilation={dilation}, padding={padding}, "
                "stride={stride}".format(**self.__dict__))


class Fold(Module):
    """Sum sliding blocks back into an image: (N, C * kh * kw, L) -> (N, C, H, W)."""

    def __init__(self, output_size: _Size, kernel_size: _Size, dilation: _Size = 1,
                 padding: _Size = 0, stride: _Size = 1) -> None:
        super().__init__()
        self.output_size, self.kernel_size = output_size, kernel_size
        self.dilation, self.padding, self.stride = dilation, padding, stride

    def forward(self, input: Tensor) -> Tensor:
        return F.fold(input, self.output_size, self.kernel_size, self.dilation, self.padding,
                      self.stride)

    def extra_repr(self) -> str:
        return ("output_size={output_size}, kernel_size={kernel_size}, dilation={dilation}, "
                "padding={padding}, stride={stride}".format(**self.__dict__))
