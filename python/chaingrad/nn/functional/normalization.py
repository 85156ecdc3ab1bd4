"""Layer and batch normalisation.

Training-mode normalisation (statistics of the input itself) is one ``Function``: the forward
is a few NumPy reductions; the backward recomputes the statistics with Tensor ops from the
saved input, which costs about the same as saving them and makes second derivatives exact.
Eval-mode batch norm uses fixed running statistics, i.e. an affine map: plain Tensor ops.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ...autograd.function import Function, FunctionCtx
from ...tensor import Tensor
from ._utils import check_float, const, wrap

__all__ = ["layer_norm", "batch_norm", "normalize"]


def _stats(d: np.ndarray, dims: tuple) -> tuple[np.ndarray, np.ndarray]:
    mean = d.mean(axis=dims, keepdims=True)
    xc = d - mean
    return mean, (xc * xc).mean(axis=dims, keepdims=True)


class _Normalize(Function):
    """y = (x - mean) / sqrt(var + eps) * w + b, statistics over ``dims`` (biased var).

    ``w`` and ``b`` are already shaped to broadcast against ``x`` (or None).
    """

    _backward_name = "NativeNormBackward0"

    @staticmethod
    def forward(ctx: FunctionCtx, x: Tensor, w: Tensor | None, b: Tensor | None, dims: tuple,
                eps: float, mean: np.ndarray, var: np.ndarray) -> Tensor:
        ctx.dims, ctx.eps = dims, eps
        ctx.save_for_backward(x, w)
        d = x._data
        t = d.dtype.type
        y = (d - mean) * (t(1) / np.sqrt(var + t(eps)))
        if w is not None:
            y = y * w._data
        if b is not None:
            y = y + b._data
        return wrap(y.astype(d.dtype, copy=False))

    @staticmethod
    def backward(ctx: FunctionCtx, g: Tensor) -> tuple:
        x, w = ctx.saved_tensors
        dims = ctx.dims
        xc = x - x.mean(dims, keepdim=True)
        rstd = ((xc * xc).mean(dims, keepdim=True) + ctx.eps) ** -0.5
        xhat = xc * rstd
        need = ctx.needs_input_grad
        gw = g * xhat if need[1] else None  # the engine sums it down to w's shape
        gb = g if need[2] else None
        gx = None
        if need[0]:
            gh = g * w if w is not None else g
            gx = rstd * (gh - gh.mean(dims, keepdim=True)
                         - xhat * (gh * xhat).mean(dims, keepdim=True))
        return gx, gw, gb, None, None, None, None


def layer_norm(input: Tensor, normalized_shape: Sequence[int] | int,
               weight: Tensor | None = None, bias: Tensor | None = None,
               eps: float = 1e-5) -> Tensor:
    """Normalise over the trailing ``normalized_shape`` dims of each sample (Ba et al.)."""
    check_float(input, "layer_norm")
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    k = len(shape)
    if k == 0 or tuple(input.shape[input.ndim - k:]) != shape or input.ndim < k:
        raise RuntimeError(
            f"Given normalized_shape={list(shape)}, expected input with shape "
            f"[*, {', '.join(map(str, shape))}], but got input of size{list(input.shape)}"
        )
    for name, p in (("weight", weight), ("bias", bias)):
        if p is not None and tuple(p.shape) != shape:
            raise RuntimeError(f"layer_norm: expected {name} of shape {list(shape)}, got "
                               f"{list(p.shape)}")
    dims = tuple(range(input.ndim - k, input.ndim))
    mean, var = _stats(input._data, dims)
    return _Normalize.apply(input, weight, bias, dims, float(eps), mean, var)


def _per_channel(fn: str, input: Tensor, weight: Tensor | None, bias: Tensor | None,  # noqa: A002
                running_mean: Tensor | None, running_var: Tensor | None
                ) -> tuple[int, tuple[int, ...], Tensor | None, Tensor | None]:
    """For batch/instance norm: the channel count C, the broadcast shape (1, C, 1, ...) and
    weight/bias reshaped to it, after checking every per-channel argument has shape [C]."""
    c = input.shape[1]
    for name, p in (("weight", weight), ("bias", bias), ("running_mean", running_mean),
                    ("running_var", running_var)):
        if p is not None and tuple(p.shape) != (c,):
            raise RuntimeError(f"{fn}: expected {name} of shape [{c}] (the input's "
                               f"channels), got {list(p.shape)}")
    bshape = (1, c) + (1,) * (input.ndim - 2)
    w = weight.reshape(bshape) if weight is not None else None
    b = bias.reshape(bshape) if bias is not None else None
    return c, bshape, w, b


def _with_running_stats(input: Tensor, running_mean: Tensor, running_var: Tensor,  # noqa: A002
                       w: Tensor | None, b: Tensor | None, bshape: tuple[int, ...],
                       eps: float) -> Tensor:
    """Normalise with the running statistics (constants: no gradient reaches them)."""
    rm = running_mean._data.reshape(bshape).astype(input.dtype, copy=False)
    rv = running_var._data.reshape(bshape).astype(input.dtype, copy=False)
    out = (input - const(rm, input)) * const(1.0 / np.sqrt(rv + eps), input)
    if w is not None:
        out = out * w
    if b is not None:
        out = out + b
    return out


def batch_norm(input: Tensor, running_mean: Tensor | None, running_var: Tensor | None,
               weight: Tensor | None = None, bias: Tensor | None = None, training: bool = False,
               momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Normalise each channel (dim 1) over the batch and spatial dims (Ioffe & Szegedy).

    In training the batch statistics are used and the running ones (if given) are updated in
    place: ``running = (1 - momentum) * running + momentum * batch`` with the unbiased batch
    variance, as torch does. Otherwise the running statistics are used.
    """
    check_float(input, "batch_norm")
    if input.ndim < 2:
        raise ValueError(f"batch_norm: expected at least 2D input (N, C, ...), got shape "
                         f"{tuple(input.shape)}")
    c, bshape, w, b = _per_channel("batch_norm", input, weight, bias, running_mean, running_var)
    if not training:
        if running_mean is None or running_var is None:
            raise ValueError("batch_norm: running_mean and running_var are required when "
                             "training=False")
        return _with_running_stats(input, running_mean, running_var, w, b, bshape, eps)
    n = input.numel() // max(c, 1)
    if n <= 1:
        raise ValueError(f"Expected more than 1 value per channel when training, got input "
                         f"size {list(input.shape)}")
    dims = (0,) + tuple(range(2, input.ndim))
    mean, var = _stats(input._data, dims)
    if running_mean is not None and running_var is not None:
        m = float(momentum)
        rm, rv = running_mean._data, running_var._data
        rm *= 1 - m
        rm += m * mean.reshape(c)
        rv *= 1 - m
        rv += m * var.reshape(c) * (n / (n - 1))
        running_mean._bump_version()
        running_var._bump_version()
    return _Normalize.apply(input, w, b, dims, float(eps), mean, var)


def normalize(input: Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12) -> Tensor:
    """x / max(||x||_p, eps) along ``dim``."""
    check_float(input, "normalize")
    d = input._data
    norm = np.sum(np.abs(d) ** p, axis=dim, keepdims=True) ** (1.0 / p)
    small = norm < eps
    # Below eps the denominator is the constant eps; above it the differentiable norm.
    absx = input * const(np.sign(d), input)
    # Rows below eps get 1 added inside the root so its derivative stays finite; they are
    # masked out of the denominator anyway.
    nrm = ((absx ** p).sum(dim, keepdim=True) + const(small, input)) ** (1.0 / p)
    denom = nrm * const(~small, input) + const(np.where(small, eps, 0.0), input)
    return input / denom
