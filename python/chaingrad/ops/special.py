"""More pointwise math with torch's names and gradients: hyperbolic and inverse trigonometric
functions, log2/log10/exp2, erf/erfc/erfinv, logit, rounding (floor, ceil, round, trunc: zero
gradient; frac), and the binary fmod, remainder, atan2, hypot, xlogy.

Each is a ``Function`` named like torch's backward node whose backward is written with Tensor
ops (torch's derivatives.yaml formulas), so higher-order gradients come for free. Integer and
bool inputs compute in float32, as torch's floating ops do. NumPy has no erf: erf and erfc are
the C library's, over whole arrays in ``_core.erf_array`` (the functions ``math.erf`` and
``math.erfc`` call, checked bit for bit against them at import; the elementwise math calls,
8x slower, are the fallback), and ``erfinv`` refines an initial approximation with Halley
steps on them (no SciPy).
"""

from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np

from ..autograd.function import Function, FunctionCtx
from ..tensor import Tensor
from ._common import as_array, as_tensor, broadcast_error, result_dtype, wrap

_LN2 = math.log(2.0)
_LN10 = math.log(10.0)
_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)
_SQRT_PI_OVER_TWO = math.sqrt(math.pi) / 2.0


def _input(x: Any, op: str) -> Tensor:
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}(): argument 'input' must be Tensor, not {type(x).__name__}")
    return x


def _floating(d: np.ndarray) -> np.ndarray:
    return d if d.dtype.kind == "f" else d.astype(np.float32)


# ------------------------------------------------------------------ unary, smooth
class _Unary(Function):
    """``fn`` on the (floating) input; the gradient is ``grad(x, g)`` written in Tensor ops."""

    fn: Callable[[np.ndarray], Any]
    grad: Callable[[Tensor, Tensor], Tensor]

    @classmethod
    def forward(cls, ctx: FunctionCtx, x: Tensor) -> Tensor:  # type: ignore[override]
        ctx.save_for_backward(x)
        d = _floating(x._data)
        with np.errstate(all="ignore"):
            return wrap(as_array(cls.fn(d)).astype(d.dtype, copy=False))

    @classmethod
    def backward(cls, ctx: FunctionCtx, g: Tensor) -> tuple:  # type: ignore[override]
        (x,) = ctx.saved_tensors
        return (cls.grad(x, g),)


def _unary(name: str, backward: str, fn: Callable, grad: Callable, doc: str) -> Callable:
    cls = type(f"_{name.capitalize()}", (_Unary,), {
        "_backward_name": backward, "fn": staticmethod(fn), "grad": staticmethod(grad)})

    def op(input: Any) -> Tensor:  # noqa: A002
        return cls.apply(_input(input, name))

    op.__name__ = op.__qualname__ = name
    op.__doc__ = doc
    return op


def _math_erf_array(d: np.ndarray, complement: bool = False) -> np.ndarray:
    f = math.erfc if complement else math.erf
    return np.frompyfunc(f, 1, 1)(d.astype(np.float64)).astype(np.float64)


def _native_erf() -> Any:
    """``_core.erf_array`` when it gives math.erf's and math.erfc's values bit for bit on a
    spread of probes (both call the C library's erf where CPython does), else None: the
    elementwise math calls (~100 ns each) are then the fallback."""
    try:
        from .. import _core
    except ImportError:
        return None
    probe = np.concatenate([np.linspace(-7.0, 7.0, 2801), [0.0, -0.0, 1e-300, -5e-324, 27.0,
                                                           -27.0, np.inf, -np.inf]])
    for complement in (False, True):
        got = _core.erf_array(probe, complement)
        if got.tobytes() != _math_erf_array(probe, complement).tobytes():
            return None
        if not np.isnan(_core.erf_array(np.array([np.nan]), complement)[0]):
            return None
    return _core.erf_array


_NATIVE_ERF = _native_erf()


def _erf_array(d: np.ndarray, complement: bool = False) -> np.ndarray:
    if _NATIVE_ERF is None:
        return _math_erf_array(d, complement)
    return _NATIVE_ERF(np.asarray(d, dtype=np.float64, order="C"), complement)


def _erfc_array(d: np.ndarray) -> np.ndarray:
    return _erf_array(d, True)


def _erfinv_array(d: np.ndarray) -> np.ndarray:
    """erf's inverse: Giles' (2010) approximation, then Halley steps on erf (erfc in the tails,
    where 1 - |y| is exact) to full double precision."""
    y = np.abs(d.astype(np.float64))
    inside = y < 1
    ys = np.where(inside, y, 0.0)
    w = -np.log((1.0 - ys) * (1.0 + ys))
    w1 = w - 2.5
    p1 = 2.81022636e-08
    for c in (3.43273939e-07, -3.5233877e-06, -4.39150654e-06, 0.00021858087, -0.00125372503,
              -0.00417768164, 0.246640727, 1.50140941):
        p1 = c + p1 * w1
    w2 = np.sqrt(w) - 3.0
    p2 = -0.000200214257
    for c in (0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773, -0.0076224613,
              0.00943887047, 1.00167406, 2.83297682):
        p2 = c + p2 * w2
    x = np.where(w < 5.0, p1, p2) * ys
    # Halley steps (cubic convergence from the approximation's ~1e-7) on f(x) = erf(x) - y,
    # evaluated as (1 - y) - erfc(x) in the tail where 1 - y is exact; only the elements not
    # yet converged are evaluated again (math.erf/erfc are Python calls per element).
    tail = ys > 0.5
    todo = np.flatnonzero(inside & (ys > 0))
    xf, yf, tf = x.reshape(-1), ys.reshape(-1), tail.reshape(-1)
    for _ in range(8):
        if todo.size == 0:
            break
        xi, yi, ti = xf[todo], yf[todo], tf[todo]
        r = np.empty_like(xi)
        r[ti] = (1.0 - yi[ti]) - _erfc_array(xi[ti])
        r[~ti] = _erf_array(xi[~ti]) - yi[~ti]
        fp = _TWO_OVER_SQRT_PI * np.exp(-xi * xi)
        step = r / (fp + xi * r)
        xf[todo] = xi - step
        # Cubic convergence: after a step of relative size <= 1e-9 the error is ~1e-27.
        todo = todo[np.abs(step) > 1e-9 * np.abs(xi)]
    x = xf.reshape(ys.shape)
    x = np.where(inside, x, np.where(y == 1, np.inf, np.nan))
    return np.copysign(x, d)


def _atanh_grad(x: Tensor, g: Tensor) -> Tensor:
    return g * (1 / (1 - x * x))


sinh = _unary("sinh", "SinhBackward0", np.sinh, lambda x, g: g * cosh(x), "sinh(x)")
cosh = _unary("cosh", "CoshBackward0", np.cosh, lambda x, g: g * sinh(x), "cosh(x)")
asin = _unary("asin", "AsinBackward0", np.arcsin,
              lambda x, g: g * (-x * x + 1).rsqrt(), "arcsine")
acos = _unary("acos", "AcosBackward0", np.arccos,
              lambda x, g: g * -((-x * x + 1).rsqrt()), "arccosine")
atan = _unary("atan", "AtanBackward0", np.arctan, lambda x, g: g / (x * x + 1), "arctangent")
asinh = _unary("asinh", "AsinhBackward0", np.arcsinh,
               lambda x, g: g * (x * x + 1).rsqrt(), "inverse hyperbolic sine")
acosh = _unary("acosh", "AcoshBackward0", np.arccosh,
               lambda x, g: g * (x * x - 1).rsqrt(), "inverse hyperbolic cosine")
atanh = _unary("atanh", "AtanhBackward0", np.arctanh, _atanh_grad, "inverse hyperbolic tangent")
log2 = _unary("log2", "Log2Backward0", np.log2, lambda x, g: g / (x * _LN2), "base-2 logarithm")
log10 = _unary("log10", "Log10Backward0", np.log10, lambda x, g: g / (x * _LN10),
               "base-10 logarithm")
exp2 = _unary("exp2", "Exp2Backward0", np.exp2, lambda x, g: g * exp2(x) * _LN2, "2 ** x")
erf = _unary("erf", "ErfBackward0", _erf_array,
             lambda x, g: g * (_TWO_OVER_SQRT_PI * (-(x * x)).exp()),
             "the error function (math.erf elementwise)")
erfc = _unary("erfc", "ErfcBackward0", _erfc_array,
              lambda x, g: g * (-_TWO_OVER_SQRT_PI * (-(x * x)).exp()),
              "1 - erf(x), accurate in the tail (math.erfc elementwise)")
erfinv = _unary("erfinv", "ErfinvBackward0", _erfinv_array,
                lambda x, g: g * (_SQRT_PI_OVER_TWO * (erfinv(x) ** 2).exp()),
                "the inverse of erf on (-1, 1); ±inf at ±1, NaN outside")
arcsin, arccos, arctan, arcsinh, arccosh, arctanh = asin, acos, atan, asinh, acosh, atanh


class _Logit(Function):
    _backward_name = "LogitBackward0"

    @staticmethod
    def forward(ctx: FunctionCtx, x: Tensor, eps: float | None) -> Tensor:
        ctx.save_for_backward(x)
        ctx.eps = eps
        d = _floating(x._data)
        z = d if eps is None else np.clip(d, eps, 1 - eps)
        with np.errstate(divide="ignore", invalid="ignore"):
            return wrap(as_array(np.log(z / (1 - z))).astype(d.dtype, copy=False))

    @staticmethod
    def backward(ctx: FunctionCtx, g: Tensor) -> tuple:
        (x,) = ctx.saved_tensors
        gx = g / (x * (1 - x))
        if ctx.eps is not None:
            d = x._data
            out = (d < ctx.eps) | (d > 1 - ctx.eps)
            gx = gx.masked_fill(wrap(out), 0.0)
        return gx, None


def logit(input: Any, eps: float | None = None) -> Tensor:  # noqa: A002
    """log(x / (1 - x)); with ``eps`` the input is clamped to [eps, 1 - eps] first and the
    gradient is zero outside it (torch's LogitBackward0)."""
    x = _input(input, "logit")
    if eps is not None and not isinstance(eps, (int, float)):
        raise TypeError(f"logit(): argument 'eps' must be float, not {type(eps).__name__}")
    return _Logit.apply(x, None if eps is None else float(eps))


# ------------------------------------------------------------------ rounding
class _ZeroGrad(Function):
    """Piecewise-constant ops: the gradient is zero (torch's FloorBackward0 etc.)."""

    fn: Callable[[np.ndarray], np.ndarray]

    @classmethod
    def forward(cls, ctx: FunctionCtx, x: Tensor) -> Tensor:  # type: ignore[override]
        return wrap(as_array(cls.fn(x._data)))

    @staticmethod
    def backward(ctx: FunctionCtx, g: Tensor) -> tuple:
        return (wrap(np.zeros_like(g._data)),)


def _rounding(name: str, backward: str, fn: Callable, doc: str) -> Callable:
    cls = type(f"_{name.capitalize()}", (_ZeroGrad,), {"_backward_name": backward,
                                                      "fn": staticmethod(fn)})

    def op(input: Any) -> Tensor:  # noqa: A002
        x = _input(input, name)
        if x._data.dtype.kind in "biu":
            if x._data.dtype.kind == "b":
                raise TypeError(f"{name}(): not implemented for bool tensors")
            return wrap(x._data.copy())  # integers are already whole, as in torch
        return cls.apply(x)

    op.__name__ = op.__qualname__ = name
    op.__doc__ = doc
    return op


floor = _rounding("floor", "FloorBackward0", np.floor, "round down; zero gradient")
ceil = _rounding("ceil", "CeilBackward0", np.ceil, "round up; zero gradient")
trunc = _rounding("trunc", "TruncBackward0", np.trunc, "round toward zero; zero gradient")
fix = trunc
_round0 = _rounding("round", "RoundBackward0", np.rint, "")


def _round_decimals(decimals: int) -> Callable[[np.ndarray], np.ndarray]:
    def fn(d: np.ndarray) -> np.ndarray:
        # torch's kernel: nearbyint(x * 10^d) / 10^d (x / 10^-d, then times, for d < 0).
        t = d.dtype.type
        if decimals > 0:
            p = t(10.0 ** decimals)
            return as_array(np.rint(d * p) / p)
        p = t(10.0 ** -decimals)
        return as_array(np.rint(d / p) * p)

    return fn


def round(input: Any, *, decimals: int = 0) -> Tensor:  # noqa: A001, A002
    """Round half to even (``decimals=`` digits after the point, negative before it); zero
    gradient."""
    if not isinstance(decimals, (int, np.integer)) or isinstance(decimals, bool):
        raise TypeError(f"round(): argument 'decimals' must be int, not "
                        f"{type(decimals).__name__}")
    if decimals == 0:
        return _round0(input)
    x = _input(input, "round")
    if x._data.dtype.kind != "f":
        raise TypeError("round(): decimals= is only implemented for floating-point tensors")
    cls = type("_RoundDecimals", (_ZeroGrad,), {"_backward_name": "RoundBackward1",
                                                "fn": staticmethod(_round_decimals(decimals))})
    return cls.apply(x)


def frac(input: Any) -> Tensor:  # noqa: A002
    """x - trunc(x) (sign of x); gradient one, as torch."""
    x = _input(input, "frac")
    if x._data.dtype.kind != "f":
        raise TypeError(f"frac(): not implemented for {x._data.dtype} tensors (floating only)")
    return x - trunc(x).detach()


# ------------------------------------------------------------------ binary
def _binary_operands(op: str, a: Any, b: Any, floating: bool) -> tuple[Tensor, Tensor]:
    if not isinstance(a, Tensor) and not isinstance(b, Tensor):
        raise TypeError(f"{op}(): argument 'input' must be Tensor, not {type(a).__name__}")
    a = as_tensor(a, f"{op}: input")
    b = as_tensor(b, f"{op}: other")
    dt = result_dtype(a._data, b._data)
    if dt.kind == "b" and op in ("fmod", "remainder"):
        raise TypeError(f"{op}(): not implemented for bool tensors")
    if floating and dt.kind != "f":
        dt = np.dtype(np.float32)
    if a._data.dtype != dt:
        a = a.to(dt)
    if b._data.dtype != dt:
        b = b.to(dt)
    try:
        np.broadcast_shapes(a._data.shape, b._data.shape)
    except ValueError:
        raise broadcast_error(op, a, b) from None
    return a, b


class _Binary(Function):
    fn: Callable[[np.ndarray, np.ndarray], Any]
    grads: Callable[[Tensor, Tensor, Tensor, tuple], tuple]

    @classmethod
    def forward(cls, ctx: FunctionCtx, a: Tensor, b: Tensor) -> Tensor:  # type: ignore[override]
        ctx.save_for_backward(a, b)
        with np.errstate(all="ignore"):
            return wrap(as_array(cls.fn(a._data, b._data)))

    @classmethod
    def backward(cls, ctx: FunctionCtx, g: Tensor) -> tuple:  # type: ignore[override]
        a, b = ctx.saved_tensors
        return cls.grads(a, b, g, ctx.needs_input_grad)


def _binary(name: str, backward: str, fn: Callable, grads: Callable, floating: bool,
            doc: str) -> Callable:
    cls = type(f"_{name.capitalize()}", (_Binary,), {
        "_backward_name": backward, "fn": staticmethod(fn), "grads": staticmethod(grads)})

    def op(input: Any, other: Any) -> Tensor:  # noqa: A002
        a, b = _binary_operands(name, input, other, floating)
        if a._data.dtype.kind in "iu" and name in ("fmod", "remainder") and \
                not np.all(b._data):
            raise ZeroDivisionError(f"{name}(): integer division by zero")
        return cls.apply(a, b)

    op.__name__ = op.__qualname__ = name
    op.__doc__ = doc
    return op


def _fmod_grads(a: Tensor, b: Tensor, g: Tensor, needs: tuple) -> tuple:
    gb = g * -trunc(a / b) if needs[1] else None
    return g, gb


def _remainder_grads(a: Tensor, b: Tensor, g: Tensor, needs: tuple) -> tuple:
    gb = g * -floor(a / b) if needs[1] else None
    return g, gb


def _atan2_grads(a: Tensor, b: Tensor, g: Tensor, needs: tuple) -> tuple:
    r = g / (a * a + b * b)
    return (r * b if needs[0] else None), (r * -a if needs[1] else None)


def _hypot_grads(a: Tensor, b: Tensor, g: Tensor, needs: tuple) -> tuple:
    h = g / hypot(a, b)
    return (h * a if needs[0] else None), (h * b if needs[1] else None)


def _xlogy_grads(a: Tensor, b: Tensor, g: Tensor, needs: tuple) -> tuple:
    ga = gb = None
    if needs[0]:
        # torch: xlogy(grad, other), zero where self == 0 and other <= 0.
        ga = xlogy(g, b).masked_fill(wrap((a._data == 0) & (b._data <= 0)), 0.0)
    if needs[1]:
        gb = g * a / b
    return ga, gb


def _xlogy_array(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    out = x * np.log(y)
    return np.where((x == 0) & ~np.isnan(y), x.dtype.type(0), out)


fmod = _binary("fmod", "FmodBackward0", np.fmod, _fmod_grads, False,
               "C's fmod: the remainder has the dividend's sign")
remainder = _binary("remainder", "RemainderBackward0", np.remainder, _remainder_grads, False,
                    "Python's modulo: the remainder has the divisor's sign")
atan2 = _binary("atan2", "Atan2Backward0", np.arctan2, _atan2_grads, True,
                "the angle of (other, input), quadrant-aware")
arctan2 = atan2
hypot = _binary("hypot", "HypotBackward0", np.hypot, _hypot_grads, True,
                "sqrt(input**2 + other**2) without overflow")
xlogy = _binary("xlogy", "XlogyBackward0", _xlogy_array, _xlogy_grads, True,
                "input * log(other), 0 where input == 0 (unless other is NaN)")
