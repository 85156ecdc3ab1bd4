"""Grad mode: ``no_grad``, ``enable_grad``, ``set_grad_enabled`` (PyTorch semantics).

Grad mode is per thread, as in torch: a ``no_grad`` block in one thread does not change
recording in another, and a new thread starts with grad mode on.
"""

from __future__ import annotations

import functools
import threading
from typing import Any, Callable, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


class _ThreadLocalCell:
    """Pure-Python stand-in for ``_core.grad_mode`` when the C++ core is not built: index 0 is
    this thread's mode (slower, but the same semantics)."""

    def __init__(self) -> None:
        self._local = threading.local()

    def __len__(self) -> int:
        return 1

    def __getitem__(self, i: int) -> bool:
        if i not in (0, -1):
            raise IndexError("grad mode cell index out of range")
        return getattr(self._local, "on", True)

    def __setitem__(self, i: int, value: object) -> None:
        if i not in (0, -1):
            raise IndexError("grad mode cell index out of range")
        self._local.on = bool(value)


# This thread's grad mode is `_enabled[0]` (read and set it like a one-element list). It is the
# C++ core's thread_local flag, which the native forward fast paths read directly; the ops read
# `_gm._enabled[0]` once per call.
try:
    from ._core import grad_mode as _enabled
except ImportError:  # no C++ core: the reference engine only
    _enabled = _ThreadLocalCell()


def is_grad_enabled() -> bool:
    return _enabled[0]


class _GradModeContext:
    """Base for the grad-mode context managers; also usable as a decorator, like torch."""

    _mode: bool = True

    def __init__(self) -> None:
        self._prev: list[bool] = []

    def __enter__(self) -> None:
        self._prev.append(_enabled[0])
        _enabled[0] = self._mode

    def __exit__(self, *exc: object) -> None:
        _enabled[0] = self._prev.pop()

    def __call__(self, fn: F) -> F:
        mode = self._mode

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            prev = _enabled[0]
            _enabled[0] = mode
            try:
                return fn(*args, **kwargs)
            finally:
                _enabled[0] = prev

        return wrapper  # type: ignore[return-value]


class no_grad(_GradModeContext):
    """Disable graph recording inside the block (or the decorated function)."""

    _mode = False


class enable_grad(_GradModeContext):
    """Enable graph recording inside the block, e.g. within ``no_grad``."""

    _mode = True


class set_grad_enabled(_GradModeContext):
    """``set_grad_enabled(False)`` as a context manager, or called bare to set the mode."""

    def __init__(self, mode: bool) -> None:
        super().__init__()
        if not isinstance(mode, bool):
            raise TypeError(
                f"set_grad_enabled(mode): mode must be a bool, got {type(mode).__name__}"
            )
        self._mode = mode
        # Called as a plain function, torch switches the mode immediately.
        self._prev.append(_enabled[0])
        _enabled[0] = mode

    def __enter__(self) -> None:
        # The mode was already switched in __init__; keep the saved previous state.
        pass
