"""Tensor factories with torch's names and default dtypes (float32 unless asked)."""

from __future__ import annotations

from typing import Any

import numpy as np

from . import _distributions as D
from ._generator import Generator, check_generator, default_generator
from .dtypes import get_default_dtype, resolve_dtype
from .random import manual_seed
from .tensor import Tensor

__all__ = ["Generator", "default_generator", "manual_seed"]  # re-exported for old imports

def _shape(size: tuple) -> tuple[int, ...]:
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    for s in size:
        if not isinstance(s, (int, np.integer)) or isinstance(s, bool):
            raise TypeError(f"size must be a sequence of ints, got {size!r}")
        if s < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: "
                               f"{list(size)}")
    return tuple(int(s) for s in size)


def _finish(arr: np.ndarray, requires_grad: bool) -> Tensor:
    t = Tensor._from_array(arr)
    if requires_grad:
        t.requires_grad = True
    return t


def _dt(dtype: Any, default: Any = None) -> np.dtype:
    if dtype is not None:
        return resolve_dtype(dtype)
    return np.dtype(default) if default is not None else get_default_dtype()


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
        dtype = get_default_dtype() if isinstance(fill_value, float) else (
            np.bool_ if isinstance(fill_value, bool) else np.int64)
    return _finish(np.full(_shape((size,)), fill_value, dtype=_dt(dtype)), requires_grad)


def _float_dt(dtype: Any, fn: str) -> np.dtype:
    dt = _dt(dtype)
    if dt.kind != "f":
        raise RuntimeError(f"{fn}: expected a floating point dtype, got {dt}")
    return dt


def randn(*size: Any, generator: Generator | None = None, dtype: Any = None,
          requires_grad: bool = False) -> Tensor:
    """Standard normal samples; torch's numbers after ``manual_seed`` (see docs/random.md)."""
    g = check_generator(generator, "randn")
    shape, dt = _shape(size), _float_dt(dtype, "randn")
    n = int(np.prod(shape, dtype=np.int64))
    return _finish(D.normal(g, n, 0.0, 1.0, dt).reshape(shape), requires_grad)


def rand(*size: Any, generator: Generator | None = None, dtype: Any = None,
         requires_grad: bool = False) -> Tensor:
    """Uniform samples in [0, 1); torch's numbers after ``manual_seed``."""
    g = check_generator(generator, "rand")
    shape, dt = _shape(size), _float_dt(dtype, "rand")
    n = int(np.prod(shape, dtype=np.int64))
    return _finish(D.uniform(g, n, dt).reshape(shape), requires_grad)


def arange(start: Any, end: Any = None, step: Any = 1, dtype: Any = None,
           requires_grad: bool = False) -> Tensor:
    if end is None:
        start, end = 0, start
    if step == 0:
        raise ValueError("arange: step must be nonzero")
    floating = any(isinstance(v, float) for v in (start, end, step))
    arr = np.arange(start, end, step, dtype=_dt(dtype, None if floating else np.int64))
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


def randn_like(t: Tensor, generator: Generator | None = None, dtype: Any = None,
               requires_grad: bool = False) -> Tensor:
    shape, dt = _like(t, dtype)
    return randn(shape, generator=generator, dtype=dt, requires_grad=requires_grad)


def rand_like(t: Tensor, generator: Generator | None = None, dtype: Any = None,
              requires_grad: bool = False) -> Tensor:
    shape, dt = _like(t, dtype)
    return rand(shape, generator=generator, dtype=dt, requires_grad=requires_grad)


def empty_like(t: Tensor, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    shape, dt = _like(t, dtype)
    return _finish(np.empty(shape, dtype=dt), requires_grad)


def _int_arg(v: Any, name: str, fn: str) -> int:
    if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
        raise TypeError(f"{fn}(): argument '{name}' must be int, not {type(v).__name__}")
    return int(v)


def _randint_args(args: tuple, low: Any, high: Any, size: Any, fn: str) -> tuple:
    """torch's overloads: (high, size), (low, high, size), or the same as keywords."""
    args = list(args)
    if size is None and args and isinstance(args[-1], (tuple, list)):
        size = args.pop()
    if len(args) == 2:
        if low is not None or high is not None:
            raise TypeError(f"{fn}(): got multiple values for 'low'/'high'")
        low, high = args
    elif len(args) == 1:
        if high is None:
            high = args[0]
        elif low is None:
            low = args[0]
        else:
            raise TypeError(f"{fn}(): got multiple values for 'low'/'high'")
    elif args:
        raise TypeError(f"{fn}() takes (high, size) or (low, high, size), got {len(args)} "
                        "positional arguments before size")
    if high is None:
        raise TypeError(f"{fn}() missing required argument 'high'")
    return (0 if low is None else _int_arg(low, "low", fn)), _int_arg(high, "high", fn), size


def _fill_from_to(shape: tuple, low: int, high: int, dt: np.dtype, g: Generator) -> np.ndarray:
    if low >= high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} "
                           f">= to={high}")
    n = int(np.prod(shape, dtype=np.int64))
    return D.random_from_to(g, n, low, high, dt).reshape(shape)


def randint(*args: Any, low: Any = None, high: Any = None, size: Any = None,
            generator: Generator | None = None, dtype: Any = None,
            requires_grad: bool = False) -> Tensor:
    """Integers uniform in [low, high) (int64 unless ``dtype``); torch's numbers after
    ``manual_seed``. Call as ``randint(high, size)`` or ``randint(low, high, size)``."""
    g = check_generator(generator, "randint")
    low, high, size = _randint_args(args, low, high, size, "randint")
    if size is None:
        raise TypeError("randint() missing required argument 'size' (a tuple of ints)")
    arr = _fill_from_to(_shape((size,)), low, high, _dt(dtype, np.int64), g)
    return _finish(arr, requires_grad)


def randint_like(input: Tensor, *args: Any, low: Any = None, high: Any = None,  # noqa: A002
                 generator: Generator | None = None, dtype: Any = None,
                 requires_grad: bool = False) -> Tensor:
    """``randint`` with ``input``'s shape and dtype: ``randint_like(t, high)`` or
    ``randint_like(t, low, high)``."""
    g = check_generator(generator, "randint_like")
    shape, dt = _like(input, dtype)
    low, high, _ = _randint_args(args, low, high, (), "randint_like")
    return _finish(_fill_from_to(shape, low, high, dt, g), requires_grad)


def randperm(n: int, generator: Generator | None = None, dtype: Any = None,
             requires_grad: bool = False) -> Tensor:
    """A random permutation of 0..n-1 (int64 unless ``dtype``), torch's for the same seed."""
    g = check_generator(generator, "randperm")
    n = _int_arg(n, "n", "randperm")
    if n < 0:
        raise RuntimeError(f"Trying to create tensor with negative dimension {n}: [{n}]")
    dt = _dt(dtype, np.int64)
    if dt.kind == "f" and n > 2 ** (np.finfo(dt).nmant + 1):
        raise RuntimeError(f"n cannot be greater than 2^{np.finfo(dt).nmant + 1}+1 for "
                           f"{dt} dtype, got n={n}")
    if dt.kind in "iu" and n - 1 > np.iinfo(dt).max:
        raise RuntimeError(f"n is too large for result tensor type: {dt}")
    return _finish(D.randperm(g, n).astype(dt), requires_grad)


def bernoulli(input: Tensor, p: Any = None, *, generator: Generator | None = None  # noqa: A002
              ) -> Tensor:
    """0/1 draws with probability ``input`` elementwise (or the number ``p``), input's dtype."""
    from . import _random_ops as R

    if not isinstance(input, Tensor):
        raise TypeError(f"bernoulli(): argument 'input' must be Tensor, not "
                        f"{type(input).__name__}")
    out = Tensor._from_array(np.empty(input._data.shape, dtype=input._data.dtype))
    return R.bernoulli_(out, input if p is None else p, generator=generator)


def multinomial(input: Tensor, num_samples: int, replacement: bool = False, *,  # noqa: A002
                generator: Generator | None = None) -> Tensor:
    """Category indices drawn from each row of (unnormalised) probabilities ``input`` (1-D or
    2-D), torch's algorithm and numbers."""
    g = check_generator(generator, "multinomial")
    if not isinstance(input, Tensor):
        raise TypeError(f"multinomial(): argument 'input' must be Tensor, not "
                        f"{type(input).__name__}")
    k = _int_arg(num_samples, "num_samples", "multinomial")
    p = input._data
    if p.ndim not in (1, 2):
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    if p.dtype.kind != "f":
        raise RuntimeError(f"multinomial only supports floating-point dtypes for input, got: "
                           f"{p.dtype}")
    if k <= 0:
        raise RuntimeError("cannot sample n_sample <= 0 samples")
    if not replacement and k > p.shape[-1]:
        raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without "
                           "replacement")
    rows = p.reshape(-1, p.shape[-1]) if p.ndim == 2 else p.reshape(1, -1)
    if rows.size and not (np.all(rows >= 0) and np.all(np.isfinite(rows))):
        raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
    if np.any(rows.sum(axis=-1) <= 0):
        raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
    out = D.multinomial(g, rows, k, bool(replacement))
    return Tensor._from_array(out if p.ndim == 2 else out.reshape(-1))


def normal(mean: Any = 0.0, std: Any = 1.0, size: Any = None, *,
           generator: Generator | None = None, dtype: Any = None,
           requires_grad: bool = False) -> Tensor:
    """Normal samples. ``normal(mean, std, size)`` with numbers, or ``mean``/``std`` tensors
    (broadcast; the samples are ``N(0, 1) * std + mean`` as torch computes them, and like torch
    their gradient with respect to ``mean`` and ``std`` is zero)."""
    from . import _random_ops as R

    g = check_generator(generator, "normal")
    mt, st = isinstance(mean, Tensor), isinstance(std, Tensor)
    if not mt and not st:
        if size is None:
            raise TypeError("normal(): with a number mean and std, 'size' is required")
        shape = _shape((size,))
        out = Tensor._from_array(np.empty(shape, dtype=_float_dt(dtype, "normal")))
        R.normal_(out, mean, std, generator=g)
        return _finish(out._data, requires_grad)
    if size is not None:
        raise TypeError("normal(): 'size' is only accepted with a number mean and std")
    if st and std._data.size and np.any(std._data < 0):
        raise RuntimeError("normal expects all elements of std >= 0.0")
    if not st and float(std) < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
    ref = mean if mt else std
    dt = ref._data.dtype
    if dt.kind != "f":
        raise RuntimeError(f"normal expects floating point mean/std tensors, got {dt}")
    mshape = mean._data.shape if mt else ()
    sshape = std._data.shape if st else ()
    if mt and not st:
        shape = mshape
        out = Tensor._from_array(np.empty(shape, dtype=dt))
        noise = R.normal_(out, 0.0, float(std), generator=g)._data
        vals = noise + mean._data
    else:
        try:
            shape = np.broadcast_shapes(mshape, sshape)
        except ValueError:
            raise RuntimeError(f"normal: mean of shape {mshape} and std of shape {sshape} "
                               "cannot be broadcast together") from None
        out = Tensor._from_array(np.empty(shape, dtype=dt))
        noise = R.normal_(out, 0.0, 1.0, generator=g)._data
        m = mean._data if mt else dt.type(mean)
        vals = noise * std._data + m
    res = Tensor._from_array(np.asarray(vals, dtype=dt))
    grads = [t for t in (mean, std) if isinstance(t, Tensor) and t.requires_grad]
    for t in grads:  # zero gradient, as torch's NormalBackward
        res = res + t * 0
    return res
