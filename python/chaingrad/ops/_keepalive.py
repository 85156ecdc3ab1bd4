"""Workaround for a C++ core bug, active only while the bug is present.

The core runs a kind that has no C++ kernel through the reference kernel
(``_bridge.array_backward``), passing the node as ``py::cast(Node&)``. pybind11 can only do that
when a Python wrapper of the node still exists (otherwise it tries to copy the non-copyable
Node and raises "return_value_policy = copy, but type is non-copyable!"). The wrapper lives as
long as the node's output tensor, so backward fails once that intermediate tensor is gone, e.g.
``(x.sqrt() * 2).sum().backward()``.

Until the core passes its ``shared_ptr`` instead, every node keeps the wrappers of the
producers of its inputs that have such a kind (in its ``fn`` slot, which a native node does not
otherwise use, or on a Function's ctx). That is the direction of the graph's own edges
(consumer -> producer), so no reference cycle forms. The wrappers of such nodes are noted when
Python first sees them (at ``record``, and in ``derivatives.graph_backward`` for the outputs a
formula rebuilds), so the check per recorded input is a dict lookup, not a call into the core.
A probe at first use detects whether the core needs any of this; a fixed core disables it.
"""

from __future__ import annotations

import weakref
from typing import Any, Callable

from .. import _kinds as K

_needed: dict[int, bool] = {}


_UNUSED_KIND = 255  # never gets a kernel: reaching the fallback raises "no kernel"


def _probe(engine: Any) -> bool:
    import numpy as np

    from ..tensor import Tensor

    x = Tensor._from_array(np.ones(2))
    x.requires_grad = True
    y = Tensor._from_array(np.ones(2))
    engine.record(_UNUSED_KIND, "ProbeBackward", (x,), (y,), (), (), None)
    root = Tensor._from_array(np.ones(2))
    engine.record(K.ADD_SCALAR, "ProbeBackward", (y,), (root,), (), (0.0,), None)
    del y  # the probed node's wrapper dies with its output
    try:
        engine.execute([(root._grad_fn, 0)], [np.ones(2)], False, False, None)
    except RuntimeError as e:
        return "non-copyable" in str(e)
    return False


_fallback: dict[int, weakref.ref] = {}  # id(wrapper) of nodes that need a live wrapper


def needed(engine: Any) -> bool:
    need = _needed.get(id(engine))
    if need is None:
        _needed[id(engine)] = False  # the probe records nodes itself
        need = _needed[id(engine)] = engine.name == "cpp" and _probe(engine)
    return need


def _forget(key: int) -> Callable[[weakref.ref], None]:
    def forget(ref: weakref.ref) -> None:
        if _fallback.get(key) is ref:
            del _fallback[key]

    return forget


def note(engine: Any, node: Any) -> None:
    """Remember that ``node`` (a wrapper) runs through the reference-kernel fallback."""
    if node is None or not needed(engine):
        return
    key = id(node)
    if key not in _fallback:
        _fallback[key] = weakref.ref(node, _forget(key))


def producers(engine: Any, inputs: tuple) -> Any:
    """The wrappers a new node must keep alive (None when the engine does not need it)."""
    fb = _fallback
    if not fb:  # no such node alive (or a fixed core: nothing is ever noted)
        return None
    # Only wrappers of the affected engine are ever noted, and a live object's id is unique, so
    # the lookup needs no engine check.
    keep = None
    for t in inputs:
        if t is not None and id(t._grad_fn) in fb:
            keep = (t._grad_fn,) if keep is None else keep + (t._grad_fn,)
    return keep
