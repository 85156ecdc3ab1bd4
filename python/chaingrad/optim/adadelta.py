"""Adadelta (Zeiler, 2012)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..tensor import Tensor
from .optimizer import Optimizer, _check_nonneg

__all__ = ["Adadelta"]


class Adadelta(Optimizer):
    """torch's Adadelta, step for step::

        g = grad (+ weight_decay * p)
        sq = rho * sq + (1 - rho) * g²
        delta = sqrt(acc + eps) / sqrt(sq + eps) * g
        acc = rho * acc + (1 - rho) * delta²
        p -= lr * delta
    """

    def __init__(self, params: Any, lr: float = 1.0, rho: float = 0.9, eps: float = 1e-6,
                 weight_decay: float = 0.0, foreach: bool | None = None, *,
                 capturable: bool = False, maximize: bool = False, differentiable: bool = False
                 ) -> None:
        defaults = dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, foreach=foreach,
                        capturable=capturable, maximize=maximize, differentiable=differentiable)
        self._validate_group(defaults)
        super().__init__(params, defaults)

    def _validate_group(self, group: dict[str, Any]) -> None:
        super()._validate_group(group)
        if not 0.0 <= group["rho"] <= 1.0:
            raise ValueError(f"Invalid rho value: {group['rho']}")
        _check_nonneg(group["eps"], "epsilon value")
        _check_nonneg(group["weight_decay"], "weight_decay value")

    def _update(self, group: dict[str, Any], p: np.ndarray, grad: np.ndarray,
                state: dict[str, Any]) -> None:
        rho, eps = group["rho"], group["eps"]
        self._step_count(state)
        if "square_avg" not in state:
            state["square_avg"] = Tensor._from_array(np.zeros_like(p))
            state["acc_delta"] = Tensor._from_array(np.zeros_like(p))
        if group["weight_decay"] != 0:
            grad = grad + group["weight_decay"] * p
        sq, acc = state["square_avg"]._data, state["acc_delta"]._data
        sq *= rho
        sq += (1 - rho) * grad * grad
        std = np.sqrt(sq + eps)
        delta = np.sqrt(acc + eps) / std * grad
        acc *= rho
        acc += (1 - rho) * delta * delta
        p -= group["lr"] * delta
