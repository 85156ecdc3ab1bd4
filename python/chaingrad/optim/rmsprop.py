"""RMSprop (Hinton's lecture notes) with momentum and the centered variant."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..tensor import Tensor
from .optimizer import Optimizer, _check_nonneg

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    """torch's RMSprop, step for step::

        g = grad (+ weight_decay * p)
        sq = alpha * sq + (1 - alpha) * g²
        avg = sqrt(sq - ga²) with ga = lerp(ga, g, 1 - alpha) if centered, else sqrt(sq); += eps
        buf = momentum * buf + g / avg;  p -= lr * buf    (momentum > 0)
        p -= lr * g / avg                                 (otherwise)
    """

    def __init__(self, params: Any, lr: float = 1e-2, alpha: float = 0.99, eps: float = 1e-8,
                 weight_decay: float = 0.0, momentum: float = 0.0, centered: bool = False,
                 capturable: bool = False, foreach: bool | None = None, maximize: bool = False,
                 differentiable: bool = False) -> None:
        defaults = dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay,
                        momentum=momentum, centered=centered, capturable=capturable,
                        foreach=foreach, maximize=maximize, differentiable=differentiable)
        self._validate_group(defaults)
        super().__init__(params, defaults)

    def _validate_group(self, group: dict[str, Any]) -> None:
        super()._validate_group(group)
        _check_nonneg(group["eps"], "epsilon value")
        _check_nonneg(group["momentum"], "momentum value")
        _check_nonneg(group["weight_decay"], "weight_decay value")
        _check_nonneg(group["alpha"], "alpha value")

    def _update(self, group: dict[str, Any], p: np.ndarray, grad: np.ndarray,
                state: dict[str, Any]) -> None:
        alpha, eps, wd = group["alpha"], group["eps"], group["weight_decay"]
        momentum = group["momentum"]
        self._step_count(state)
        if "square_avg" not in state:
            state["square_avg"] = Tensor._from_array(np.zeros_like(p))
            if momentum > 0:
                state["momentum_buffer"] = Tensor._from_array(np.zeros_like(p))
            if group["centered"]:
                state["grad_avg"] = Tensor._from_array(np.zeros_like(p))
        if wd != 0:
            grad = grad + wd * p
        sq = state["square_avg"]._data
        sq *= alpha
        sq += (1 - alpha) * grad * grad
        if group["centered"]:
            ga = state["grad_avg"]._data
            ga += (1 - alpha) * (grad - ga)
            avg = np.sqrt(sq - ga * ga)
        else:
            avg = np.sqrt(sq)
        avg += eps
        if momentum > 0:
            buf = state["momentum_buffer"]._data
            buf *= momentum
            buf += grad / avg
            p -= group["lr"] * buf
        else:
            p -= group["lr"] * (grad / avg)
