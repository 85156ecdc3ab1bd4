"""Copies that move or replicate elements: flip, roll, repeat, tile."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd.function import Function, FunctionCtx
from ..tensor import Tensor
from ._common import as_tensor, normalize_dims, wrap


def _ints(op: str, args: tuple) -> tuple[int, ...]:
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        args = tuple(args[0])
    for s in args:
        if not isinstance(s, (int, np.integer)) or isinstance(s, bool):
            raise TypeError(f"{op}: expected ints, got {args!r}")
    return tuple(int(s) for s in args)


class Flip(Function):
    _backward_name = "FlipBackward0"

    @staticmethod
    def forward(ctx: FunctionCtx, a: Tensor, dims: tuple) -> Tensor:
        ctx.dims = dims
        # A copy, as torch: NumPy's flip is a view, and writing into it would alias the input.
        return wrap(np.flip(a._data, dims).copy() if dims else a._data.copy())

    @staticmethod
    def backward(ctx: FunctionCtx, g: Tensor) -> tuple:
        return Flip.apply(g, ctx.dims), None


def flip(input: Any, *dims: Any) -> Tensor:  # noqa: A002
    a = as_tensor(input)
    return Flip.apply(a, normalize_dims(_ints("flip", dims), a.ndim, "flip"))


class Roll(Function):
    _backward_name = "RollBackward0"

    @staticmethod
    def forward(ctx: FunctionCtx, a: Tensor, shifts: tuple, dims: Any) -> Tensor:
        ctx.shifts, ctx.dims = shifts, dims
        return wrap(np.roll(a._data, shifts, axis=dims))

    @staticmethod
    def backward(ctx: FunctionCtx, g: Tensor) -> tuple:
        back = tuple(-s for s in ctx.shifts) if isinstance(ctx.shifts, tuple) else -ctx.shifts
        return Roll.apply(g, back, ctx.dims), None, None


def roll(input: Any, shifts: Any, dims: Any = None) -> Tensor:  # noqa: A002
    """Rotate elements along ``dims`` (the flattened tensor when None)."""
    a = as_tensor(input)
    if dims is None:
        if not isinstance(shifts, (int, np.integer)):
            raise TypeError("roll(): without dims, shifts must be a single int")
        return Roll.apply(a, int(shifts), None)
    d = normalize_dims(dims, a.ndim, "roll") if a.ndim else ()
    s = (shifts,) if isinstance(shifts, (int, np.integer)) else tuple(shifts)
    if len(s) != len(d):
        raise ValueError(f"roll(): shifts ({len(s)}) and dims ({len(d)}) must have the same "
                         "length")
    return Roll.apply(a, tuple(int(x) for x in s), d)


class Repeat(Function):
    _backward_name = "RepeatBackward0"

    @staticmethod
    def forward(ctx: FunctionCtx, a: Tensor, reps: tuple) -> Tensor:
        shape = (1,) * (len(reps) - a.ndim) + a._data.shape
        ctx.shape, ctx.reps, ctx.in_shape = shape, reps, a._data.shape
        return wrap(np.tile(a._data.reshape(shape), reps))

    @staticmethod
    def backward(ctx: FunctionCtx, g: Tensor) -> tuple:
        # View the gradient as (r0, s0, r1, s1, ...) and sum over the repetition axes.
        inter: list[int] = []
        for r, s in zip(ctx.reps, ctx.shape):
            inter += [r, s]
        summed = g.reshape(tuple(inter)).sum(dim=tuple(range(0, len(inter), 2)))
        return summed.reshape(ctx.in_shape), None


def repeat(input: Any, *sizes: Any) -> Tensor:  # noqa: A002
    """Tile ``input`` ``sizes[i]`` times along dimension i (torch's Tensor.repeat)."""
    a = as_tensor(input)
    reps = _ints("repeat", sizes)
    if len(reps) < a.ndim:
        raise RuntimeError(
            f"repeat: number of repeat dims ({len(reps)}) can not be smaller than the number "
            f"of dimensions of the tensor ({a.ndim})"
        )
    if any(r < 0 for r in reps):
        raise ValueError(f"repeat: repeats must be non-negative, got {reps}")
    return Repeat.apply(a, reps)


def tile(input: Any, dims: Any) -> Tensor:  # noqa: A002
    """Like repeat, but ``dims`` shorter than the tensor's rank is padded with ones first."""
    a = as_tensor(input)
    reps = _ints("tile", (dims,))
    return repeat(a, (1,) * (a.ndim - len(reps)) + reps)
