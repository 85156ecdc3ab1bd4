"""Native forward fast paths for the built-in elementwise ops (C++ engine only).

``install()`` replaces the Tensor methods and operators listed in ``NAMES`` with method
descriptors implemented in ``chaingrad._core`` (csrc/forward.cpp). Each computes the common
cases -- float32/float64 tensors of one dtype, C-contiguous, same shape or a size-1 operand, or a
Python number; matmul and sum/mean over int or tuple dims through NumPy's own calls -- on the
NumPy buffers, builds the output Tensor and records the node in one C++
call, with results bit-identical to the Python ops. Anything else (other dtypes, ndarray
operands, keywords, the reference engine being active, floating-point warnings) calls the
Python function it replaced, which stays the specification.

``install_functions()`` does the same for the module-level functions a torch user calls
(``torch.tanh(x)``, ``torch.mul(a, b)``, ``F.relu(x)``, ...): each becomes a builtin taking the
tensor as first argument into the same C++ path, and calling the Python function it replaced for
anything else (keywords such as ``alpha=``/``out=``, a non-Tensor first argument, ...).
``torch.tensor(<float>, dtype=float32|float64, requires_grad=<bool>)`` and
``torch.from_numpy(<ndarray>)`` get a C entry the same way.

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


# (module, attribute, fast-path kind): the module-level functions given a C entry. Each
# attribute's Python function must be the method's own (checked at install) or, for
# nn.functional's, a thin wrapper with the same semantics for a tensor first argument.
FUNCTIONS = (
    *(("chaingrad", n, k) for n, k in (
        ("add", "add"), ("sub", "sub"), ("mul", "mul"), ("multiply", "mul"), ("div", "div"),
        ("divide", "div"), ("true_divide", "div"), ("pow", "pow"), ("neg", "neg"),
        ("negative", "neg"), ("exp", "exp"), ("log", "log"), ("tanh", "tanh"),
        ("sigmoid", "sigmoid"), ("relu", "relu"), ("matmul", "matmul"), ("sum", "sum"),
        ("mean", "mean"), ("tensor", "tensor"), ("from_numpy", "from_numpy"))),
    ("chaingrad.nn.functional", "relu", "relu_inplace_arg"),
    ("chaingrad.nn.functional", "tanh", "tanh"),
    ("chaingrad.nn.functional", "sigmoid", "sigmoid"),
)

# (module, attribute) -> the Python function a module-level fast path replaced.
REPLACED_FUNCTIONS: dict[tuple[str, str], Any] = {}


def install_functions() -> tuple:
    """Give the module-level functions in ``FUNCTIONS`` their C entry (after ``install()``);
    returns the ``module.name`` installed."""
    if not REPLACED:
        return ()
    import importlib

    core = _engine._load("cpp")
    done = []
    for modname, name, kind in FUNCTIONS:
        mod = importlib.import_module(modname)
        fn = getattr(mod, name, None)
        if fn is None or type(fn).__name__ == "builtin_function_or_method":
            continue
        if modname == "chaingrad" and kind not in ("tensor", "from_numpy"):
            method = REPLACED.get(kind)
            if method is not fn:  # its own semantics: keep the Python function
                continue
        setattr(mod, name, core.make_fast_function(name, kind, fn, modname))
        REPLACED_FUNCTIONS[(modname, name)] = fn
        done.append(f"{modname}.{name}")
    return tuple(done)


def python_op(name: str) -> Any:
    """The Python function behind ``Tensor.<name>``: the one a fast path replaced, if any."""
    return REPLACED.get(name, getattr(Tensor, name))
