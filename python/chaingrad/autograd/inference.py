"""``inference_mode`` (torch's faster ``no_grad``) and ``Variable`` (torch's deprecated alias
of a tensor that may require grad)."""

from __future__ import annotations

import functools
import warnings
from typing import Any, Callable

from .. import grad_mode as _gm
from ..tensor import Tensor
from ._callbacks import ExecutionEngine

__all__ = ["inference_mode", "is_inference_mode_enabled", "Variable"]

_inference = [False]


def is_inference_mode_enabled() -> bool:
    """True inside ``inference_mode()`` (and not inside a nested ``inference_mode(False)``)."""
    return _inference[0]


class inference_mode:  # noqa: N801 - torch's name
    """Like ``no_grad`` (nothing is recorded for backward); also sets
    ``is_inference_mode_enabled()``. ``inference_mode(False)`` is a no-op block that only
    clears the flag, as in torch. A context manager or decorator, with or without
    parentheses. chaingrad does not mark the tensors made inside as inference tensors."""

    def __new__(cls, mode: Any = True) -> Any:
        if callable(mode) and not isinstance(mode, bool):  # bare @inference_mode
            return cls()(mode)
        return super().__new__(cls)

    def __init__(self, mode: bool = True) -> None:
        if not isinstance(mode, bool):
            raise TypeError(f"inference_mode(mode): mode must be a bool, got "
                            f"{type(mode).__name__}")
        self.mode = mode
        self._prev: list[tuple[bool, bool]] = []

    def __enter__(self) -> None:
        self._prev.append((_gm._enabled[0], _inference[0]))
        if self.mode:
            _gm._enabled[0] = False
        _inference[0] = self.mode

    def __exit__(self, *exc: object) -> None:
        _gm._enabled[0], _inference[0] = self._prev.pop()

    def __call__(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        mode = self.mode

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with inference_mode(mode):
                return fn(*args, **kwargs)

        return wrapper

    def clone(self) -> inference_mode:
        return type(self)(self.mode)


class _VariableMeta(type):
    def __instancecheck__(cls, other: Any) -> bool:
        return isinstance(other, Tensor)


class Variable(metaclass=_VariableMeta):
    """``Variable(t, requires_grad=False)``: torch's old wrapper, now a tensor sharing ``t``'s
    data (detached) with ``requires_grad`` set; ``isinstance(t, Variable)`` holds for every
    tensor, as in torch. ``Variable._execution_engine.queue_callback(fn)`` queues a final
    callback of the running backward pass."""

    _execution_engine = ExecutionEngine()

    def __new__(cls, data: Any, requires_grad: bool = False,  # type: ignore[misc]
                volatile: bool = False) -> Tensor:
        if not isinstance(data, Tensor):
            raise TypeError(f"Variable data has to be a tensor, but got {type(data).__name__}")
        if volatile:
            warnings.warn("volatile was removed and now has no effect. Use `with "
                          "torch.no_grad():` instead.", UserWarning, stacklevel=2)
        out = data.detach()
        if requires_grad:
            out.requires_grad_(True)
        return out
