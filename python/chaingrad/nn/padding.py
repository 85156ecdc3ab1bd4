"""Padding layers (``ZeroPad``, ``ConstantPad``, ``ReflectionPad``, ``ReplicationPad``,
``CircularPad`` in 1, 2 and 3 dims) over ``nn.functional.pad``."""

from __future__ import annotations

from collections.abc import Sequence

from ..tensor import Tensor
from . import functional as F
from .module import Module

__all__ = [f"{k}Pad{d}d" for k in ("Zero", "Constant", "Reflection", "Replication", "Circular")
           for d in (1, 2, 3)]


def _ntuple(padding: int | Sequence[int], n: int, name: str) -> tuple[int, ...]:
    if isinstance(padding, int):
        return (padding,) * (2 * n)
    out = tuple(int(p) for p in padding)
    if len(out) != 2 * n:
        raise ValueError(f"{name}: padding must be an int or a tuple of {2 * n} ints, got "
                         f"{tuple(padding)}")
    return out


class _PadNd(Module):
    _n = 1
    _mode = "constant"

    def __init__(self, padding: int | Sequence[int]) -> None:
        super().__init__()
        self.padding = _ntuple(padding, self._n, type(self).__name__)

    def forward(self, input: Tensor) -> Tensor:
        n = self._n
        if self._mode != "constant" and input.ndim not in (n + 1, n + 2):
            raise RuntimeError(f"{type(self).__name__}: expected {n + 1}D or {n + 2}D input, "
                               f"got shape {tuple(input.shape)}")
        if self._mode == "constant" and input.ndim < n:
            raise RuntimeError(f"{type(self).__name__}: expected at least {n}D input, got "
                               f"shape {tuple(input.shape)}")
        return F.pad(input, self.padding, self._mode)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class _ConstantPadNd(_PadNd):
    def __init__(self, padding: int | Sequence[int], value: float) -> None:
        super().__init__(padding)
        self.value = value

    def forward(self, input: Tensor) -> Tensor:
        if input.ndim < self._n:
            raise RuntimeError(f"{type(self).__name__}: expected at least {self._n}D input, "
                               f"got shape {tuple(input.shape)}")
        return F.pad(input, self.padding, "constant", self.value)

    def extra_repr(self) -> str:
        return f"padding={self.padding}, value={self.value}"


class ConstantPad1d(_ConstantPadNd):
    """Pad the last dim with ``value``: padding = (left, right) or an int."""

    _n = 1


class ConstantPad2d(_ConstantPadNd):
    """Pad the last two dims with ``value``: (left, right, top, bottom) or an int."""

    _n = 2


class ConstantPad3d(_ConstantPadNd):
    """Pad the last three dims with ``value``: (left, right, top, bottom, front, back)."""

    _n = 3


class _ZeroPadNd(_ConstantPadNd):
    def __init__(self, padding: int | Sequence[int]) -> None:
        super().__init__(padding, 0.0)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class ZeroPad1d(_ZeroPadNd):
    """Pad the last dim with zeros."""

    _n = 1


class ZeroPad2d(_ZeroPadNd):
    """Pad the last two dims with zeros."""

    _n = 2


class ZeroPad3d(_ZeroPadNd):
    """Pad the last three dims with zeros."""

    _n = 3


class ReflectionPad1d(_PadNd):
    """Reflect the last dim at its edges (the edge is not repeated)."""

    _n, _mode = 1, "reflect"


class ReflectionPad2d(_PadNd):
    """Reflect the last two dims at their edges."""

    _n, _mode = 2, "reflect"


class ReflectionPad3d(_PadNd):
    """Reflect the last three dims at their edges."""

    _n, _mode = 3, "reflect"


class ReplicationPad1d(_PadNd):
    """Repeat the edge values of the last dim."""

    _n, _mode = 1, "replicate"


class ReplicationPad2d(_PadNd):
    """Repeat the edge values of the last two dims."""

    _n, _mode = 2, "replicate"


class ReplicationPad3d(_PadNd):
    """Repeat the edge values of the last three dims."""

    _n, _mode = 3, "replicate"


class CircularPad1d(_PadNd):
    """Wrap the last dim around (periodic padding)."""

    _n, _mode = 1, "circular"


class CircularPad2d(_PadNd):
    """Wrap the last two dims around."""

    _n, _mode = 2, "circular"


class CircularPad3d(_PadNd):
    """Wrap the last three dims around."""

    _n, _mode = 3, "circular"
