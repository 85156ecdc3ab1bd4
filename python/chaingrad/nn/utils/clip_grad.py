"""Gradient clipping: ``clip_grad_norm_`` (global norm) and ``clip_grad_value_``."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Union

import numpy as np

from ...tensor import Tensor

__all__ = ["clip_grad_norm_", "clip_grad_value_", "get_total_norm"]

_Params = Union[Tensor, Iterable[Tensor]]


def _grads(parameters: _Params) -> list[Tensor]:
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    return [p.grad for p in parameters if p.grad is not None]


def get_total_norm(tensors: Iterable[Tensor], norm_type: float = 2.0,
                   error_if_nonfinite: bool = False) -> Tensor:
    """The ``norm_type``-norm of all tensors taken together (as if concatenated)."""
    ts = [tensors] if isinstance(tensors, Tensor) else list(tensors)
    norm_type = float(norm_type)
    if not ts:
        return Tensor._from_array(np.zeros((), dtype=np.float32))
    dtype = ts[0]._data.dtype
    if math.isinf(norm_type):
        total = max(float(np.abs(t._data).max()) if t._data.size else 0.0 for t in ts)
    else:
        per = [np.linalg.norm(t._data.ravel().astype(np.float64), norm_type) for t in ts]
        total = float(np.linalg.norm(np.asarray(per), norm_type))
    if error_if_nonfinite and not math.isfinite(total):
        raise RuntimeError(
            f"The total norm of order {norm_type} for gradients from `parameters` is "
            "non-finite, so it cannot be clipped. To disable this error and scale the gradients "
            "by the non-finite norm anyway, set `error_if_nonfinite=False`"
        )
    return Tensor._from_array(np.asarray(total, dtype=dtype))


def clip_grad_norm_(parameters: _Params, max_norm: float, norm_type: float = 2.0,
                    error_if_nonfinite: bool = False, foreach: bool | None = None) -> Tensor:
    """Scale all gradients in place so that their joint norm is at most ``max_norm``.

    Returns the total norm before clipping (useful to log). The scale is
    ``min(1, max_norm / (total + 1e-6))``, as in torch. With ``error_if_nonfinite`` a NaN/inf
    norm raises before any gradient is touched.
    """
    grads = _grads(parameters)
    total = get_total_norm(grads, norm_type, error_if_nonfinite)
    if not grads:
        return total
    coef = min(float(max_norm) / (float(total.item()) + 1e-6), 1.0)
    for g in grads:
        g._data *= g._data.dtype.type(coef)
        g._bump_version()
    return total


def clip_grad_value_(parameters: _Params, clip_value: float, foreach: bool | None = None
                     ) -> None:
    """Clamp every gradient element into [-clip_value, clip_value] in place."""
    v = float(clip_value)
    for g in _grads(parameters):
        np.clip(g._data, -v, v, out=g._data)
        g._bump_version()
