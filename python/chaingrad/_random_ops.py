"""Tensor methods that fill a tensor in place with random numbers (torch's ``random_``,
``uniform_``, ``normal_`` ...), drawing from a chaingrad ``Generator`` as torch's CPU kernels
draw, element by element in memory order."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from . import _distributions as D
from ._generator import Generator, check_generator
from .tensor import Tensor


def memory_order(arr: np.ndarray) -> np.ndarray:
    """A view of ``arr`` whose C order is its memory order (torch's TensorIterator order)."""
    if arr.flags.c_contiguous or arr.ndim < 2:
        return arr
    axes = sorted(range(arr.ndim), key=lambda a: -abs(arr.strides[a]))
    return arr.transpose(axes)


def fill_(t: Tensor, op: str, make: Callable[[int, np.dtype], np.ndarray]) -> Tensor:
    """Write ``make(numel, dtype)`` into ``t`` in memory order; autograd as torch's (a tensor
    that is part of a graph gets the values as a constant, its old history a zero gradient)."""
    from .ops import inplace

    if not isinstance(t, Tensor):
        raise TypeError(f"{op}: expected a chaingrad Tensor, got {type(t).__name__}")
    records = inplace._records(t, ())
    if not records:
        inplace.check_inplace(t, op)
    arr = t._data
    view = memory_order(arr)
    vals = make(arr.size, arr.dtype).reshape(view.shape)
    if records:
        full = np.empty_like(arr)
        memory_order(full)[...] = vals
        return inplace.copy_(t, Tensor._from_array(full))
    view[...] = vals
    t._bump_version()
    return t


def _int(v: Any, name: str, fn: str) -> int:
    if isinstance(v, bool) or not isinstance(v, (int, np.integer, float, np.floating)):
        raise TypeError(f"{fn}(): argument '{name}' must be int, not {type(v).__name__}")
    return int(v)


def _dtype_top(dt: np.dtype) -> int:
    """The largest value ``random_(from)`` draws for dtype (torch: 2**digits for floats)."""
    if dt.kind == "f":
        return 1 << (np.finfo(dt).nmant + 1)
    if dt.kind == "b":
        return 1
    return int(np.iinfo(dt).max)


def random_(self: Tensor, *args: Any, generator: Generator | None = None,
            **kw: Any) -> Tensor:
    """Fill with integers: ``random_()`` over [0, 2**mantissa] (floats) or [0, max] (ints),
    ``random_(to)`` over [0, to), ``random_(from, to)`` over [from, to) (``to=None``: up to the
    dtype's top)."""
    g = check_generator(generator, "random_")
    if len(args) > 2:
        raise TypeError(f"random_() takes at most 2 positional arguments, got {len(args)}")
    unknown = set(kw) - {"from", "to"}
    if unknown:
        raise TypeError(f"random_() got an unexpected keyword argument {sorted(unknown)[0]!r}")
    if len(args) == 1 and "from" not in kw and "to" not in kw:
        low, high = 0, args[0]
    else:
        low = args[0] if args else kw.get("from", 0)
        high = args[1] if len(args) > 1 else kw.get("to")
    dt = self._data.dtype
    if not args and "from" not in kw and "to" not in kw:
        return fill_(self, "random_", lambda n, d: D.random_bits(g, n, d))
    low = _int(low, "from", "random_")
    if high is None:
        top = _dtype_top(dt)
        if low > top:
            raise RuntimeError(f"random_ expects 'from' casted to dtype to be less than or equal "
                               f"to 'to_inc' casted to dtype, but got from={low} > to_inc={top}")
        if dt == np.int64 and low == -(1 << 63):
            return fill_(self, "random_", lambda n, d: D.random_full_64(g, n, d))
        high = top + 1
    high = _int(high, "to", "random_")
    if low >= high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} "
                           f">= to={high}")
    return fill_(self, "random_", lambda n, d: D.random_from_to(g, n, low, high, d))


def _float(v: Any, name: str, fn: str) -> float:
    if isinstance(v, Tensor):
        if v.ndim != 0:
            raise RuntimeError(f"{fn}(): argument '{name}' must be a number or a 0-d tensor")
        v = v.item()
    if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)):
        raise TypeError(f"{fn}(): argument '{name}' must be float, not {type(v).__name__}")
    return float(v)


def _need_float(t: Tensor, fn: str) -> None:
    if t._data.dtype.kind != "f":
        raise RuntimeError(f"{fn} expects a floating point tensor, got {t._data.dtype}")


def uniform_(self: Tensor, from_: float = 0.0, to: float = 1.0, *,
             generator: Generator | None = None, **kw: Any) -> Tensor:
    """Fill with U(from, to) samples (torch's ``uniform_``; ``from`` may be given by name)."""
    g = check_generator(generator, "uniform_")
    if "from" in kw:
        from_ = kw.pop("from")
    if kw:
        raise TypeError(f"uniform_() got an unexpected keyword argument {sorted(kw)[0]!r}")
    lo, hi = _float(from_, "from", "uniform_"), _float(to, "to", "uniform_")
    _need_float(self, "uniform_")
    if lo > hi:
        raise RuntimeError(f"uniform_ expects to return a [from, to) range, but found "
                           f"from={lo} > to={hi}")
    return fill_(self, "uniform_", lambda n, d: D.uniform(g, n, d, lo, hi))


def normal_(self: Tensor, mean: float = 0.0, std: float = 1.0, *,
            generator: Generator | None = None) -> Tensor:
    """Fill with N(mean, std**2) samples, torch's algorithm (see ``_distributions.normal``)."""
    g = check_generator(generator, "normal_")
    mean, std = _float(mean, "mean", "normal_"), _float(std, "std", "normal_")
    _need_float(self, "normal_")
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
    contiguous = self._data.flags.c_contiguous
    return fill_(self, "normal_", lambda n, d: D.normal(g, n, mean, std, d, contiguous))


def bernoulli_(self: Tensor, p: Any = 0.5, *, generator: Generator | None = None) -> Tensor:
    """Fill with 0/1 draws: probability ``p`` (a number, or a tensor broadcast to self)."""
    g = check_generator(generator, "bernoulli_")
    if isinstance(p, Tensor):
        pa = p._data
        if pa.dtype.kind != "f":
            raise RuntimeError(f"bernoulli_: expected a floating point probability tensor, got "
                               f"{pa.dtype}")
        try:
            pa = np.broadcast_to(pa, self._data.shape)
        except ValueError:
            raise RuntimeError(f"bernoulli_: the shape of p {tuple(p.shape)} cannot be broadcast "
                               f"to {tuple(self.shape)}") from None
        if pa.size and (np.any(pa < 0) or np.any(pa > 1) or np.any(np.isnan(pa))):
            raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false.")
        return fill_(self, "bernoulli_",
                     lambda n, d: D.bernoulli_tensor(g, _mem(pa, self._data), d))
    pf = _float(p, "p", "bernoulli_")
    if not 0 <= pf <= 1:
        raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={pf}")
    return fill_(self, "bernoulli_", lambda n, d: D.bernoulli_scalar(g, n, pf, d))


def _mem(p: np.ndarray, like: np.ndarray) -> np.ndarray:
    """``p`` laid out in ``like``'s memory order (the order the kernel walks both)."""
    axes = list(range(like.ndim))
    if not like.flags.c_contiguous and like.ndim >= 2:
        axes = sorted(axes, key=lambda a: -abs(like.strides[a]))
    return np.ascontiguousarray(p.transpose(axes))


def exponential_(self: Tensor, lambd: float = 1.0, *,
                 generator: Generator | None = None) -> Tensor:
    """Fill with Exp(lambd) samples."""
    g = check_generator(generator, "exponential_")
    lam = _float(lambd, "lambd", "exponential_")
    _need_float(self, "exponential_")
    if not lam > 0:
        raise RuntimeError(f"exponential_ expects lambda > 0.0, but found lambda={lam}")
    return fill_(self, "exponential_", lambda n, d: D.exponential(g, n, lam, d))


def cauchy_(self: Tensor, median: float = 0.0, sigma: float = 1.0, *,
            generator: Generator | None = None) -> Tensor:
    """Fill with Cauchy(median, sigma) samples: median + sigma * tan(pi * (u - 0.5))."""
    g = check_generator(generator, "cauchy_")
    med, sig = _float(median, "median", "cauchy_"), _float(sigma, "sigma", "cauchy_")
    _need_float(self, "cauchy_")
    if not sig > 0:
        raise RuntimeError(f"cauchy_ expects sigma > 0.0, but found sigma={sig}")
    return fill_(self, "cauchy_", lambda n, d: D.cauchy(g, n, med, sig, d))


def log_normal_(self: Tensor, mean: float = 1.0, std: float = 2.0, *,
                generator: Generator | None = None) -> Tensor:
    """Fill with exp(N(mean, std**2)) samples."""
    g = check_generator(generator, "log_normal_")
    m, s = _float(mean, "mean", "log_normal_"), _float(std, "std", "log_normal_")
    _need_float(self, "log_normal_")
    if not s > 0:
        raise RuntimeError(f"log_normal_ expects std > 0.0, but found std={s}")
    return fill_(self, "log_normal_", lambda n, d: D.log_normal(g, n, m, s, d))


def geometric_(self: Tensor, p: float, *, generator: Generator | None = None) -> Tensor:
    """Fill with the number of Bernoulli(p) trials up to the first success."""
    g = check_generator(generator, "geometric_")
    pf = _float(p, "p", "geometric_")
    if not 0 < pf < 1:
        raise RuntimeError(f"geometric_ expects p to be in (0, 1), but got p={pf}")
    return fill_(self, "geometric_", lambda n, d: D.geometric(g, n, pf, d))


METHODS: dict[str, Callable] = {
    "random_": random_,
    "uniform_": uniform_,
    "normal_": normal_,
    "bernoulli_": bernoulli_,
    "exponential_": exponential_,
    "cauchy_": cauchy_,
    "log_normal_": log_normal_,
    "geometric_": geometric_,
}

for _name, _fn in METHODS.items():
    setattr(Tensor, _name, _fn)
