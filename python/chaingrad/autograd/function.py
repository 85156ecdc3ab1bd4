"""Custom differentiable operations: ``Function`` with torch's static-method style.

A ``Function`` node holds its ``ctx`` (``FunctionCtx``); the saved tensors live in the node
(so versions are checked and they are freed after backward), never in ``ctx`` itself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .. import engine as _engine
from .. import grad_mode as _gm
from .._kinds import PY
from ..ops._views import make_view
from ..tensor import Tensor

_SAVED_MSG = (
    "saved_tensors is only available inside backward() (saved values are held by the graph "
    "node and freed after backward unless retain_graph=True)"
)


class FunctionCtx:
    """The ``ctx`` passed to ``forward`` and ``backward``; attributes set on it are kept."""

    def __init__(self) -> None:
        self._to_save: tuple = ()
        self._saved_values: tuple | None = None
        self._has_saved = False
        self._non_differentiable: set[int] = set()
        self.needs_input_grad: tuple[bool, ...] = ()
        self.materialize_grads = True

    if TYPE_CHECKING:
        # Users keep their own values on ctx (``ctx.dim = dim``): any attribute type-checks.
        def __getattr__(self, name: str) -> Any: ...
        def __setattr__(self, name: str, value: Any) -> None: ...

    def save_for_backward(self, *tensors: Any) -> None:
        for t in tensors:
            if t is not None and not isinstance(t, Tensor):
                raise TypeError(
                    f"save_for_backward can only save Tensors or None, got {type(t).__name__}"
                )
        self._to_save = tensors

    @property
    def saved_tensors(self) -> tuple:
        if self._saved_values is None:
            raise RuntimeError(_SAVED_MSG)
        return self._saved_values

    def mark_non_differentiable(self, *tensors: Tensor) -> None:
        self._non_differentiable.update(id(t) for t in tensors)

    def set_materialize_grads(self, value: bool) -> None:
        self.materialize_grads = value


class Function:
    """Subclass with ``@staticmethod forward(ctx, *args)`` and ``backward(ctx, *grads)``;
    call ``YourFunction.apply(*args)``."""

    _backward_name: str | None = None

    @staticmethod
    def forward(ctx: FunctionCtx, *args: Any) -> Any:
        raise NotImplementedError("a Function subclass must implement forward(ctx, *args)")

    @staticmethod
    def backward(ctx: FunctionCtx, *grads: Any) -> Any:
        raise NotImplementedError("a Function subclass must implement backward(ctx, *grads)")

    @classmethod
    def apply(cls, *args: Any) -> Any:
        ctx = FunctionCtx()
        ctx._cls = cls  # type: ignore[attr-defined]
        needs = tuple(isinstance(a, Tensor) and a._requires_grad for a in args)
        ctx.needs_input_grad = needs
        record = _gm._enabled[0] and any(needs)
        prev = _gm._enabled[0]
        _gm._enabled[0] = False
        try:
            out = cls.forward(ctx, *args)
        finally:
            _gm._enabled[0] = prev
        single = not isinstance(out, tuple)
        outs = (out,) if single else out
        _mark_views(cls, args, outs, prev)
        if not record:
            ctx._to_save = ()
            return out
        fixed = []
        for k, o in enumerate(outs):
            if not isinstance(o, Tensor):
                raise TypeError(
                    f"{cls.__name__}.forward must return Tensors, got {type(o).__name__} at "
                    f"output {k}"
                )
            if any(o is a for a in args) or o._grad_fn is not None or o._requires_grad:
                # An input returned as is (or a tensor already in a graph) gets a fresh alias,
                # so recording does not rewrite another tensor's history.
                alias = Tensor._from_array(o._data)
                make_view(alias, o)  # same memory: in-place ops must see the relation
                if not cls.__module__.startswith("chaingrad."):
                    alias._view.forbid = _custom_view_msg(cls, k)
                if id(o) in ctx._non_differentiable:
                    ctx._non_differentiable.add(id(alias))
                o = alias
            fixed.append(o)
        diff = tuple(
            o if o._data.dtype.kind == "f" and id(o) not in ctx._non_differentiable else None
            for o in fixed
        )
        ctx._out_meta = tuple((o._data.shape, o._data.dtype) for o in fixed)  # type: ignore[attr-defined]
        ctx._has_saved = bool(ctx._to_save)
        name = cls._backward_name or f"{cls.__name__}Backward"
        inputs = tuple(a if isinstance(a, Tensor) else None for a in args)
        _engine._current[0].record(PY, name, inputs, diff, ctx._to_save, (), ctx)
        ctx._to_save = ()
        ctx._non_differentiable = set()
        return fixed[0] if single else tuple(fixed)


def _custom_view_msg(cls: type, k: int) -> str:
    return (
        f"Output {k} of {cls.__name__} is a view and is being modified inplace. This view was "
        "created inside a custom Function (or because an input was returned as-is) and the "
        "autograd logic to handle view+inplace would override the custom backward associated "
        "with the custom Function, leading to incorrect gradients. This behavior is forbidden. "
        "You can fix this by cloning the output of the custom Function."
    )


def _mark_views(cls: type, args: tuple, outs: tuple, grad_mode: bool) -> None:
    """Record how the views among a forward's outputs were made (``ops/_views.ViewInfo``).

    The forward ran with grad mode off, so the grad mode the caller saw is set here. Views out
    of a custom Function or of an op returning several views may not be modified in place
    under autograd: rewriting their history would bypass that Function's backward.
    """
    custom = not cls.__module__.startswith("chaingrad.")
    for k, o in enumerate(outs):
        info = getattr(o, "_view", None)
        if info is None or any(o is a for a in args):
            continue
        info.nograd = not grad_mode
        if custom:
            info.forbid = _custom_view_msg(cls, k)
        elif len(outs) > 1:
            name = (cls._backward_name or cls.__name__).removesuffix("Backward0")
            info.forbid = (
                f"Output {k} of {name} is a view and is being modified inplace. This view is "
                "the output of a function that returns multiple views. Such functions do not "
                "allow the output views to be modified inplace. You should replace the inplace "
                "operation by an out-of-place one."
            )
