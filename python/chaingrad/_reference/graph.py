"""Graph storage for the reference engine: nodes, edges and saved values.

An edge is a ``(node, output_nr)`` tuple, or ``None`` for an input that needs no gradient.
Nodes never hold their own output Tensor (that would be a reference cycle): a saved output
keeps only its array and version counter, and is rebuilt on demand (see ``unpack``).
"""

from __future__ import annotations

from typing import Any

from .. import _bridge
from .._kinds import ACCUMULATE

FREED_MSG = (
    "Trying to backward through the graph a second time (or directly access saved tensors "
    "after they have already been freed). Saved intermediate values of the graph are freed "
    "when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to "
    "backward through the graph a second time or if you need to access saved tensors after "
    "calling backward."
)


class SavedVar:
    """A value a node keeps for its backward, with the version it had when saved."""

    __slots__ = ("data", "tensor", "vc", "version", "output_nr")

    def __init__(self, data: Any, tensor: Any, vc: list[int] | None, output_nr: int) -> None:
        self.data = data
        self.tensor = tensor
        self.vc = vc
        self.version = vc[0] if vc is not None else 0
        self.output_nr = output_nr


class Node:
    """One recorded operation. ``kind`` picks the backward (see ``_kinds``)."""

    __slots__ = (
        "kind", "_name", "next_edges", "meta", "saved", "scalars", "fn", "num_outputs",
        "pre_hooks", "retains", "released", "post_hooks", "__weakref__",
    )

    def __init__(self, kind: int, name: str, next_edges: tuple, meta: tuple, saved: tuple,
                 scalars: tuple, fn: Any, num_outputs: int) -> None:
        self.kind = kind
        self._name = name
        self.next_edges = next_edges
        self.meta = meta
        self.saved = saved
        self.scalars = scalars
        self.fn = fn
        self.num_outputs = num_outputs
        self.pre_hooks: list | None = None
        self.retains: list | None = None
        self.post_hooks: list | None = None
        self.released = False

    def name(self) -> str:
        return self._name

    @property
    def next_functions(self) -> tuple:
        return tuple((e[0], e[1]) if e is not None else (None, 0) for e in self.next_edges)

    @property
    def ctx(self) -> Any:
        return self.fn

    def saved_arrays(self) -> list:
        """The saved raw values, after checking they are still valid."""
        if self.released and self.saved is None:
            raise RuntimeError(FREED_MSG)
        for i, s in enumerate(self.saved):
            if s.vc is not None and s.vc[0] != s.version:
                raise RuntimeError(_bridge.version_error(self._name, i, s.vc[0], s.version))
        return [s.data for s in self.saved]

    @property
    def saved_tensors(self) -> tuple:
        """The saved values as Tensors: inputs as themselves, outputs rebuilt on this node."""
        arrays = self.saved_arrays()
        out = []
        for s, a in zip(self.saved, arrays):
            if s.tensor is not None:
                out.append(s.tensor)
            elif s.output_nr >= 0:
                out.append(_bridge.rebuild_output(a, self, s.output_nr, s.vc))
            else:
                out.append(a)
        return tuple(out)

    def release(self) -> None:
        if self.saved:
            self.saved = None
            self.released = True

    def add_pre_hook(self, output_nr: int, fn: Any) -> Any:
        if self.pre_hooks is None:
            self.pre_hooks = []
        entry = [output_nr, fn]
        self.pre_hooks.append(entry)
        return _RemovableEntry(self.pre_hooks, entry)

    def add_retain(self, output_nr: int, cell: Any) -> None:
        if self.retains is None:
            self.retains = []
        self.retains.append((output_nr, cell))

    def register_hook(self, fn: Any) -> Any:
        """``fn(grad_inputs, grad_outputs)`` after this node runs (observation only)."""
        if self.post_hooks is None:
            self.post_hooks = []
        self.post_hooks.append(fn)
        return _RemovableEntry(self.post_hooks, fn)

    def __repr__(self) -> str:
        return f"<{self._name} object at {hex(id(self))}>"


class AccumulateGrad(Node):
    """The sink of a leaf tensor: holds the leaf's ``.grad``."""

    __slots__ = ("grad",)

    def __init__(self, meta: tuple) -> None:
        super().__init__(ACCUMULATE, "AccumulateGrad", (), (meta,), (), (), None, 1)
        self.grad: Any = None


class _RemovableEntry:
    __slots__ = ("_lst", "_entry")

    def __init__(self, lst: list, entry: Any) -> None:
        self._lst = lst
        self._entry = entry

    def remove(self) -> None:
        try:
            self._lst.remove(self._entry)
        except ValueError:
            pass
