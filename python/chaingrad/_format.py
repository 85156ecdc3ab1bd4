"""A torch-like ``repr`` for tensors: ``tensor([6.], grad_fn=<MulBackward0>)``."""

from __future__ import annotations

from typing import Any

import numpy as np

_DEFAULT_DTYPES = (np.dtype(np.float32), np.dtype(np.int64), np.dtype(np.bool_))


def _float_formatter(arr: np.ndarray) -> Any:
    """Pick torch's float style: integral values as ``6.``, else 4 decimals or scientific."""
    finite = arr[np.isfinite(arr)]
    nonzero = np.abs(finite[finite != 0]).astype(np.float64)
    if finite.size and np.all(finite == np.ceil(finite)):
        if nonzero.size and (nonzero.max() > 1e8 or nonzero.max() / nonzero.min() > 1000):
            fmt = "{:.4e}"
        else:
            return lambda v: _special(v) or f"{v:.0f}."
    elif nonzero.size and (
        nonzero.max() / nonzero.min() > 1000 or nonzero.max() > 1e8 or nonzero.min() < 1e-4
    ):
        fmt = "{:.4e}"
    else:
        fmt = "{:.4f}"
    return lambda v: _special(v) or fmt.format(v)


def _special(v: float) -> str:
    if np.isnan(v):
        return "nan"
    if np.isinf(v):
        return "inf" if v > 0 else "-inf"
    return ""


def format_array(arr: np.ndarray, prefix: str = "tensor(") -> str:
    if arr.size == 0:
        return "[]"
    kind = arr.dtype.kind
    if kind == "f":
        formatter: dict = {"float_kind": _float_formatter(arr)}
    elif kind == "b":
        formatter = {"bool": lambda v: "True" if v else "False"}
    else:
        formatter = {"int": lambda v: str(v)}
    return np.array2string(
        arr, separator=", ", prefix=prefix, formatter=formatter, threshold=1000, edgeitems=3,
        max_line_width=80,
    )


def format_tensor(t: Any) -> str:
    arr = t._data
    body = format_array(arr)
    extras = []
    if arr.size == 0 and arr.ndim != 1:
        extras.append(f"size={tuple(arr.shape)}")
    if arr.dtype not in _DEFAULT_DTYPES:
        extras.append(f"dtype=chaingrad.{arr.dtype}")
    if t._grad_fn is not None:
        extras.append(f"grad_fn=<{t._grad_fn.name()}>")
    elif t._requires_grad:
        extras.append("requires_grad=True")
    if extras:
        return f"tensor({body}, " + ", ".join(extras) + ")"
    return f"tensor({body})"
