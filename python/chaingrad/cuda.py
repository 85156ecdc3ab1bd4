"""``chaingrad.cuda``: just enough of ``torch.cuda`` for device-selecting code to run.

chaingrad is CPU-only, so ``is_available()`` is False and ``device_count()`` is 0; every other
``torch.cuda`` name raises a ``NotImplementedError`` that says so.
"""

from __future__ import annotations

from . import _missing


def is_available() -> bool:
    """False: chaingrad has no GPU backend."""
    return False


def device_count() -> int:
    """0: chaingrad has no GPU backend."""
    return 0


def __getattr__(name: str) -> object:
    if name.startswith("_"):
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    raise _missing.error(f"torch.cuda.{name}",
                         attribute=not _missing._called_from_import(_missing.sys._getframe(1)))
