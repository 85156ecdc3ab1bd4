"""Adam (Kingma & Ba, 2015) with AMSGrad; ``decoupled_weight_decay`` makes it AdamW."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import engine as _engine
from ..tensor import Tensor
from .optimizer import Optimizer, _check_nonneg

__all__ = ["Adam"]


def _check_betas(betas: Any) -> None:
    if not isinstance(betas, (tuple, list)) or len(betas) != 2:
        raise ValueError(f"betas must be a pair (beta1, beta2), got {betas!r}")
    for i, b in enumerate(betas):
        if not 0.0 <= b < 1.0:
            raise ValueError(f"Invalid beta parameter at index {i}: {b}")


class Adam(Optimizer):
    """torch's Adam, step for step::

        g = grad (+ weight_decay * p, unless decoupled: then p *= 1 - lr * weight_decay)
        m = lerp(m, g, 1 - beta1);  v = beta2 * v + (1 - beta2) * g²
        v_max = max(v_max, v) with amsgrad (used in place of v below)
        denom = sqrt(v) / sqrt(1 - beta2^t) + eps
        p -= lr / (1 - beta1^t) * m / denom

    State per parameter: ``step`` (0-d float32 tensor), ``exp_avg``, ``exp_avg_sq`` and
    ``max_exp_avg_sq`` with amsgrad.
    """

    def __init__(self, params: Any, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0, amsgrad: bool = False, *,
                 foreach: bool | None = None, maximize: bool = False, capturable: bool = False,
                 differentiable: bool = False, fused: bool | None = None,
                 decoupled_weight_decay: bool = False) -> None:
        defaults = dict(lr=lr, betas=tuple(betas) if isinstance(betas, list) else betas,
                        eps=eps, weight_decay=weight_decay, amsgrad=amsgrad, maximize=maximize,
                        foreach=foreach, capturable=capturable, differentiable=differentiable,
                        fused=fused, decoupled_weight_decay=decoupled_weight_decay)
        self._validate_group(defaults)
        super().__init__(params, defaults)

    def _validate_group(self, group: dict[str, Any]) -> None:
        super()._validate_group(group)
        _check_nonneg(group["eps"], "epsilon value")
        _check_betas(group["betas"])
        _check_nonneg(group["weight_decay"], "weight_decay value")

    def _step_group(self, group: dict[str, Any]) -> None:
        # On the C++ engine: one native call for the whole group (csrc/optim.cpp), the update
        # below element by element with the same roundings; this loop is the reference and the
        # fallback (other dtypes, layouts, unusual state, the reference engine).
        core = _engine._current[0]
        if getattr(core, "adam_step", None) is not None and not group.get("differentiable"):
            beta1, beta2 = group["betas"]
            if core.adam_step(group["params"], self.state, float(group["lr"]), float(beta1),
                              float(beta2), float(group["eps"]), float(group["weight_decay"]),
                              bool(group["amsgrad"]), bool(group.get("maximize", False)),
                              bool(group.get("decoupled_weight_decay", False))):
                return
        super()._step_group(group)

    def _update(self, group: dict[str, Any], p: np.ndarray, grad: np.ndarray,
                state: dict[str, Any]) -> None:
        lr, eps, wd = group["lr"], group["eps"], group["weight_decay"]
        beta1, beta2 = group["betas"]
        step = self._step_count(state)  # first, so 'step' leads the state dict like torch's
        if "exp_avg" not in state:
            state["exp_avg"] = Tensor._from_array(np.zeros_like(p))
            state["exp_avg_sq"] = Tensor._from_array(np.zeros_like(p))
            if group["amsgrad"]:
                state["max_exp_avg_sq"] = Tensor._from_array(np.zeros_like(p))
        if wd != 0:
            if group.get("decoupled_weight_decay", False):
                p *= 1 - lr * wd
            else:
                grad = grad + wd * p
        m, v = state["exp_avg"]._data, state["exp_avg_sq"]._data
        # torch's lerp: m + w * (g - m) (for w < 0.5), then v = beta2 * v + (1 - beta2) g².
        w = 1 - beta1
        if w < 0.5:
            m += w * (grad - m)
        else:
            m[...] = grad - (grad - m) * (1 - w)
        v *= beta2
        v += (1 - beta2) * grad * grad
        bias_correction1 = 1 - beta1**step
        bias_correction2 = 1 - beta2**step
        step_size = lr / bias_correction1
        bc2_sqrt = math.sqrt(bias_correction2)
        if group["amsgrad"]:
            vmax = state["max_exp_avg_sq"]._data
            np.maximum(vmax, v, out=vmax)
            denom = np.sqrt(vmax) / bc2_sqrt + eps
        else:
            denom = np.sqrt(v) / bc2_sqrt + eps
        p -= step_size * (m / denom)
