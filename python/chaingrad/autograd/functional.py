"""``chaingrad.autograd.functional``: jacobian, hessian, vjp, jvp, hvp and vhp with torch's
argument conventions (a Tensor or a tuple of Tensors in and out; ``create_graph``,
``strict``; ``vectorize`` and the strategies are accepted and give the same numbers).

Everything is reverse mode: ``jvp`` and ``hvp`` use the double-backward trick, as torch does;
``jacobian`` takes one backward per output element.
"""

from __future__ import annotations

from typing import Any, Callable

from .. import grad_mode as _gm
from ..tensor import Tensor

__all__ = ["vjp", "jvp", "jacobian", "hessian", "vhp", "hvp"]


def _as_tuple(x: Any, arg: str, fn: str) -> tuple[bool, tuple]:
    if isinstance(x, Tensor):
        return False, (x,)
    if not isinstance(x, (tuple, list)):
        raise TypeError(f"The {arg} given to {fn} must be either a Tensor or a tuple of Tensors "
                        f"but the value given has type {type(x).__name__}.")
    for i, t in enumerate(x):
        if not isinstance(t, Tensor):
            raise TypeError(f"The {arg} given to {fn} must be either a Tensor or a tuple of "
                            f"Tensors but the value at index {i} has type {type(t).__name__}.")
    return True, tuple(x)


def _prepare(inputs: tuple, create_graph: bool) -> tuple:
    out = []
    for t in inputs:
        if create_graph and t.requires_grad:
            out.append(t.view_as(t))  # keep the graph to the caller's inputs
        else:
            out.append(t.detach().requires_grad_(True))
    return tuple(out)


def _post(x: Any, create_graph: bool) -> Any:
    if isinstance(x, tuple):
        return tuple(_post(t, create_graph) for t in x)
    if x is None:
        return None
    return x if create_graph else x.detach()


def _unpack(is_tuple: bool, x: tuple) -> Any:
    return x if is_tuple else x[0]


def _check_v(v: tuple, ref: tuple, what: str, fn: str) -> None:
    if len(v) != len(ref):
        raise RuntimeError(f"v is a tuple of invalid length: should be {len(ref)} but got "
                           f"{len(v)}.")
    for i, (a, b) in enumerate(zip(v, ref)):
        if tuple(a.shape) != tuple(b.shape):
            raise RuntimeError(f"Entry {i} in v has invalid size: should be {tuple(b.shape)} "
                               f"but got {tuple(a.shape)}.")


def _grad(outputs: tuple, inputs: tuple, grad_outputs: tuple, create_graph: bool) -> tuple:
    from . import grad as _autograd_grad
    pairs = [(o, g) for o, g in zip(outputs, grad_outputs) if o.requires_grad]
    if not pairs:
        return (None,) * len(inputs)
    return _autograd_grad([o for o, _ in pairs], inputs, [g for _, g in pairs],
                          retain_graph=True, create_graph=create_graph, allow_unused=True)


def _fill(grads: tuple, refs: tuple, strict: bool, message: str) -> tuple:
    out = []
    for i, (g, r) in enumerate(zip(grads, refs)):
        if g is None:
            if strict:
                raise RuntimeError(message.format(i=i))
            g = r.detach() * 0
        out.append(g)
    return tuple(out)


def _call(func: Callable[..., Any], inputs: tuple, fn: str) -> tuple[bool, tuple]:
    with _gm.enable_grad():
        outs = func(*inputs)
    is_tuple, outs = _as_tuple(outs, "outputs of the user-provided function", fn)
    return is_tuple, outs


def _strict_outputs(outs: tuple, strict: bool) -> None:
    if strict:
        for i, o in enumerate(outs):
            if not o.requires_grad:
                raise RuntimeError(f"Output {i} of the user-provided function does not require "
                                   "gradients. The outputs must be computed in a differentiable "
                                   "manner from the input when running in strict mode.")


def vjp(func: Callable[..., Any], inputs: Any, v: Any = None, create_graph: bool = False,
        strict: bool = False) -> tuple[Any, Any]:
    """``(func(inputs), v^T J)``; v may be omitted when func returns one element."""
    in_tuple, ins = _as_tuple(inputs, "inputs", "vjp")
    ins = _prepare(ins, create_graph)
    out_tuple, outs = _call(func, ins, "vjp")
    _strict_outputs(outs, strict)
    if v is None:
        if len(outs) != 1 or outs[0].numel() != 1:
            raise RuntimeError("The vector v can only be None if the user-provided function "
                               "returns a single Tensor with a single element.")
        vs = (outs[0].detach() * 0 + 1,)
    else:
        _, vs = _as_tuple(v, "v", "vjp")
        _check_v(vs, outs, "v", "vjp")
    grads = _grad(outs, ins, vs, create_graph)
    grads = _fill(grads, ins, strict, "The output of the user-provided function is independent "
                  "of input {i}. This is not allowed in strict mode.")
    return _unpack(out_tuple, _post(outs, create_graph)), \
        _unpack(in_tuple, _post(grads, create_graph))


def _input_vectors(v: Any, ins: tuple, name: str) -> tuple:
    """The vectors v (one per input, shapes checked); omitted only for a single one-element
    input, where it is 1."""
    if v is None:
        if len(ins) != 1 or ins[0].numel() != 1:
            raise RuntimeError("The vector v can only be None if the input to the "
                               "user-provided function is a single Tensor with a single "
                               "element.")
        return (ins[0].detach() * 0 + 1,)
    _, vs = _as_tuple(v, "v", name)
    _check_v(vs, ins, "v", name)
    return vs


def jvp(func: Callable[..., Any], inputs: Any, v: Any = None, create_graph: bool = False,
        strict: bool = False) -> tuple[Any, Any]:
    """``(func(inputs), J v)`` by the double-backward trick; v may be omitted when the input
    is a single element."""
    in_tuple, ins = _as_tuple(inputs, "inputs", "jvp")
    ins = _prepare(ins, create_graph)
    vs = _input_vectors(v, ins, "jvp")
    out_tuple, outs = _call(func, ins, "jvp")
    _strict_outputs(outs, strict)
    with _gm.enable_grad():
        dummies = tuple((o.detach() * 0).requires_grad_(True) for o in outs)
        gin = _grad(outs, ins, dummies, create_graph=True)
    used = [(g, v_) for g, v_ in zip(gin, vs) if g is not None and g.requires_grad]
    if used:
        from . import grad as _autograd_grad
        res = _autograd_grad([g for g, _ in used], dummies, [v_ for _, v_ in used],
                             retain_graph=True, create_graph=create_graph, allow_unused=True)
    else:
        res = (None,) * len(outs)
    res = _fill(res, outs, strict, "The output of the user-provided function is independent "
                "of input {i}. This is not allowed in strict mode.")
    return _unpack(out_tuple, _post(outs, create_graph)), \
        _unpack(out_tuple, _post(res, create_graph))


def jacobian(func: Callable[..., Any], inputs: Any, create_graph: bool = False,
             strict: bool = False, vectorize: bool = False,
             strategy: str = "reverse-mode") -> Any:
    """d func / d inputs: a Tensor of shape ``out.shape + in.shape`` for one input and one
    output, else tuples (``[output][input]``). Computed one output element at a time; the
    ``vectorize``/``strategy`` options change nothing in the numbers."""
    if strategy not in ("forward-mode", "reverse-mode"):
        raise ValueError('Expected strategy to be either "forward-mode" or "reverse-mode". '
                         "Hint: If your function has a single output, you should use "
                         '"reverse-mode".')
    if strategy == "forward-mode" and not vectorize:
        raise NotImplementedError("torch.autograd.functional.jacobian: `strategy=\"forward-mode\"`"
                                  " is only implemented together with `vectorize=True`.")
    in_tuple, ins = _as_tuple(inputs, "inputs", "jacobian")
    ins = _prepare(ins, create_graph)
    out_tuple, outs = _call(func, ins, "jacobian")
    _strict_outputs(outs, strict)
    from ..creation import zeros
    from ..ops.join import stack
    from . import grad as _autograd_grad
    result = []
    for i, out in enumerate(outs):
        flat = out.reshape(-1)
        rows: list[list[Tensor]] = [[] for _ in ins]
        for k in range(flat.numel()):
            if out.requires_grad:
                gs = _autograd_grad([flat[k]], ins, retain_graph=True,
                                    create_graph=create_graph, allow_unused=True)
            else:
                gs = (None,) * len(ins)
            for j, (g, inp) in enumerate(zip(gs, ins)):
                if g is None:
                    if strict:
                        raise RuntimeError(f"Output {i} of the user-provided function is "
                                           f"independent of input {j}. This is not allowed in "
                                           "strict mode.")
                    g = inp.detach() * 0
                rows[j].append(g)
        per_input = []
        for j, inp in enumerate(ins):
            if rows[j]:
                jac = stack(rows[j], 0).reshape(tuple(out.shape) + tuple(inp.shape))
            else:
                jac = zeros(tuple(out.shape) + tuple(inp.shape), dtype=inp.dtype)
            per_input.append(_post(jac, create_graph))
        result.append(_unpack(in_tuple, tuple(per_input)))
    return _unpack(out_tuple, tuple(result))


def hessian(func: Callable[..., Any], inputs: Any, create_graph: bool = False,
            strict: bool = False, vectorize: bool = False,
            outer_jacobian_strategy: str = "reverse-mode") -> Any:
    """The Hessian of a scalar function: ``in.shape + in.shape`` for one input, else a tuple
    of tuples ``[i][j]``."""
    in_tuple, ins = _as_tuple(inputs, "inputs", "hessian")
    if outer_jacobian_strategy not in ("forward-mode", "reverse-mode"):
        raise ValueError('Expected strategy to be either "forward-mode" or "reverse-mode".')

    def grad_fn(*xs: Any) -> Any:
        with _gm.enable_grad():
            out = func(*xs)
        _, outs = _as_tuple(out, "outputs of the user-provided function", "hessian")
        if len(outs) != 1 or outs[0].numel() != 1:
            raise RuntimeError("The function given to hessian should return a single Tensor "
                               "with a single element.")
        o = outs[0].reshape(())
        _strict_outputs((o,), strict)
        if not o.requires_grad:
            return tuple(x.detach() * 0 for x in xs)
        from . import grad as _autograd_grad
        gs = _autograd_grad([o], xs, create_graph=True, allow_unused=True)
        return tuple(x.detach() * 0 if g is None else g for x, g in zip(xs, gs))

    res = jacobian(grad_fn, ins, create_graph=create_graph, strict=strict,
                   vectorize=vectorize, strategy=outer_jacobian_strategy)
    return res if in_tuple else res[0][0]


def vhp(func: Callable[..., Any], inputs: Any, v: Any = None, create_graph: bool = False,
        strict: bool = False) -> tuple[Any, Any]:
    """``(func(inputs), v^T H)`` of a scalar function."""
    return _hessian_product(func, inputs, v, create_graph, strict, "vhp")


def hvp(func: Callable[..., Any], inputs: Any, v: Any = None, create_graph: bool = False,
        strict: bool = False) -> tuple[Any, Any]:
    """``(func(inputs), H v)`` of a scalar function (H is symmetric, so equal to vhp's for a
    twice continuously differentiable function)."""
    return _hessian_product(func, inputs, v, create_graph, strict, "hvp")


def _hessian_product(func: Callable[..., Any], inputs: Any, v: Any, create_graph: bool,
                     strict: bool, name: str) -> tuple[Any, Any]:
    in_tuple, ins = _as_tuple(inputs, "inputs", name)
    ins = _prepare(ins, create_graph)
    vs = _input_vectors(v, ins, name)
    out_tuple, outs = _call(func, ins, name)
    if len(outs) != 1 or outs[0].numel() != 1:
        raise RuntimeError(f"The function given to {name} should return a single Tensor with "
                           "a single element.")
    _strict_outputs(outs, strict)
    from . import grad as _autograd_grad
    with _gm.enable_grad():
        gs = _grad(outs, ins, (outs[0].detach() * 0 + 1,), create_graph=True)
    gs = _fill(gs, ins, strict, "The output of the user-provided function is independent of "
               "input {i}. This is not allowed in strict mode.")
    used = [(g, v_) for g, v_ in zip(gs, vs) if g.requires_grad]
    if used:
        res = _autograd_grad([g for g, _ in used], ins, [v_ for _, v_ in used],
                             retain_graph=True, create_graph=create_graph, allow_unused=True)
    else:
        res = (None,) * len(ins)
    res = _fill(res, ins, strict, "jacobian of the user-provided function with respect to "
                "input {i} is independent of the input. This is not allowed in strict mode.")
    return outs[0] if create_graph else outs[0].detach(), \
        _unpack(in_tuple, _post(res, create_graph))
