"""Anomaly mode (torch.autograd.detect_anomaly): name the first backward node that produces NaN
or inf, with the Python stack where its forward op ran.

While it is on, the active engine is wrapped so that every recorded node keeps the stack of
its forward call (the native forward fast paths step aside, so every op goes through
``record``), and the engines check each node's input gradients as they are produced. While it
is off, the engines read one flag per backward call and nodes pay nothing.
"""

from __future__ import annotations

import functools
import os
import sys
import traceback
import weakref
from typing import Any, Callable, TypeVar

import numpy as np

from .. import _bridge
from .. import engine as _engine

__all__ = ["detect_anomaly", "set_detect_anomaly", "is_anomaly_enabled",
           "is_anomaly_check_nan_enabled", "creation_stack"]

F = TypeVar("F", bound=Callable[..., Any])

_state = {"enabled": False, "check_nan": True}
# node -> the stack of its forward call: [(code object, instruction offset)], innermost first.
_stacks: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_PKG = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep


class _Recording:
    """The active engine while anomaly mode is on: ``record`` also keeps the caller's stack."""

    def __init__(self, inner: Any) -> None:
        self._wrapped_engine = inner

    def __getattr__(self, attr: str) -> Any:
        return getattr(self._wrapped_engine, attr)

    def record(self, kind: int, name: Any, inputs: tuple, outputs: tuple, save: tuple,
               scalars: tuple, fn: Any) -> Any:
        r = self._wrapped_engine.record(kind, name, inputs, outputs, save, scalars, fn)
        # (code, instruction offset) pairs, innermost first: cheap to take (f_lineno decodes the
        # line table; that waits for an error), and no frame (with its locals) is kept alive.
        stack = []
        f = sys._getframe(1)
        while f is not None:
            stack.append((f.f_code, f.f_lasti))
            f = f.f_back
        for o in outputs:
            node = getattr(o, "_grad_fn", None) if o is not None else None
            if node is not None:
                _stacks[node] = stack
                break
        return r


def _apply(mode: bool, check_nan: bool) -> None:
    _state["enabled"] = mode
    _state["check_nan"] = check_nan
    _bridge.anomaly[0] = bool(mode and check_nan)
    _engine._wrapper[0] = _Recording if mode else None
    if not isinstance(_engine._current[0], _engine._Unloaded):
        _engine._current[0] = _engine._activate(_engine._current[0])


def is_anomaly_enabled() -> bool:
    return _state["enabled"]


def is_anomaly_check_nan_enabled() -> bool:
    return _state["check_nan"]


def creation_stack(node: Any) -> traceback.StackSummary | None:
    """Where ``node``'s forward op ran, outermost frame first (recorded only while anomaly
    mode was on)."""
    raw = _stacks.get(node)
    if raw is None:
        return None
    return traceback.StackSummary.from_list(
        [(c.co_filename, _line(c, at), c.co_name, None) for c, at in reversed(raw)])


def _line(code: Any, offset: int) -> int | None:
    line = None
    for start, end, ln in code.co_lines():
        if start <= offset < end:
            return ln
        if start <= offset:
            line = ln
    return line


class set_detect_anomaly:
    """``set_detect_anomaly(True)`` turns anomaly mode on (process-wide, as in torch); also a
    context manager that restores the previous mode on exit."""

    def __init__(self, mode: bool, check_nan: bool = True) -> None:
        if not isinstance(mode, bool):
            raise TypeError(f"set_detect_anomaly(mode): mode must be a bool, got "
                            f"{type(mode).__name__}")
        self._prev = (_state["enabled"], _state["check_nan"])
        _apply(mode, bool(check_nan))

    def __enter__(self) -> None:
        pass

    def __exit__(self, *exc: object) -> None:
        _apply(*self._prev)


class detect_anomaly:
    """Context manager (or decorator) running its block in anomaly mode: a backward node whose
    gradient contains NaN or inf raises ``RuntimeError`` naming it, with the stack of the
    forward call that created it."""

    def __init__(self, check_nan: bool = True) -> None:
        self._check_nan = bool(check_nan)
        self._prev: list = []

    def __enter__(self) -> None:
        self._prev.append((_state["enabled"], _state["check_nan"]))
        _apply(True, self._check_nan)

    def __exit__(self, *exc: object) -> None:
        _apply(*self._prev.pop())

    def __call__(self, fn: F) -> F:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with self:
                return fn(*args, **kwargs)

        return wrapper  # type: ignore[return-value]


def _format(stack: traceback.StackSummary | None) -> str:
    stack = list(stack) if stack else None
    if not stack:
        return ("(no forward stack recorded: the node was created before anomaly mode was "
                "turned on)")
    # Down to the chaingrad function the user called (e.g. ops/unary.py's sqrt), not the
    # helpers beneath it that recorded the node.
    frames = list(stack)
    last_user = max((i for i, f in enumerate(frames)
                     if not os.path.abspath(f.filename).startswith(_PKG)), default=-1)
    if 0 <= last_user < len(frames) - 1:
        frames = frames[:last_user + 2]
    frames = traceback.StackSummary.from_list(frames)
    return ("Traceback of the forward call that created it (most recent call last):\n"
            + "".join(frames.format()).rstrip())


def check(node: Any, grads: tuple) -> None:
    """Called by the engines for every node while anomaly mode is on."""
    for i, g in enumerate(grads):
        if g is None:
            continue
        a = getattr(g, "_data", g)
        a = np.asarray(a)
        if a.dtype.kind not in "fc" or np.isfinite(a).all():
            continue
        what = "nan" if np.isnan(a).any() else "inf"
        name = node.name() if callable(getattr(node, "name", None)) else type(node).__name__
        raise RuntimeError(f"Function '{name}' returned {what} values in its {i}th output.\n"
                           + _format(creation_stack(node)))
