"""More activations: the hard ones (piecewise linear: hardswish, hardsigmoid, hardshrink,
softshrink, threshold), softsign, tanhshrink, glu, rrelu, and torch's in-place ``F.*_`` forms.

The piecewise ones are ``Function``s whose backward is written with Tensor ops on the saved
input (masks are constants), so second derivatives work and the gradient at each kink is the
one torch's kernel gives. ``inplace=True`` and the ``*_`` forms write into the input with
torch's in-place semantics (recorded in the graph, version counter bumped).
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from ... import _generator
from ...autograd.function import Function, FunctionCtx
from ...ops import inplace as _inplace
from ...tensor import Tensor
from . import activation as _act
from ._utils import check_float, const, normalize_dim, wrap

__all__ = [
    "hardswish", "hardsigmoid", "hardshrink", "softshrink", "softsign", "tanhshrink",
    "threshold", "threshold_", "glu", "rrelu", "rrelu_", "relu_", "elu_", "leaky_relu_",
    "hardtanh_", "celu_", "selu_",
]


def _write(x: Tensor, fn: Callable[[Tensor], Tensor], name: str) -> Tensor:
    """``x`` becomes ``fn(x)`` in place, recorded like torch's in-place ops."""
    if _inplace._records(x, ()):
        return _inplace.rebase_history(x, fn, True, name)
    return _inplace._assign_(x, fn(x.detach()), name)


def _maybe_inplace(x: Tensor, fn: Callable[[Tensor], Tensor], inplace: bool,
                   name: str) -> Tensor:
    return _write(x, fn, name) if inplace else fn(x)


def _mask(x: Tensor, m: np.ndarray) -> Tensor:
    return const(m, x)


class _Hardswish(Function):
    _backward_name = "HardswishBackward0"

    @staticmethod
    def forward(ctx: FunctionCtx, x: Tensor) -> Tensor:
        ctx.save_for_backward(x)
        d = x._data
        t = d.dtype.type
        return wrap((d * np.clip(d + t(3), t(0), t(6)) / t(6)).astype(d.dtype, copy=False))

    @staticmethod
    def backward(ctx: FunctionCtx, g: Tensor) -> tuple:
        (x,) = ctx.saved_tensors
        d = x._data
        mid, hi = (d > -3) & (d < 3), d >= 3  # torch: x <= -3 -> 0, x < 3 -> x/3 + 1/2
        return (g * ((x / 3 + 0.5) * _mask(x, mid) + _mask(x, hi)),)


class _Hardsigmoid(Function):
    _backward_name = "HardsigmoidBackward0"

    @staticmethod
    def forward(ctx: FunctionCtx, x: Tensor) -> Tensor:
        ctx.save_for_backward(x)
        d = x._data
        t = d.dtype.type
        return wrap(np.clip(d / t(6) + t(0.5), t(0), t(1)).astype(d.dtype, copy=False))

    @staticmethod
    def backward(ctx: FunctionCtx, g: Tensor) -> tuple:
        (x,) = ctx.saved_tensors
        d = x._data
        # torch's kernel multiplies by 1.0f / 6.0f, a float32 constant, in every dtype
        return (g * _mask(x, ((d > -3) & (d < 3)) * float(np.float32(1.0) / np.float32(6.0))),)


class _Shrink(Function):
    """hardshrink (soft=False): x where |x| > lambd else 0;
    softshrink (soft=True): x - lambd * sign(x) where |x| > lambd else 0."""

    _backward_name = "HardshrinkBackward0"

    @staticmethod
    def forward(ctx: FunctionCtx, x: Tensor, lambd: float, soft: bool) -> Tensor:
        ctx.save_for_backward(x)
        ctx.lambd = lambd
        d = x._data
        t = d.dtype.type
        if soft:
            out = np.where(d > lambd, d - t(lambd), np.where(d < -lambd, d + t(lambd), t(0)))
        else:
            out = np.where((d > lambd) | (d < -lambd), d, t(0))
        return wrap(out.astype(d.dtype, copy=False))

    @staticmethod
    def backward(ctx: FunctionCtx, g: Tensor) -> tuple:
        (x,) = ctx.saved_tensors
        d, lam = x._data, ctx.lambd
        return g * _mask(x, (d > lam) | (d < -lam)), None, None


class _Threshold(Function):
    _backward_name = "ThresholdBackward0"

    @staticmethod
    def forward(ctx: FunctionCtx, x: Tensor, threshold: float, value: float) -> Tensor:
        ctx.save_for_backward(x)
        ctx.threshold = threshold
        d = x._data
        return wrap(np.where(d > threshold, d, d.dtype.type(value)).astype(d.dtype, copy=False))

    @staticmethod
    def backward(ctx: FunctionCtx, g: Tensor) -> tuple:
        (x,) = ctx.saved_tensors
        return g * _mask(x, x._data > ctx.threshold), None, None


def hardswish(input: Tensor, inplace: bool = False) -> Tensor:
    """x * relu6(x + 3) / 6 (Howard et al., MobileNetV3)."""
    check_float(input, "hardswish")
    return _maybe_inplace(input, _Hardswish.apply, inplace, "hardswish_")


def hardsigmoid(input: Tensor, inplace: bool = False) -> Tensor:
    """relu6(x + 3) / 6."""
    check_float(input, "hardsigmoid")
    return _maybe_inplace(input, _Hardsigmoid.apply, inplace, "hardsigmoid_")


def hardshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """x where |x| > lambd, else 0."""
    check_float(input, "hardshrink")
    return _Shrink.apply(input, float(lambd), False)


def softshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """x - lambd where x > lambd, x + lambd where x < -lambd, else 0."""
    check_float(input, "softshrink")
    if lambd < 0:
        raise RuntimeError(f"lambda must be greater or equal to 0, but found to be {lambd}.")
    return _Shrink.apply(input, float(lambd), True)


def softsign(input: Tensor) -> Tensor:
    """x / (1 + |x|)."""
    check_float(input, "softsign")
    return input / (input.abs() + 1)


def tanhshrink(input: Tensor) -> Tensor:
    """x - tanh(x)."""
    check_float(input, "tanhshrink")
    return input - input.tanh()


def threshold(input: Tensor, threshold: float, value: float, inplace: bool = False) -> Tensor:
    """x where x > threshold, else value."""
    check_float(input, "threshold")
    return _maybe_inplace(input, lambda x: _Threshold.apply(x, float(threshold), float(value)),
                          inplace, "threshold_")


def threshold_(input: Tensor, threshold: float, value: float) -> Tensor:
    return globals()["threshold"](input, threshold, value, inplace=True)


def glu(input: Tensor, dim: int = -1) -> Tensor:
    """a * sigmoid(b), where a and b are the two halves of ``input`` along ``dim``."""
    check_float(input, "glu")
    if input.ndim == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    d = normalize_dim(dim, input.ndim, "glu")
    if input.shape[d] % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {d} is size "
                           f"{input.shape[d]}")
    a, b = input.chunk(2, d)
    return a * b.sigmoid()


def _rrelu_slopes(x: Tensor, lower: float, upper: float) -> np.ndarray:
    """torch's CPU kernel: one uniform(lower, upper) double per element <= 0, in order, from
    the default generator's 64-bit stream; positive elements get slope 1."""
    d = np.ascontiguousarray(x._data)
    neg = d <= 0
    r = _generator.default_generator._random64(int(neg.sum()))
    u = (r & np.uint64((1 << 53) - 1)).astype(np.float64) * 2.0 ** -53
    slopes = np.ones(d.shape, dtype=np.float64)
    slopes[neg] = u * (upper - lower) + lower
    return slopes.astype(d.dtype)


def rrelu(input: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3, training: bool = False,
          inplace: bool = False) -> Tensor:
    """Randomized leaky ReLU (Xu et al.): in training each non-positive element gets a slope
    drawn from U(lower, upper) (torch's stream); in eval the slope is (lower + upper) / 2."""
    check_float(input, "rrelu")
    if lower > upper:
        raise ValueError(f"Lower bound should be less than or equal to the upper bound, got "
                         f"lower={lower}, upper={upper}")
    if not training:
        slope = (lower + upper) / 2
        return _maybe_inplace(input, lambda x: _act.leaky_relu(x, slope), inplace, "rrelu_")
    slopes = _rrelu_slopes(input, float(lower), float(upper))
    return _maybe_inplace(input, lambda x: x * const(slopes, x), inplace, "rrelu_")


def rrelu_(input: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3,
           training: bool = False) -> Tensor:
    return rrelu(input, lower, upper, training, inplace=True)


def relu_(input: Tensor) -> Tensor:
    _act.check_tensor(input, "relu_")
    return _write(input, lambda x: x.relu(), "relu_")


def elu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    check_float(input, "elu_")
    return _write(input, lambda x: _act.elu(x, alpha), "elu_")


def leaky_relu_(input: Tensor, negative_slope: float = 0.01) -> Tensor:
    check_float(input, "leaky_relu_")
    return _write(input, lambda x: _act.leaky_relu(x, negative_slope), "leaky_relu_")


def hardtanh_(input: Tensor, min_val: float = -1.0, max_val: float = 1.0) -> Tensor:
    check_float(input, "hardtanh_")
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    return _write(input, lambda x: _act.hardtanh(x, min_val, max_val), "hardtanh_")


def celu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    check_float(input, "celu_")
    return _write(input, lambda x: _act.celu(x, alpha), "celu_")


def selu_(input: Tensor) -> Tensor:
    check_float(input, "selu_")
    return _write(input, _act.selu, "selu_")
