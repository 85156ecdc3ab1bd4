"""Adagrad (Duchi et al., 2011) with learning-rate decay."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..tensor import Tensor
from .optimizer import Optimizer, _check_nonneg

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    """torch's Adagrad, step for step::

        g = grad (+ weight_decay * p)
        clr = lr / (1 + (t - 1) * lr_decay)
        sum += g²;  p -= clr * g / (sqrt(sum) + eps)

    The accumulator ``sum`` starts at ``initial_accumulator_value``; its state is created
    eagerly in ``__init__`` as in torch.
    """

    def __init__(self, params: Any, lr: float = 1e-2, lr_decay: float = 0.0,
                 weight_decay: float = 0.0, initial_accumulator_value: float = 0.0,
                 eps: float = 1e-10, foreach: bool | None = None, *, maximize: bool = False,
                 differentiable: bool = False, fused: bool | None = None) -> None:
        defaults = dict(lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value, foreach=foreach,
                        maximize=maximize, differentiable=differentiable, fused=fused)
        self._validate_group(defaults)
        super().__init__(params, defaults)

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        super().add_param_group(param_group)
        group = self.param_groups[-1]
        for p in group["params"]:
            self._init_state(group, p)

    def _init_state(self, group: dict[str, Any], p: Tensor) -> None:
        if p in self.state:
            return
        self.state[p] = {
            "step": Tensor._from_array(np.zeros((), dtype=np.float32)),
            "sum": Tensor._from_array(np.full_like(p._data, group["initial_accumulator_value"])),
        }

    def _validate_group(self, group: dict[str, Any]) -> None:
        super()._validate_group(group)
        _check_nonneg(group["lr_decay"], "lr_decay value")
        _check_nonneg(group["weight_decay"], "weight_decay value")
        _check_nonneg(group["initial_accumulator_value"], "initial_accumulator_value value")
        _check_nonneg(group["eps"], "epsilon value")

    def _update(self, group: dict[str, Any], p: np.ndarray, grad: np.ndarray,
                state: dict[str, Any]) -> None:
        if "sum" not in state:
            state["sum"] = Tensor._from_array(np.full_like(p, group["initial_accumulator_value"]))
        step = self._step_count(state)
        if group["weight_decay"] != 0:
            grad = grad + group["weight_decay"] * p
        clr = group["lr"] / (1 + (step - 1) * group["lr_decay"])
        acc = state["sum"]._data
        acc += grad * grad
        std = np.sqrt(acc) + group["eps"]
        p -= clr * (grad / std)
