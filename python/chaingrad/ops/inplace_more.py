"""In-place variants (``x.floor_()``, ``x.tril_(k)``, ...) of the ops in ``sorting``,
``special``, ``matrix`` and ``misc``: the out-of-place op written back through
``inplace.rebase_history`` (torch's history rewrite, views included) or, with nothing to
record, straight into the tensor's memory."""

from __future__ import annotations

from typing import Any, Callable

from ..tensor import Tensor
from . import extra as EX
from . import index_more as IXM
from . import matrix as MX
from . import misc as MI
from . import special as SP
from .inplace import _assign_, _records, rebase_history


def inplace_of(fn: Callable[..., Tensor], name: str) -> Callable[..., Tensor]:
    def inplace(t: Tensor, *args: Any, **kwargs: Any) -> Tensor:
        if not isinstance(t, Tensor):
            raise TypeError(f"{name}(): expected a Tensor, got {type(t).__name__}")
        if _records(t, args + tuple(kwargs.values())):
            return rebase_history(t, lambda old: fn(old, *args, **kwargs), True, name)
        return _assign_(t, fn(t.detach(), *args, **kwargs), name)

    inplace.__name__ = inplace.__qualname__ = name
    inplace.__doc__ = f"In-place ``{name[:-1]}``."
    return inplace


_SOURCES = {
    **{n: getattr(SP, n) for n in (
        "sinh", "cosh", "asin", "acos", "atan", "asinh", "acosh", "atanh", "log2", "log10",
        "exp2", "erf", "erfc", "erfinv", "logit", "floor", "ceil", "round", "trunc", "frac",
        "fmod", "remainder", "atan2", "hypot", "xlogy", "arcsin", "arccos", "arctan", "arcsinh",
        "arccosh", "arctanh", "arctan2", "fix")},
    **{n: getattr(MX, n) for n in ("tril", "triu", "addmm", "addmv", "baddbmm", "addbmm")},
    "cumprod": MI.cumprod,
    **{n: getattr(IXM, n) for n in ("index_add", "index_copy", "index_fill", "masked_scatter",
                                    "scatter_reduce")},
    **{n: getattr(EX, n) for n in ("floor_divide", "nan_to_num", "copysign", "sinc", "deg2rad",
                                   "rad2deg", "sgn")},
}

INPLACE: dict[str, Callable[..., Tensor]] = {
    n + "_": inplace_of(f, n + "_") for n, f in _SOURCES.items()}
