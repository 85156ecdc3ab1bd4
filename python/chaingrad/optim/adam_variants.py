"""NAdam, RAdam and Adamax: torch's Adam variants, step for step (float64 trajectories equal
torch's to rounding)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..tensor import Tensor
from ._scalar_state import ScalarStateMixin, scalar
from .adam import _check_betas
from .optimizer import Optimizer, _check_nonneg

__all__ = ["NAdam", "RAdam", "Adamax"]


def _lerp_(m: np.ndarray, g: np.ndarray, w: float) -> None:
    """torch's ``m.lerp_(g, w)`` (its two formulas, chosen by the weight)."""
    if w < 0.5:
        m += w * (g - m)
    else:
        m[...] = g - (g - m) * (1 - w)


def _moments(state: dict[str, Any], p: np.ndarray, second: str) -> tuple[np.ndarray,
                                                                          np.ndarray]:
    if "exp_avg" not in state:
        state["exp_avg"] = Tensor._from_array(np.zeros_like(p))
        state[second] = Tensor._from_array(np.zeros_like(p))
    return state["exp_avg"]._data, state[second]._data


def _weight_decay(group: dict[str, Any], p: np.ndarray, grad: np.ndarray) -> np.ndarray:
    wd = group["weight_decay"]
    if wd != 0:
        if group.get("decoupled_weight_decay", False):
            p *= 1 - group["lr"] * wd
        else:
            grad = grad + wd * p
    return grad


class _AdamLike(Optimizer):
    def _validate_group(self, group: dict[str, Any]) -> None:
        super()._validate_group(group)
        _check_nonneg(group["eps"], "epsilon value")
        _check_betas(group["betas"])
        _check_nonneg(group["weight_decay"], "weight_decay value")


class NAdam(ScalarStateMixin, _AdamLike):
    """torch's NAdam (Adam with Nesterov momentum, Dozat 2016)::

        mu_t = beta1 * (1 - 0.5 * 0.96^(t * momentum_decay));  prod *= mu_t
        m = lerp(m, g, 1 - beta1);  v = beta2 * v + (1 - beta2) * g²
        denom = sqrt(v / (1 - beta2^t)) + eps
        p -= lr * (1 - mu_t) / (1 - prod) * g / denom
        p -= lr * mu_{t+1} / (1 - prod * mu_{t+1}) * m / denom

    State: ``step``, ``mu_product`` (0-d float32, as torch), ``exp_avg``, ``exp_avg_sq``.
    ``decoupled_weight_decay=True`` gives NAdamW.
    """

    _scalar_state = ("mu_product",)

    def __init__(self, params: Any, lr: float = 2e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0, momentum_decay: float = 4e-3,
                 decoupled_weight_decay: bool = False, *, foreach: bool | None = None,
                 maximize: bool = False, capturable: bool = False,
                 differentiable: bool = False) -> None:
        defaults = dict(lr=lr, betas=tuple(betas) if isinstance(betas, list) else betas,
                        eps=eps, weight_decay=weight_decay, momentum_decay=momentum_decay,
                        decoupled_weight_decay=decoupled_weight_decay, maximize=maximize,
                        foreach=foreach, capturable=capturable, differentiable=differentiable)
        self._validate_group(defaults)
        super().__init__(params, defaults)

    def _validate_group(self, group: dict[str, Any]) -> None:
        super()._validate_group(group)
        _check_nonneg(group["momentum_decay"], "momentum_decay value")

    def _update(self, group: dict[str, Any], p: np.ndarray, grad: np.ndarray,
                state: dict[str, Any]) -> None:
        lr, eps = group["lr"], group["eps"]
        beta1, beta2 = group["betas"]
        step = self._step_count(state)
        if "mu_product" not in state:
            state["mu_product"] = scalar(1.0)
        m, v = _moments(state, p, "exp_avg_sq")
        bias_correction2 = 1 - beta2**step
        grad = _weight_decay(group, p, grad)
        mu = beta1 * (1.0 - 0.5 * (0.96 ** (step * group["momentum_decay"])))
        mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * group["momentum_decay"])))
        prod = state["mu_product"]._data
        prod *= mu  # float32 arithmetic, as torch's 0-d float32 state
        _lerp_(m, grad, 1 - beta1)
        v *= beta2
        v += (1 - beta2) * grad * grad
        denom = np.sqrt(v / bias_correction2)
        denom += eps
        mu_product = float(prod)
        mu_product_next = mu_product * mu_next
        p += (-lr * (1.0 - mu) / (1.0 - mu_product)) * grad / denom
        p += ((-lr * mu_next) / (1.0 - mu_product_next)) * m / denom


class RAdam(_AdamLike):
    """torch's RAdam (Liu et al., 2019): Adam whose adaptive term is switched on, with the
    variance rectification ``r_t``, once the SMA length ``rho_t`` exceeds 5::

        m = lerp(m, g, 1 - beta1);  v = beta2 * v + (1 - beta2) * g²
        rho_inf = 2 / (1 - beta2) - 1;  rho_t = rho_inf - 2 t beta2^t / (1 - beta2^t)
        p -= lr * m / (1 - beta1^t) * [sqrt(1 - beta2^t) / (sqrt(v) + eps) * r_t if rho_t > 5]

    ``decoupled_weight_decay=True`` gives RAdamW.
    """

    def __init__(self, params: Any, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0,
                 decoupled_weight_decay: bool = False, *, foreach: bool | None = None,
                 maximize: bool = False, capturable: bool = False,
                 differentiable: bool = False) -> None:
        defaults = dict(lr=lr, betas=tuple(betas) if isinstance(betas, list) else betas,
                        eps=eps, weight_decay=weight_decay, maximize=maximize, foreach=foreach,
                        capturable=capturable, decoupled_weight_decay=decoupled_weight_decay,
                        differentiable=differentiable)
        self._validate_group(defaults)
        super().__init__(params, defaults)

    def _update(self, group: dict[str, Any], p: np.ndarray, grad: np.ndarray,
                state: dict[str, Any]) -> None:
        lr, eps = group["lr"], group["eps"]
        beta1, beta2 = group["betas"]
        step = self._step_count(state)
        m, v = _moments(state, p, "exp_avg_sq")
        grad = _weight_decay(group, p, grad)
        _lerp_(m, grad, 1 - beta1)
        v *= beta2
        v += (1 - beta2) * grad * grad
        bias_correction1 = 1 - beta1**step
        bias_correction2 = 1 - beta2**step
        corrected = m / bias_correction1
        rho_inf = 2 / (1 - beta2) - 1
        rho_t = rho_inf - 2 * step * (beta2**step) / bias_correction2
        if rho_t > 5.0:
            rect = ((rho_t - 4) * (rho_t - 2) * rho_inf
                    / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
            adaptive = (bias_correction2**0.5) / (np.sqrt(v) + eps)
            p -= corrected * lr * adaptive * rect
        else:
            p -= corrected * lr


class Adamax(_AdamLike):
    """torch's Adamax (Adam with the infinity norm)::

        g = grad (+ weight_decay * p)
        m = lerp(m, g, 1 - beta1);  u = max(beta2 * u, |g| + eps)
        p -= lr / (1 - beta1^t) * m / u

    State: ``step``, ``exp_avg``, ``exp_inf``.
    """

    def __init__(self, params: Any, lr: float = 2e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0, foreach: bool | None = None, *,
                 maximize: bool = False, differentiable: bool = False,
                 capturable: bool = False) -> None:
        defaults = dict(lr=lr, betas=tuple(betas) if isinstance(betas, list) else betas,
                        eps=eps, weight_decay=weight_decay, foreach=foreach, maximize=maximize,
                        differentiable=differentiable, capturable=capturable)
        self._validate_group(defaults)
        super().__init__(params, defaults)

    def _update(self, group: dict[str, Any], p: np.ndarray, grad: np.ndarray,
                state: dict[str, Any]) -> None:
        lr, eps, wd = group["lr"], group["eps"], group["weight_decay"]
        beta1, beta2 = group["betas"]
        step = self._step_count(state)
        m, u = _moments(state, p, "exp_inf")
        if wd != 0:
            grad = grad + wd * p
        _lerp_(m, grad, 1 - beta1)
        u *= beta2
        np.maximum(u, np.abs(grad) + eps, out=u)
        clr = lr / (1 - beta1**step)
        p += (-clr * m) / u


