"""torch's text for tensors: ``print(t)`` and ``repr(t)`` give what torch 2.13 prints.

The rules follow torch's printer: one element width per tensor (elements right-aligned), an
integer style (``6.``) when every finite value is integral, scientific notation when the finite
nonzero magnitudes span more than 1000x or leave [1e-4, 1e8], precision 4, lines wrapped at 80
columns, summaries (``...``) above 1000 elements with 3 edge items, and the ``dtype=``,
``size=``, ``grad_fn=`` and ``requires_grad=True`` suffixes. ``set_printoptions`` changes the
options as torch's does.

The dtype suffix reads ``dtype=torch.float64``, as torch prints it, not ``chaingrad.float64``:
chaingrad exists so that torch programs run with ``import chaingrad as torch`` and print what
torch prints, and text compared against torch's output must match it.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np


@dataclass
class _PrintOptions:
    precision: int = 4
    threshold: float = 1000
    edgeitems: int = 3
    linewidth: int = 80
    sci_mode: bool | None = None


PRINT_OPTS = _PrintOptions()

_PROFILES = {
    "default": (4, 1000, 3, 80),
    "short": (2, 1000, 2, 80),
    "full": (4, math.inf, 3, 80),
}


def set_printoptions(
    precision: int | None = None,
    threshold: float | None = None,
    edgeitems: int | None = None,
    linewidth: int | None = None,
    profile: str | None = None,
    sci_mode: bool | None = None,
) -> None:
    """Set how tensors print (``torch.set_printoptions``).

    ``profile`` is ``"default"``, ``"short"`` or ``"full"``; the other arguments override it.
    ``sci_mode=None`` (also the value when it is not passed) lets the printer choose.
    """
    if profile is not None:
        if profile not in _PROFILES:
            raise ValueError(
                f"set_printoptions: profile must be one of 'default', 'short', 'full', "
                f"got {profile!r}")
        (PRINT_OPTS.precision, PRINT_OPTS.threshold, PRINT_OPTS.edgeitems,
         PRINT_OPTS.linewidth) = _PROFILES[profile]
    for name, value in (("precision", precision), ("edgeitems", edgeitems),
                        ("linewidth", linewidth)):
        if value is not None:
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
                raise TypeError(f"set_printoptions: {name} must be a non-negative int, "
                                f"got {value!r}")
            setattr(PRINT_OPTS, name, int(value))
    if threshold is not None:
        if isinstance(threshold, bool) or not isinstance(threshold, (int, float, np.number)):
            raise TypeError(f"set_printoptions: threshold must be a number, got {threshold!r}")
        PRINT_OPTS.threshold = threshold
    if sci_mode is not None and not isinstance(sci_mode, bool):
        raise TypeError(f"set_printoptions: sci_mode must be a bool or None, got {sci_mode!r}")
    PRINT_OPTS.sci_mode = sci_mode


def get_printoptions() -> dict[str, Any]:
    """The current options, as keyword arguments for :func:`set_printoptions`."""
    return asdict(PRINT_OPTS)


class _Formatter:
    """One width and one style for every element of a tensor (or of its summary)."""

    def __init__(self, arr: np.ndarray) -> None:
        self.floating = arr.dtype.kind == "f"
        self.int_mode = True
        self.sci_mode = False
        self.max_width = 1
        flat = arr.reshape(-1)
        if not self.floating:
            for v in flat.tolist():
                self.max_width = max(self.max_width, len(str(v)))
            return
        vals = flat[np.isfinite(flat) & (flat != 0)]
        if vals.size == 0:
            return
        mags = np.abs(vals.astype(np.float64))
        lo, hi = float(mags.min()), float(mags.max())
        self.int_mode = bool(np.all(vals == np.ceil(vals)))
        if PRINT_OPTS.sci_mode is None:
            self.sci_mode = hi / lo > 1000.0 or hi > 1.0e8 or lo < 1.0e-4
        else:
            self.sci_mode = PRINT_OPTS.sci_mode
        p = PRINT_OPTS.precision
        py = vals.tolist()
        if self.sci_mode:
            width = max(len(f"{v:.{p}e}") for v in py)
        elif self.int_mode:
            width = max(len(f"{v:.0f}") for v in py) + 1
        else:
            width = max(len(f"{v:.{p}f}") for v in py)
        self.max_width = max(self.max_width, width)

    def format(self, v: Any) -> str:
        if self.floating:
            p = PRINT_OPTS.precision
            if self.sci_mode:
                s = f"{v:{self.max_width}.{p}e}"
            elif self.int_mode:
                s = f"{v:.0f}"
                if math.isfinite(v):
                    s += "."
            else:
                s = f"{v:.{p}f}"
        else:
            s = str(v)
        return s.rjust(self.max_width)


def _summarized(arr: np.ndarray) -> np.ndarray:
    """The elements a summary shows: ``edgeitems`` from each end of every dimension."""
    e = PRINT_OPTS.edgeitems
    if arr.ndim == 0:
        return arr
    if arr.ndim == 1:
        return np.concatenate([arr[:e], arr[-e:]]) if arr.shape[0] > 2 * e and e else arr
    if not e:
        return arr[tuple(slice(0, 0) for _ in range(arr.ndim))]
    rows = (list(range(e)) + list(range(arr.shape[0] - e, arr.shape[0]))
            if arr.shape[0] > 2 * e else range(arr.shape[0]))
    return np.stack([_summarized(arr[i]) for i in rows])


def _vector_str(arr: np.ndarray, indent: int, summarize: bool, fmt: _Formatter) -> str:
    per_line = max(1, (PRINT_OPTS.linewidth - indent) // (fmt.max_width + 2))
    e = PRINT_OPTS.edgeitems
    if summarize and not e:
        data = ["..."]
    elif summarize and arr.shape[0] > 2 * e:
        data = ([fmt.format(v) for v in arr[:e].tolist()] + [" ..."]
                + [fmt.format(v) for v in arr[-e:].tolist()])
    else:
        data = [fmt.format(v) for v in arr.tolist()]
    lines = [", ".join(data[i:i + per_line]) for i in range(0, len(data), per_line)]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _nested_str(arr: np.ndarray, indent: int, summarize: bool, fmt: _Formatter) -> str:
    if arr.ndim == 0:
        return fmt.format(arr.item())
    if arr.ndim == 1:
        return _vector_str(arr, indent, summarize, fmt)
    e = PRINT_OPTS.edgeitems
    n = arr.shape[0]
    if summarize and n > 2 * e:
        parts = ([_nested_str(arr[i], indent + 1, summarize, fmt) for i in range(e)] + ["..."]
                 + [_nested_str(arr[i], indent + 1, summarize, fmt) for i in range(n - e, n)])
    else:
        parts = [_nested_str(arr[i], indent + 1, summarize, fmt) for i in range(n)]
    return "[" + ("," + "\n" * (arr.ndim - 1) + " " * (indent + 1)).join(parts) + "]"


def format_array(arr: np.ndarray, indent: int = 7) -> str:
    """The bracketed body torch prints for ``arr`` after a prefix of ``indent`` columns."""
    if arr.size == 0:
        return "[]"
    summarize = arr.size > PRINT_OPTS.threshold
    fmt = _Formatter(_summarized(arr) if summarize else arr)
    return _nested_str(arr, indent, summarize, fmt)


def _add_suffixes(text: str, suffixes: list[str], indent: int) -> str:
    out = [text]
    last = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        if last + len(suffix) + 2 > PRINT_OPTS.linewidth:
            out.append(",\n" + " " * indent + suffix)
            last = indent + len(suffix)
        else:
            out.append(", " + suffix)
            last += len(suffix) + 2
    out.append(")")
    return "".join(out)


def dtype_name(dt: np.dtype) -> str:
    """torch's spelling of a dtype: ``torch.float64``."""
    return f"torch.{np.dtype(dt).name}"


def format_tensor(t: Any) -> str:
    from .dtypes import get_default_dtype

    arr = t._data
    prefix = "tensor("
    indent = len(prefix)
    default = get_default_dtype()
    suffixes = []
    if arr.size == 0:
        if arr.ndim != 1:
            suffixes.append(f"size={tuple(arr.shape)}")
        if arr.dtype != default:
            suffixes.append(f"dtype={dtype_name(arr.dtype)}")
        body = "[]"
    else:
        if not PRINT_OPTS.edgeitems:
            suffixes.append(f"size={tuple(arr.shape)}")
        if arr.dtype not in (default, np.dtype(np.int64), np.dtype(np.bool_)):
            suffixes.append(f"dtype={dtype_name(arr.dtype)}")
        body = format_array(arr, indent)
    if t._grad_fn is not None:
        suffixes.append(f"grad_fn=<{t._grad_fn.name()}>")
    elif t._requires_grad:
        suffixes.append("requires_grad=True")
    return _add_suffixes(prefix + body, suffixes, indent)
