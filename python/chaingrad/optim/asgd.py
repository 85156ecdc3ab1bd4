"""ASGD: averaged stochastic gradient descent (Polyak & Juditsky, 1992), torch's variant."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..tensor import Tensor
from ._scalar_state import ScalarStateMixin, scalar
from .optimizer import _check_nonneg

__all__ = ["ASGD"]


class ASGD(ScalarStateMixin):
    """torch's ASGD, step for step::

        g = grad (+ weight_decay * p)
        p *= 1 - lambd * eta;  p -= eta * g
        ax = p if mu == 1 else ax + mu * (p - ax)
        eta = lr / (1 + lambd * lr * t) ** alpha;  mu = 1 / max(1, t - t0)

    State: ``step``, ``eta``, ``mu`` (0-d float32, as torch) and the average ``ax``.
    """

    _scalar_state = ("eta", "mu")

    def __init__(self, params: Any, lr: float = 1e-2, lambd: float = 1e-4, alpha: float = 0.75,
                 t0: float = 1e6, weight_decay: float = 0, foreach: bool | None = None,
                 maximize: bool = False, differentiable: bool = False,
                 capturable: bool = False) -> None:
        defaults = dict(lr=lr, lambd=lambd, alpha=alpha, t0=t0, weight_decay=weight_decay,
                        foreach=foreach, maximize=maximize, differentiable=differentiable,
                        capturable=capturable)
        self._validate_group(defaults)
        super().__init__(params, defaults)

    def _validate_group(self, group: dict[str, Any]) -> None:
        super()._validate_group(group)
        _check_nonneg(group["weight_decay"], "weight_decay value")

    def _update(self, group: dict[str, Any], p: np.ndarray, grad: np.ndarray,
                state: dict[str, Any]) -> None:
        lr, lambd, wd = group["lr"], group["lambd"], group["weight_decay"]
        step = self._step_count(state)
        if "eta" not in state:
            state["eta"] = scalar(lr)
            state["mu"] = scalar(1.0)
            state["ax"] = Tensor._from_array(np.zeros_like(p))
        if wd != 0:
            grad = grad + wd * p
        eta = float(state["eta"]._data)
        mu = state["mu"]._data
        ax = state["ax"]._data
        p *= 1 - lambd * eta
        p -= eta * grad
        if float(mu) != 1:
            ax += (p - ax) * mu.astype(p.dtype)
        else:
            ax[...] = p
        state["eta"]._data[...] = lr / ((1 + lambd * lr * step) ** group["alpha"])
        state["mu"]._data[...] = 1 / max(1, step - group["t0"])
