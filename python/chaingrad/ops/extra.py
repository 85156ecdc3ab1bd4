"""A second batch of torch's top-level ops, mostly compositions of differentiable ones:
floor_divide (``//``), logaddexp/logaddexp2, nan_to_num, copysign, sinc, deg2rad/rad2deg,
float_power, sgn, signbit, heaviside, fliplr/flipud, ravel, positive, argwhere, bincount, isin,
tensordot, inner, aminmax, tensor_split/hsplit/vsplit/dsplit, trapezoid, cumulative_trapezoid,
cov, corrcoef.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import return_types as RT
from ..autograd.function import Function, FunctionCtx
from ..tensor import Tensor
from ._common import ShapeError, as_array, as_tensor, wrap, wrap_dim


def _input(x: Any, op: str, what: str = "input") -> Tensor:
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}(): argument '{what}' must be Tensor, not {type(x).__name__}")
    return x


def _pair(op: str, a: Any, b: Any, floating: bool = False) -> tuple[Tensor, Tensor]:
    from .special import _binary_operands

    return _binary_operands(op, a, b, floating)


# ------------------------------------------------------------------ pointwise
def floor_divide(input: Any, other: Any) -> Tensor:  # noqa: A002
    """Division rounded down (Python's ``//``); not differentiable (torch has no derivative
    for it): the result is outside the graph."""
    a, b = _pair("floor_divide", input, other)
    if a._data.dtype.kind in "iu" and not np.all(b._data):
        raise ZeroDivisionError("floor_divide(): integer division by zero")
    if a._data.dtype.kind == "b":
        raise TypeError("floor_divide(): not implemented for bool tensors")
    with np.errstate(divide="ignore", invalid="ignore"):
        return wrap(as_array(np.floor_divide(a._data, b._data)))


def _rfloordiv(self: Tensor, other: Any) -> Tensor:
    return floor_divide(other, self)


class _LogAddExp(Function):
    _backward_name = "LogaddexpBackward0"
    base2 = False

    @classmethod
    def forward(cls, ctx: FunctionCtx, a: Tensor, b: Tensor) -> Tensor:  # type: ignore[override]
        ctx.save_for_backward(a, b)
        fn = np.logaddexp2 if cls.base2 else np.logaddexp
        return wrap(as_array(fn(a._data, b._data)))

    @classmethod
    def backward(cls, ctx: FunctionCtx, g: Tensor) -> tuple:  # type: ignore[override]
        # torch: grad / (1 + exp(other - self)) and symmetric (2 ** for the base-2 form).
        a, b = ctx.saved_tensors
        if cls.base2:
            return g / (1 + 2 ** (b - a)), g / (1 + 2 ** (a - b))
        return g / (1 + (b - a).exp()), g / (1 + (a - b).exp())


class _LogAddExp2(_LogAddExp):
    _backward_name = "Logaddexp2Backward0"
    base2 = True


def logaddexp(input: Any, other: Any) -> Tensor:  # noqa: A002
    """log(exp(input) + exp(other)) without overflow."""
    return _LogAddExp.apply(*_pair("logaddexp", input, other, True))


def logaddexp2(input: Any, other: Any) -> Tensor:  # noqa: A002
    """log2(2**input + 2**other) without overflow."""
    return _LogAddExp2.apply(*_pair("logaddexp2", input, other, True))


class _NanToNum(Function):
    _backward_name = "NanToNumBackward0"

    @staticmethod
    def forward(ctx: FunctionCtx, x: Tensor, nan: float, posinf: Any, neginf: Any) -> Tensor:
        d = x._data
        ctx.finite = np.isfinite(d)
        return wrap(np.nan_to_num(d, nan=nan, posinf=posinf, neginf=neginf))

    @staticmethod
    def backward(ctx: FunctionCtx, g: Tensor) -> tuple:
        # torch: grad * isfinite(self) (a product: an infinite grad gives NaN there).
        return g * wrap(ctx.finite.astype(g._data.dtype)), None, None, None


def nan_to_num(input: Any, nan: float = 0.0, posinf: float | None = None,  # noqa: A002
               neginf: float | None = None) -> Tensor:
    """NaN, +inf and -inf replaced by ``nan`` and the dtype's largest/lowest finite values
    (or ``posinf``/``neginf``); the gradient is zero at the replaced elements."""
    x = _input(input, "nan_to_num")
    if x._data.dtype.kind != "f":
        return wrap(x._data.copy())
    return _NanToNum.apply(x, float(nan), posinf, neginf)


class _Copysign(Function):
    _backward_name = "CopysignBackward0"

    @staticmethod
    def forward(ctx: FunctionCtx, a: Tensor, b: Tensor) -> Tensor:
        out = as_array(np.copysign(a._data, b._data))
        ctx.save_for_backward(a, b)
        return wrap(out)

    @staticmethod
    def backward(ctx: FunctionCtx, g: Tensor) -> tuple:
        # torch: grad * result / self where self != 0, else 0; zeros for other.
        from .select import where

        a, b = ctx.saved_tensors
        out = _Copysign.apply(a, b)
        nz = wrap(a._data != 0)
        ratio = where(nz, out, 1.0) / where(nz, a, 1.0)
        gb = wrap(np.zeros(b._data.shape, g._data.dtype)) if ctx.needs_input_grad[1] else None
        return where(nz, g * ratio, 0.0), gb


def copysign(input: Any, other: Any) -> Tensor:  # noqa: A002
    """|input| with the sign of ``other`` (-0.0 counts as negative); float result."""
    return _Copysign.apply(*_pair("copysign", input, other, True))


class _Sinc(Function):
    _backward_name = "SincBackward0"

    @staticmethod
    def forward(ctx: FunctionCtx, x: Tensor) -> Tensor:
        ctx.save_for_backward(x)
        d = x._data if x._data.dtype.kind == "f" else x._data.astype(np.float32)
        return wrap(as_array(np.sinc(d)).astype(d.dtype, copy=False))

    @staticmethod
    def backward(ctx: FunctionCtx, g: Tensor) -> tuple:
        # torch: (cos(pi x) * pi x - sin(pi x)) / (pi x^2), 0 at x == 0.
        from .select import where

        (x,) = ctx.saved_tensors
        nz = wrap(x._data != 0)
        xs = where(nz, x, 1.0)
        px = xs * math.pi
        d = (px.cos() * px - px.sin()) / (px * xs)
        return (where(nz, g * d, 0.0),)


def sinc(input: Any) -> Tensor:  # noqa: A002
    """sin(pi x) / (pi x), 1 at 0."""
    return _Sinc.apply(_input(input, "sinc"))


def deg2rad(input: Any) -> Tensor:  # noqa: A002
    x = _input(input, "deg2rad")
    return (x if x._data.dtype.kind == "f" else x.float()) * (math.pi / 180.0)


def rad2deg(input: Any) -> Tensor:  # noqa: A002
    x = _input(input, "rad2deg")
    return (x if x._data.dtype.kind == "f" else x.float()) * (180.0 / math.pi)


def float_power(input: Any, exponent: Any) -> Tensor:  # noqa: A002
    """``input ** exponent`` in float64 (both operands cast first)."""
    if not isinstance(input, Tensor) and not isinstance(exponent, Tensor):
        raise TypeError("float_power(): expected a Tensor argument")
    a = input.double() if isinstance(input, Tensor) else float(input)
    e = exponent.double() if isinstance(exponent, Tensor) else float(exponent)
    return a ** e


def sgn(input: Any) -> Tensor:  # noqa: A002
    """sign (for real tensors, torch's sgn is sign)."""
    return _input(input, "sgn").sign()


def signbit(input: Any) -> Tensor:  # noqa: A002
    """True where the sign bit is set (negative numbers and -0.0)."""
    return wrap(as_array(np.signbit(_input(input, "signbit")._data)))


def heaviside(input: Any, values: Any) -> Tensor:  # noqa: A002
    """0 for x < 0, ``values`` at 0, 1 for x > 0; not differentiable."""
    x = _input(input, "heaviside")
    v = as_tensor(values, "heaviside: values")
    if x._data.dtype != v._data.dtype:
        raise RuntimeError(f"heaviside(): input and values must have the same dtype, got "
                           f"{x._data.dtype} and {v._data.dtype}")
    try:
        return wrap(as_array(np.heaviside(x._data, v._data).astype(x._data.dtype)))
    except ValueError:
        raise ShapeError(f"heaviside(): shapes {tuple(x.shape)} and {tuple(v.shape)} cannot be "
                         "broadcast together") from None


def positive(input: Any) -> Tensor:  # noqa: A002
    """The input itself (torch returns it unchanged)."""
    x = _input(input, "positive")
    if x._data.dtype.kind == "b":
        raise TypeError("positive(): not supported for bool tensors")
    return x


# ------------------------------------------------------------------ shape-like
def fliplr(input: Any) -> Tensor:  # noqa: A002
    x = _input(input, "fliplr")
    if x.ndim < 2:
        raise ShapeError(f"fliplr(): input must be >= 2-d, got shape {tuple(x.shape)}")
    return x.flip(1)


def flipud(input: Any) -> Tensor:  # noqa: A002
    x = _input(input, "flipud")
    if x.ndim < 1:
        raise ShapeError("flipud(): input must be >= 1-d")
    return x.flip(0)


def ravel(input: Any) -> Tensor:  # noqa: A002
    """The flattened input (a view when possible)."""
    return _input(input, "ravel").reshape(-1)


def argwhere(input: Any) -> Tensor:  # noqa: A002
    """(N, ndim) int64 coordinates of the nonzero elements (``nonzero``)."""
    return wrap(np.argwhere(_input(input, "argwhere")._data).astype(np.int64))


def bincount(input: Any, weights: Any = None, minlength: int = 0) -> Tensor:  # noqa: A002
    """Counts of each value of a 1-D non-negative integer tensor (weighted sums with
    ``weights``); not differentiable."""
    x = _input(input, "bincount")
    d = x._data
    if d.ndim != 1 or d.dtype.kind not in "iub":
        raise RuntimeError(f"bincount(): only 1-d integer tensors are supported, got shape "
                           f"{tuple(x.shape)} dtype {d.dtype}")
    if d.size and d.min() < 0:
        raise RuntimeError("bincount(): input must contain only non-negative values")
    if not isinstance(minlength, (int, np.integer)) or minlength < 0:
        raise RuntimeError(f"bincount(): minlength should be >= 0, got {minlength!r}")
    if weights is None:
        return wrap(np.bincount(d.astype(np.int64), minlength=int(minlength)).astype(np.int64))
    w = as_tensor(weights, "bincount: weights")._data
    if w.shape != d.shape:
        raise RuntimeError(f"bincount(): weights should be 1-d and have the same length as "
                           f"input, got {w.shape} and {d.shape}")
    dt = w.dtype if w.dtype.kind == "f" and w.dtype == np.float32 else np.float64
    out = np.bincount(d.astype(np.int64), weights=w.astype(np.float64), minlength=int(minlength))
    return wrap(out.astype(dt))


def isin(elements: Any, test_elements: Any, *, assume_unique: bool = False,
         invert: bool = False) -> Tensor:
    """Bool tensor of the elements' shape: whether each is in ``test_elements``."""
    e = elements._data if isinstance(elements, Tensor) else np.asarray(elements)
    t = test_elements._data if isinstance(test_elements, Tensor) else np.asarray(test_elements)
    if not isinstance(elements, Tensor) and not isinstance(test_elements, Tensor):
        raise TypeError("isin(): expected at least one Tensor argument")
    return wrap(as_array(np.isin(e, t, assume_unique=assume_unique, invert=invert)))


# ------------------------------------------------------------------ products
def tensordot(a: Any, b: Any, dims: Any = 2) -> Tensor:
    """Contract the last ``dims`` dims of ``a`` with the first of ``b`` (or the listed pairs),
    as permutes, reshapes and one matmul."""
    x = as_tensor(a, "tensordot: a")
    y = as_tensor(b, "tensordot: b")
    if isinstance(dims, Tensor):
        dims = dims.tolist()
    if isinstance(dims, (int, np.integer)):
        if dims < 0 or dims > min(x.ndim, y.ndim):
            raise RuntimeError(f"tensordot(): dims must be between 0 and the tensors' ndim, got "
                               f"{dims}")
        da = list(range(x.ndim - dims, x.ndim))
        db = list(range(int(dims)))
    else:
        da, db = ([d] if isinstance(d, int) else list(d) for d in dims)
        da = [wrap_dim(d, x.ndim, "tensordot") for d in da]
        db = [wrap_dim(d, y.ndim, "tensordot") for d in db]
    if len(da) != len(db):
        raise RuntimeError(f"tensordot(): both dimension lists should have same length, got "
                           f"{da} and {db}")
    for i, j in zip(da, db):
        if x.shape[i] != y.shape[j]:
            raise ShapeError(f"tensordot(): contracted dimensions need to match, but first has "
                             f"size {x.shape[i]} in dim {i} and second has size {y.shape[j]} "
                             f"in dim {j}")
    fa = [d for d in range(x.ndim) if d not in da]
    fb = [d for d in range(y.ndim) if d not in db]
    k = int(np.prod([x.shape[d] for d in da])) if da else 1
    xa = x.permute(*(fa + da)).reshape(-1, k)
    yb = y.permute(*(db + fb)).reshape(k, -1)
    return (xa @ yb).reshape(*([x.shape[d] for d in fa] + [y.shape[d] for d in fb]))


def inner(input: Any, other: Any) -> Tensor:  # noqa: A002
    """Sum over the last dims: scalars multiply; otherwise tensordot over (-1, -1)."""
    a = as_tensor(input, "inner: input")
    b = as_tensor(other, "inner: other")
    if a.ndim == 0 or b.ndim == 0:
        return a * b
    if a.shape[-1] != b.shape[-1]:
        raise ShapeError(f"inner(): last dimensions must match, got shapes {tuple(a.shape)} "
                         f"and {tuple(b.shape)}")
    return tensordot(a, b, ([a.ndim - 1], [b.ndim - 1]))


# ------------------------------------------------------------------ reductions, splits
def aminmax(input: Any, *, dim: int | None = None, keepdim: bool = False) -> RT.aminmax:  # noqa: A002
    """(min, max) over ``dim`` or all elements, as torch.return_types.aminmax; the gradients
    are amin's and amax's."""
    x = _input(input, "aminmax")
    if x.numel() == 0:
        raise RuntimeError("aminmax(): cannot compute aminmax over an empty tensor")
    if dim is None:
        if keepdim:
            return RT.aminmax(x.amin(tuple(range(x.ndim)), True), x.amax(tuple(range(x.ndim)),
                                                                        True))
        return RT.aminmax(x.amin(), x.amax())
    return RT.aminmax(x.amin(dim, keepdim), x.amax(dim, keepdim))


def tensor_split(input: Any, indices_or_sections: Any, dim: int = 0) -> tuple:  # noqa: A002
    """Views: ``n`` nearly equal parts (the first ``size % n`` one longer), or cut at the
    given indices."""
    x = _input(input, "tensor_split")
    if x.ndim == 0:
        raise RuntimeError("tensor_split(): expected at least a 1-dimensional tensor")
    d = wrap_dim(dim, x.ndim, "tensor_split")
    n = x.shape[d]
    ios = indices_or_sections
    if isinstance(ios, Tensor):
        ios = ios.item() if ios.ndim == 0 else ios.tolist()
    if isinstance(ios, (int, np.integer)) and not isinstance(ios, bool):
        if ios <= 0:
            raise RuntimeError(f"tensor_split(): number of sections must be larger than 0, got "
                               f"{ios}")
        q, r = divmod(n, int(ios))
        sizes = [q + 1] * r + [q] * (int(ios) - r)
        cuts = list(np.cumsum([0] + sizes))
    else:
        idx = [int(i) for i in ios]
        cuts = [0] + idx + [n]
    out = []
    for s, e in zip(cuts[:-1], cuts[1:]):
        s = min(max(s + n if s < 0 else s, 0), n)
        e = min(max(e + n if e < 0 else e, 0), n)
        out.append(x.narrow(d, s, max(e - s, 0)))
    return tuple(out)


def _split_family(op: str, x: Any, ios: Any, dim: int, min_ndim: int) -> tuple:
    t = _input(x, op)
    if t.ndim < min_ndim:
        raise RuntimeError(f"{op}(): requires a tensor with at least {min_ndim} dimension(s), "
                           f"but got a tensor with {t.ndim} dimensions")
    if isinstance(ios, (int, np.integer)) and t.shape[dim] % int(ios):
        raise RuntimeError(f"{op}(): the size of dimension {dim} ({t.shape[dim]}) is not "
                           f"divisible by the split_size {ios}")
    return tensor_split(t, ios, dim)


def hsplit(input: Any, indices_or_sections: Any) -> tuple:  # noqa: A002
    x = _input(input, "hsplit")
    return _split_family("hsplit", x, indices_or_sections, 1 if x.ndim > 1 else 0, 1)


def vsplit(input: Any, indices_or_sections: Any) -> tuple:  # noqa: A002
    return _split_family("vsplit", input, indices_or_sections, 0, 2)


def dsplit(input: Any, indices_or_sections: Any) -> tuple:  # noqa: A002
    return _split_family("dsplit", input, indices_or_sections, 2, 3)


def trapezoid(y: Any, x: Any = None, *, dx: float | None = None, dim: int = -1) -> Tensor:
    """The trapezoidal rule along ``dim`` (spacing ``dx`` or sample points ``x``)."""
    t = _input(y, "trapezoid", "y")
    d = wrap_dim(dim, t.ndim, "trapezoid")
    n = t.shape[d]
    if n == 0:
        return t.sum(d) * 0
    lo, hi = t.narrow(d, 0, n - 1), t.narrow(d, 1, n - 1)
    if x is not None:
        xs = as_tensor(x, "trapezoid: x")
        if xs.ndim == 1:
            view = [1] * t.ndim
            view[d] = n
            xs = xs.reshape(*view)
        dxs = xs.diff(dim=d if xs.ndim == t.ndim else -1)
        return ((lo + hi) * dxs).sum(d) / 2
    step = 1.0 if dx is None else dx
    return (lo + hi).sum(d) * (step / 2)


def cumulative_trapezoid(y: Any, x: Any = None, *, dx: float | None = None,
                         dim: int = -1) -> Tensor:
    t = _input(y, "cumulative_trapezoid", "y")
    d = wrap_dim(dim, t.ndim, "cumulative_trapezoid")
    n = t.shape[d]
    lo, hi = t.narrow(d, 0, max(n - 1, 0)), t.narrow(d, min(1, n), max(n - 1, 0))
    if x is not None:
        xs = as_tensor(x, "cumulative_trapezoid: x")
        if xs.ndim == 1:
            view = [1] * t.ndim
            view[d] = n
            xs = xs.reshape(*view)
        return (((lo + hi) * xs.diff(dim=d if xs.ndim == t.ndim else -1)) / 2).cumsum(d)
    step = 1.0 if dx is None else dx
    return ((lo + hi) * (step / 2)).cumsum(d)


def cov(input: Any, *, correction: int = 1, fweights: Any = None,  # noqa: A002
        aweights: Any = None) -> Tensor:
    """Covariance of the rows (variables) over the columns (observations), composed."""
    x = _input(input, "cov")
    if x.ndim > 2:
        raise RuntimeError(f"cov(): expected input to have two or fewer dimensions but got an "
                           f"input with {x.ndim} dimensions")
    if fweights is not None or aweights is not None:
        raise NotImplementedError("cov(): fweights/aweights are not supported")
    m = x.reshape(1, -1) if x.ndim < 2 else x
    if m._data.dtype.kind != "f":
        m = m.float()
    n = m.shape[1]
    xc = m - m.mean(1, keepdim=True)
    c = xc @ xc.T
    with np.errstate(divide="ignore", invalid="ignore"):  # torch: inf/NaN for n <= correction
        c = c / float(max(n - correction, 0))
    return c.reshape(()) if x.ndim < 2 else c


def corrcoef(input: Any) -> Tensor:  # noqa: A002
    """Pearson correlation coefficients of the rows, clipped to [-1, 1]."""
    c = cov(input)
    if c.ndim == 0:
        return c / c
    d = c.diagonal()
    s = d.sqrt()
    r = c / s.unsqueeze(1) / s.unsqueeze(0)
    return r.clamp(-1, 1)
