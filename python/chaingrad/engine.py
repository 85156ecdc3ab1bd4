"""Which engine records and runs the graph: the C++ core (default) or the Python reference.

``CHAINGRAD_ENGINE=python`` selects the reference engine at import; ``use(name)`` switches for
a block (tensors must not cross engines: build each graph entirely inside one block).
"""

from __future__ import annotations

import contextlib
import os
from types import ModuleType
from typing import Iterator

from . import _bridge

_NAMES = ("cpp", "python")
_loaded: dict[str, ModuleType] = {}
_current: list[ModuleType] = []


def _load(name: str) -> ModuleType:
    if name not in _NAMES:
        raise ValueError(f"unknown engine {name!r}; choose one of {_NAMES}")
    mod = _loaded.get(name)
    if mod is None:
        if name == "cpp":
            try:
                from . import _core as mod
            except ImportError as e:
                raise ImportError(
                    "chaingrad's C++ core (chaingrad._core) is not built or failed to load "
                    f"({e}). Install with `pip install .`, or set CHAINGRAD_ENGINE=python "
                    "to use the pure-Python reference engine."
                ) from e
            mod.set_bridge(_bridge)
        else:
            from ._reference import engine as mod
        _loaded[name] = mod
    return mod


def current() -> ModuleType:
    return _current[0]


def get_engine_name() -> str:
    return _current[0].name


def set_engine(name: str) -> None:
    """Switch the engine for the whole process."""
    _current[:] = [_load(name)]


@contextlib.contextmanager
def use(name: str) -> Iterator[None]:
    """Use engine ``name`` inside the block."""
    prev = _current[0]
    _current[0] = _load(name)
    try:
        yield
    finally:
        _current[0] = prev


def available() -> list[str]:
    out = []
    for n in _NAMES:
        try:
            _load(n)
            out.append(n)
        except ImportError:
            pass
    return out


set_engine(os.environ.get("CHAINGRAD_ENGINE", "cpp").strip().lower() or "cpp")
