"""What both engines call back into Python for: Tensor-valued work.

The engines move plain NumPy arrays between nodes. Anything that involves Tensors goes through
here: a ``Function``'s backward, the differentiable formulas used with ``create_graph=True``,
tensor hooks, retained and accumulated ``.grad`` values. Keeping it in one module means the C++
core and the reference engine share one definition of each behaviour.
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np

Tensor: Any = None  # set by tensor.py (import order: tensor.py imports the engines)


def version_error(name: str, i: int, current: int, expected: int) -> str:
    return (
        "one of the variables needed for gradient computation has been modified by an "
        f"inplace operation: saved tensor {i} of {name} is at version {current}; expected "
        f"version {expected} instead. Hint: clone the tensor before modifying it in place."
    )


def wrap(a: Any) -> Any:
    return Tensor._from_array(np.asarray(a))


def rebuild_output(a: Any, node: Any, nr: int, vc: Any) -> Any:
    """A saved output as a Tensor again, attached to the node that made it."""
    t = Tensor._from_array(a)
    t._grad_fn = node
    t._output_nr = nr
    t._requires_grad = True
    t._vc = vc
    return t


def _check_broadcast(shape: tuple, gshape: tuple, name: str, i: int) -> None:
    if len(gshape) < len(shape) or any(
        s != 1 and s != gs for s, gs in zip(shape[::-1], gshape[::-1])
    ):
        raise RuntimeError(
            f"Function {name} returned an invalid gradient at index {i} - got "
            f"{list(gshape)} but expected shape compatible with {list(shape)}"
        )


def conform_tensor(g: Any, shape: tuple, dtype: Any, name: str, i: int) -> Any:
    """Tensor version of the engines' sum-to-shape and cast (recorded for higher order)."""
    if tuple(g.shape) != tuple(shape):
        _check_broadcast(tuple(shape), tuple(g.shape), name, i)
        lead = g.ndim - len(shape)
        dims = list(range(lead)) + [
            lead + k for k, s in enumerate(shape) if s == 1 and g.shape[lead + k] != 1
        ]
        if dims:
            g = g.sum(dim=tuple(dims), keepdim=True)
        g = g.reshape(tuple(shape))
    if g.dtype != dtype:
        g = g.to(dtype)
    return g


def tensor_add(a: Any, b: Any) -> Any:
    return a + b


def _as_grad_tensor(g: Any) -> Any:
    return g if isinstance(g, Tensor) else wrap(g)


def function_backward(node: Any, grads: tuple, create_graph: bool) -> tuple:
    """Run a ``Function`` node's ``backward``; arrays in and out unless ``create_graph``."""
    ctx = node.fn
    out_meta = ctx._out_meta
    full = []
    for k, g in enumerate(grads):
        if g is None:
            if not ctx.materialize_grads:
                full.append(None)
                continue
            shape, dtype = out_meta[k]
            g = np.zeros(shape, dtype=dtype)
        full.append(g if isinstance(g, Tensor) else wrap(g))
    ctx._saved_values = node.saved_tensors if ctx._has_saved else ()
    try:
        res = ctx._cls.backward(ctx, *full)
    finally:
        ctx._saved_values = None
    if not isinstance(res, tuple):
        res = (res,)
    edges = node.next_functions
    n_in = len(edges)
    if len(res) != n_in:
        if len(res) > n_in and all(r is None for r in res[n_in:]):
            res = res[:n_in]
        else:
            raise RuntimeError(
                f"function {node.name()} returned an incorrect number of gradients "
                f"(expected {n_in}, got {len(res)})"
            )
    out = []
    for k, r in enumerate(res):
        if r is None or edges[k][0] is None:
            out.append(None)
            continue
        if not isinstance(r, Tensor):
            if isinstance(r, (np.ndarray, float, int)):
                r = wrap(r)
            else:
                raise TypeError(
                    f"function {node.name()} returned a gradient of type {type(r).__name__} "
                    f"at index {k}; expected a Tensor or None"
                )
        out.append(r if create_graph else r._data)
    return tuple(out)


def array_backward(node: Any, g: Any) -> tuple:
    """Array-level backward of a kind the C++ core has no kernel for: the reference kernel."""
    from ._reference import kernels

    need = tuple(f[0] is not None for f in node.next_functions)
    return kernels.backward(node.kind, node.saved_arrays(), node.scalars, node.meta, g, need)


def native_graph_backward(node: Any, g: Any) -> tuple:
    from .ops.derivatives import graph_backward

    return graph_backward(node, g)


def call_tensor_hook(hook: Any, g: Any, create_graph: bool) -> Any:
    t = _as_grad_tensor(g)
    r = hook(t)
    if r is None:
        return g
    if not isinstance(r, Tensor):
        raise TypeError(f"a tensor hook must return a Tensor or None, got {type(r).__name__}")
    if tuple(r.shape) != tuple(t.shape):
        raise RuntimeError(
            f"hook changed the gradient's shape from {list(t.shape)} to {list(r.shape)}"
        )
    return r if create_graph else r._data


# Serializes writes into .grad across threads (NumPy's in-place add runs without the GIL, so
# two backward passes reaching one leaf at once would otherwise lose an update). Reentrant: a
# hook may run a nested backward. The C++ engine holds its own lock around its calls here.
_grad_write_lock = threading.RLock()


def store_retained(cell: Any, g: Any, create_graph: bool) -> None:
    """``retain_grad``: keep the gradient of a non-leaf, summed over backward calls."""
    with _grad_write_lock:
        _store_retained(cell, g, create_graph)


def _store_retained(cell: Any, g: Any, create_graph: bool) -> None:
    if create_graph:
        cell.grad = g if cell.grad is None else cell.grad + g
    elif cell.grad is None:
        cell.grad = wrap(np.array(g, copy=True))
    else:
        cell.grad = wrap(cell.grad._data + g)


def accumulate(acc: Any, g: Any, create_graph: bool, owned: bool = False) -> None:
    """Add ``g`` into a leaf's ``.grad``: in place when safe, as torch's AccumulateGrad does."""
    with _grad_write_lock:
        _accumulate(acc, g, create_graph, owned)



def _accumulate(acc: Any, g: Any, create_graph: bool, owned: bool) -> None:
    old = acc.grad
    if create_graph:
        g = _as_grad_tensor(g)
        acc.grad = g if old is None else old + g
    elif old is None:
        acc.grad = wrap(g if owned else np.array(g, copy=True))
    elif old._grad_fn is None and old._data.flags.writeable and old._data.dtype == g.dtype:
        np.add(old._data, g, out=old._data)
        old._bump_version()
    else:
        acc.grad = wrap(old._data + g)


# Anomaly mode (autograd.detect_anomaly): the engines read this once per backward call and,
# only while it is on, call check_anomaly with each node's input gradients.
anomaly = [False]


def check_anomaly(node: Any, grads: tuple) -> None:
    from .autograd import anomaly_mode

    anomaly_mode.check(node, grads)


# Floating-point flags raised by a native kernel's raw loops (the C++ engine), reported through
# NumPy's own error handling so np.errstate (warn/raise/ignore/call/print/log) applies exactly as
# it does to the reference kernels' NumPy calls. One tiny ufunc call per flag raises it in NumPy.
_FP_DIVIDE, _FP_OVER, _FP_UNDER, _FP_INVALID = 1, 2, 4, 8


def fp_report(flags: int) -> None:
    if flags & _FP_DIVIDE:
        np.divide(np.ones(1), np.zeros(1))
    if flags & _FP_OVER:
        np.multiply(np.full(1, 1e308), np.full(1, 10.0))
    if flags & _FP_UNDER:
        np.multiply(np.full(1, 1e-300), np.full(1, 1e-300))
    if flags & _FP_INVALID:
        np.multiply(np.zeros(1), np.full(1, np.inf))
