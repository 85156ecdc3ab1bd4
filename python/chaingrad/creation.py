"""Tensor factories with torch's names and default dtypes (float32 unless asked)."""

from __future__ import annotations

from typing import Any

import numpy as np

from .dtypes import resolve_dtype
from .tensor import Tensor

_rng = [np.random.default_rng()]


def manual_seed(seed: int) -> np.random.Generator:
    """Seed chaingrad's generator (randn, rand, init, dropout)."""
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool):
        raise TypeError(f"manual_seed: seed must be an int, got {type(seed).__name__}")
    _rng[0] = np.random.default_rng(int(seed))
    return _rng[0]


def default_generator() -> np.random.Generator:
    return _rng[0]


def _shape(size: tuple) -> tuple[int, ...]:
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    for s in size:
        if not isinstance(s, (int, np.integer)) or isinstance(s, bool):
            raise TypeError(f"size must be a sequence of ints, got {size!r}")
        if s < 0:
            raise ValueError(f"size must be non-negative, got {tuple(size)}")
    return tuple(int(s) for s in size)


def _finish(arr: np.ndarray, requires_grad: bool) -> Tensor:
    t = Tensor._from_array(arr)
    if requires_grad:
        t.requires_grad = True
    return t


def _dt(dtype: Any, default: Any = np.float32) -> np.dtype:
    return resolve_dtype(dtype) if dtype is not None else np.dtype(default)


def tensor(data: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """A new tensor holding a copy of ``data``; Python floats become float32, like torch."""
    return Tensor(data, dtype=dtype, requires_grad=requires_grad)


def as_tensor(data: Any, dtype: Any = None) -> Tensor:
    if isinstance(data, Tensor) and (dtype is None or resolve_dtype(dtype) == data.dtype):
        return data
    return Tensor(data, dtype=dtype)


def from_numpy(arr: np.ndarray) -> Tensor:
    """A tensor sharing ``arr``'s memory."""
    if not isinstance(arr, np.ndarray):
        raise TypeError(f"from_numpy expects an np.ndarray, got {type(arr).__name__}")
    resolve_dtype(arr.dtype)
    return Tensor._from_array(arr)


def zeros(*size: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return _finish(np.zeros(_shape(size), dtype=_dt(dtype)), requires_grad)


def ones(*size: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return _finish(np.ones(_shape(size), dtype=_dt(dtype)), requires_grad)


def empty(*size: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return _finish(np.empty(_shape(size), dtype=_dt(dtype)), requires_grad)


def full(size: Any, fill_value: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    if dtype is None:
        dtype = np.float32 if isinstance(fill_value, float) else (
            np.bool_ if isinstance(fill_value, bool) else np.int64)
    return _finish(np.full(_shape((size,)), fill_value, dtype=_dt(dtype)), requires_grad)


def randn(*size: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    arr = _rng[0].standard_normal(_shape(size)).astype(_dt(dtype))
    return _finish(arr, requires_grad)


def rand(*size: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    arr = _rng[0].random(_shape(size)).astype(_dt(dtype))
    return _finish(arr, requires_grad)


def randint(low: int, high: int | None = None, size: Any = (), dtype: Any = None) -> Tensor:
    if high is None:
        low, high = 0, low
    return Tensor._from_array(_rng[0].integers(low, high, size=_shape((size,))).astype(
        _dt(dtype, np.int64)))


def arange(start: Any, end: Any = None, step: Any = 1, dtype: Any = None,
           requires_grad: bool = False) -> Tensor:
    if end is None:
        start, end = 0, start
    if step == 0:
        raise ValueError("arange: step must be nonzero")
    floating = any(isinstance(v, float) for v in (start, end, step))
    arr = np.arange(start, end, step, dtype=_dt(dtype, np.float32 if floating else np.int64))
    return _finish(arr, requires_grad)


def linspace(start: float, end: float, steps: int, dtype: Any = None,
             requires_grad: bool = False) -> Tensor:
    if not isinstance(steps, (int, np.integer)) or steps < 0:
        raise ValueError(f"linspace: steps must be a non-negative int, got {steps!r}")
    return _finish(np.linspace(start, end, steps, dtype=_dt(dtype)), requires_grad)


def eye(n: int, m: int | None = None, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return _finish(np.eye(n, m, dtype=_dt(dtype)), requires_grad)


def _like(t: Any, dtype: Any) -> tuple:
    if not isinstance(t, Tensor):
        raise TypeError(f"expected a Tensor, got {type(t).__name__}")
    return t._data.shape, (resolve_dtype(dtype) if dtype is not None else t.dtype)


def zeros_like(t: Tensor, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    shape, dt = _like(t, dtype)
    return _finish(np.zeros(shape, dtype=dt), requires_grad)


def ones_like(t: Tensor, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    shape, dt = _like(t, dtype)
    return _finish(np.ones(shape, dtype=dt), requires_grad)


def full_like(t: Tensor, fill_value: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    shape, dt = _like(t, dtype)
    return _finish(np.full(shape, fill_value, dtype=dt), requires_grad)


def randn_like(t: Tensor, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    shape, dt = _like(t, dtype)
    return _finish(_rng[0].standard_normal(shape).astype(dt), requires_grad)


def rand_like(t: Tensor, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    shape, dt = _like(t, dtype)
    return _finish(_rng[0].random(shape).astype(dt), requires_grad)


def empty_like(t: Tensor, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    shape, dt = _like(t, dtype)
    return _finish(np.empty(shape, dtype=dt), requires_grad)
