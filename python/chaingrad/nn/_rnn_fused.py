"""Fused nodes of the recurrent layers (nn/rnn.py), as torch fuses them.

- ``LSTMCellFunction``: the pointwise part of an LSTM step as one node. Written as Tensor ops,
  one step was 13 nodes, and its gates were column slices of the (N, 4H) gate matrix: strided
  views that miss the contiguous fast paths (a sigmoid of a (16, 64) slice took 17 µs).
- ``TimeSteps``: the per-step input projections as the L outputs of one node. Taken with
  ``gi_all[t]``, each step's SelectBackward made a zero gradient of the whole (L, N, G) array,
  so backward cost grew with L squared (41 MB of zeros per backward for L = 50).

Higher-order gradients still work: under ``create_graph`` the backwards compute with Tensor
ops, which autograd differentiates again.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from .. import grad_mode
from ..autograd.function import Function, FunctionCtx
from ..tensor import Tensor
from .functional._utils import cat, stack, wrap


def _lstm_grads(si: Any, sf: Any, tg: Any, so: Any, c: Any, c2: Any, gh: Any, gc: Any,
                tanh: Callable[[Any], Any], join: Callable[[list[Any]], Any]) -> tuple[Any, Any]:
    """d(gates), d(c) of h' = o tanh(c'), c' = f c + i g, from the activated gates; on NumPy
    arrays or on Tensors alike (only * + - and the two callables)."""
    tc2 = tanh(c2)
    d_o = gh * tc2 * so * (1 - so)
    dc = gc + gh * so * (1 - tc2 * tc2)
    d_i = dc * tg * si * (1 - si)
    d_f = dc * c * sf * (1 - sf)
    d_g = dc * si * (1 - tg * tg)
    return join([d_i, d_f, d_g, d_o]), dc * sf


class LSTMCellFunction(Function):
    """(gates, c) -> (h', c') with gates = x W_ih^T + b_ih + h W_hh^T + b_hh of shape (N, 4H)
    in torch's order i, f, g, o: c' = sigmoid(f) c + sigmoid(i) tanh(g),
    h' = sigmoid(o) tanh(c')."""

    _backward_name = "ThnnFusedLstmCellBackward0"

    @staticmethod
    def forward(ctx: FunctionCtx, gates: Tensor, c: Tensor) -> tuple[Tensor, Tensor]:
        d, cd = gates._data, c._data
        h = d.shape[-1] // 4
        # All four quarters in one call (the g quarter goes unused), through the Tensor op so
        # the C++ engine's contiguous fast path computes it (the same bits as _sigmoid_array).
        sig = gates.sigmoid()._data
        si, sf, so = sig[..., :h], sig[..., h:2 * h], sig[..., 3 * h:]
        tg = np.tanh(d[..., 2 * h:3 * h])
        c2 = sf * cd + si * tg
        h2 = so * np.tanh(c2)
        ctx.save_for_backward(gates, c)
        ctx.arrays = (si, sf, tg, so, c2)
        return wrap(h2), wrap(c2)

    @staticmethod
    def backward(ctx: FunctionCtx, gh: Tensor, gc: Tensor) -> tuple[Tensor, Tensor]:
        gates, c = ctx.saved_tensors
        if grad_mode.is_grad_enabled():  # create_graph: a differentiable recomputation
            i, f, g, o = (gates[..., k * c.shape[-1]:(k + 1) * c.shape[-1]] for k in range(4))
            si, sf, so, tg = i.sigmoid(), f.sigmoid(), o.sigmoid(), g.tanh()
            c2 = sf * c + si * tg
            return _lstm_grads(si, sf, tg, so, c, c2, gh, gc, lambda x: x.tanh(),
                               lambda xs: cat(xs, -1))
        si, sf, tg, so, c2 = ctx.arrays
        dgates, dc = _lstm_grads(si, sf, tg, so, c._data, c2, gh._data, gc._data, np.tanh,
                                 lambda xs: np.concatenate(xs, axis=-1))
        return wrap(dgates), wrap(dc)


class TimeSteps(Function):
    """(L, ...) -> the L slices along dim 0 (contiguous when the input is), as one node whose
    backward stacks the L gradients."""

    _backward_name = "UnbindBackward0"

    @staticmethod
    def forward(ctx: FunctionCtx, x: Tensor) -> tuple[Tensor, ...]:
        return tuple(wrap(x._data[t]) for t in range(x._data.shape[0]))

    @staticmethod
    def backward(ctx: FunctionCtx, *grads: Tensor) -> Tensor:
        if grad_mode.is_grad_enabled():
            return stack(list(grads), 0)
        return wrap(np.stack([g._data for g in grads]))
