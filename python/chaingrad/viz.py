"""Pictures of the backward graph: ``draw(t)`` gives Graphviz DOT text, and SVG/PNG where installed.

One box per node, named like ``grad_fn`` (``MulBackward0``); leaves (``AccumulateGrad``) and
tensors still alive that a node produced are shown with their shape, their value when small and
their ``.grad`` once backward has filled it. Edges point from a node to its inputs: the way the
gradient flows.

The graph holds no pointers back to tensors (a leaf's ``AccumulateGrad`` keeps only its
``.grad``), so that recording an op costs nothing for pictures nobody asked for. ``draw`` finds
the tensors instead with one ``gc.get_referrers`` scan over the drawn nodes, at drawing time only.
"""

from __future__ import annotations

import gc
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from .tensor import Tensor

__all__ = ["draw", "to_dot", "Picture", "GraphvizMissing", "graphviz_available"]

_INSTALL = (
    "rendering SVG/PNG needs the graphviz Python package and Graphviz's `dot` program: "
    "pip install 'chaingrad[viz]' and install Graphviz (apt install graphviz, brew install "
    "graphviz, conda install graphviz); the DOT text is always available as Picture.source"
)


class GraphvizMissing(RuntimeError):
    """Raised when SVG/PNG output is asked for and Graphviz is not installed."""


def _fmt_array(a: np.ndarray, value_limit: int) -> str | None:
    if a.size > value_limit:
        return None
    if a.ndim == 0:
        return f"{a.item():.6g}" if a.dtype.kind == "f" else str(a.item())
    return np.array2string(a, precision=4, separator=", ", suppress_small=True).replace("\n", "")


def _describe(t: Tensor, value_limit: int) -> list[str]:
    lines = [f"shape {tuple(t.shape)}  {str(t.dtype).replace('chaingrad.', '')}"]
    v = _fmt_array(t._data, value_limit)
    if v is not None:
        lines.append(f"value {v}")
    g = t.grad if (t.is_leaf or t.retains_grad) else None
    if g is not None:
        gv = _fmt_array(g._data, value_limit)
        lines.append(f"grad {gv}" if gv is not None else f"grad shape {tuple(g.shape)}")
    return lines


def _escape(s: str) -> str:
    return s.replace("\\", "\\\\").replace('"', '\\"')


def _walk(root_fn: Any, max_nodes: int) -> tuple[list[Any], list[tuple[int, int, int]], int,
                                                 list[int]]:
    """Breadth-first over ``next_functions`` (iterative: graphs may be deep).

    Returns the drawn nodes, the edges between them (from, to, output number) and how many
    nodes lie past the ``max_nodes`` cap (walked once each, to count them, never drawn).
    """
    order: list[Any] = [root_fn]
    index: dict[int, int] = {id(root_fn): 0}  # -1: past the cap
    edges: list[tuple[int, int, int]] = []
    hidden = 0
    cut: list[int] = []
    queue = [root_fn]
    head = 0
    while head < len(queue):
        fn = queue[head]
        head += 1
        src = index[id(fn)]
        for nxt, nr in fn.next_functions:
            if nxt is None:
                continue
            k = index.get(id(nxt))
            if k is None:
                if len(order) < max_nodes:
                    k = len(order)
                    order.append(nxt)
                else:
                    k = -1
                    hidden += 1
                index[id(nxt)] = k
                queue.append(nxt)
            if src >= 0 and k >= 0:
                edges.append((src, k, nr))
            elif src >= 0 and (not cut or cut[-1] != src):
                cut.append(src)
    return order, edges, hidden, cut


def _tensors_of(nodes: list[Any]) -> tuple[dict[int, Tensor], dict[int, list[Tensor]]]:
    """The live tensors behind the drawn nodes: leaves by their accumulator, others by grad_fn."""
    ids = {id(n) for n in nodes}
    leaves: dict[int, Tensor] = {}
    produced: dict[int, list[Tensor]] = {}
    for obj in gc.get_referrers(*nodes):
        if not isinstance(obj, Tensor):
            continue
        if obj._grad_fn is None:
            if obj._acc is not None and id(obj._acc) in ids:
                leaves[id(obj._acc)] = obj
        elif id(obj._grad_fn) in ids:
            produced.setdefault(id(obj._grad_fn), []).append(obj)
    return leaves, produced


def to_dot(root: Tensor, params: Mapping[str, Tensor] | None = None, *, max_nodes: int = 200,
           value_limit: int = 8) -> str:
    """The DOT text of the graph behind ``root``.

    ``params`` names tensors (``dict(model.named_parameters())``, ``{"x": x}``); unnamed leaves
    are drawn as ``leaf``. At most ``max_nodes`` nodes are drawn; a note says how many were left
    out. Values are shown for tensors of at most ``value_limit`` elements.
    """
    if not isinstance(root, Tensor):
        raise TypeError(f"viz.to_dot: expected a Tensor, got {type(root).__name__}")
    if max_nodes < 1:
        raise ValueError(f"viz.to_dot: max_nodes must be at least 1, got {max_nodes}")
    names = {id(t): name for name, t in (params or {}).items()}
    out = ["digraph chaingrad {", '  graph [rankdir=TB, fontname="Helvetica"];',
           '  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=11];',
           '  edge [fontname="Helvetica", fontsize=9];']
    root_lines = [names.get(id(root), "output"), *_describe(root, value_limit)]
    if root.grad_fn is None:
        out.append(f'  out [label="{_label(root_lines)}", fillcolor="#a6d5fa"];')
        out.append("}")
        return "\n".join(out) + "\n"
    nodes, edges, hidden, cut = _walk(root.grad_fn, max_nodes)
    leaves, produced = _tensors_of(nodes)
    out.append(f'  out [label="{_label(root_lines)}", fillcolor="#b9f2b9"];')
    out.append('  out -> n0;')
    for i, fn in enumerate(nodes):
        name = fn.name()
        if name == "AccumulateGrad":
            t = leaves.get(id(fn))
            lines = [names.get(id(t), "leaf") if t is not None else "leaf"]
            if t is not None:
                lines += _describe(t, value_limit)
            elif fn.grad is not None:
                lines.append(f"grad {_fmt_array(fn.grad._data, value_limit)}")
            out.append(f'  n{i} [label="{_label(lines)}", fillcolor="#a6d5fa"];')
            continue
        lines = [name]
        for t in produced.get(id(fn), ()):
            if t is root:
                continue
            if id(t) in names:
                lines.append(names[id(t)])
            lines += _describe(t, value_limit)
        out.append(f'  n{i} [label="{_label(lines)}", fillcolor="#e8e8e8"];')
    multi = {i for i, fn in enumerate(nodes) if fn.num_outputs > 1}
    for a, b, nr in edges:
        attr = f' [label="{nr}"]' if b in multi else ""
        out.append(f"  n{a} -> n{b}{attr};")
    if hidden:
        out.append(f'  more [shape=note, fillcolor="#fff3c4", label="{hidden} more nodes not '
                   f'drawn (max_nodes={max_nodes})"];')
        out.extend(f"  n{i} -> more [style=dashed];" for i in cut)
    out.append("}")
    return "\n".join(out) + "\n"


def _label(lines: list[str]) -> str:
    return "\\n".join(_escape(s) for s in lines)


class Picture:
    """A drawn graph: ``.source`` is the DOT text; ``render``/``pipe`` need Graphviz."""

    def __init__(self, source: str) -> None:
        self.source = source

    def __str__(self) -> str:
        return self.source

    def pipe(self, format: str = "svg") -> bytes:
        """The picture as bytes in ``format`` (``svg``, ``png``, ``pdf``...), through ``dot``."""
        try:
            import graphviz
        except ImportError:
            raise GraphvizMissing(f"chaingrad.viz: {_INSTALL}") from None
        try:
            return graphviz.Source(self.source).pipe(format=format)
        except graphviz.ExecutableNotFound:
            raise GraphvizMissing(f"chaingrad.viz: `dot` not found on PATH; {_INSTALL}") from None

    def render(self, path: str | Path) -> Path:
        """Write the picture; the suffix picks the format (``.dot`` needs no Graphviz)."""
        path = Path(path)
        fmt = path.suffix.lstrip(".").lower()
        if not fmt:
            raise ValueError(f"viz: {path} has no suffix; use .dot, .svg, .png or .pdf")
        if fmt in ("dot", "gv"):
            path.write_text(self.source)
        else:
            path.write_bytes(self.pipe(fmt))
        return path

    def _repr_svg_(self) -> str | None:
        try:
            return self.pipe("svg").decode()
        except GraphvizMissing:
            return None


def draw(root: Tensor, params: Mapping[str, Tensor] | None = None, *, max_nodes: int = 200,
         value_limit: int = 8) -> Picture:
    """The graph behind ``root`` as a :class:`Picture` (see :func:`to_dot` for the arguments)."""
    return Picture(to_dot(root, params, max_nodes=max_nodes, value_limit=value_limit))


def graphviz_available() -> bool:
    """Whether SVG/PNG can be rendered here (the graphviz package and ``dot`` on PATH)."""
    try:
        import graphviz
    except ImportError:
        return False
    try:
        graphviz.version()
    except graphviz.ExecutableNotFound:
        return False
    return True
