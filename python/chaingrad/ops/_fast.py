"""Native forward fast paths for the built-in elementwise ops (C++ engine only).

``install()`` replaces the Tensor methods and operators listed in ``NAMES`` with method
descriptors implemented in ``chaingrad._core`` (csrc/forward.cpp). Each computes the common
cases -- float32/float64 tensors of one dtype, C-contiguous, same shape or a size-1 operand, or a
Python number; matmul and sum/mean over int or tuple dims through NumPy's own calls -- on the
NumPy buffers, builds the output Tensor and records the node in one C++
call, with results bit-identical to the Python ops. Anything else (other dtypes, ndarray
operands, keywords, the reference engine being active, floating-point warnings) calls the
Python function it replaced, which stays the specification.

``CHAINGRAD_FAST_OPS=0`` keeps the Python ops (for measuring and debugging).
"""

from __future__ import annotations

import os
from typing import Any

from .. import engine as _engine
from .. import grad_mode as _gm
from ..tensor import Tensor

NAMES = (
    "__add__", "__radd__", "add", "__sub__", "sub", "__rsub__", "__mul__", "__rmul__", "mul",
    "__truediv__", "div", "__rtruediv__", "__pow__", "pow", "__neg__", "neg",
    "exp", "log", "tanh", "sigmoid", "relu", "__matmul__", "matmul", "sum", "mean",
    "view", "reshape", "unsqueeze", "squeeze", "permute", "transpose", "__getitem__", "expand",
)


# name -> the Python function a fast path replaced (and falls back to).
REPLACED: dict[str, Any] = {}


def install() -> tuple:
    """Install the fast paths; returns the names installed (empty when unavailable)."""
    if os.environ.get("CHAINGRAD_FAST_OPS", "1").strip() == "0":
        return ()
    try:
        core = _engine._load("cpp")
    except ImportError:
        return ()
    fallbacks = {n: Tensor.__dict__[n] for n in NAMES if n in Tensor.__dict__}
    done = tuple(core.install_fast_ops(Tensor, fallbacks, _gm._enabled, _engine._current))
    for n in done:
        REPLACED[n] = fallbacks[n]
    return done


def python_op(name: str) -> Any:
    """The Python function behind ``Tensor.<name>``: the one a fast path replaced, if any."""
    return REPLACED.get(name, getattr(Tensor, name))
