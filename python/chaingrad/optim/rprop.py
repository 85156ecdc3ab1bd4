"""Rprop (Riedmiller & Braun, 1993), torch's variant: sign-based steps with per-element
step sizes."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..tensor import Tensor
from .optimizer import Optimizer

__all__ = ["Rprop"]


class Rprop(Optimizer):
    """torch's Rprop, step for step::

        s = sign(g * prev);  factor = etaplus where s > 0, etaminus where s < 0, else 1
        step_size = clamp(step_size * factor, step_sizes[0], step_sizes[1])
        g = 0 where s < 0;  p -= sign(g) * step_size;  prev = g

    State: ``step``, ``prev`` and ``step_size`` (starting at ``lr``).
    """

    def __init__(self, params: Any, lr: float = 1e-2, etas: tuple[float, float] = (0.5, 1.2),
                 step_sizes: tuple[float, float] = (1e-6, 50), *, capturable: bool = False,
                 foreach: bool | None = None, maximize: bool = False,
                 differentiable: bool = False) -> None:
        defaults = dict(lr=lr, etas=tuple(etas) if isinstance(etas, list) else etas,
                        step_sizes=tuple(step_sizes) if isinstance(step_sizes, list)
                        else step_sizes, foreach=foreach, maximize=maximize,
                        differentiable=differentiable, capturable=capturable)
        self._validate_group(defaults)
        super().__init__(params, defaults)

    def _validate_group(self, group: dict[str, Any]) -> None:
        super()._validate_group(group)
        etas, sizes = group["etas"], group["step_sizes"]
        if not isinstance(etas, (tuple, list)) or len(etas) != 2:
            raise ValueError(f"etas must be a pair (etaminus, etaplus), got {etas!r}")
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f"Invalid eta values: {etas[0]}, {etas[1]}")
        if not isinstance(sizes, (tuple, list)) or len(sizes) != 2:
            raise ValueError(f"step_sizes must be a pair (min, max), got {sizes!r}")

    def _update(self, group: dict[str, Any], p: np.ndarray, grad: np.ndarray,
                state: dict[str, Any]) -> None:
        etaminus, etaplus = group["etas"]
        lo, hi = group["step_sizes"]
        self._step_count(state)
        if "prev" not in state:
            state["prev"] = Tensor._from_array(np.zeros_like(p))
            state["step_size"] = Tensor._from_array(np.full_like(grad, group["lr"]))
        prev, step_size = state["prev"]._data, state["step_size"]._data
        sign = np.sign(grad * prev)
        factor = np.where(sign > 0, etaplus, np.where(sign < 0, etaminus, 1.0)).astype(
            p.dtype, copy=False)
        step_size *= factor
        np.clip(step_size, lo, hi, out=step_size)
        grad = np.where(factor == etaminus, 0, grad).astype(p.dtype, copy=False)
        p -= np.sign(grad) * step_size
        prev[...] = grad
