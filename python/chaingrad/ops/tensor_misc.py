"""Small torch names users touch: Tensor.type_as / ndimension / nbytes / itemsize /
is_same_size / is_signed, the short/byte/char casts, torch's comparison and arithmetic aliases
as Tensor methods with their in-place forms (``greater``, ``greater_``, ``multiply_``, ...), and
the top-level spellings of in-place methods (``torch.abs_(x)`` is ``x.abs_()``)."""

from __future__ import annotations

import weakref
from typing import Any, Callable

import numpy as np

from ..tensor import Tensor
from . import logical as LG


def _self(x: Any, fn: str) -> Tensor:
    if not isinstance(x, Tensor):
        raise TypeError(f"{fn}(): argument 'input' must be Tensor, not {type(x).__name__}")
    return x


def type_as(self: Tensor, other: Any) -> Tensor:
    """``self`` cast to ``other``'s dtype (``self`` itself when they already agree)."""
    o = _self(other, "type_as")
    return self.to(o._data.dtype)


def ndimension(self: Tensor) -> int:
    """The number of dimensions (an alias of ``dim()``)."""
    return self._data.ndim


def is_same_size(input: Any, other: Any) -> bool:  # noqa: A002 - torch's name
    """Whether both tensors have the same shape."""
    return _self(input, "is_same_size")._data.shape == _self(other, "is_same_size")._data.shape


def is_signed(self: Tensor) -> bool:
    """True for signed integer and floating dtypes."""
    return self._data.dtype.kind in "if"


def _nbytes(self: Tensor) -> int:
    return int(self._data.nbytes)


def _itemsize(self: Tensor) -> int:
    return int(self._data.dtype.itemsize)


def short(self: Tensor) -> Tensor:
    """Cast to int16."""
    return self.to(np.dtype(np.int16))


def byte(self: Tensor) -> Tensor:
    """Cast to uint8."""
    return self.to(np.dtype(np.uint8))


def char(self: Tensor) -> Tensor:
    """Cast to int8."""
    return self.to(np.dtype(np.int8))


def _compare_inplace(fn: Callable, name: str) -> Callable:
    """``t.gt_(other)``: the comparison written back into ``t`` in ``t``'s dtype."""

    def inplace(self: Tensor, other: Any) -> Tensor:
        return self.copy_(fn(self, other))

    inplace.__name__ = name
    inplace.__doc__ = f"In-place ``{name[:-1]}``: 1/0 (True/False) in self's dtype."
    return inplace


gt_ = _compare_inplace(LG.gt, "gt_")
ge_ = _compare_inplace(LG.ge, "ge_")
lt_ = _compare_inplace(LG.lt, "lt_")
le_ = _compare_inplace(LG.le, "le_")
ne_ = _compare_inplace(LG.ne, "ne_")
eq_ = _compare_inplace(LG.eq, "eq_")

# torch's alias name -> the chaingrad Tensor method it names (both out-of-place and in-place)
METHOD_ALIASES: dict[str, str] = {
    "greater": "gt", "less": "lt", "greater_equal": "ge", "less_equal": "le",
    "not_equal": "ne", "multiply": "mul", "subtract": "sub", "true_divide": "div",
    "divide": "div", "negative": "neg", "absolute": "abs",
    "greater_": "gt_", "less_": "lt_", "greater_equal_": "ge_", "less_equal_": "le_",
    "not_equal_": "ne_", "multiply_": "mul_", "subtract_": "sub_", "true_divide_": "div_",
    "divide_": "div_", "negative_": "neg_", "absolute_": "abs_",
}


def _alias(target: str, name: str) -> Callable:
    def method(self: Tensor, *args: Any, **kwargs: Any) -> Any:
        return getattr(self, target)(*args, **kwargs)

    method.__name__ = name
    method.__doc__ = f"torch's alias of ``Tensor.{target}``."
    return method


ALIAS_METHODS: dict[str, Callable] = {n: _alias(t, n) for n, t in METHOD_ALIASES.items()}

# torch's top-level in-place functions: torch.<name>(input, *args) is input.<name>(*args)
TOP_LEVEL_INPLACE = (
    "abs_", "acos_", "acosh_", "arccos_", "arccosh_", "arcsin_", "arcsinh_", "arctan_",
    "arctanh_", "asin_", "asinh_", "atan_", "atanh_", "ceil_", "clamp_", "clamp_max_",
    "clamp_min_", "clip_", "cos_", "cosh_", "deg2rad_", "detach_", "erf_", "erfc_", "exp2_",
    "exp_", "expm1_", "fill_", "fix_", "floor_", "frac_", "log10_", "log1p_", "log2_", "log_",
    "logit_", "nan_to_num_", "neg_", "negative_", "rad2deg_", "reciprocal_", "relu_",
    "round_", "rsqrt_", "sigmoid_", "sin_", "sinc_", "sinh_", "sqrt_", "square_", "tan_",
    "tanh_", "trunc_", "xlogy_", "zero_", "gcd_", "lcm_", "i0_", "ldexp_",
)


def _top_level(name: str) -> Callable:
    def fn(input: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: A002 - torch's name
        return getattr(_self(input, name), name)(*args, **kwargs)

    fn.__name__ = name
    fn.__doc__ = f"``torch.{name}(input, ...)``: ``input.{name}(...)``."
    return fn


def top_level_functions() -> dict[str, Callable]:
    """The top-level in-place functions whose Tensor method chaingrad has."""
    return {n: _top_level(n) for n in TOP_LEVEL_INPLACE if callable(
        Tensor.__dict__.get(n))}


def fill(input: Any, value: Any) -> Tensor:  # noqa: A002 - torch's name
    """A new tensor shaped like ``input`` filled with ``value`` (differentiable in ``value``
    when it is a 0-d tensor: ``torch.fill``)."""
    x = _self(input, "fill")
    if isinstance(value, Tensor):
        if value._data.ndim != 0:
            raise RuntimeError(f"fill only supports 0-dimension value tensor but got tensor "
                               f"with {value._data.ndim} dimensions.")
        return value.to(x._data.dtype).expand(x._data.shape).clone()
    return Tensor._from_array(np.full(x._data.shape, value, dtype=x._data.dtype))


def detach(input: Any) -> Tensor:  # noqa: A002 - torch's name
    """``input.detach()``: the same data, outside the graph."""
    return _self(input, "detach").detach()


def register_post_accumulate_grad_hook(self: Tensor, hook: Callable[[Tensor], None]) -> Any:
    """Call ``hook(self)`` after backward has accumulated into ``self.grad`` (leaves only; not
    for ``autograd.grad``, which accumulates nothing). The hook's return value is ignored."""
    from .. import engine as _engine
    from ..tensor import _TensorHookHandle

    if not self._requires_grad:
        raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
    if self._grad_fn is not None:
        raise RuntimeError("post accumulate grad hooks cannot be registered on non-leaf tensors")
    if not callable(hook):
        raise TypeError(f"register_post_accumulate_grad_hook(): hook must be callable, got "
                        f"{type(hook).__name__}")
    ref = weakref.ref(self)

    def post(grad_inputs: Any, grad_outputs: Any) -> None:
        t = ref()
        if t is not None:
            hook(t)

    return _TensorHookHandle(_engine.current().accumulator(self).register_hook(post))


def install() -> None:
    """Bind the methods and properties onto Tensor (called by ``_ops_install``-time import)."""
    for name, fn in {"type_as": type_as, "ndimension": ndimension,
                     "is_same_size": is_same_size, "is_signed": is_signed, "short": short,
                     "byte": byte, "char": char, "gt_": gt_, "ge_": ge_, "lt_": lt_,
                     "le_": le_, "ne_": ne_, "eq_": eq_,
                     "register_post_accumulate_grad_hook": register_post_accumulate_grad_hook,
                     **ALIAS_METHODS}.items():
        if name not in Tensor.__dict__ or not callable(Tensor.__dict__[name]):
            setattr(Tensor, name, fn)
    Tensor.nbytes = property(_nbytes, doc="Bytes the elements take (numel * itemsize).")
    Tensor.itemsize = property(_itemsize, doc="Bytes one element takes.")
