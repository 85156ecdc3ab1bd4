"""Gamma-family special functions and a few more pointwise / small linear-algebra ops, with
torch's names and gradients (no SciPy):

- ``lgamma`` (``math.lgamma`` per element), ``digamma`` and ``polygamma`` (shifted by the
  recurrence until the argument is >= 10, then the asymptotic series with Bernoulli numbers),
  ``mvlgamma`` (a sum of lgammas), ``i0`` (power series; its gradient is ``i1``, itself
  differentiable). Each gradient is the next function of the family, so higher orders work.
- ``fmax``/``fmin`` (NaN-ignoring max/min; ties send the gradient to ``input`` as torch),
  ``isposinf``/``isneginf``, ``gcd``/``lcm`` (integers), ``ldexp``, ``frexp``, ``nextafter``.
- ``dist``, ``vdot``, ``addr``, ``diagflat``, compositions of differentiable ops.
"""

from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np

from .. import return_types as RT
from ..tensor import Tensor
from . import special as SP
from ._common import as_tensor, wrap

# B_2k / (2k) for the digamma series and B_2k / (2k)! for the Hurwitz-zeta tail.
_BERNOULLI = (1 / 6, -1 / 30, 1 / 42, -1 / 30, 5 / 66, -691 / 2730, 7 / 6, -3617 / 510,
              43867 / 798)


def _input(x: Any, op: str) -> Tensor:
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}(): argument 'input' must be Tensor, not {type(x).__name__}")
    return x


def _lgamma_array(d: np.ndarray) -> np.ndarray:
    x = d.astype(np.float64)
    pole = (x <= 0) & (x == np.floor(x))
    safe = np.where(pole | ~np.isfinite(x), 1.0, x)
    out = np.frompyfunc(math.lgamma, 1, 1)(safe).astype(np.float64)
    out = np.where(pole | np.isinf(x), np.inf, out)
    return np.where(np.isnan(x), np.nan, out)


def _shift_up(x: np.ndarray, term: Callable[[np.ndarray], np.ndarray]
              ) -> tuple[np.ndarray, np.ndarray]:
    """Recurrence up to y >= 10: (the sum of term(y) over the steps each element took, y).
    Enough steps for every finite element, at most 100000."""
    fin = x[np.isfinite(x)]
    n = min(int(max(0.0, math.ceil(10.0 - float(fin.min())))) if fin.size else 0, 100000)
    acc = np.zeros_like(x)
    y = x.copy()
    with np.errstate(all="ignore"):
        for _ in range(n):
            small = y < 10
            acc = np.where(small, acc + term(y), acc)
            y = np.where(small, y + 1.0, y)
    return acc, y


def _digamma_array(d: np.ndarray) -> np.ndarray:
    x = d.astype(np.float64)
    acc, y = _shift_up(x, lambda y: -(1.0 / y))  # acc + -(1/y) rounds as acc - 1/y
    with np.errstate(all="ignore"):
        inv2 = 1.0 / (y * y)
        series = np.zeros_like(y)
        p = inv2.copy()
        for k, b in enumerate(_BERNOULLI[:7], start=1):
            series += b / (2 * k) * p
            p = p * inv2
        out = acc + np.log(y) - 0.5 / y - series
    pole = (x <= 0) & (x == np.floor(x))
    out = np.where(x == 0, -np.copysign(np.inf, np.where(x == 0, x, 1.0)), out)
    out = np.where(pole & (x != 0), np.nan, out)
    out = np.where(x == np.inf, np.inf, out)
    return np.where(np.isnan(x) | (x == -np.inf), np.nan, out)


def _hurwitz_zeta(s: int, x: np.ndarray) -> np.ndarray:
    """zeta(s, x) = sum_k (x + k)^-s for integer s >= 2 (Euler-Maclaurin after shifting)."""
    acc, y = _shift_up(x, lambda y: y ** (-s))
    with np.errstate(all="ignore"):
        out = acc + y ** (1 - s) / (s - 1) + 0.5 * y ** (-s)
        # + sum_k B_2k / (2k)! * s (s+1) ... (s+2k-2) * y^-(s+2k-1)
        fact = 1.0
        rising = float(s)
        for k, b in enumerate(_BERNOULLI, start=1):
            fact *= (2 * k - 1) * (2 * k)
            out = out + b / fact * rising * y ** (-(s + 2 * k - 1))
            rising *= (s + 2 * k - 1) * (s + 2 * k)
    return out


def _polygamma_array(n: int, d: np.ndarray) -> np.ndarray:
    if n == 0:
        return _digamma_array(d)
    x = d.astype(np.float64)
    sign = 1.0 if n % 2 == 1 else -1.0
    out = sign * math.factorial(n) * _hurwitz_zeta(n + 1, x)
    pole = (x <= 0) & (x == np.floor(x))
    out = np.where(pole, np.inf if n % 2 == 1 else -np.inf, out)
    out = np.where(x == np.inf, 0.0, out)
    return np.where(np.isnan(x) | (x == -np.inf), np.nan, out)


def _bessel_series(x: np.ndarray, order: int) -> np.ndarray:
    """I_order(x) for order 0 or 1 by its power series (terms summed until negligible)."""
    x = x.astype(np.float64)
    h = x / 2.0
    q = h * h
    term = np.ones_like(x) if order == 0 else h.copy()
    total = term.copy()
    with np.errstate(all="ignore"):
        for k in range(1, 2000):
            term = term * q / (k * (k + order))
            total = total + term
            if not np.any(np.abs(term) > 1e-17 * np.abs(total)):
                break
    return total


def _i0_array(d: np.ndarray) -> np.ndarray:
    return np.i0(d.astype(np.float64))


def _i1_array(d: np.ndarray) -> np.ndarray:
    return _bessel_series(d, 1)


def _i1_grad(x: Tensor, g: Tensor) -> Tensor:
    # I1'(x) = I0(x) - I1(x)/x, and 1/2 at x = 0
    zero = x == 0
    safe = x.masked_fill(zero, 1.0)
    ratio = (_i1(safe) / safe).masked_fill(zero, 0.5)
    return g * (i0(x) - ratio)


lgamma = SP._unary("lgamma", "LgammaBackward0", _lgamma_array,
                   lambda x, g: g * digamma(x), "log |Gamma(x)|; gradient digamma")
digamma = SP._unary("digamma", "DigammaBackward0", _digamma_array,
                    lambda x, g: g * polygamma(1, x),
                    "Gamma'(x)/Gamma(x); -inf at 0, nan at negative integers")
i0 = SP._unary("i0", "I0Backward0", _i0_array, lambda x, g: g * _i1(x),
               "modified Bessel function of the first kind, order 0; gradient i1")
_i1 = SP._unary("_i1", "SpecialI1Backward0", _i1_array, _i1_grad, "I1")

_POLYGAMMA: dict[int, Any] = {}


def _polygamma_fn(n: int) -> Any:
    if n not in _POLYGAMMA:
        _POLYGAMMA[n] = SP._unary(
            "polygamma", "PolygammaBackward0", lambda d, n=n: _polygamma_array(n, d),
            lambda x, g, n=n: g * polygamma(n + 1, x), f"polygamma({n}, x)")
    return _POLYGAMMA[n]


def polygamma(n: int, input: Any) -> Tensor:  # noqa: A002 - torch's name
    """The n-th derivative of digamma (``n >= 0``); gradient polygamma(n + 1, x)."""
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        raise TypeError(f"polygamma(): argument 'n' must be int, not {type(n).__name__}")
    if n < 0:
        raise RuntimeError("polygamma(n, x) does not support negative n.")
    x = _input(input, "polygamma")
    if n == 0:
        return digamma(x)
    return _polygamma_fn(int(n))(x)


def _polygamma_method(self: Tensor, n: int) -> Tensor:
    return polygamma(n, self)


def mvlgamma(input: Any, p: int) -> Tensor:  # noqa: A002 - torch's name
    """The multivariate log-gamma of dimension ``p``: sum_i lgamma(x - i/2) + p(p-1)/4 log pi;
    every element must exceed (p - 1) / 2."""
    x = _input(input, "mvlgamma")
    if isinstance(p, bool) or not isinstance(p, (int, np.integer)) or p < 1:
        raise RuntimeError(f"p has to be greater than or equal to 1, got {p!r}")
    if x._data.dtype.kind != "f":
        raise RuntimeError("mvlgamma(): expected a floating point input")
    if not np.all(x._data > (p - 1) / 2):
        raise RuntimeError(f"All elements must be greater than (p-1)/2 = {(p - 1) / 2}")
    out = lgamma(x)
    for i in range(1, int(p)):
        out = out + lgamma(x - i / 2)
    return out + p * (p - 1) / 4 * math.log(math.pi)


def _inplace(fn: Any) -> Any:
    def method(self: Tensor) -> Tensor:
        return self.copy_(fn(self.clone()))

    method.__name__ = fn.__name__ + "_"
    return method


def _polygamma_(self: Tensor, n: int) -> Tensor:
    return self.copy_(polygamma(n, self.clone()))


def _mvlgamma_(self: Tensor, p: int) -> Tensor:
    return self.copy_(mvlgamma(self.clone(), p))


# ------------------------------------------------------------------ pointwise
def fmax(input: Any, other: Any) -> Tensor:  # noqa: A002 - torch's name
    """Elementwise maximum ignoring NaN (NaN only where both are NaN); ties go to input."""
    a, b = SP._binary_operands("fmax", input, other, False)
    return a.where((a >= b) | b.isnan(), b)


def fmin(input: Any, other: Any) -> Tensor:  # noqa: A002 - torch's name
    """Elementwise minimum ignoring NaN; ties go to input."""
    a, b = SP._binary_operands("fmin", input, other, False)
    return a.where((a <= b) | b.isnan(), b)


def isposinf(input: Any) -> Tensor:  # noqa: A002 - torch's name
    """True where the element is +inf."""
    return wrap(np.isposinf(_input(input, "isposinf")._data))


def isneginf(input: Any) -> Tensor:  # noqa: A002 - torch's name
    """True where the element is -inf."""
    return wrap(np.isneginf(_input(input, "isneginf")._data))


def _int_pair(op: str, a: Any, b: Any) -> tuple[Tensor, Tensor]:
    x, y = SP._binary_operands(op, a, b, False)
    if x._data.dtype.kind not in "iu":
        raise RuntimeError(f"\"{op}_cpu\" not implemented for '{x._data.dtype.name.capitalize()}'"
                           f" (integer tensors only)")
    return x, y


def gcd(input: Any, other: Any) -> Tensor:  # noqa: A002 - torch's name
    """Greatest common divisor of integer tensors (non-negative)."""
    a, b = _int_pair("gcd", input, other)
    return wrap(np.gcd(a._data, b._data))


def lcm(input: Any, other: Any) -> Tensor:  # noqa: A002 - torch's name
    """Least common multiple of integer tensors (non-negative)."""
    a, b = _int_pair("lcm", input, other)
    return wrap(np.abs(np.lcm(a._data, b._data)))


def _gcd_(self: Tensor, other: Any) -> Tensor:
    return self.copy_(gcd(self, other))


def _lcm_(self: Tensor, other: Any) -> Tensor:
    return self.copy_(lcm(self, other))


def ldexp(input: Any, other: Any) -> Tensor:  # noqa: A002 - torch's name
    """input * 2 ** other, in a floating dtype; differentiable in both."""
    x = as_tensor(_input(input, "ldexp"), "ldexp: input")
    e = as_tensor(other, "ldexp: other")
    if x._data.dtype.kind != "f":
        x = x.to(np.float32)
    ef = e if e._data.dtype.kind == "f" else e.to(x._data.dtype)
    return x * SP.exp2(ef)


def _ldexp_(self: Tensor, other: Any) -> Tensor:
    return self.copy_(ldexp(self.clone(), other))


def frexp(input: Any) -> RT.frexp:  # noqa: A002 - torch's name
    """(mantissa, exponent) with input = mantissa * 2 ** exponent, |mantissa| in [0.5, 1);
    exponent int32; the mantissa carries the gradient (grad / 2 ** exponent)."""
    x = _input(input, "frexp")
    if x._data.dtype.kind != "f":
        raise RuntimeError("torch.frexp() only supports floating-point dtypes")
    _, e = np.frexp(x._data)
    exponent = wrap(e.astype(np.int32))
    scale = wrap(np.ldexp(np.ones_like(x._data), -e))
    return RT.frexp(x * scale, exponent)


def nextafter(input: Any, other: Any) -> Tensor:  # noqa: A002 - torch's name
    """The next representable value after input towards other (outside the graph)."""
    a, b = SP._binary_operands("nextafter", input, other, False)
    if a._data.dtype.kind != "f":
        raise RuntimeError("nextafter(): expected floating point tensors")
    return wrap(np.nextafter(a._data, b._data))


def _nextafter_(self: Tensor, other: Any) -> Tensor:
    return self.copy_(nextafter(self, other))


# ------------------------------------------------------------------ small linear algebra
def dist(input: Any, other: Any, p: float = 2) -> Tensor:  # noqa: A002 - torch's name
    """The p-norm of input - other (broadcast)."""
    from .matrix_norm import vector_norm

    a = _input(input, "dist")
    return vector_norm(a - as_tensor(other, "dist: other"), p)


def vdot(input: Any, other: Any) -> Tensor:  # noqa: A002 - torch's name
    """The dot product of two 1-D tensors (real: the same as ``dot``)."""
    a, b = _input(input, "vdot"), _input(other, "vdot")
    if a._data.ndim != 1 or b._data.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {a._data.ndim}D and "
                           f"{b._data.ndim}D tensors")
    return a.dot(b)


def addr(input: Any, vec1: Any, vec2: Any, *, beta: float = 1,  # noqa: A002 - torch's name
         alpha: float = 1) -> Tensor:
    """beta * input + alpha * outer(vec1, vec2); input is ignored when beta == 0."""
    x, v1, v2 = _input(input, "addr"), _input(vec1, "addr"), _input(vec2, "addr")
    if v1._data.ndim != 1 or v2._data.ndim != 1:
        raise RuntimeError(f"addr: Expected 1-D argument vec1 and vec2, but got "
                           f"{v1._data.ndim}-D and {v2._data.ndim}-D")
    prod = v1.outer(v2)
    try:
        np.broadcast_shapes(x._data.shape, prod._data.shape)
    except ValueError:
        raise RuntimeError(f"addr: input of shape {tuple(x._data.shape)} does not broadcast to "
                           f"{tuple(prod._data.shape)}") from None
    if alpha != 1:
        prod = prod * alpha
    if beta == 0:  # input's values (NaN included) are ignored; its gradient is zero
        return x.masked_fill(wrap(np.ones(x._data.shape, dtype=bool)), 0.0) + prod
    return x * beta + prod if beta != 1 else x + prod


def _addr_(self: Tensor, vec1: Any, vec2: Any, *, beta: float = 1, alpha: float = 1) -> Tensor:
    return self.copy_(addr(self.clone(), vec1, vec2, beta=beta, alpha=alpha))


def diagflat(input: Any, offset: int = 0) -> Tensor:  # noqa: A002 - torch's name
    """A 2-D tensor with the flattened input on diagonal ``offset``."""
    from .matrix import diag

    return diag(_input(input, "diagflat").reshape(-1), offset)
