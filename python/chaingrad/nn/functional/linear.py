"""``linear``: y = x @ W.T + b as one node (the common case of every MLP)."""

from __future__ import annotations

import numpy as np

from ... import _kinds as K
from ...ops._common import needs_grad, record
from ...tensor import Tensor
from ._utils import check_float, wrap

__all__ = ["linear", "bilinear"]


def _linear2d(x: Tensor, w: Tensor, b: Tensor | None) -> Tensor:
    """x @ w.T (+ b) as one native LINEAR node (kernels: _reference/kernels_nn.py,
    csrc/kernels_nn.cpp; formula: ops/derivatives_nn.py)."""
    y = np.matmul(x._data, w._data.T)
    if b is not None:
        y += b._data
    out = wrap(y)
    if needs_grad(x, w) or (b is not None and needs_grad(b)):
        # torch: AddmmBackward0 with a bias, MmBackward0 without (for 2-D input)
        record(K.LINEAR, "AddmmBackward0" if b is not None else "MmBackward0", (x, w, b), out,
               (x, w))
    return out


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """x @ weight.T + bias for x of shape (*, in_features), weight (out_features, in_features)."""
    check_float(input, "linear")
    check_float(weight, "linear", "weight")
    if weight.ndim not in (1, 2):
        raise RuntimeError(f"linear: weight must be 1D or 2D, got shape {tuple(weight.shape)}")
    if input.ndim == 0 or input.shape[-1] != weight.shape[-1]:
        raise RuntimeError(
            f"linear: input of shape {tuple(input.shape)} and weight of shape "
            f"{tuple(weight.shape)} cannot be multiplied (expected input's last dimension "
            f"{weight.shape[-1]})"
        )
    if input.dtype != weight.dtype:
        raise RuntimeError(f"linear: input dtype {input.dtype} and weight dtype {weight.dtype} "
                           "must be the same")
    if weight.ndim == 1:
        out = input @ weight
        return out + bias if bias is not None else out
    return _linear2d(input, weight, bias)


def bilinear(input1: Tensor, input2: Tensor, weight: Tensor, bias: Tensor | None = None
             ) -> Tensor:
    """y_k = x1 @ W_k @ x2 + b_k with weight (out, in1, in2)."""
    check_float(input1, "bilinear", "input1")
    check_float(input2, "bilinear", "input2")
    if weight.ndim != 3 or input1.shape[-1] != weight.shape[1] or \
            input2.shape[-1] != weight.shape[2]:
        raise RuntimeError(
            f"bilinear: weight of shape {tuple(weight.shape)} does not match inputs of shapes "
            f"{tuple(input1.shape)} and {tuple(input2.shape)}"
        )
    # (*, 1, 1, in1) @ (out, in1, in2) -> (*, out, 1, in2); then dot with x2.
    t = input1.unsqueeze(-2).unsqueeze(-3) @ weight
    out = (t.squeeze(-2) * input2.unsqueeze(-2)).sum(-1)
    return out + bias if bias is not None else out
