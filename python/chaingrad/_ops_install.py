"""Attach the op functions to ``Tensor`` as methods and operators (torch's names).

The list lives in ``ops/_registry.py``, which also generates ``docs/ops.md``.
"""

from __future__ import annotations

from .ops import _registry
from .tensor import Tensor

for _name, _fn in _registry.methods().items():
    setattr(Tensor, _name, _fn)


def _pos(self: Tensor) -> Tensor:
    return self


Tensor.__pos__ = _pos  # type: ignore[attr-defined]
# __eq__ is elementwise, so hashing must not depend on it: tensors hash by identity, as torch's.
Tensor.__hash__ = lambda self: id(self)  # type: ignore[assignment]

# Native forward fast paths (C++ engine); the functions above remain the fallback and the spec.
from .ops import _fast  # noqa: E402

_fast.install()
