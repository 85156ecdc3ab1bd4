"""torch's dtype queries and global switches: finfo, iinfo, promote_types, result_type,
can_cast, is_signed, typename, and the warn-always / deterministic-algorithms flags (chaingrad's
NumPy kernels are deterministic, so the flags are recorded and reported, nothing more)."""

from __future__ import annotations

import builtins
from typing import Any

import numpy as np

from .dtypes import category, get_default_dtype, resolve_dtype
from .tensor import Tensor


def _dtype_arg(d: Any, fn: str) -> np.dtype:
    if d is None:
        return get_default_dtype()
    try:
        return resolve_dtype(d)
    except TypeError:
        raise TypeError(f"{fn}(): argument 'type' must be a dtype, not {type(d).__name__}") \
            from None


class finfo:  # noqa: N801 - torch's name
    """Machine limits of a floating dtype (``torch.finfo``): bits, eps, max, min, tiny
    (= smallest_normal), resolution, dtype (its name, e.g. ``'float32'``)."""

    def __init__(self, type: Any = None) -> None:  # noqa: A002 - torch's name
        dt = _dtype_arg(type, "finfo")
        if dt.kind != "f":
            raise TypeError("torch.finfo() requires a floating point input type. Use torch.iinfo "
                            "to handle 'torch.finfo'")
        info = np.finfo(dt)
        self.bits: int = builtins.int(info.bits)
        self.eps: float = builtins.float(info.eps)
        self.max: float = builtins.float(info.max)
        self.min: float = builtins.float(info.min)
        self.tiny: float = builtins.float(info.smallest_normal)
        self.smallest_normal: float = self.tiny
        self.resolution: float = 10.0 ** -builtins.int(info.precision)
        self.dtype: str = dt.name

    def __eq__(self, other: object) -> bool:
        return isinstance(other, finfo) and other.dtype == self.dtype

    def __hash__(self) -> int:
        return hash(("finfo", self.dtype))

    def __repr__(self) -> str:
        return (f"finfo(resolution={self.resolution:g}, min={self.min:g}, max={self.max:g}, "
                f"eps={self.eps:g}, smallest_normal={self.tiny:g}, tiny={self.tiny:g}, "
                f"dtype={self.dtype})")


class iinfo:  # noqa: N801 - torch's name
    """Limits of an integer dtype (``torch.iinfo``): bits, max, min, dtype (its name)."""

    def __init__(self, type: Any) -> None:  # noqa: A002 - torch's name
        dt = _dtype_arg(type, "iinfo")
        if dt.kind not in "iu":
            raise TypeError("torch.iinfo() requires an integer input type. Use torch.finfo to "
                            "handle 'torch.iinfo'")
        info = np.iinfo(dt)
        self.bits: int = builtins.int(info.bits)
        self.max: int = builtins.int(info.max)
        self.min: int = builtins.int(info.min)
        self.dtype: str = dt.name

    def __eq__(self, other: object) -> bool:
        return isinstance(other, iinfo) and other.dtype == self.dtype

    def __hash__(self) -> int:
        return hash(("iinfo", self.dtype))

    def __repr__(self) -> str:
        return f"iinfo(min={self.min}, max={self.max}, dtype={self.dtype})"


def _join(a: np.dtype | None, b: np.dtype) -> np.dtype:
    if a is None:
        return b
    ca, cb = category(a), category(b)
    if ca != cb:
        return a if ca > cb else b
    return np.promote_types(a, b)


def promote_types(type1: Any, type2: Any) -> np.dtype:
    """The dtype torch computes in for operands of these dtypes (float beats integer beats
    bool; within a kind the wider wins: ``promote_types(int64, float16)`` is float16)."""
    return _join(_dtype_arg(type1, "promote_types"), _dtype_arg(type2, "promote_types"))


def _scalar_dtype(s: Any) -> np.dtype:
    if isinstance(s, builtins.bool):
        return np.dtype(np.bool_)
    if isinstance(s, builtins.int):
        return np.dtype(np.int64)
    if isinstance(s, builtins.float):
        return get_default_dtype()
    raise TypeError(f"result_type(): expected a Tensor or a number, got {type(s).__name__}")


def result_type(tensor1: Any, tensor2: Any) -> np.dtype:
    """The dtype of an arithmetic op on these operands (torch's promotion): dimensioned tensors
    decide within a kind, then 0-d tensors, then Python numbers; a higher kind always wins."""
    groups: list[np.dtype | None] = [None, None, None]
    for x in (tensor1, tensor2):
        if isinstance(x, Tensor):
            g = 0 if x._data.ndim else 1
            groups[g] = _join(groups[g], x._data.dtype)
        else:
            groups[2] = _join(groups[2], _scalar_dtype(x))
    out: np.dtype | None = None
    for d in groups:
        if d is None:
            continue
        if out is None or category(d) > category(out):
            out = d
    return out  # type: ignore[return-value]


def can_cast(from_: Any, to: Any) -> bool:
    """Whether torch's type promotion allows this cast: never float -> integer or
    non-bool -> bool."""
    f, t = _dtype_arg(from_, "can_cast"), _dtype_arg(to, "can_cast")
    if f.kind == "f" and t.kind in "iub":
        return False
    if f.kind != "b" and t.kind == "b":
        return False
    return True


def is_signed(input: Any) -> bool:  # noqa: A002 - torch's name
    """True for signed integer and floating dtypes, False for uint8 and bool."""
    if not isinstance(input, Tensor):
        raise TypeError(f"is_signed(): argument 'input' must be Tensor, not "
                        f"{type(input).__name__}")
    return input._data.dtype.kind in "if"


def _tensor_is_signed(self: Tensor) -> bool:
    return is_signed(self)


def typename(obj: Any) -> str:
    """A string name of ``obj``'s type: ``'torch.FloatTensor'`` for tensors (``t.type()``),
    ``module.QualName`` otherwise."""
    if isinstance(obj, Tensor):
        return obj.type()
    module = getattr(obj, "__module__", "") or ""
    if hasattr(obj, "__qualname__"):
        qualname = obj.__qualname__
    elif hasattr(obj, "__name__"):
        qualname = obj.__name__
    else:
        module = obj.__class__.__module__ or ""
        qualname = obj.__class__.__qualname__
    return qualname if module in ("", "builtins") else f"{module}.{qualname}"


# ------------------------------------------------------------------ global switches
_flags: dict[str, Any] = {"warn_always": False, "deterministic": False, "warn_only": False}


def set_warn_always(b: bool) -> None:
    """Record torch's warn-always flag (chaingrad's warnings are Python's ``warnings``)."""
    _flags["warn_always"] = builtins.bool(b)


def is_warn_always_enabled() -> bool:
    return _flags["warn_always"]


def use_deterministic_algorithms(mode: bool, *, warn_only: bool = False) -> None:
    """Accepted and recorded: every chaingrad kernel is already deterministic."""
    if not isinstance(mode, builtins.bool):
        raise TypeError(f"use_deterministic_algorithms(): mode must be a bool, got "
                        f"{type(mode).__name__}")
    _flags["deterministic"] = mode
    _flags["warn_only"] = builtins.bool(warn_only) and mode


def are_deterministic_algorithms_enabled() -> bool:
    return _flags["deterministic"]


def is_deterministic_algorithms_warn_only_enabled() -> bool:
    return _flags["warn_only"]


def set_deterministic_debug_mode(debug_mode: Any) -> None:
    """0/"default": off; 1/"warn": deterministic, warn only; 2/"error": deterministic."""
    names = {"default": 0, "warn": 1, "error": 2}
    if isinstance(debug_mode, str):
        if debug_mode not in names:
            raise RuntimeError(f"invalid value of debug_mode, expected one of `default`, `warn`, "
                               f"`error`, but got {debug_mode}")
        debug_mode = names[debug_mode]
    if debug_mode not in (0, 1, 2) or isinstance(debug_mode, builtins.bool):
        raise RuntimeError(f"invalid value of debug_mode, expected 0, 1, or 2, but got "
                           f"{debug_mode}")
    use_deterministic_algorithms(debug_mode != 0, warn_only=debug_mode == 1)


def get_deterministic_debug_mode() -> int:
    if not _flags["deterministic"]:
        return 0
    return 1 if _flags["warn_only"] else 2
