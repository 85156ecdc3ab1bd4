"""``chaingrad.autograd``: backward, grad, custom Functions and gradient checking."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .. import _bridge, _missing
from .. import engine as _engine
from .. import grad_mode as _gm
from ..grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from ..tensor import Tensor, _RetainCell
from ._callbacks import run_with_callbacks
from .anomaly_mode import detect_anomaly, is_anomaly_enabled, set_detect_anomaly
from .function import Function, FunctionCtx
from .gradcheck import gradcheck, gradgradcheck
from .inference import Variable, inference_mode

__all__ = [
    "Function", "FunctionCtx", "backward", "grad", "gradcheck", "gradgradcheck", "no_grad",
    "enable_grad", "set_grad_enabled", "is_grad_enabled", "detect_anomaly",
    "set_detect_anomaly", "is_anomaly_enabled", "inference_mode", "Variable", "functional",
]
__getattr__ = _missing.module_getattr("torch.autograd", __name__)


def _as_seq(x: Any) -> tuple:
    if x is None:
        return ()
    if isinstance(x, Tensor):
        return (x,)
    return tuple(x)


def _grad_seq(g: Any, n: int) -> tuple:
    if g is None:
        return (None,) * n
    if isinstance(g, (Tensor, np.ndarray)):
        return (g,)
    return tuple(g)


def _edge(t: Tensor) -> tuple:
    if t._grad_fn is not None:
        return (t._grad_fn, t._output_nr)
    return (_engine.current().accumulator(t), 0)


def _roots(outputs: tuple, grad_outputs: tuple, create_graph: bool) -> tuple[list, list]:
    if len(grad_outputs) != len(outputs):
        raise RuntimeError(
            f"got {len(grad_outputs)} gradients for {len(outputs)} outputs; pass one per output"
        )
    edges, grads = [], []
    for i, (t, g) in enumerate(zip(outputs, grad_outputs)):
        if not isinstance(t, Tensor):
            raise TypeError(f"outputs[{i}] must be a Tensor, got {type(t).__name__}")
        if not t._requires_grad:
            why = ("" if t._data.dtype.kind == "f" else
                   f" (its dtype {t._data.dtype} is not differentiable)")
            raise RuntimeError(
                f"element {i} of tensors does not require grad and does not have a grad_fn{why}"
            )
        if g is None:
            if t._data.size != 1:
                raise RuntimeError(
                    "grad can be implicitly created only for scalar outputs (got a tensor of "
                    f"shape {tuple(t.shape)}; pass `gradient=` to backward)"
                )
            g_arr = np.ones_like(t._data)
            gt = Tensor._from_array(g_arr)
        else:
            gt = g if isinstance(g, Tensor) else Tensor(np.asarray(g), dtype=t.dtype)
            if tuple(gt.shape) != tuple(t.shape):
                raise RuntimeError(
                    f"Mismatch in shape: grad_output[{i}] has a shape of {tuple(gt.shape)} and "
                    f"output[{i}] has a shape of {tuple(t.shape)}."
                )
            if gt.dtype != t.dtype:
                gt = (gt.to(t.dtype) if create_graph
                      else Tensor._from_array(gt._data.astype(t.dtype)))
        edges.append(_edge(t))
        grads.append(gt if create_graph else gt._data)
    return edges, grads


def _run(edges: list, grads: list, retain_graph: bool, create_graph: bool,
         capture: list | None) -> Any:
    prev = _gm._enabled[0]
    _gm._enabled[0] = create_graph
    try:
        return run_with_callbacks(_engine.current().execute, edges, grads, retain_graph,
                                  create_graph, capture)
    finally:
        _gm._enabled[0] = prev


def backward(tensors: Any, grad_tensors: Any = None, retain_graph: bool | None = None,
             create_graph: bool = False, *, inputs: Any = None) -> None:
    """Accumulate d(tensors)/d(leaf) into every reached leaf's ``.grad`` (or only ``inputs``)."""
    outs = _as_seq(tensors)
    gouts = _grad_seq(grad_tensors, len(outs))
    if retain_graph is None:
        retain_graph = create_graph
    edges, grads = _roots(outs, gouts, create_graph)
    if inputs is None:
        _run(edges, grads, retain_graph, create_graph, None)
        return
    ins = _as_seq(inputs)
    if not ins:
        raise RuntimeError("backward(inputs=...): inputs must not be empty")
    for t in ins:
        if not isinstance(t, Tensor) or not t._requires_grad:
            raise RuntimeError(
                "backward(inputs=...): every input must be a Tensor that requires grad"
            )
    got = _run(edges, grads, retain_graph, create_graph, [_edge(t) for t in ins])
    for t, g in zip(ins, got):
        if g is None:
            continue
        if t._grad_fn is None:
            _bridge.accumulate(_engine.current().accumulator(t), g, create_graph)
        else:
            if t._retain is None:
                t._retain = _RetainCell()
            _bridge.store_retained(t._retain, g, create_graph)


def grad(outputs: Any, inputs: Any, grad_outputs: Any = None, retain_graph: bool | None = None,
         create_graph: bool = False, *, allow_unused: bool | None = None,
         materialize_grads: bool = False) -> tuple:
    """Return d(outputs)/d(inputs) without touching any ``.grad``."""
    outs = _as_seq(outputs)
    ins = _as_seq(inputs)
    if not ins:
        raise RuntimeError("grad requires at least one input")
    gouts = _grad_seq(grad_outputs, len(outs))
    if retain_graph is None:
        retain_graph = create_graph
    if allow_unused is None:
        allow_unused = materialize_grads
    for i, t in enumerate(ins):
        if not isinstance(t, Tensor):
            raise TypeError(f"inputs[{i}] must be a Tensor, got {type(t).__name__}")
        if not t._requires_grad:
            raise RuntimeError(
                f"One of the differentiated Tensors (inputs[{i}]) does not require grad"
            )
    edges, grads = _roots(outs, gouts, create_graph)
    got = _run(edges, grads, retain_graph, create_graph, [_edge(t) for t in ins])
    result = []
    for i, (t, g) in enumerate(zip(ins, got)):
        if g is None:
            if not allow_unused:
                raise RuntimeError(
                    f"One of the differentiated Tensors (inputs[{i}], shape {tuple(t.shape)}) "
                    "appears to not have been used in the graph. Set allow_unused=True if this "
                    "is the desired behavior."
                )
            result.append(
                Tensor._from_array(np.zeros_like(t._data)) if materialize_grads else None
            )
        else:
            result.append(
                g if isinstance(g, Tensor) else Tensor._from_array(np.array(g, copy=True))
            )
    return tuple(result)


from . import functional  # noqa: E402 - needs grad above
