"""Loss functions with torch's options and exact reduction/weighting semantics.

Pointwise pieces with kinks or clamps (|d|, smooth L1, Huber, clamped logs, the stable logits
form of BCE) are small ``Function``s whose backward uses Tensor ops and constant masks; the
class-index losses pick one log-probability per sample with a gather/scatter pair. Everything
else (weights, ignore_index, label smoothing, reductions) is ordinary Tensor arithmetic, so the
whole loss is differentiable to any order.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from ... import _kinds as K
from ... import engine as _engine
from ...autograd.function import Function, FunctionCtx
from ...ops._common import needs_grad, record
from ...tensor import Tensor
from ._utils import check_float, check_reduction, check_tensor, const, wrap
from ._utils import reduce as _reduce
from .activation import _Softplus, log_softmax

__all__ = [
    "mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss", "binary_cross_entropy",
    "binary_cross_entropy_with_logits", "cross_entropy", "nll_loss", "kl_div",
]


def _legacy_reduction(size_average: bool | None, reduce_: bool | None, reduction: str) -> str:
    """torch's deprecated ``size_average``/``reduce`` flags, mapped to ``reduction``."""
    if size_average is None and reduce_ is None:
        return check_reduction(reduction)
    size_average = True if size_average is None else size_average
    reduce_ = True if reduce_ is None else reduce_
    if not reduce_:
        return "none"
    return "mean" if size_average else "sum"


def _warn_shape(input: Tensor, target: Tensor) -> None:
    if tuple(target.shape) != tuple(input.shape):
        warnings.warn(
            f"Using a target size ({tuple(target.shape)}) that is different to the input size "
            f"({tuple(input.shape)}). This will likely lead to incorrect results due to "
            "broadcasting. Please ensure they have the same size.",
            stacklevel=3,
        )


def _diff(input: Tensor, target: Any, fn: str) -> Tensor:
    check_float(input, fn)
    check_tensor(target, fn, "target")
    _warn_shape(input, target)
    try:
        np.broadcast_shapes(input._data.shape, target._data.shape)
    except ValueError:
        raise ValueError(f"{fn}: input of shape {tuple(input.shape)} and target of shape "
                         f"{tuple(target.shape)} cannot be broadcast together") from None
    return input - target


def _weighted(loss: Tensor, weight: Tensor | None, input: Tensor, reduction: str,
              mean_by_weight: bool) -> Tensor:
    if weight is None:
        return _reduce(loss, reduction)
    if tuple(weight.shape) != tuple(input.shape):
        raise ValueError("Weights and input must have the same size.")
    loss = loss * weight
    if reduction == "mean" and mean_by_weight:
        return loss.sum() / weight.sum()
    return _reduce(loss, reduction)


class _Abs(Function):
    _backward_name = "AbsBackward0"

    @staticmethod
    def forward(ctx: FunctionCtx, d: Tensor) -> Tensor:
        ctx.save_for_backward(d)
        return wrap(np.abs(d._data))

    @staticmethod
    def backward(ctx: FunctionCtx, g: Tensor) -> tuple:
        (d,) = ctx.saved_tensors
        return (g * const(np.sign(d._data), g),)


class _SmoothL1(Function):
    """scale * (0.5 d²/beta where |d| < beta, else |d| - 0.5 beta).

    scale=1 is smooth L1; Huber with ``delta`` is beta=scale=delta.
    """

    _backward_name = "SmoothL1LossBackward0"

    @staticmethod
    def forward(ctx: FunctionCtx, d: Tensor, beta: float, scale: float) -> Tensor:
        ctx.beta, ctx.scale = beta, scale
        ctx.save_for_backward(d)
        a = d._data
        t = a.dtype.type
        ad = np.abs(a)
        quad = t(0.5) * a * a / t(beta) if beta > 0 else ad
        out = np.where(ad < t(beta), quad, ad - t(0.5 * beta))
        return wrap((out * t(scale)).astype(a.dtype, copy=False))

    @staticmethod
    def backward(ctx: FunctionCtx, g: Tensor) -> tuple:
        (d,) = ctx.saved_tensors
        inner = np.abs(d._data) < ctx.beta
        slope = d * const(inner / ctx.beta if ctx.beta > 0 else inner * 0.0, g) + const(
            np.where(inner, 0.0, np.sign(d._data)), g)
        return g * (slope * ctx.scale), None, None


def mse_loss(input: Tensor, target: Tensor, size_average: bool | None = None,
             reduce: bool | None = None, reduction: str = "mean",
             weight: Tensor | None = None) -> Tensor:
    """(input - target)²; with ``weight``, 'mean' divides by the sum of the weights."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    d = _diff(input, target, "mse_loss")
    return _weighted(d * d, weight, d, reduction, True)


def l1_loss(input: Tensor, target: Tensor, size_average: bool | None = None,
            reduce: bool | None = None, reduction: str = "mean",
            weight: Tensor | None = None) -> Tensor:
    """|input - target|; with ``weight``, 'mean' divides by the sum of the weights."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    d = _diff(input, target, "l1_loss")
    return _weighted(_Abs.apply(d), weight, d, reduction, True)


def smooth_l1_loss(input: Tensor, target: Tensor, size_average: bool | None = None,
                   reduce: bool | None = None, reduction: str = "mean",
                   beta: float = 1.0) -> Tensor:
    """Quadratic below ``beta``, linear above (Girshick's Fast R-CNN loss); beta=0 is L1."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    if beta < 0:
        raise ValueError("smooth_l1_loss does not support negative values for beta.")
    d = _diff(input, target, "smooth_l1_loss")
    return _reduce(_SmoothL1.apply(d, float(beta), 1.0), reduction)


def huber_loss(input: Tensor, target: Tensor, reduction: str = "mean", delta: float = 1.0,
               weight: Tensor | None = None) -> Tensor:
    """0.5 d² below ``delta``, delta (|d| - 0.5 delta) above; = delta * smooth_l1(beta=delta).
    With ``weight``, 'mean' is the plain mean of the weighted losses (torch's choice)."""
    check_reduction(reduction)
    if delta <= 0:
        raise ValueError("huber_loss does not support non-positive values for delta.")
    d = _diff(input, target, "huber_loss")
    return _weighted(_SmoothL1.apply(d, float(delta), float(delta)), weight, d, reduction,
                     False)


# ---------------------------------------------------------------------------- binary
_LOG_CLAMP = -100.0


class _ClampedLog(Function):
    """log(x) clamped below at -100, as torch's BCE does (so log(0) stays finite)."""

    _backward_name = "LogBackward0"

    @staticmethod
    def forward(ctx: FunctionCtx, x: Tensor) -> Tensor:
        ctx.save_for_backward(x)
        with np.errstate(divide="ignore"):
            return wrap(np.maximum(np.log(x._data), x._data.dtype.type(_LOG_CLAMP)))

    @staticmethod
    def backward(ctx: FunctionCtx, g: Tensor) -> tuple:
        (x,) = ctx.saved_tensors
        with np.errstate(divide="ignore"):
            live = np.log(x._data) > _LOG_CLAMP
        # Where clamped the value is constant; substitute 1 in the denominator to stay finite.
        safe = x * const(live, g) + const(~live, g)
        return (g * const(live, g) / safe,)


class _BCE(Function):
    _backward_name = "BinaryCrossEntropyBackward0"

    @staticmethod
    def forward(ctx: FunctionCtx, x: Tensor, t: Tensor) -> Tensor:
        ctx.save_for_backward(x, t)
        xd, td = x._data, t._data.astype(x._data.dtype, copy=False)
        tp = xd.dtype.type
        with np.errstate(divide="ignore"):
            lx = np.maximum(np.log(xd), tp(_LOG_CLAMP))
            l1x = np.maximum(np.log1p(-xd), tp(_LOG_CLAMP))
        return wrap(-(td * lx + (tp(1) - td) * l1x))

    @staticmethod
    def backward(ctx: FunctionCtx, g: Tensor) -> tuple:
        x, t = ctx.saved_tensors
        gx = gt = None
        if ctx.needs_input_grad[0]:
            # torch: grad * (x - t) / max((1 - x) * x, 1e-12)
            denom = (1.0 - x) * x
            small = denom._data < 1e-12
            denom = denom * const(~small, g) + const(small * 1e-12, g)
            gx = g * (x - t) / denom
        if ctx.needs_input_grad[1]:
            gt = g * (_ClampedLog.apply(1.0 - x) - _ClampedLog.apply(x))
        return gx, gt


def binary_cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None,
                         size_average: bool | None = None, reduce: bool | None = None,
                         reduction: str = "mean") -> Tensor:
    """-w [t log x + (1 - t) log(1 - x)] for probabilities x (logs clamped at -100)."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    check_float(input, "binary_cross_entropy")
    check_tensor(target, "binary_cross_entropy", "target")
    if tuple(target.shape) != tuple(input.shape):
        raise ValueError(
            f"Using a target size ({tuple(target.shape)}) that is different to the input size "
            f"({tuple(input.shape)}) is deprecated. Please ensure they have the same size."
        )
    d = input._data
    if d.size and not (np.all(d >= 0) and np.all(d <= 1)):
        raise RuntimeError("binary_cross_entropy: all elements of input should be between 0 "
                           "and 1 (use binary_cross_entropy_with_logits for logits)")
    tgt = target if target.dtype == input.dtype else target.to(input.dtype)
    loss = _BCE.apply(input, tgt)
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


class _BCEWithLogits(Function):
    _backward_name = "BinaryCrossEntropyWithLogitsBackward0"

    @staticmethod
    def forward(ctx: FunctionCtx, x: Tensor, t: Tensor, pw: Tensor | None) -> Tensor:
        ctx.save_for_backward(x, t, pw)
        xd, td = x._data, t._data
        one = xd.dtype.type(1)
        # softplus(-x) = max(-x, 0) + log1p(exp(-|x|)): no overflow for any x.
        sp = np.maximum(-xd, 0) + np.log1p(np.exp(-np.abs(xd)))
        lw = one if pw is None else (pw._data - one) * td + one
        return wrap(((one - td) * xd + lw * sp).astype(xd.dtype, copy=False))

    @staticmethod
    def backward(ctx: FunctionCtx, g: Tensor) -> tuple:
        x, t, pw = ctx.saved_tensors
        need = ctx.needs_input_grad
        gx = gt = gpw = None
        if need[0]:
            if pw is None:
                gx = g * (x.sigmoid() - t)
            else:
                lw = (pw - 1.0) * t + 1.0
                gx = g * (lw * x.sigmoid() - pw * t)
        if need[1] or need[2]:
            sp = _Softplus.apply(-x, 1.0, float("inf"))
            if need[1]:
                gt = g * (-x) if pw is None else g * ((pw - 1.0) * sp - x)
            if need[2]:
                gpw = g * t * sp
        return gx, gt, gpw


def binary_cross_entropy_with_logits(input: Tensor, target: Tensor,
                                     weight: Tensor | None = None,
                                     size_average: bool | None = None,
                                     reduce: bool | None = None, reduction: str = "mean",
                                     pos_weight: Tensor | None = None) -> Tensor:
    """BCE on logits, computed stably: (1 - t) x + (1 + (pw - 1) t) softplus(-x)."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    check_float(input, "binary_cross_entropy_with_logits")
    check_tensor(target, "binary_cross_entropy_with_logits", "target")
    if tuple(target.shape) != tuple(input.shape):
        raise ValueError(f"Target size ({tuple(target.shape)}) must be the same as input size "
                         f"({tuple(input.shape)})")
    tgt = target if target.dtype == input.dtype else target.to(input.dtype)
    if pos_weight is not None:
        check_float(pos_weight, "binary_cross_entropy_with_logits", "pos_weight")
        try:
            np.broadcast_shapes(pos_weight._data.shape, input._data.shape)
        except ValueError:
            raise ValueError(f"pos_weight of shape {tuple(pos_weight.shape)} cannot be "
                             f"broadcast to the input's shape {tuple(input.shape)}") from None
    loss = _BCEWithLogits.apply(input, tgt, pos_weight)
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


# ---------------------------------------------------------------------------- classes
class _Pick(Function):
    """out[m] = x[m, t[m]] for x of shape (M, C)."""

    _backward_name = "GatherBackward0"

    @staticmethod
    def forward(ctx: FunctionCtx, x: Tensor, t: np.ndarray) -> Tensor:
        ctx.t, ctx.c = t, x._data.shape[1]
        return wrap(x._data[np.arange(t.size), t])

    @staticmethod
    def backward(ctx: FunctionCtx, g: Tensor) -> tuple:
        return _Place.apply(g, ctx.t, ctx.c), None


class _Place(Function):
    """The adjoint of ``_Pick``: a (M, C) zero matrix with g[m] at column t[m]."""

    _backward_name = "ScatterBackward0"

    @staticmethod
    def forward(ctx: FunctionCtx, g: Tensor, t: np.ndarray, c: int) -> Tensor:
        ctx.t = t
        out = np.zeros((t.size, c), dtype=g._data.dtype)
        out[np.arange(t.size), t] = g._data
        return wrap(out)

    @staticmethod
    def backward(ctx: FunctionCtx, gg: Tensor) -> tuple:
        return _Pick.apply(gg, ctx.t), None, None


def _class_last(input: Tensor) -> Tensor:
    """(N, C, d1, ...) -> (N*d1*..., C): the class dim last, one row per prediction."""
    if input.ndim == 2:
        return input
    perm = (0,) + tuple(range(2, input.ndim)) + (1,)
    return input.permute(*perm).reshape(-1, input.shape[1])


def _check_targets(input: Tensor, target: Tensor, fn: str) -> tuple[bool, int]:
    """Validate class-index targets; returns (unbatched, n_classes)."""
    check_tensor(target, fn, "target")
    if target._data.dtype.kind not in "iu":
        raise RuntimeError(f"{fn}: expected target of an integer dtype (class indices), got "
                           f"{target._data.dtype}")
    if input.ndim == 0:
        raise ValueError(f"{fn}: input must have at least one dimension (classes)")
    if input.ndim == 1:
        if target.ndim != 0:
            raise ValueError(f"{fn}: for unbatched input of shape {tuple(input.shape)} the "
                             f"target must be a 0-d class index, got shape "
                             f"{tuple(target.shape)}")
        return True, input.shape[0]
    expected = (input.shape[0],) + tuple(input.shape[2:])
    if tuple(target.shape) != expected:
        raise ValueError(f"{fn}: expected target of shape {expected} for input of shape "
                         f"{tuple(input.shape)} (N, C, d1, ...), got {tuple(target.shape)}")
    return False, input.shape[1]


def _nll(input: Tensor, target: Tensor, weight: Tensor | None, ignore_index: int,
         fn: str) -> tuple[Tensor, np.ndarray, np.ndarray, bool]:
    """Per-prediction weighted NLL (flat), its weights, the ignore mask and unbatched."""
    unbatched, c = _check_targets(input, target, fn)
    if weight is not None and tuple(weight.shape) != (c,):
        raise RuntimeError(f"{fn}: weight tensor should be defined either for all {c} classes "
                           f"or no classes but got weight tensor of shape: "
                           f"{list(weight.shape)}")
    x = input.unsqueeze(0) if unbatched else input
    t = target._data.reshape(-1).astype(np.int64)
    keep = t != ignore_index
    bad = keep & ((t < 0) | (t >= c))
    if bad.any():
        v = int(t[bad][0])
        raise IndexError(f"{fn}: target {v} is out of bounds: expected class indices in "
                         f"[0, {c - 1}] (or ignore_index={ignore_index})")
    tt = np.where(keep, t, 0)
    w = np.ones(t.size) if weight is None else weight._data[tt].astype(np.float64)
    w = w * keep
    picked = _Pick.apply(_class_last(x), tt)
    return -picked * const(w, picked), w, keep, unbatched


def _finish(losses: Tensor, w_total: float, target: Tensor, reduction: str,
            unbatched: bool) -> Tensor:
    if reduction == "none":
        return losses.reshape(()) if unbatched else losses.reshape(tuple(target.shape))
    total = losses.sum()
    if reduction == "sum":
        return total
    if w_total == 0:
        # torch: the loss is 0/0 = NaN when every target is ignored, but the gradient is 0.
        return total * 0.0 + float("nan")
    return total / w_total


def nll_loss(input: Tensor, target: Tensor, weight: Tensor | None = None,
             size_average: bool | None = None, ignore_index: int = -100,
             reduce: bool | None = None, reduction: str = "mean") -> Tensor:
    """-input[n, target[n]] * weight[target[n]]; 'mean' divides by the summed weights of the
    targets that are not ``ignore_index``. Input (N, C), (C,) or (N, C, d1, ...)."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    check_float(input, "nll_loss")
    losses, w, _, unbatched = _nll(input, target, weight, ignore_index, "nll_loss")
    return _finish(losses, float(w.sum()), target, reduction, unbatched)


def cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None,
                  size_average: bool | None = None, ignore_index: int = -100,
                  reduce: bool | None = None, reduction: str = "mean",
                  label_smoothing: float = 0.0) -> Tensor:
    """log_softmax + nll_loss for class indices, or -sum(p * log_softmax) for class
    probabilities (a float target of the input's shape); ``label_smoothing`` mixes the target
    with the uniform distribution, weighted like torch."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    check_float(input, "cross_entropy")
    check_tensor(target, "cross_entropy", "target")
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    if input.ndim == 0:
        raise ValueError("cross_entropy: input must have at least one dimension (classes)")
    cdim = 0 if input.ndim == 1 else 1
    c = input.shape[cdim]
    if weight is not None and tuple(weight.shape) != (c,):
        raise RuntimeError(f"cross_entropy: weight tensor should be defined either for all {c} "
                           f"classes or no classes but got weight tensor of shape: "
                           f"{list(weight.shape)}")
    if (input.ndim == 2 and weight is None and label_smoothing == 0.0
            and target._data.dtype.kind in "iu" and target.ndim == 1):
        out = _cross_entropy_native(input, target, ignore_index, reduction)
        if out is not None:
            return out
    logp = log_softmax(input, cdim)
    if target._data.dtype.kind == "f":
        return _cross_entropy_probs(logp, target, weight, reduction, label_smoothing, cdim, c)
    losses, w, keep, unbatched = _nll(logp, target, weight, ignore_index, "cross_entropy")
    nll = _finish(losses, float(w.sum()), target, reduction, unbatched)
    if label_smoothing == 0.0:
        return nll
    # The uniform part: -sum_c w_c * logp_c per prediction, zero where ignored; the mean is
    # normalised by the same summed target weights as the nll part (torch's choice).
    flat = _class_last(logp.unsqueeze(0) if unbatched else logp)
    per = flat * const(weight._data, flat) if weight is not None else flat
    smooth = -(per.sum(1)) * const(keep, flat)
    if reduction == "none":
        smooth = smooth.reshape(()) if unbatched else smooth.reshape(tuple(target.shape))
    elif reduction == "sum":
        smooth = smooth.sum()
    else:
        denom = float(w.sum())
        smooth = smooth.sum() * 0.0 + float("nan") if denom == 0 else smooth.sum() / denom
    return nll * (1.0 - label_smoothing) + smooth * (label_smoothing / c)


_REDUCTIONS = {"none": 0, "sum": 1, "mean": 2}
_MAX, _MIN, _ADD = np.maximum.reduce, np.minimum.reduce, np.add.reduce


def _native_forward() -> Any:
    """``_core.cross_entropy_forward`` while the C++ engine is active (ops/_fast.py's rule:
    the reference engine runs the NumPy specification), else None."""
    eng = _engine.current()
    return getattr(eng, "cross_entropy_forward", None)


def _cross_entropy_native(input: Tensor, target: Tensor, ignore_index: int,
                          reduction: str) -> Tensor | None:
    """log_softmax + nll_loss as one CROSS_ENTROPY node (NllLossBackward0) for (N, C) logits
    and class indices in range; None (the general path decides) for anything else: an empty
    batch, a target equal to ``ignore_index`` or out of range, a target of another shape."""
    d = input._data
    n, c = d.shape
    t = target._data
    if n == 0 or c == 0 or t.shape != (n,) or reduction not in _REDUCTIONS:
        return None
    if d.dtype.kind != "f" or type(d) is not np.ndarray or type(t) is not np.ndarray:
        return None
    code = _REDUCTIONS[reduction]
    native = _native_forward() if t.dtype == np.int64 else None
    # The C++ engine's one call (it checks the targets itself): the same bits as the NumPy
    # lines below.
    got = native(d, t, ignore_index, code) if native is not None else None
    if got is not None:
        out, logp = wrap(got[0]), got[1]
    else:
        # ufunc reductions called directly: what d.max()/np.sum do, without their Python layers
        if int(_MIN(t)) < 0 or int(_MAX(t)) >= c or (
                0 <= ignore_index < c and bool((t == ignore_index).any())):
            return None
        t = t.astype(np.int64, copy=False)
        shifted = d - _MAX(d, axis=1, keepdims=True)  # the same numerics as log_softmax
        logp = shifted - np.log(_ADD(np.exp(shifted), axis=1, keepdims=True))
        losses = -logp[np.arange(n), t]
        if code == 0:
            out = wrap(losses)
        else:
            total = np.asarray(_ADD(losses))
            out = wrap(total if code == 1 else np.asarray(total / d.dtype.type(n)))
    if needs_grad(input):
        record(K.CROSS_ENTROPY, "NllLossBackward0", (input,), out, (input, logp, t),
               (float(code), float(n)))
    return out


def _cross_entropy_probs(logp: Tensor, target: Tensor, weight: Tensor | None, reduction: str,
                         label_smoothing: float, cdim: int, c: int) -> Tensor:
    if tuple(target.shape) != tuple(logp.shape):
        raise ValueError(f"cross_entropy: a class-probability target must have the input's "
                         f"shape {tuple(logp.shape)}, got {tuple(target.shape)}")
    tgt = target if target.dtype == logp.dtype else target.to(logp.dtype)
    if label_smoothing > 0:
        tgt = tgt * (1.0 - label_smoothing) + label_smoothing / c
    prod = logp * tgt
    if weight is not None:
        shape = [1] * logp.ndim
        shape[cdim] = c
        prod = prod * weight.reshape(tuple(shape))
    loss = -prod.sum(cdim)
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    # torch divides by the number of predictions (not by the weights) for probabilities.
    return loss.sum() / (logp.numel() // c if c else 1)


class _XLogX(Function):
    """t * log(t) with 0 at t = 0 (torch's xlogy(t, t))."""

    _backward_name = "XlogyBackward0"

    @staticmethod
    def forward(ctx: FunctionCtx, t: Tensor) -> Tensor:
        ctx.save_for_backward(t)
        d = t._data
        with np.errstate(divide="ignore", invalid="ignore"):
            return wrap(np.where(d == 0, d.dtype.type(0), d * np.log(d)))

    @staticmethod
    def backward(ctx: FunctionCtx, g: Tensor) -> tuple:
        (t,) = ctx.saved_tensors
        pos = t._data > 0
        safe = t * const(pos, g) + const(~pos, g)
        return (g * (safe.log() + 1.0) * const(pos, g),)


def kl_div(input: Tensor, target: Tensor, size_average: bool | None = None,
           reduce: bool | None = None, reduction: str = "mean", log_target: bool = False
           ) -> Tensor:
    """KL(target || exp(input)) pointwise: target * (log target - input), input being
    log-probabilities. ``reduction='batchmean'`` divides the sum by the batch size (the
    mathematical KL); 'mean' divides by the number of elements, as torch does."""
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce, "mean")
    if reduction not in ("none", "mean", "sum", "batchmean"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    check_float(input, "kl_div")
    check_tensor(target, "kl_div", "target")
    tgt = target if target.dtype == input.dtype else target.to(input.dtype)
    if log_target:
        loss = tgt.exp() * (tgt - input)
    else:
        loss = _XLogX.apply(tgt) - tgt * input
    if reduction == "mean":
        warnings.warn(
            "reduction: 'mean' divides the total loss by both the batch size and the support "
            "size. 'batchmean' divides only by the batch size, and aligns with the KL div math "
            "definition.",
            stacklevel=2,
        )
        return loss.mean()
    if reduction == "batchmean":
        return loss.sum() / (input.shape[0] if input.ndim else 1)
    return _reduce(loss, reduction)
