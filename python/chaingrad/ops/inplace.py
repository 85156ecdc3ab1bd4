"""In-place ops. They bump the version counter, so a saved value they overwrite is detected at
backward time.

Two regimes:
- nothing to record (grad mode off, or no operand requires grad): NumPy writes straight into the
  tensor's memory, so every view sees the change. This is the optimizer path.
- otherwise torch's history rewrite: the result is computed out of place from an alias that
  carries the tensor's old history (and, when the backward needs it, a copy of its old value;
  never the tensor itself, which would make the node refer to its own output), then written
  into the tensor, which takes over the new node as its ``grad_fn``. Leaves that require grad
  are refused. On a view, the base's history is rewritten instead (``CopySlices``, see
  ``ops/copy_slices.py``); after any rewrite, the live views of the base get fresh
  ``AsStridedBackward0`` histories on the base's new one (``ops/_views.py``).
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from .. import grad_mode as _gm
from ..tensor import Tensor, _RetainCell
from . import elementwise as E
from . import select as S
from ._common import ShapeError, as_tensor
from ._views import OVERLAP_MSG, Geometry, has_internal_overlap, live_views, view_placement
from .copy_slices import Invalid, as_strided_of, copy_slices


def check_inplace(t: Tensor, op: str) -> None:
    """Refuse what cannot be done in place (read-only memory; autograd cases below)."""
    if _gm._enabled[0] and t._requires_grad:
        if t._grad_fn is None:
            raise RuntimeError(
                f"{op}: a leaf Variable that requires grad is being used in an in-place "
                "operation (wrap it in chaingrad.no_grad() to update parameters)"
            )
    if not t._data.flags.writeable:
        if has_internal_overlap(t._data):
            raise RuntimeError(f"{op}: {OVERLAP_MSG}")
        if t._view is None or not t._view.base._data.flags.writeable:
            raise RuntimeError(
                f"{op}: this tensor's memory is read-only; clone() it first"
            )
        # A view without overlap of a read-only (expanded) view, e.g. ``x.expand(4, 3)[0]``:
        # its elements are distinct, so writing is well defined, as in torch.
        t._data = _writable_alias(t._data, t._view.base._data)


def _writable_alias(a: np.ndarray, base: np.ndarray) -> np.ndarray:
    """``a``'s memory, through the writable ``base`` array that owns it."""
    if a.size == 0:
        return np.empty(a.shape, a.dtype)
    first = int(Geometry(a[(0,) * a.ndim + (Ellipsis,)], base).index())
    at = base[np.unravel_index(first, base.shape) + (Ellipsis,)]  # a 0-d view of that element
    return np.lib.stride_tricks.as_strided(at, a.shape, a.strides)


def _records(t: Tensor, others: tuple) -> bool:
    if not _gm._enabled[0]:
        return False
    if t._requires_grad:
        return True
    info = t._view
    if info is not None and info.base._requires_grad:
        return True  # a view made under no_grad of a base in the graph: refused by the rewrite
    return any(isinstance(o, Tensor) and o._requires_grad for o in others)


def _take_history(dst: Tensor, src: Tensor) -> None:
    dst._grad_fn = src._grad_fn
    dst._output_nr = src._output_nr
    dst._requires_grad = src._requires_grad
    old = dst._retain
    if old is not None and dst._grad_fn is not None:
        # torch moves retain_grad to the tensor's new node: .grad is the gradient of the value
        # the tensor holds now, accumulated onto what it already retained.
        cell = dst._retain = _RetainCell()
        cell.grad = old.grad
        dst._grad_fn.add_retain(dst._output_nr, cell)


def _result(r: Tensor, t: Tensor, op: str) -> Tensor:
    if r.dtype != t.dtype:
        _check_cast(op, r.dtype, t.dtype)
        r = r.to(t.dtype)
    if tuple(r.shape) != tuple(t.shape):
        raise ShapeError(f"{op}: the result's shape {tuple(r.shape)} doesn't match the tensor's "
                         f"shape {tuple(t.shape)} (in-place ops cannot broadcast the tensor "
                         "itself)")
    return r


def rebase_history(t: Tensor, compute: Callable[[Tensor], Tensor], copy_old: bool = True,
                   op: str = "in-place op") -> Tensor:
    """Make ``t`` the result of ``compute(old t)``, recorded (torch's in-place semantics)."""
    check_inplace(t, op)
    if t._view is not None:
        return _rebase_view(t, compute, copy_old, op)
    old = Tensor._from_array(t._data.copy() if copy_old else t._data)
    if not copy_old:
        # Shares t's memory and counter: if a node saved it, the write below makes backward
        # raise instead of using the new value.
        old._vc = t._version_counter()
    _take_history(old, t)
    r = _result(compute(old), t, op)
    np.copyto(t._data, r._data)
    t._version_counter()[0] += 1
    _take_history(t, r)
    refresh_views(t)
    return t


def _rebase_view(t: Tensor, compute: Callable[[Tensor], Tensor], copy_old: bool,
                 op: str) -> Tensor:
    """In-place on a view: the base becomes ``CopySlices(old base, compute(old view))``."""
    info = t._view
    base = info.base
    if info.nograd:
        raise RuntimeError(
            f"{op}: A view was created in no_grad mode and is being modified inplace with grad "
            "mode enabled. Given that this use case is ambiguous and error-prone, it is "
            "forbidden. You can clarify your code by moving both the view and the inplace "
            "either both inside the no_grad block (if you don't want the inplace to be "
            "tracked) or both outside (if you want the inplace to be tracked)."
        )
    if info.forbid is not None:
        raise RuntimeError(f"{op}: {info.forbid}")
    if base._requires_grad and base._grad_fn is None:
        raise RuntimeError(f"{op}: a view of a leaf Variable that requires grad is being used "
                           "in an in-place operation.")
    index, overlap = view_placement(t, base)
    vc = t._version_counter()
    old_base = Tensor._from_array(base._data)
    old_base._vc = vc
    _take_history(old_base, base)
    old = as_strided_of(old_base, index, overlap, t._data.copy() if copy_old else t._data)
    if not copy_old:
        old._vc = vc  # as in rebase_history: a node saving it must see the write
    r = _result(compute(old), t, op)
    new_base = copy_slices(old_base, r, index, base._data)
    np.copyto(t._data, r._data)
    vc[0] += 1
    _take_history(base, new_base)
    refresh_views(base)
    return t


def _stale_msg(forbid: str) -> str:
    return forbid.replace("is being modified inplace",
                          "its base or another view of its base has been modified inplace")


def refresh_views(base: Tensor) -> None:
    """After ``base``'s history was rewritten, give its live views histories on the new one
    (torch regenerates them lazily on access; here it is done at once, for the live ones)."""
    if not base._requires_grad:
        return
    for v in live_views(base):
        info = v._view
        if info.nograd:
            continue  # made under no_grad: outside the graph, it stays so
        try:
            index, overlap = view_placement(v, base)
            if info.forbid is not None:
                node = Invalid.apply(base, _stale_msg(info.forbid), v._data)
            else:
                node = as_strided_of(base, index, overlap, v._data)
        except RuntimeError:
            continue  # the memory is no longer the base's (``base.data = ...``): not a view
        _take_history(v, node)


def _check_cast(op: str, src: np.dtype, dst: np.dtype) -> None:
    if not np.can_cast(src, dst, casting="same_kind"):
        raise RuntimeError(f"{op}: result type {src} can't be cast to the desired output type "
                           f"{dst} of the tensor")


def _ufunc_(t: Tensor, ufunc: Any, other: Any, op: str) -> Tensor:
    """``t = ufunc(t, other)`` written into t's memory (no recording)."""
    check_inplace(t, op)
    o = other._data if isinstance(other, Tensor) else other
    try:
        ufunc(t._data, o, out=t._data, casting="same_kind")
    except TypeError:  # NumPy's UFuncTypeError: the result type can't be cast into t
        _check_cast(op, np.result_type(t._data, o), t._data.dtype)
        raise
    except ValueError:
        raise ShapeError(
            f"{op}: operand of shape {tuple(np.shape(o))} cannot be broadcast to the tensor's "
            f"shape {tuple(t.shape)}"
        ) from None
    t._bump_version()
    return t


def _scaled(other: Any, alpha: Any) -> Any:
    if alpha == 1:
        return other
    if isinstance(other, Tensor):
        return E.mul(other, alpha)
    return np.asarray(other) * alpha if not isinstance(other, (int, float)) else other * alpha


def add_(t: Tensor, other: Any, alpha: Any = 1) -> Tensor:
    if _records(t, (other,)):
        return rebase_history(t, lambda old: E.add(old, other, alpha=alpha), False, "add_")
    return _ufunc_(t, np.add, _scaled(other, alpha), "add_")


def sub_(t: Tensor, other: Any, alpha: Any = 1) -> Tensor:
    if _records(t, (other,)):
        return rebase_history(t, lambda old: E.sub(old, other, alpha=alpha), False, "sub_")
    return _ufunc_(t, np.subtract, _scaled(other, alpha), "sub_")


def mul_(t: Tensor, other: Any) -> Tensor:
    if _records(t, (other,)):
        return rebase_history(t, lambda old: E.mul(old, other), True, "mul_")
    return _ufunc_(t, np.multiply, other, "mul_")


def div_(t: Tensor, other: Any) -> Tensor:
    if _records(t, (other,)):
        return rebase_history(t, lambda old: E.div(old, other), True, "div_")
    if t._data.dtype.kind != "f":
        raise RuntimeError(f"div_: result type float can't be cast to the desired output type "
                           f"{t._data.dtype} of the tensor")
    return _ufunc_(t, np.true_divide, other, "div_")


def pow_(t: Tensor, exponent: Any) -> Tensor:
    if _records(t, (exponent,)):
        return rebase_history(t, lambda old: E.pow(old, exponent), True, "pow_")
    return _assign_(t, E.pow(t.detach(), exponent), "pow_")


def _assign_(t: Tensor, r: Tensor, op: str) -> Tensor:
    """Write an out-of-place result (computed without recording) into t."""
    check_inplace(t, op)
    if r.dtype != t.dtype:
        _check_cast(op, r.dtype, t.dtype)
    if tuple(r.shape) != tuple(t.shape):
        raise ShapeError(f"{op}: the result's shape {tuple(r.shape)} doesn't match the tensor's "
                         f"shape {tuple(t.shape)}")
    np.copyto(t._data, r._data, casting="unsafe")
    t._bump_version()
    return t


def _unary_(fn: Callable[[Tensor], Tensor], name: str, needs_old: bool) -> Callable:
    def inplace(t: Tensor) -> Tensor:
        if _records(t, ()):
            return rebase_history(t, fn, needs_old, name)
        return _assign_(t, fn(t.detach()), name)

    inplace.__name__ = inplace.__qualname__ = name
    inplace.__doc__ = f"In-place ``{name[:-1]}``."
    return inplace


def _lazy(modname: str, fname: str) -> Callable[[Tensor], Tensor]:
    def call(x: Tensor) -> Tensor:
        import importlib

        return getattr(importlib.import_module(f"chaingrad.ops.{modname}"), fname)(x)

    return call


neg_ = _unary_(E.neg, "neg_", False)
exp_ = _unary_(E.exp, "exp_", False)
log_ = _unary_(E.log, "log_", True)
tanh_ = _unary_(E.tanh, "tanh_", False)
sigmoid_ = _unary_(E.sigmoid, "sigmoid_", False)
relu_ = _unary_(E.relu, "relu_", False)
abs_ = _unary_(_lazy("unary", "abs"), "abs_", True)
sqrt_ = _unary_(_lazy("unary", "sqrt"), "sqrt_", False)
sign_ = _unary_(_lazy("unary", "sign"), "sign_", False)
reciprocal_ = _unary_(_lazy("unary", "reciprocal"), "reciprocal_", False)


def clamp_(t: Tensor, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002
    if _records(t, (min, max)):
        return rebase_history(t, lambda old: S.clamp(old, min, max), True, "clamp_")
    return _assign_(t, S.clamp(t.detach(), min, max), "clamp_")


def clamp_min_(t: Tensor, min: Any) -> Tensor:  # noqa: A002
    return clamp_(t, min=min)


def clamp_max_(t: Tensor, max: Any) -> Tensor:  # noqa: A002
    return clamp_(t, max=max)


def fill_(t: Tensor, value: Any) -> Tensor:
    """Set every element to ``value`` (a number or a 0-d tensor, which may require grad)."""
    if isinstance(value, Tensor) and value.ndim != 0:
        raise ShapeError(f"fill_ only supports a 0-dimension value tensor, got shape "
                         f"{tuple(value.shape)}")
    if _records(t, (value,)):
        # where(all true, value, old): the result is value, the old history gets zeros.
        v = value if isinstance(value, Tensor) else Tensor._from_array(
            np.asarray(value, dtype=t.dtype))
        keep = Tensor._from_array(np.ones(t._data.shape, dtype=bool))
        return rebase_history(t, lambda old: S.where(keep, v.to(t.dtype), old), False, "fill_")
    check_inplace(t, "fill_")
    t._data[...] = value._data if isinstance(value, Tensor) else value
    t._bump_version()
    return t


def zero_(t: Tensor) -> Tensor:
    return fill_(t, 0)


def copy_(t: Tensor, src: Any, non_blocking: bool = False) -> Tensor:
    """Copy ``src`` (broadcast to t's shape, cast to t's dtype) into t."""
    if _records(t, (src,)):
        s = as_tensor(src, "copy_: src")
        try:
            target = np.broadcast_shapes(s._data.shape, t._data.shape)
        except ValueError:
            target = None
        if target != t._data.shape:
            raise ShapeError(f"copy_: source of shape {tuple(s.shape)} cannot be broadcast to "
                             f"{tuple(t.shape)}")
        keep = Tensor._from_array(np.ones(t._data.shape, dtype=bool))
        s = s.to(t.dtype) if s.dtype != t.dtype else s
        return rebase_history(t, lambda old: S.where(keep, s, old), False, "copy_")
    check_inplace(t, "copy_")
    s = src._data if isinstance(src, Tensor) else np.asarray(src)
    try:
        np.copyto(t._data, np.broadcast_to(s, t._data.shape), casting="unsafe")
    except ValueError:
        raise ShapeError(
            f"copy_: source of shape {tuple(np.shape(s))} cannot be broadcast to "
            f"{tuple(t.shape)}"
        ) from None
    t._bump_version()
    return t


def masked_fill_(t: Tensor, mask: Any, value: Any) -> Tensor:
    from .indexing import masked_fill

    if _records(t, (value,)):
        return rebase_history(t, lambda old: masked_fill(old, mask, value), False,
                              "masked_fill_")
    return _assign_(t, masked_fill(t.detach(), mask, value), "masked_fill_")


def addcmul_(t: Tensor, tensor1: Any, tensor2: Any, value: Any = 1) -> Tensor:
    """``t += value * tensor1 * tensor2`` (torch's evaluation order: (value * t1) * t2)."""
    if _records(t, (tensor1, tensor2)):
        return rebase_history(t, lambda old: addcmul(old, tensor1, tensor2, value), False,
                              "addcmul_")
    return _ufunc_(t, np.add, addcmul_term(t, tensor1, tensor2, value, np.multiply), "addcmul_")


def addcdiv_(t: Tensor, tensor1: Any, tensor2: Any, value: Any = 1) -> Tensor:
    """``t += value * tensor1 / tensor2`` (torch's evaluation order: (value * t1) / t2)."""
    if _records(t, (tensor1, tensor2)):
        return rebase_history(t, lambda old: addcdiv(old, tensor1, tensor2, value), False,
                              "addcdiv_")
    return _ufunc_(t, np.add, addcmul_term(t, tensor1, tensor2, value, np.true_divide),
                   "addcdiv_")


def addcmul_term(t: Tensor, t1: Any, t2: Any, value: Any, op: Any) -> np.ndarray:
    a = as_tensor(t1)._data
    b = as_tensor(t2)._data
    dt = t._data.dtype
    return op(a.astype(dt, copy=False) * dt.type(value), b.astype(dt, copy=False))


def addcmul(input: Any, tensor1: Any, tensor2: Any, value: Any = 1) -> Tensor:  # noqa: A002
    return E.add(as_tensor(input), E.mul(E.mul(as_tensor(tensor1), value), tensor2))


def addcdiv(input: Any, tensor1: Any, tensor2: Any, value: Any = 1) -> Tensor:  # noqa: A002
    return E.add(as_tensor(input), E.div(E.mul(as_tensor(tensor1), value), tensor2))


def lerp(input: Any, end: Any, weight: Any) -> Tensor:  # noqa: A002
    """``input + weight * (end - input)`` (a number weight; torch's formula for |w| < 0.5,
    ``end - (end - input) * (1 - w)`` otherwise, for accuracy near 1)."""
    a = as_tensor(input)
    e = as_tensor(end)
    for name, t in (("end", e), ("weight", weight)):
        if isinstance(t, Tensor) and t.dtype != a.dtype:
            raise RuntimeError(f"lerp: expected dtype {a.dtype} for `{name}` but got dtype "
                               f"{t.dtype}")
    if isinstance(weight, Tensor):
        return E.add(a, E.mul(weight, E.sub(e, a)))
    w = float(weight)
    if abs(w) < 0.5:
        return E.add(a, E.mul(E.sub(e, a), w))
    return E.sub(e, E.mul(E.sub(e, a), 1 - w))


def lerp_(t: Tensor, end: Any, weight: Any) -> Tensor:
    if _records(t, (end, weight)):
        return rebase_history(t, lambda old: lerp(old, end, weight), False, "lerp_")
    return _assign_(t, lerp(t.detach(), end, weight), "lerp_")


def scatter_(t: Tensor, dim: int, index: Any, src: Any = None, *, value: Any = None) -> Tensor:
    from .indexing import scatter

    if _records(t, (src, value)):
        return rebase_history(t, lambda old: scatter(old, dim, index, src, value=value), False,
                              "scatter_")
    return _assign_(t, scatter(t.detach(), dim, index, src, value=value), "scatter_")


def scatter_add_(t: Tensor, dim: int, index: Any, src: Any) -> Tensor:
    from .indexing import scatter_add

    if _records(t, (src,)):
        return rebase_history(t, lambda old: scatter_add(old, dim, index, src), False,
                              "scatter_add_")
    return _assign_(t, scatter_add(t.detach(), dim, index, src), "scatter_add_")
