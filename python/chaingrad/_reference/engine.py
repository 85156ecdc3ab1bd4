"""The reference engine: record nodes and run the backward pass, in plain Python.

The algorithm (shared with ``csrc/engine.cpp``): discover the reachable graph with an explicit
stack and count, for every node, the edges that point at it; then run nodes from a ready stack,
each once, after every consumer has delivered its gradient into the node's input buffer.
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np

from .. import _bridge
from .._kinds import ACCUMULATE, PY
from . import kernels
from .graph import AccumulateGrad, Node, SavedVar

name = "python"


def accumulator(t: Any) -> AccumulateGrad:
    """The leaf's gradient sink, made on first use."""
    acc = t._acc
    if acc is None:
        d = t._data
        acc = t._acc = AccumulateGrad((d.shape, d.dtype))
    return acc


def _version_counter(t: Any) -> list[int]:
    vc = t._vc
    if vc is None:
        vc = t._vc = [0]
    return vc


def record(kind: int, name: str, inputs: tuple, outputs: tuple, save: tuple,
           scalars: tuple, fn: Any) -> Node:
    """Record one op: edges from ``inputs``; ``outputs`` get this node as ``grad_fn``."""
    tensor_cls = _bridge.Tensor
    edges = []
    meta = []
    for t in inputs:
        if t is None or not t._requires_grad:
            edges.append(None)
            meta.append(None)
            continue
        f = t._grad_fn
        edges.append((f, t._output_nr) if f is not None else (accumulator(t), 0))
        d = t._data
        meta.append((d.shape, d.dtype))
    saved = []
    for item in save:
        if isinstance(item, tensor_cls):
            out_nr = -1
            for j, o in enumerate(outputs):
                if o is item:
                    out_nr = j
            saved.append(SavedVar(item._data, None if out_nr >= 0 else item,
                                  _version_counter(item), out_nr))
        else:
            saved.append(SavedVar(item, None, None, -1))
    node = Node(kind, name, tuple(edges), tuple(meta), tuple(saved), tuple(scalars), fn,
                len(outputs))
    for i, o in enumerate(outputs):
        if o is not None:
            o._grad_fn = node
            o._output_nr = i
            o._requires_grad = True
    return node


def _sum_to(g: Any, shape: tuple, node: Node, i: int) -> Any:
    if g.ndim < len(shape) or any(
        s != 1 and s != gs for s, gs in zip(shape[::-1], g.shape[::-1])
    ):
        raise RuntimeError(
            f"Function {node._name} returned an invalid gradient at index {i} - got "
            f"{list(g.shape)} but expected shape compatible with {list(shape)}"
        )
    lead = g.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(
        lead + k for k, s in enumerate(shape) if s == 1 and g.shape[lead + k] != 1
    )
    if axes:
        g = g.sum(axis=axes, keepdims=True)
    return g.reshape(shape)


def _conform(node: Node, i: int, g: Any, create_graph: bool) -> Any:
    """Bring a gradient to the input's shape (summing broadcast dims) and dtype."""
    shape, dtype = node.meta[i]
    if create_graph:
        return _bridge.conform_tensor(g, shape, dtype, node._name, i)
    if not isinstance(g, np.ndarray):
        g = np.asarray(g)
    if g.shape != shape:
        g = _sum_to(g, shape, node, i)
    if g.dtype != dtype:
        g = g.astype(dtype)
    return g


def _add(a: Any, b: Any, create_graph: bool) -> Any:
    if a is None:
        return b
    return _bridge.tensor_add(a, b) if create_graph else a + b


def _run_node(node: Node, buf: list, create_graph: bool) -> tuple:
    if node.kind == PY:
        return _bridge.function_backward(node, tuple(buf), create_graph)
    if create_graph:
        return _bridge.native_graph_backward(node, buf[0])
    need = tuple(e is not None for e in node.next_edges)
    saved = node.saved_arrays() if node.saved or node.released else []
    return kernels.backward(node.kind, saved, node.scalars, node.meta, buf[0], need)


def _discover(roots: list) -> dict:
    """Reachable nodes -> number of edges pointing at them (iterative DFS)."""
    deps: dict = {}
    stack = []
    for n in roots:
        if n not in deps:
            deps[n] = 0
            stack.append(n)
    while stack:
        n = stack.pop()
        for e in n.next_edges:
            if e is None:
                continue
            m = e[0]
            if m in deps:
                deps[m] += 1
            else:
                deps[m] = 1
                stack.append(m)
    return deps


def _prune(deps: dict, roots: list, targets: set) -> dict:
    """Keep only nodes on a path to a capture target; recount dependencies among them."""
    order = []
    left = dict(deps)
    ready = [n for n in dict.fromkeys(roots) if left[n] == 0]
    while ready:
        n = ready.pop()
        order.append(n)
        for e in n.next_edges:
            if e is not None:
                left[e[0]] -= 1
                if left[e[0]] == 0:
                    ready.append(e[0])
    needed = set()
    for n in reversed(order):
        if n in targets or any(e is not None and e[0] in needed for e in n.next_edges):
            needed.add(n)
    kept = {n: 0 for n in needed}
    for n in needed:
        for e in n.next_edges:
            if e is not None and e[0] in needed:
                kept[e[0]] += 1
    return kept


_BUSY_MSG = (
    "backward() reached a node whose backward is running in another thread at this moment: "
    "the same graph was backpropagated from two threads at once. Run backward passes of one "
    "graph one after another (see docs/threads.md)."
)

# node -> the thread running its backward now. NumPy runs large kernels without the GIL, and a
# pass that frees the saved values (no retain_graph) must not do so under another thread's
# kernel; dict.setdefault is one atomic step under the GIL.
_running: dict = {}


def execute(roots: list, grads: list, retain_graph: bool, create_graph: bool,
            capture: list | None) -> list | None:
    """Run the backward pass from ``roots`` (edges) seeded with ``grads``.

    Without ``capture`` every reached leaf accumulates into ``.grad``. With ``capture`` (a list
    of edges) only the nodes leading to them run, nothing accumulates, and the gradient that
    reached each captured edge is returned.
    """
    root_nodes = [e[0] for e in roots]
    deps = _discover(root_nodes)
    targets: dict = {}
    if capture is not None:
        for k, (n, nr) in enumerate(capture):
            targets.setdefault(n, []).append((nr, k))
        deps = _prune(deps, root_nodes, set(targets))
    captured: list = [None] * len(capture) if capture is not None else []

    buffers: dict = {}
    for (n, nr), g in zip(roots, grads):
        if n not in deps:
            continue
        buf = buffers.get(n)
        if buf is None:
            buf = buffers[n] = [None] * n.num_outputs
        buf[nr] = _add(buf[nr], g, create_graph)
    ready = [n for n in dict.fromkeys(root_nodes) if n in deps and deps[n] == 0]

    anomaly = _bridge.anomaly[0]  # once per call: nodes pay nothing while it is off
    while ready:
        node = ready.pop()
        buf = buffers.pop(node, None) or [None] * node.num_outputs
        if node.pre_hooks:
            for nr, hook in list(node.pre_hooks):
                if buf[nr] is not None:
                    buf[nr] = _bridge.call_tensor_hook(hook, buf[nr], create_graph)
        if node.retains:
            for nr, cell in node.retains:
                if buf[nr] is not None:
                    _bridge.store_retained(cell, buf[nr], create_graph)
        if capture is not None:
            for nr, k in targets.get(node, ()):
                captured[k] = buf[nr]
        if node.kind == ACCUMULATE:
            if capture is None and buf[0] is not None:
                _bridge.accumulate(node, buf[0], create_graph)
                if node.post_hooks:  # register_post_accumulate_grad_hook: .grad is updated
                    for hook in list(node.post_hooks):
                        hook((), ())
            continue
        if all(g is None for g in buf):
            grads_in: tuple = (None,) * len(node.next_edges)
        else:
            me = threading.get_ident()
            if _running.setdefault(node, me) != me:
                raise RuntimeError(_BUSY_MSG)
            try:
                grads_in = _run_node(node, buf, create_graph)
                if anomaly:
                    _bridge.check_anomaly(node, tuple(grads_in))
                if node.post_hooks:
                    for hook in list(node.post_hooks):
                        hook(grads_in, tuple(buf))
                if not retain_graph:
                    node.release()
            finally:
                _running.pop(node, None)
        for i, e in enumerate(node.next_edges):
            if e is None:
                continue
            m, nr = e
            if m not in deps:
                continue
            g = grads_in[i]
            if g is not None:
                g = _conform(node, i, g, create_graph)
                mbuf = buffers.get(m)
                if mbuf is None:
                    mbuf = buffers[m] = [None] * m.num_outputs
                mbuf[nr] = _add(mbuf[nr], g, create_graph)
            deps[m] -= 1
            if deps[m] == 0:
                ready.append(m)
    return captured if capture is not None else None
