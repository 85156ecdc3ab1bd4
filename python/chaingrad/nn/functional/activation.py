"""Activation functions (torch.nn.functional names), each a ``Function`` with a NumPy forward.

Backwards are written with Tensor ops on the saved input (piecewise branches become constant
masks, whose derivative is zero almost everywhere), so second derivatives come out right with
``create_graph=True``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ...autograd.function import Function, FunctionCtx
from ...ops.elementwise import _sigmoid_array
from ...ops.special import _erf_array
from ...tensor import Tensor
from ._utils import check_float, check_tensor, const, normalize_dim, wrap

__all__ = [
    "relu", "relu6", "leaky_relu", "elu", "selu", "celu", "gelu", "silu", "mish", "softplus",
    "sigmoid", "tanh", "hardtanh", "logsigmoid", "softmax", "log_softmax", "softmin", "prelu",
]

_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def _inplace_result(x: Tensor, out: Tensor, inplace: bool) -> Tensor:
    """``inplace=True`` is accepted for torch compatibility; it writes the result into ``x``
    only when nothing needs ``x``'s old value (no grad), else it returns a new tensor."""
    if inplace and not x._requires_grad and not out._requires_grad:
        x._data[...] = out._data
        x._bump_version()
        return x
    return out


def relu(input: Tensor, inplace: bool = False) -> Tensor:
    check_tensor(input, "relu")
    return _inplace_result(input, input.relu(), inplace)


class _LeakyReLU(Function):
    _backward_name = "LeakyReluBackward0"

    @staticmethod
    def forward(ctx: FunctionCtx, x: Tensor, slope: float) -> Tensor:
        d = x._data
        ctx.slope = slope
        ctx.save_for_backward(x)
        return wrap(np.where(d > 0, d, d * d.dtype.type(slope)))

    @staticmethod
    def backward(ctx: FunctionCtx, g: Tensor) -> tuple:
        (x,) = ctx.saved_tensors
        return g * const(np.where(x._data > 0, 1.0, ctx.slope), g), None


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    check_float(input, "leaky_relu")
    return _inplace_result(input, _LeakyReLU.apply(input, float(negative_slope)), inplace)


class _Hardtanh(Function):
    _backward_name = "HardtanhBackward0"

    @staticmethod
    def forward(ctx: FunctionCtx, x: Tensor, lo: float, hi: float) -> Tensor:
        ctx.lo, ctx.hi = lo, hi
        ctx.save_for_backward(x)
        d = x._data
        return wrap(np.clip(d, d.dtype.type(lo), d.dtype.type(hi)))

    @staticmethod
    def backward(ctx: FunctionCtx, g: Tensor) -> tuple:
        (x,) = ctx.saved_tensors
        # torch: the gradient is zero at the clip boundaries too.
        inside = (x._data > ctx.lo) & (x._data < ctx.hi)
        return g * const(inside, g), None, None


def hardtanh(input: Tensor, min_val: float = -1.0, max_val: float = 1.0,
             inplace: bool = False) -> Tensor:
    check_float(input, "hardtanh")
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    return _inplace_result(input, _Hardtanh.apply(input, float(min_val), float(max_val)), inplace)


def relu6(input: Tensor, inplace: bool = False) -> Tensor:
    return hardtanh(input, 0.0, 6.0, inplace)


class _ELU(Function):
    """torch's elu kernel: x > 0 ? scale*x : scale*alpha*(exp(x*input_scale) - 1)."""

    _backward_name = "EluBackward0"

    @staticmethod
    def forward(ctx: FunctionCtx, x: Tensor, alpha: float, scale: float,
                input_scale: float) -> Tensor:
        ctx.params = (alpha, scale, input_scale)
        ctx.save_for_backward(x)
        d = x._data
        t = d.dtype.type
        neg = np.minimum(d, t(0))  # exp of the positive side would overflow and be discarded
        out = np.where(d > 0, d * t(scale), t(scale * alpha) * np.expm1(neg * t(input_scale)))
        return wrap(out)

    @staticmethod
    def backward(ctx: FunctionCtx, g: Tensor) -> tuple:
        (x,) = ctx.saved_tensors
        alpha, scale, input_scale = ctx.params
        pos = x._data > 0
        negm = const(~pos, g)
        slope = const(pos * scale, g) + negm * ((x * negm * input_scale).exp()
                                                * (scale * alpha * input_scale))
        return g * slope, None, None, None


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    check_float(input, "elu")
    return _inplace_result(input, _ELU.apply(input, float(alpha), 1.0, 1.0), inplace)


def selu(input: Tensor, inplace: bool = False) -> Tensor:
    check_float(input, "selu")
    return _inplace_result(input, _ELU.apply(input, _SELU_ALPHA, _SELU_SCALE, 1.0), inplace)


def celu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    check_float(input, "celu")
    if alpha == 0:
        raise ValueError("ZeroDivisionError in celu: alpha cannot be 0")
    return _inplace_result(input, _ELU.apply(input, float(alpha), 1.0, 1.0 / alpha), inplace)


def _erf(d: np.ndarray) -> np.ndarray:
    # NumPy has no erf: math.erf's values in float64 (ops/special.py), rounded to d's dtype.
    return _erf_array(d).astype(d.dtype, copy=False)


_SQRT_2 = math.sqrt(2.0)
_SQRT_2_PI = math.sqrt(2.0 / math.pi)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_GELU_C = 0.044715


def _gelu_grad_array(d: np.ndarray, approximate: str, order: int) -> np.ndarray:
    """First (order=1) or second (order=2) derivative of GELU at ``d``."""
    t = d.dtype.type
    if approximate == "tanh":
        u = t(_SQRT_2_PI) * (d + t(_GELU_C) * d * d * d)
        th = np.tanh(u)
        du = t(_SQRT_2_PI) * (t(1) + t(3 * _GELU_C) * d * d)
        sech2 = t(1) - th * th
        if order == 1:
            return t(0.5) * (t(1) + th) + t(0.5) * d * sech2 * du
        d2u = t(_SQRT_2_PI * 6 * _GELU_C) * d
        return sech2 * du + t(0.5) * d * (sech2 * d2u - t(2) * th * sech2 * du * du)
    pdf = t(_INV_SQRT_2PI) * np.exp(t(-0.5) * d * d)
    if order == 1:
        return t(0.5) * (t(1) + _erf(d / t(_SQRT_2))) + d * pdf
    return pdf * (t(2) - d * d)


class _GeluGrad(Function):
    """GELU's derivative as a function of x: the backward of ``_Gelu``, differentiable again."""

    _backward_name = "GeluBackwardBackward0"

    @staticmethod
    def forward(ctx: FunctionCtx, x: Tensor, approximate: str) -> Tensor:
        ctx.approximate = approximate
        ctx.save_for_backward(x)
        return wrap(_gelu_grad_array(x._data, approximate, 1))

    @staticmethod
    def backward(ctx: FunctionCtx, g: Tensor) -> tuple:
        (x,) = ctx.saved_tensors
        return g * const(_gelu_grad_array(x._data, ctx.approximate, 2), g), None


class _Gelu(Function):
    _backward_name = "GeluBackward0"

    @staticmethod
    def forward(ctx: FunctionCtx, x: Tensor, approximate: str) -> Tensor:
        ctx.approximate = approximate
        ctx.save_for_backward(x)
        d = x._data
        t = d.dtype.type
        if approximate == "tanh":
            inner = t(_SQRT_2_PI) * (d + t(_GELU_C) * d * d * d)
            return wrap(t(0.5) * d * (t(1) + np.tanh(inner)))
        return wrap(d * t(0.5) * (t(1) + _erf(d / t(_SQRT_2))))

    @staticmethod
    def backward(ctx: FunctionCtx, g: Tensor) -> tuple:
        (x,) = ctx.saved_tensors
        return g * _GeluGrad.apply(x, ctx.approximate), None


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    """GELU: x * Phi(x) exactly (``approximate='none'``) or with the tanh approximation."""
    check_float(input, "gelu")
    if approximate not in ("none", "tanh"):
        raise ValueError(f"approximate argument must be either none or tanh, got {approximate!r}")
    return _Gelu.apply(input, approximate)


class _SiLU(Function):
    _backward_name = "SiluBackward0"

    @staticmethod
    def forward(ctx: FunctionCtx, x: Tensor) -> Tensor:
        ctx.save_for_backward(x)
        return wrap(x._data * _sigmoid_array(x._data))

    @staticmethod
    def backward(ctx: FunctionCtx, g: Tensor) -> tuple:
        (x,) = ctx.saved_tensors
        s = x.sigmoid()
        return (g * (s * (1.0 + x * (1.0 - s))),)


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    check_float(input, "silu")
    return _inplace_result(input, _SiLU.apply(input), inplace)


def _softplus_array(d: np.ndarray, beta: float, threshold: float) -> np.ndarray:
    t = d.dtype.type
    z = d * t(beta)
    # max(z, 0) + log1p(exp(-|z|)) never overflows; above the threshold torch returns x itself.
    soft = (np.maximum(z, t(0)) + np.log1p(np.exp(-np.abs(z)))) / t(beta)
    return np.where(z > t(threshold), d, soft)


class _Softplus(Function):
    _backward_name = "SoftplusBackward0"

    @staticmethod
    def forward(ctx: FunctionCtx, x: Tensor, beta: float, threshold: float) -> Tensor:
        ctx.params = (beta, threshold)
        ctx.save_for_backward(x)
        return wrap(_softplus_array(x._data, beta, threshold))

    @staticmethod
    def backward(ctx: FunctionCtx, g: Tensor) -> tuple:
        (x,) = ctx.saved_tensors
        beta, threshold = ctx.params
        lin = x._data * beta > threshold
        slope = const(lin, g) + const(~lin, g) * (x * beta).sigmoid()
        return g * slope, None, None


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """log(1 + exp(beta*x)) / beta, linear where beta*x > threshold (numerically stable)."""
    check_float(input, "softplus")
    if beta == 0:
        raise ValueError("softplus: beta must be nonzero")
    return _Softplus.apply(input, float(beta), float(threshold))


def logsigmoid(input: Tensor) -> Tensor:
    check_float(input, "logsigmoid")
    return -_Softplus.apply(-input, 1.0, 20.0)


class _Mish(Function):
    _backward_name = "MishBackward0"

    @staticmethod
    def forward(ctx: FunctionCtx, x: Tensor) -> Tensor:
        ctx.save_for_backward(x)
        d = x._data
        return wrap(d * np.tanh(_softplus_array(d, 1.0, 20.0)))

    @staticmethod
    def backward(ctx: FunctionCtx, g: Tensor) -> tuple:
        (x,) = ctx.saved_tensors
        t = _Softplus.apply(x, 1.0, 20.0).tanh()
        return (g * (t + x * (1.0 - t * t) * x.sigmoid()),)


def mish(input: Tensor, inplace: bool = False) -> Tensor:
    """x * tanh(softplus(x)) (Misra, 2019)."""
    check_float(input, "mish")
    return _inplace_result(input, _Mish.apply(input), inplace)


def sigmoid(input: Tensor) -> Tensor:
    check_tensor(input, "sigmoid")
    return input.sigmoid()


def tanh(input: Tensor) -> Tensor:
    check_tensor(input, "tanh")
    return input.tanh()


def _softmax_dim(ndim: int, dim: int | None, fn: str) -> int:
    if dim is None:
        # torch's legacy implicit choice (deprecated there too).
        dim = 0 if ndim in (0, 1, 3) else 1
    return normalize_dim(dim, ndim, fn)


def _as_dtype(x: Tensor, dtype: Any) -> Tensor:
    return x if dtype is None else x.to(dtype)


class _Softmax(Function):
    _backward_name = "SoftmaxBackward0"

    @staticmethod
    def forward(ctx: FunctionCtx, x: Tensor, dim: int) -> Tensor:
        ctx.dim = dim
        d = x._data
        # Subtracting the max makes exp overflow-free; it cancels in the ratio.
        e = np.exp(d - d.max(axis=dim, keepdims=True)) if d.ndim else np.ones_like(d)
        out = wrap(e / e.sum(axis=dim, keepdims=True) if d.ndim else e)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: FunctionCtx, g: Tensor) -> tuple:
        (y,) = ctx.saved_tensors
        if y.ndim == 0:
            return g * 0.0, None
        return y * (g - (g * y).sum(ctx.dim, keepdim=True)), None


class _LogSoftmax(Function):
    _backward_name = "LogSoftmaxBackward0"

    @staticmethod
    def forward(ctx: FunctionCtx, x: Tensor, dim: int) -> Tensor:
        ctx.dim = dim
        d = x._data
        if d.ndim == 0:
            out = wrap(np.zeros_like(d))
        else:
            shifted = d - d.max(axis=dim, keepdims=True)
            out = wrap(shifted - np.log(np.exp(shifted).sum(axis=dim, keepdims=True)))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: FunctionCtx, g: Tensor) -> tuple:
        (y,) = ctx.saved_tensors
        if y.ndim == 0:
            return g * 0.0, None
        return g - y.exp() * g.sum(ctx.dim, keepdim=True), None


def _float_input(input: Tensor, dtype: Any, name: str) -> Tensor:
    """The (optionally cast) input of a softmax, as float32 when it is an integer tensor."""
    check_tensor(input, name)
    x = _as_dtype(input, dtype)
    return x if x._data.dtype.kind == "f" else x.to(np.float32)


def softmax(input: Tensor, dim: int | None = None, *, dtype: Any = None) -> Tensor:
    """exp(x) / sum(exp(x)) along ``dim``, computed without overflow."""
    x = _float_input(input, dtype, "softmax")
    return _Softmax.apply(x, _softmax_dim(x.ndim, dim, "softmax"))


def log_softmax(input: Tensor, dim: int | None = None, *, dtype: Any = None) -> Tensor:
    """x - logsumexp(x) along ``dim``: stable for large logits, exact log-probabilities."""
    x = _float_input(input, dtype, "log_softmax")
    return _LogSoftmax.apply(x, _softmax_dim(x.ndim, dim, "log_softmax"))


def softmin(input: Tensor, dim: int | None = None, *, dtype: Any = None) -> Tensor:
    check_tensor(input, "softmin")
    return softmax(-_as_dtype(input, dtype), dim)


def prelu(input: Tensor, weight: Tensor) -> Tensor:
    """max(0, x) + weight * min(0, x), ``weight`` per channel (dim 1) or a single value."""
    check_float(input, "prelu")
    check_float(weight, "prelu", "weight")
    n = weight.numel()
    if n != 1:
        if input.ndim < 2 or input.shape[1] != n:
            raise ValueError(
                f"prelu: weight has {n} elements but the input's channel dimension (dim 1) is "
                f"{input.shape[1] if input.ndim >= 2 else 'missing'} (input shape "
                f"{tuple(input.shape)})"
            )
        w = weight.reshape((1, n) + (1,) * (input.ndim - 2))
    else:
        w = weight.reshape(())
    return input.relu() - w * (-input).relu()
