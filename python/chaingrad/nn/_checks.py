"""Input validation shared by the layers: errors name the layer and both shapes.

Shape and dtype mismatches raise ``RuntimeError`` (torch's choice); a non-Tensor ``TypeError``.
"""

from __future__ import annotations

from typing import Any

from ..tensor import Tensor
from .module import Module


def check_input(layer: Module, x: Any, dtype: Any = None) -> Tensor:
    """``x`` must be a floating Tensor, of ``dtype`` when given (the layer's weights)."""
    if not isinstance(x, Tensor):
        raise TypeError(f"{layer._layer()}: expected a chaingrad Tensor as input, got "
                        f"{type(x).__name__}")
    if x._data.dtype.kind != "f":
        raise RuntimeError(f"{layer._layer()}: expected a floating point input, got dtype "
                        f"{x._data.dtype} (cast with .float())")
    if dtype is not None and x._data.dtype != dtype:
        raise RuntimeError(f"{layer._layer()}: input dtype {x._data.dtype} does not match the "
                        f"layer's parameters ({dtype}); cast the input or call "
                        f"model.to({dtype})")
    return x


def check_ndim(layer: Module, x: Tensor, allowed: tuple[int, ...], what: str) -> None:
    if x.ndim not in allowed:
        raise RuntimeError(f"{layer._layer()}: expected {what} input, got shape "
                         f"{tuple(x.shape)}")


def check_device(device: Any) -> None:
    """A layer's ``device`` argument: chaingrad's only device is the CPU (None, "cpu",
    ``chaingrad.device("cpu")``); any other raises."""
    if device is None:
        return
    name = device if isinstance(device, str) else str(getattr(device, "type", device))
    if name.split(":")[0] != "cpu":
        raise RuntimeError(f"chaingrad runs on the CPU only; got device {name!r}")
