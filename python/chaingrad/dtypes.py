"""Dtypes are NumPy dtypes; these names mirror torch's (``chaingrad.float32`` ...)."""

from __future__ import annotations

from typing import Any

import numpy as np

float16 = half = np.dtype(np.float16)
float32 = float = np.dtype(np.float32)  # noqa: A001 - torch's name
float64 = double = np.dtype(np.float64)
int8 = np.dtype(np.int8)
uint8 = np.dtype(np.uint8)
int16 = short = np.dtype(np.int16)
int32 = int = np.dtype(np.int32)  # noqa: A001
int64 = long = np.dtype(np.int64)
bool = np.dtype(np.bool_)  # noqa: A001

_SUPPORTED = "biuf"


def resolve_dtype(dtype: Any) -> np.dtype:
    """Accept a NumPy dtype, a chaingrad dtype name or a Python type; reject the rest."""
    try:
        dt = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"dtype: {dtype!r} is not a dtype") from None
    if dt.kind not in _SUPPORTED:
        raise TypeError(f"dtype: {dt} is not supported (use a float, integer or bool dtype)")
    return dt


def category(dt: np.dtype) -> Any:
    """bool < integer < floating, as in torch's promotion rules."""
    k = dt.kind
    return 2 if k == "f" else (0 if k == "b" else 1)


_default_float = [float32]


def get_default_dtype() -> np.dtype:
    """The dtype of new floating tensors and parameters (float32 unless changed)."""
    return _default_float[0]


def set_default_dtype(d: Any) -> None:
    """Change the default floating dtype (``torch.set_default_dtype``): float32/64 or float16."""
    dt = resolve_dtype(d)
    if dt.kind != "f":
        raise TypeError(f"only floating-point types are supported as the default type, got {dt}")
    _default_float[0] = dt
