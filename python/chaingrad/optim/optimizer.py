"""``Optimizer``: parameter groups, per-parameter state and torch-format state dicts.

Subclasses implement ``_update(group, p, grad, state)`` on NumPy arrays; the base class loops
over parameters with gradients under no_grad, writes results into ``p._data`` in place and
bumps the version counter (so a graph that saved the old value refuses to backward).
"""

from __future__ import annotations

import copy
from typing import Any, Callable

import numpy as np

from .. import grad_mode as _gm
from ..tensor import Tensor

__all__ = ["Optimizer", "required"]


class _Required:
    """Marks an option with no default (``lr`` of SGD in old torch)."""

    def __repr__(self) -> str:
        return "<required parameter>"


required = _Required()


def _check_nonneg(value: Any, what: str) -> None:
    if not (isinstance(value, (int, float, np.floating, np.integer)) and not
            isinstance(value, bool)):
        raise TypeError(f"{what} must be a number, got {type(value).__name__}")
    if not value >= 0.0:  # also rejects NaN
        raise ValueError(f"Invalid {what}: {value}")


def check_lr(lr: Any) -> None:
    if isinstance(lr, Tensor):
        lr = lr.item()
    if not isinstance(lr, (int, float, np.floating, np.integer)) or isinstance(lr, bool):
        raise TypeError(f"learning rate must be a number, got {type(lr).__name__}")
    if not lr >= 0.0:
        raise ValueError(f"Invalid learning rate: {lr}")


def _as_array(value: Any) -> Any:
    return value._data if isinstance(value, Tensor) else value


def _copy_state_value(v: Any) -> Any:
    if isinstance(v, Tensor):
        return Tensor._from_array(np.array(v._data, copy=True))
    if isinstance(v, dict):
        return {k: _copy_state_value(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return type(v)(_copy_state_value(x) for x in v)
    return copy.copy(v)


class Optimizer:
    """Base class: ``params`` is an iterable of tensors, of ``(name, tensor)`` pairs, or of
    dicts (parameter groups with their own options overriding ``defaults``)."""

    def __init__(self, params: Any, defaults: dict[str, Any]) -> None:
        self.defaults = defaults
        self.state: dict[Tensor, dict[str, Any]] = {}
        self.param_groups: list[dict[str, Any]] = []
        if isinstance(params, Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable of "
                            f"Tensors or dicts, but got {type(params).__name__}")
        groups = list(params)
        if len(groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for g in groups:
            self.add_param_group(g)

    # ------------------------------------------------------------------ groups
    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group of parameters with its own options (e.g. a lower lr for a backbone).

        Raises before changing anything if a parameter is not a leaf tensor, appears twice,
        is already in another group, or a required option is missing.
        """
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group).__name__}")
        group = dict(param_group)
        params = group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, set):
            raise TypeError("optimizer parameters need to be organized in ordered collections, "
                            "but the ordering of tensors in sets will change between runs. "
                            "Please use a list instead.")
        else:
            params = list(params)
        names = None
        if params and isinstance(params[0], tuple):
            if not all(isinstance(p, tuple) and len(p) == 2 for p in params):
                raise ValueError("all optimizer params should be (name, tensor) pairs, or none")
            names = [n for n, _ in params]
            params = [p for _, p in params]
        for p in params:
            if not isinstance(p, Tensor):
                raise TypeError("optimizer can only optimize Tensors, but one of the params is "
                                + type(p).__name__)
            if p.grad_fn is not None:
                raise ValueError("can't optimize a non-leaf Tensor")
        if len({id(p) for p in params}) != len(params):
            raise ValueError("optimizer contains a parameter group with duplicate parameters")
        for name, default in self.defaults.items():
            if default is required and name not in group:
                raise ValueError(f"parameter group didn't specify a value of required "
                                 f"optimization parameter {name}")
            group.setdefault(name, default)
        existing = {id(p) for g in self.param_groups for p in g["params"]}
        if existing & {id(p) for p in params}:
            raise ValueError("some parameters appear in more than one parameter group")
        self._validate_group(group)
        group["params"] = params
        if names is not None:
            group["param_names"] = names
        self.param_groups.append(group)

    def _validate_group(self, group: dict[str, Any]) -> None:
        """Subclasses check their options (so add_param_group rejects bad ones too)."""
        check_lr(group["lr"])

    # ------------------------------------------------------------------ steps
    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset gradients: to None (default, frees memory) or to zeros."""
        for g in self.param_groups:
            for p in g["params"]:
                if p.grad is None:
                    continue
                if set_to_none:
                    p.grad = None
                else:
                    grad = p.grad
                    if grad.grad_fn is not None:
                        grad.detach_()
                    grad._data[...] = 0
                    grad._bump_version()

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """One update of every parameter that has a gradient; ``closure`` re-evaluates the
        loss (with grad enabled) and its value is returned."""
        loss = None
        if closure is not None:
            with _gm.enable_grad():
                loss = closure()
        with _gm.no_grad():
            for group in self.param_groups:
                self._step_group(group)
        return loss

    def _step_group(self, group: dict[str, Any]) -> None:
        for p in group["params"]:
            g = p.grad
            if g is None:
                continue
            grad = g._data
            if group.get("maximize", False):
                grad = -grad
            state = self.state.get(p)
            if state is None:
                state = self.state[p] = {}
            self._update(group, p._data, grad, state)
            p._bump_version()

    def _update(self, group: dict[str, Any], p: np.ndarray, grad: np.ndarray,
                state: dict[str, Any]) -> None:
        raise NotImplementedError

    @staticmethod
    def _step_count(state: dict[str, Any]) -> float:
        """Increment and return the step counter (a float32 0-d tensor, like torch's)."""
        step = state.get("step")
        if step is None:
            step = state["step"] = Tensor._from_array(np.zeros((), dtype=np.float32))
        step._data += 1
        return float(step._data)

    # ------------------------------------------------------------------ state dict
    def state_dict(self) -> dict[str, Any]:
        """torch's format: ``{'state': {index: {...}}, 'param_groups': [{..., 'params':
        [indices]}]}``, parameters numbered in group order. State tensors are copies."""
        index: dict[int, int] = {}
        groups = []
        for g in self.param_groups:
            packed = {k: v for k, v in g.items() if k != "params"}
            ids = []
            for p in g["params"]:
                if id(p) not in index:
                    index[id(p)] = len(index)
                ids.append(index[id(p)])
            packed["params"] = ids
            groups.append(packed)
        state = {}
        for g in self.param_groups:
            for p in g["params"]:
                if self.state.get(p):
                    state[index[id(p)]] = _copy_state_value(self.state[p])
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore state and group options saved by ``state_dict`` (possibly via
        ``chaingrad.save``/``load``). Everything is validated first: a mismatch raises
        ``ValueError`` and leaves the optimizer unchanged."""
        if not isinstance(state_dict, dict) or "param_groups" not in state_dict or \
                "state" not in state_dict:
            raise ValueError("optimizer state_dict must be a dict with 'state' and "
                             "'param_groups' keys")
        groups = self.param_groups
        saved_groups = state_dict["param_groups"]
        if len(groups) != len(saved_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        for g, sg in zip(groups, saved_groups):
            if not isinstance(sg, dict) or "params" not in sg:
                raise ValueError("loaded state dict has a malformed parameter group")
            if len(g["params"]) != len(sg["params"]):
                raise ValueError("loaded state dict contains a parameter group that doesn't "
                                 "match the size of optimizer's group")
        id_map: dict[Any, Tensor] = {}
        for g, sg in zip(groups, saved_groups):
            for old, p in zip(sg["params"], g["params"]):
                id_map[old] = p
        new_state: dict[Tensor, dict[str, Any]] = {}
        saved_state = state_dict["state"]
        if not isinstance(saved_state, dict):
            raise ValueError("loaded state dict's 'state' must be a dict")
        for k, v in saved_state.items():
            p = id_map.get(k)
            if p is None:
                p = id_map.get(int(k)) if isinstance(k, str) and k.isdigit() else None
            if p is None:
                raise ValueError(f"loaded state dict has state for parameter {k!r}, which is "
                                 "in none of its parameter groups")
            if not isinstance(v, dict):
                raise ValueError(f"state of parameter {k!r} must be a dict")
            entry: dict[str, Any] = {}
            for name, value in v.items():
                arr = _as_array(value)
                if isinstance(arr, np.ndarray) and name != "step":
                    if arr.shape != p._data.shape:
                        raise ValueError(
                            f"state '{name}' of parameter {k!r} has shape {arr.shape}, but the "
                            f"parameter has shape {p._data.shape}"
                        )
                    # Moments are cast to the parameter's dtype, like torch.
                    entry[name] = Tensor._from_array(arr.astype(p._data.dtype, copy=True))
                elif isinstance(arr, np.ndarray):
                    entry[name] = Tensor._from_array(np.array(arr, dtype=np.float32,
                                                              copy=True).reshape(()))
                else:
                    entry[name] = copy.deepcopy(value)
            new_state[p] = entry
        new_groups = []
        for g, sg in zip(groups, saved_groups):
            ng = {k: copy.deepcopy(v) for k, v in sg.items() if k != "params"}
            if isinstance(ng.get("betas"), list):
                ng["betas"] = tuple(ng["betas"])  # JSON checkpoints turn tuples into lists
            ng["params"] = g["params"]
            new_groups.append(ng)
        for ng in new_groups:
            self._validate_group(ng)
        self.state = new_state
        self.param_groups[:] = new_groups

    # ------------------------------------------------------------------ repr
    def __repr__(self) -> str:
        s = type(self).__name__ + " ("
        for i, g in enumerate(self.param_groups):
            s += f"\nParameter Group {i}"
            for k in sorted(g):
                if k not in ("params", "param_names"):
                    s += f"\n    {k}: {g[k]}"
        return s + "\n)"
