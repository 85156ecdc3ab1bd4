"""Which engine records and runs the graph: the C++ core (default) or the Python reference.

``CHAINGRAD_ENGINE=python`` selects the reference engine at import; ``use(name)`` switches for
a block (tensors must not cross engines: build each graph entirely inside one block).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from types import ModuleType

from . import _bridge

_NAMES = ("cpp", "python")
_loaded: dict[str, ModuleType] = {}


class _Unloaded:
    """Stands in for the engine until first use: the reference engine imports chaingrad's ops,
    which need ``Tensor``, so no engine can be loaded while ``chaingrad`` itself is importing."""

    def __getattr__(self, attr: str) -> object:
        set_engine(_from_env())
        return getattr(_current[0], attr)


def _from_env() -> str:
    return os.environ.get("CHAINGRAD_ENGINE", "cpp").strip().lower() or "cpp"


_current: list = [_Unloaded()]


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
    if isinstance(_current[0], _Unloaded):
        set_engine(_from_env())
    return _current[0]


def get_engine_name() -> str:
    return current().name


# A wrapper put around the active engine while a mode needs one (anomaly mode records where
# each node was created), else None.
_wrapper: list = [None]


def _activate(mod: object) -> object:
    mod = getattr(mod, "_wrapped_engine", mod)
    w = _wrapper[0]
    return w(mod) if w is not None else mod


def set_engine(name: str) -> None:
    """Switch the engine for the whole process."""
    _current[:] = [_activate(_load(name))]


@contextlib.contextmanager
def use(name: str) -> Iterator[None]:
    """Use engine ``name`` inside the block."""
    prev = current()
    _current[0] = _activate(_load(name))
    try:
        yield
    finally:
        _current[0] = _activate(prev)


def available() -> list[str]:
    out = []
    for n in _NAMES:
        try:
            _load(n)
            out.append(n)
        except ImportError:
            pass
    return out



def _load_default() -> None:
    """Called at the end of ``chaingrad/__init__``: a broken build fails at import, not later."""
    current()
