"""``einsum`` for any equation NumPy accepts (explicit or implicit output, repeated subscripts
for diagonals, ``...``, size-1 broadcasting), any number of operands.

The gradient for operand k is itself an einsum: the output gradient contracted with the other
operands, producing operand k's subscripts. Two kinds of constant operands make that work in
general: an identity matrix ties a repeated subscript (a diagonal) to a fresh one, and a vector
of ones supplies a subscript that only operand k has (its gradient is constant along it). Being
an einsum again, the backward is differentiable to any order.
"""

from __future__ import annotations

import string
from typing import Any

import numpy as np

from ..autograd.function import Function, FunctionCtx
from ..tensor import Tensor
from ._common import ShapeError, as_tensor, result_dtype_n, wrap

_LETTERS = string.ascii_letters


def _split_terms(equation: str, n_ops: int) -> tuple[list[str], str | None]:
    eq = equation.replace(" ", "")
    if "->" in eq:
        lhs, out = eq.split("->", 1)
        if "->" in out:
            raise ValueError(f"einsum(): more than one '->' in equation {equation!r}")
    else:
        lhs, out = eq, None
    terms = lhs.split(",")
    if len(terms) != n_ops:
        raise ValueError(f"einsum(): equation {equation!r} has {len(terms)} operand subscripts "
                         f"but {n_ops} operands were given")
    for t in terms + ([out] if out is not None else []):
        bad = set(t.replace("...", "")) - set(_LETTERS)
        if bad or t.replace("...", "").count(".") or t.count("...") > 1:
            raise ValueError(f"einsum(): invalid subscript {t!r} in equation {equation!r} "
                             "(letters a-z, A-Z and at most one '...' per term)")
    return terms, out


def parse(equation: str, shapes: list[tuple]) -> tuple[list[str], str]:
    """Subscripts with every ``...`` replaced by letters, and the explicit output."""
    terms, out = _split_terms(equation, len(shapes))
    used = set("".join(terms) + (out or ""))
    free = [c for c in _LETTERS if c not in used]
    n_ell = 0
    for t, shape in zip(terms, shapes):
        explicit = len(t.replace("...", ""))
        if "..." in t:
            n_ell = max(n_ell, len(shape) - explicit)
        elif explicit != len(shape):
            raise ShapeError(f"einsum(): subscript {t!r} has {explicit} dimensions but the "
                             f"operand has shape {tuple(shape)}")
        if "..." in t and len(shape) < explicit:
            raise ShapeError(f"einsum(): subscript {t!r} needs at least {explicit} dimensions, "
                             f"the operand has shape {tuple(shape)}")
    if n_ell > len(free):
        raise ValueError("einsum(): too many dimensions under '...' (out of letters)")
    ell = "".join(free[:n_ell])
    new_terms = []
    for t, shape in zip(terms, shapes):
        if "..." in t:
            k = len(shape) - len(t.replace("...", ""))
            t = t.replace("...", ell[n_ell - k:] if k else "")
        new_terms.append(t)
    if out is None:
        joined = "".join(new_terms)
        single = sorted(c for c in set(joined) if joined.count(c) == 1 and c not in ell)
        out = ell + "".join(single)
    else:
        # Without '...' in an explicit output the broadcast dims are summed, as NumPy does.
        out = out.replace("...", ell)
        for c in out:
            if c not in "".join(new_terms):
                raise ValueError(f"einsum(): output subscript {c!r} does not appear in any "
                                 f"operand of {equation!r}")
        if len(set(out)) != len(out):
            raise ValueError(f"einsum(): output subscript repeated in {equation!r}")
    return new_terms, out


class Einsum(Function):
    _backward_name = "EinsumBackward0"

    @staticmethod
    def forward(ctx: FunctionCtx, equation: str, dtype: np.dtype, *ops: Tensor) -> Tensor:
        terms, out = parse(equation, [o._data.shape for o in ops])
        ctx.terms, ctx.out = terms, out
        ctx.save_for_backward(*ops)
        arrays = [o._data.astype(dtype, copy=False) for o in ops]
        try:
            r = np.einsum(",".join(terms) + "->" + out, *arrays, optimize=len(arrays) > 1)
        except ValueError as e:
            shapes = ", ".join(str(tuple(a.shape)) for a in arrays)
            raise ShapeError(f"einsum(): operands of shapes {shapes} do not fit "
                             f"{equation!r}: {e}") from None
        return wrap(np.asarray(r))

    @staticmethod
    def backward(ctx: FunctionCtx, g: Tensor) -> tuple:
        ops = ctx.saved_tensors
        grads: list = [None, None]
        for k, need in enumerate(ctx.needs_input_grad[2:]):
            grads.append(_operand_grad(g, ops, ctx.terms, ctx.out, k) if need else None)
        return tuple(grads)


def _operand_grad(g: Tensor, ops: tuple, terms: list[str], out: str, k: int) -> Tensor:
    target = terms[k]
    shape = ops[k]._data.shape
    sizes: dict[str, int] = {}
    for t, o in zip(terms, ops):
        for c, s in zip(t, o._data.shape):
            sizes[c] = max(sizes.get(c, 1), s)
    used = set("".join(terms) + out)
    fresh = (c for c in _LETTERS if c not in used)
    renamed = ""
    consts: list[tuple[str, np.ndarray]] = []
    for c in target:
        if c in renamed:  # a repeated subscript: a diagonal, tied by an identity matrix
            f = next(fresh, None)
            if f is None:
                raise ValueError("einsum(): out of letters for the backward of a diagonal")
            consts.append((c + f, np.eye(sizes[c], dtype=g.dtype)))
            renamed += f
        else:
            renamed += c
    others = [(t, o) for i, (t, o) in enumerate(zip(terms, ops)) if i != k]
    # Size of each subscript among the gradient einsum's other operands.
    avail: dict[str, int] = {}
    for t, o in [(out, g)] + others:
        for c, s in zip(t, o.shape):
            avail[c] = max(avail.get(c, 1), s)
    for sub, a in consts:
        for c, s in zip(sub, a.shape):
            avail[c] = max(avail.get(c, 1), s)
    for c, s in zip(target, shape):
        # Only operand k has it (or only with size 1, broadcast): the gradient is constant
        # along it, and a vector of ones gives it its size.
        if avail.get(c, 0) < s:
            consts.append((c, np.ones(s, dtype=g.dtype)))
            avail[c] = s
    subs = [out] + [t for t, _ in others] + [s for s, _ in consts]
    operands = [g] + [o for _, o in others] + [wrap(a) for _, a in consts]
    eq = ",".join(subs) + "->" + renamed
    return Einsum.apply(eq, g.dtype, *operands)


def _subscript(s: Any, where: str) -> str:
    if s is Ellipsis:
        return "..."
    if isinstance(s, (bool, np.bool_)) or not isinstance(s, (int, np.integer)):
        raise TypeError(f"einsum(): {where} must hold ints in [0, 52) or Ellipsis, got {s!r}")
    if not 0 <= s < 52:
        raise ValueError(f"einsum(): subscript {int(s)} in {where} is not within the valid "
                         "range [0, 52)")
    # torch's letters: 0-25 are A-Z, 26-51 are a-z (so the implicit output's order, sorted by
    # letter, is the order of the integers).
    return chr(ord("A") + s) if s < 26 else chr(ord("a") + s - 26)


def _sublist_equation(args: tuple) -> tuple[str, tuple]:
    """``(op0, sub0, op1, sub1, ..., [out])`` -> the equation string and the operands."""
    n = len(args) // 2
    operands, terms = [], []
    for k in range(n):
        op, sub = args[2 * k], args[2 * k + 1]
        where = f"the subscript list of operand {k}"
        if isinstance(sub, (str, Tensor)) or not hasattr(sub, "__iter__"):
            raise TypeError(f"einsum(): {where} must be a list of ints or Ellipsis, got "
                            f"{type(sub).__name__}")
        operands.append(op)
        terms.append("".join(_subscript(s, where) for s in sub))
    eq = ",".join(terms)
    if len(args) % 2:
        out = args[-1]
        if isinstance(out, (str, Tensor)) or not hasattr(out, "__iter__"):
            raise TypeError("einsum(): the output subscript list (the last argument after the "
                            f"operand/subscript pairs) must be a list, got {type(out).__name__}")
        eq += "->" + "".join(_subscript(s, "the output subscript list") for s in out)
    return eq, tuple(operands)


def einsum(*args: Any) -> Tensor:
    """Einstein summation over the operands, e.g. ``einsum('bij,bjk->bik', a, b)``, or in the
    sublist format ``einsum(a, [0, 1, 2], b, [0, 2, 3], [0, 1, 3])`` (``...`` as Ellipsis)."""
    if not args:
        raise TypeError("einsum(): expected the equation and the operands")
    equation = args[0]
    operands = args[1:]
    if not isinstance(equation, str):
        if len(args) < 2:
            raise ValueError("einsum(): the sublist format needs at least one operand and its "
                             "subscript list")
        equation, operands = _sublist_equation(args)
    elif len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    if not operands:
        raise ValueError("einsum(): at least one operand is required")
    ops = tuple(as_tensor(o, "einsum: operand") for o in operands)
    parse(equation, [o._data.shape for o in ops])  # errors before anything is recorded
    dtype = result_dtype_n(*(o._data for o in ops))
    return Einsum.apply(equation, dtype, *ops)
