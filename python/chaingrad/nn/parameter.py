"""``Parameter``: a Tensor that a ``Module`` registers as one of its learnable weights."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..tensor import Tensor


class Parameter(Tensor):
    """A leaf tensor that requires grad by default and is registered when assigned to a Module.

    Like torch's, ``Parameter(t)`` shares ``t``'s memory (and version counter) instead of
    copying it, so ``Parameter(torch.randn(3))`` costs nothing.
    """

    __slots__ = ()

    def __init__(self, data: Any = None, requires_grad: bool = True) -> None:
        if data is None:
            arr = np.empty((0,), dtype=np.float32)
            vc = None
        elif isinstance(data, Tensor):
            arr = data._data
            vc = data._version_counter()
        else:
            arr = Tensor(data)._data
            vc = None
        self._set_fields(arr, vc)
        if requires_grad:
            self.requires_grad = True

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()

    __str__ = __repr__

    def __deepcopy__(self, memo: dict) -> Parameter:
        # Tensor refuses pickling (checkpoints go through chaingrad.save); a deep copy of a
        # parameter is still well defined: a fresh array, same requires_grad, no grad.
        p = Parameter(Tensor._from_array(self._data.copy()), self._requires_grad)
        memo[id(self)] = p
        return p
