"""Shared bits of the optimizers that keep 0-d state besides ``step`` (NAdam's
``mu_product``, ASGD's ``eta`` and ``mu``): torch stores them as 0-d float32 tensors, so the
base class's shape check on loading (state entries shaped like the parameter) must skip them."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..tensor import Tensor
from .optimizer import Optimizer, _as_array


def scalar(value: float) -> Tensor:
    """A 0-d float32 tensor, like torch's ``torch.tensor(value, dtype=_get_scalar_dtype())``."""
    return Tensor._from_array(np.array(value, dtype=np.float32))


class ScalarStateMixin(Optimizer):
    """``load_state_dict`` that accepts the 0-d entries named in ``_scalar_state``."""

    _scalar_state: tuple[str, ...] = ()

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        if not isinstance(state_dict, dict) or not isinstance(state_dict.get("state"), dict):
            super().load_state_dict(state_dict)  # raises the base class's error
            return
        scalars: dict[Any, dict[str, Any]] = {}
        stripped: dict[Any, Any] = {}
        for k, v in state_dict["state"].items():
            if isinstance(v, dict):
                scalars[k] = {n: v[n] for n in self._scalar_state if n in v}
                stripped[k] = {n: x for n, x in v.items() if n not in self._scalar_state}
            else:
                stripped[k] = v
        for k, entries in scalars.items():
            for n, x in entries.items():
                arr = np.asarray(_as_array(x))
                if arr.size != 1:
                    raise ValueError(f"state '{n}' of parameter {k!r} must be a scalar, got "
                                     f"shape {arr.shape}")
        super().load_state_dict({**state_dict, "state": stripped})
        by_key = {}
        for g, sg in zip(self.param_groups, state_dict["param_groups"]):
            for old, p in zip(sg["params"], g["params"]):
                by_key[old] = p
        for k, entries in scalars.items():
            p = by_key.get(k)
            if p is None and isinstance(k, str) and k.isdigit():
                p = by_key.get(int(k))
            if p is None:
                continue
            for n, x in entries.items():
                self.state[p][n] = scalar(float(np.asarray(_as_array(x)).reshape(())))
