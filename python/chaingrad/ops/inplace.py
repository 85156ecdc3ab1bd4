"""In-place ops: they bump the version counter so saved copies can be checked at backward."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import grad_mode as _gm
from ..tensor import Tensor


def _check_inplace(t: Tensor, op: str) -> None:
    if _gm._enabled[0] and t._requires_grad and t._grad_fn is None:
        raise RuntimeError(
            f"{op}: a leaf Variable that requires grad is being used in an in-place operation "
            "(wrap it in chaingrad.no_grad() to update parameters)"
        )
    if not t._data.flags.writeable:
        raise RuntimeError(f"{op}: this tensor's memory is read-only (an expanded view?)")


def fill_(t: Tensor, value: Any) -> Tensor:
    _check_inplace(t, "fill_")
    if t._grad_fn is not None and _gm._enabled[0]:
        raise RuntimeError("fill_: in-place ops on non-leaf tensors that require grad are not "
                           "supported yet; use an out-of-place op")
    t._data[...] = value
    t._bump_version()
    return t


def _apply_(t: Tensor, other: Any, ufunc: Any, op: str) -> Tensor:
    _check_inplace(t, op)
    if t._grad_fn is not None and _gm._enabled[0]:
        raise RuntimeError(f"{op}: in-place ops on non-leaf tensors that require grad are not "
                           "supported yet; use an out-of-place op")
    o = other._data if isinstance(other, Tensor) else other
    try:
        ufunc(t._data, o, out=t._data, casting="same_kind")
    except ValueError:
        shape = getattr(o, "shape", ())
        raise ValueError(
            f"{op}: operand of shape {tuple(shape)} cannot be broadcast to the tensor's shape "
            f"{tuple(t.shape)}"
        ) from None
    t._bump_version()
    return t


def add_(t: Tensor, other: Any, alpha: Any = 1) -> Tensor:
    if alpha != 1:
        other = (other._data if isinstance(other, Tensor) else np.asarray(other)) * alpha
    return _apply_(t, other, np.add, "add_")


def sub_(t: Tensor, other: Any, alpha: Any = 1) -> Tensor:
    if alpha != 1:
        other = (other._data if isinstance(other, Tensor) else np.asarray(other)) * alpha
    return _apply_(t, other, np.subtract, "sub_")


def mul_(t: Tensor, other: Any) -> Tensor:
    return _apply_(t, other, np.multiply, "mul_")


def div_(t: Tensor, other: Any) -> Tensor:
    return _apply_(t, other, np.true_divide, "div_")


def copy_(t: Tensor, src: Any) -> Tensor:
    _check_inplace(t, "copy_")
    s = src._data if isinstance(src, Tensor) else np.asarray(src)
    try:
        np.copyto(t._data, np.broadcast_to(s, t._data.shape), casting="unsafe")
    except ValueError:
        raise ValueError(
            f"copy_: source of shape {tuple(np.shape(s))} cannot be broadcast to "
            f"{tuple(t.shape)}"
        ) from None
    t._bump_version()
    return t
