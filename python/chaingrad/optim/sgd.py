"""Stochastic gradient descent with momentum, dampening, Nesterov and weight decay."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import engine as _engine
from ..tensor import Tensor
from .optimizer import Optimizer, _check_nonneg

__all__ = ["SGD"]


class SGD(Optimizer):
    """torch's SGD, step for step::

        g = grad (+ weight_decay * p)              # coupled L2
        buf = g on the first step, else momentum * buf + (1 - dampening) * g
        g = g + momentum * buf if nesterov else buf
        p -= lr * g

    (``maximize`` ascends instead.) The state is ``{'momentum_buffer': Tensor}`` per
    parameter when momentum != 0.
    """

    def __init__(self, params: Any, lr: float = 1e-3, momentum: float = 0.0,
                 dampening: float = 0.0, weight_decay: float = 0.0, nesterov: bool = False,
                 *, maximize: bool = False, foreach: bool | None = None,
                 differentiable: bool = False, fused: bool | None = None) -> None:
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening,
                        weight_decay=weight_decay, nesterov=nesterov, maximize=maximize,
                        foreach=foreach, differentiable=differentiable, fused=fused)
        self._validate_group(defaults)
        super().__init__(params, defaults)

    def _validate_group(self, group: dict[str, Any]) -> None:
        super()._validate_group(group)
        _check_nonneg(group["momentum"], "momentum value")
        _check_nonneg(group["weight_decay"], "weight_decay value")
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")

    def _step_group(self, group: dict[str, Any]) -> None:
        # On the C++ engine: one native call for the whole group (csrc/optim.cpp), the same
        # update element by element with this file's roundings; the Python loop below is the
        # reference and the fallback (other dtypes, layouts, the reference engine).
        core = _engine._current[0]
        if getattr(core, "sgd_step", None) is not None and not group.get("differentiable"):
            if core.sgd_step(group["params"], self.state, "momentum_buffer", float(group["lr"]),
                             float(group["momentum"]), float(group["dampening"]),
                             float(group["weight_decay"]), bool(group["nesterov"]),
                             bool(group.get("maximize", False))):
                return
        super()._step_group(group)

    def _update(self, group: dict[str, Any], p: np.ndarray, grad: np.ndarray,
                state: dict[str, Any]) -> None:
        lr, momentum = group["lr"], group["momentum"]
        wd = group["weight_decay"]
        if wd != 0:
            grad = grad + wd * p
        if momentum != 0:
            buf = state.get("momentum_buffer")
            if buf is None:
                buf = state["momentum_buffer"] = Tensor._from_array(np.array(grad, copy=True))
            else:
                b = buf._data
                b *= momentum
                b += (1 - group["dampening"]) * grad
            grad = grad + momentum * buf._data if group["nesterov"] else buf._data
        p -= lr * grad
