"""Type stub for ``chaingrad._core``, the C++ graph engine (csrc/bindings.cpp, csrc/forward.cpp).

The engine is private: user code goes through ``chaingrad.Tensor`` and ``chaingrad.autograd``.
This stub exists so that ``mypy --strict`` sees the module's real surface. Add a name here in
the same commit as its ``m.def``/``m.attr`` (tests/test_typing.py fails when ``_core`` exports
a name this stub lacks, or the stub names one ``_core`` does not export).
"""

from collections.abc import Callable, MutableSequence
from types import ModuleType
from typing import Any, SupportsIndex, SupportsInt

import numpy as np

# --- module attributes -----------------------------------------------------------------------
name: str  # "cpp"
compiler: str  # e.g. "gcc 12.2.0": which compiler built the core
_numpy: ModuleType  # the numpy module the core was initialised with
_bridge: ModuleType  # chaingrad._bridge once set_bridge has run

# --- classes ---------------------------------------------------------------------------------
class HookHandle:
    def remove(self) -> None: ...

class Node:
    """One recorded operation (a ``grad_fn``); ``kind`` picks the backward (see ``_kinds``)."""

    def name(self) -> str: ...
    @property
    def kind(self) -> int: ...
    @property
    def next_functions(self) -> tuple[tuple[Node | None, int], ...]: ...
    @property
    def next_edges(self) -> tuple[tuple[Node, int] | None, ...]: ...
    @property
    def meta(self) -> tuple[tuple[tuple[int, ...], Any] | None, ...]: ...
    @property
    def scalars(self) -> tuple[float, ...]: ...
    @property
    def num_outputs(self) -> int: ...
    @property
    def fn(self) -> Any: ...
    @property
    def ctx(self) -> Any: ...
    @property
    def released(self) -> bool: ...
    @property
    def saved_tensors(self) -> tuple[Any, ...]: ...
    def saved_arrays(self) -> list[np.ndarray[Any, Any] | None]: ...
    @property
    def grad(self) -> Any: ...
    @grad.setter
    def grad(self, value: Any) -> None: ...
    def add_pre_hook(self, output_nr: int, fn: Callable[..., Any], /) -> HookHandle: ...
    def register_hook(self, fn: Callable[..., Any], /) -> HookHandle: ...
    def add_retain(self, output_nr: int, cell: Any, /) -> None: ...

# --- grad mode (grad_mode.cpp) -----------------------------------------------------------------
# This thread's grad mode: a C++ cell indexed like the one-element list grad_mode._enabled
# (only [0] get/set and len); its class is not exported.
grad_mode: MutableSequence[bool]

# --- engine functions (bindings.cpp) ---------------------------------------------------------
def set_bridge(arg0: ModuleType, /) -> None: ...
def accumulator(arg0: Any, /) -> Node: ...
def record(
    kind: SupportsInt | SupportsIndex,
    name: str,
    inputs: tuple[Any, ...],
    outputs: tuple[Any, ...],
    save: tuple[Any, ...],
    scalars: tuple[float, ...],
    fn: Any,
) -> Node: ...
def execute(
    roots: list[Any],
    grads: list[Any],
    retain_graph: bool,
    create_graph: bool,
    capture: list[Any] | None,
) -> list[Any] | None: ...

# --- native forward fast paths (forward.cpp) -------------------------------------------------
def install_fast_ops(
    tensor_cls: type,
    fallbacks: dict[str, Callable[..., Any]],
    grad_mode: list[bool],
    current_engine: list[Any],
) -> list[str]: ...
def fast_ops_stats() -> dict[str, Any]: ...
def max_pool2d_forward(
    input: np.ndarray,
    kernel: tuple[int, int],
    stride: tuple[int, int],
    padding: tuple[int, int],
    dilation: tuple[int, int],
    out_hw: tuple[int, int],
) -> tuple[np.ndarray, np.ndarray] | None: ...
def max_pool2d_scatter(
    grad: np.ndarray, index: np.ndarray, in_shape: tuple[int, int, int, int]
) -> np.ndarray | None: ...
def erf_array(a: np.ndarray, complement: bool = False) -> np.ndarray: ...
def cross_entropy_forward(
    input: np.ndarray, target: np.ndarray, ignore_index: int, reduction: int
) -> tuple[np.ndarray, np.ndarray] | None: ...
def make_fast_function(
    name: str, kind: str, fallback: Callable[..., Any], module: str
) -> Callable[..., Any]: ...

# --- optimizer steps (optim.cpp) ---------------------------------------------------------------
def sgd_step(
    params: list[Any],
    state: dict[Any, Any],
    key: str,
    lr: float,
    momentum: float,
    dampening: float,
    weight_decay: float,
    nesterov: bool,
    maximize: bool,
    /,
) -> bool: ...
def adam_step(
    params: list[Any],
    state: dict[Any, Any],
    lr: float,
    beta1: float,
    beta2: float,
    eps: float,
    weight_decay: float,
    amsgrad: bool,
    maximize: bool,
    decoupled: bool,
    /,
) -> bool: ...
