"""Global grad mode: ``no_grad``, ``enable_grad``, ``set_grad_enabled`` (PyTorch semantics)."""

from __future__ import annotations

import functools
from typing import Any, Callable, TypeVar

F = TypeVar("F", bound=Callable[..., Any])

# A one-element list instead of a bare global so the hot path reads it without a `global`
# statement and every importer sees the same cell.
_enabled = [True]


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
