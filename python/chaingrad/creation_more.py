"""More of torch's factories: scalar_tensor, logspace, range (deprecated, end included), asarray
and the window functions (hann, hamming, blackman, bartlett, kaiser)."""

from __future__ import annotations

import builtins
import math
import warnings
from typing import Any

import numpy as np

from .creation import _check_device, _dt, _finish
from .dtypes import resolve_dtype
from .tensor import Tensor


def scalar_tensor(s: Any, *, dtype: Any = None, device: Any = None,
                  requires_grad: bool = False) -> Tensor:
    """A 0-d tensor holding the number ``s`` (default dtype unless ``dtype=``)."""
    _check_device(device)
    if isinstance(s, Tensor):
        if s._data.size != 1:
            raise RuntimeError("scalar_tensor(): a Tensor argument must have one element")
        s = s.item()
    if not isinstance(s, (builtins.int, builtins.float, builtins.bool, np.number, np.bool_)):
        raise TypeError(f"scalar_tensor(): argument 's' must be Number, not {type(s).__name__}")
    return _finish(np.asarray(s, dtype=_dt(dtype)), requires_grad)


def _steps(steps: Any, fn: str) -> int:
    if isinstance(steps, builtins.bool) or not isinstance(steps, (builtins.int, np.integer)) \
            or steps < 0:
        raise RuntimeError(f"{fn}(): number of steps must be non-negative, got {steps!r}")
    return builtins.int(steps)


def logspace(start: Any, end: Any, steps: int, base: float = 10.0, *, dtype: Any = None,
             device: Any = None, requires_grad: bool = False) -> Tensor:
    """``steps`` values from ``base**start`` to ``base**end``, exponents evenly spaced."""
    _check_device(device)
    n = _steps(steps, "logspace")
    dt = _dt(dtype)
    exps = np.linspace(float(start), float(end), n, dtype=np.float64)
    with np.errstate(over="ignore"):
        vals = np.power(float(base), exps)
    if dt.kind in "iub":
        vals = np.trunc(vals)
    return _finish(vals.astype(dt), requires_grad)


def range(start: Any = 0, end: Any = None, step: Any = 1, *, dtype: Any = None,  # noqa: A001
          device: Any = None, requires_grad: bool = False) -> Tensor:
    """Deprecated in torch (use arange): values from ``start`` to ``end`` *inclusive*, in the
    default float dtype."""
    warnings.warn(
        "torch.range is deprecated and will be removed in a future release because its "
        "behavior is inconsistent with Python's range builtin. Instead, use torch.arange, "
        "which produces values in [start, end).", UserWarning, stacklevel=2)
    _check_device(device)
    if end is None:
        raise TypeError("range() missing required argument 'end'")
    start, end, step = float(start), float(end), float(step)
    if step == 0:
        raise RuntimeError("range(): step must be nonzero")
    if not (math.isfinite(start) and math.isfinite(end)):
        raise RuntimeError("range(): unsupported range: start and end must be finite")
    if (end - start) * step < 0:
        raise RuntimeError("range(): upper bound and larger bound inconsistent with step sign")
    n = builtins.int(math.floor((end - start) / step)) + 1
    vals = start + step * np.arange(n, dtype=np.float64)
    return _finish(vals.astype(_dt(dtype)), requires_grad)


def asarray(obj: Any, *, dtype: Any = None, device: Any = None, copy: bool | None = None,
            requires_grad: bool = False) -> Tensor:
    """A tensor from ``obj`` sharing memory where it can: a tensor comes back as is (or cast),
    a NumPy array is wrapped without a copy unless ``copy=True`` or a cast is needed."""
    _check_device(device)
    dt = resolve_dtype(dtype) if dtype is not None else None
    if isinstance(obj, Tensor):
        if (dt is None or dt == obj._data.dtype) and not copy:
            if requires_grad and not obj._requires_grad:
                obj.requires_grad_(True)
            return obj
        if copy is False:
            raise ValueError("asarray(): copy=False but a cast to another dtype needs a copy")
        out = Tensor._from_array(obj._data.astype(dt if dt is not None else obj._data.dtype))
        return out.requires_grad_(True) if requires_grad else out
    if isinstance(obj, np.ndarray):
        if obj.dtype.kind not in "biuf":
            raise TypeError(f"asarray(): arrays of dtype {obj.dtype} are not supported")
        need_cast = dt is not None and dt != obj.dtype
        if copy is False and need_cast:
            raise ValueError("asarray(): copy=False but a cast to another dtype needs a copy")
        arr = obj.astype(dt) if need_cast else (obj.copy() if copy else obj)
        t = Tensor._from_array(arr)
        return t.requires_grad_(True) if requires_grad else t
    if copy is False:
        raise ValueError(f"asarray(): copy=False cannot share memory with a "
                         f"{type(obj).__name__}")
    from .creation import tensor as _tensor

    return _tensor(obj, dtype=dt, requires_grad=requires_grad)


# ------------------------------------------------------------------ windows
def _window(fn: str, window_length: Any, periodic: bool, dtype: Any, requires_grad: bool,
            formula: Any) -> Tensor:
    if isinstance(window_length, builtins.bool) or not isinstance(
            window_length, (builtins.int, np.integer)):
        raise TypeError(f"{fn}(): argument 'window_length' must be int, not "
                        f"{type(window_length).__name__}")
    if window_length < 0:
        raise RuntimeError(f"{fn} requires non-negative window_length, got "
                           f"window_length={window_length}")
    dt = _dt(dtype)
    if dt.kind != "f":
        raise RuntimeError(f"{fn} expects floating point dtypes, got: {dt}")
    n = builtins.int(window_length)
    if n == 0:
        return _finish(np.zeros(0, dtype=dt), requires_grad)
    if n == 1:
        return _finish(np.ones(1, dtype=dt), requires_grad)
    m = n + 1 if periodic else n
    k = np.arange(m, dtype=np.float64)
    w = formula(k, m)[:n]
    return _finish(w.astype(dt), requires_grad)


def hann_window(window_length: int, periodic: bool = True, *, dtype: Any = None,
                device: Any = None, requires_grad: bool = False) -> Tensor:
    """0.5 - 0.5 cos(2 pi k / (N - 1)); ``periodic`` computes N + 1 points and drops the last."""
    _check_device(device)
    return _window("hann_window", window_length, periodic, dtype, requires_grad,
                   lambda k, m: 0.5 - 0.5 * np.cos(2 * np.pi * k / (m - 1)))


def hamming_window(window_length: int, periodic: bool = True, alpha: float = 0.54,
                   beta: float = 0.46, *, dtype: Any = None, device: Any = None,
                   requires_grad: bool = False) -> Tensor:
    """alpha - beta cos(2 pi k / (N - 1))."""
    _check_device(device)
    return _window("hamming_window", window_length, periodic, dtype, requires_grad,
                   lambda k, m: alpha - beta * np.cos(2 * np.pi * k / (m - 1)))


def blackman_window(window_length: int, periodic: bool = True, *, dtype: Any = None,
                    device: Any = None, requires_grad: bool = False) -> Tensor:
    """0.42 - 0.5 cos(2 pi k / (N - 1)) + 0.08 cos(4 pi k / (N - 1))."""
    _check_device(device)
    return _window("blackman_window", window_length, periodic, dtype, requires_grad,
                   lambda k, m: 0.42 - 0.5 * np.cos(2 * np.pi * k / (m - 1))
                   + 0.08 * np.cos(4 * np.pi * k / (m - 1)))


def bartlett_window(window_length: int, periodic: bool = True, *, dtype: Any = None,
                    device: Any = None, requires_grad: bool = False) -> Tensor:
    """1 - |2k / (N - 1) - 1| (a triangle)."""
    _check_device(device)
    return _window("bartlett_window", window_length, periodic, dtype, requires_grad,
                   lambda k, m: 1 - np.abs(2 * k / (m - 1) - 1))


def kaiser_window(window_length: int, periodic: bool = True, beta: float = 12.0, *,
                  dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """I0(beta sqrt(1 - (2k / (N - 1) - 1)^2)) / I0(beta)."""
    _check_device(device)
    return _window("kaiser_window", window_length, periodic, dtype, requires_grad,
                   lambda k, m: np.i0(beta * np.sqrt(np.clip(
                       1 - (2 * k / (m - 1) - 1) ** 2, 0, None))) / np.i0(beta))
