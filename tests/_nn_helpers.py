"""Helpers for the nn/optim tests: float64 inputs, torch conversion, weight transfer."""

from __future__ import annotations

from typing import Any

import numpy as np

import chaingrad as cg


def rand64(rng: np.random.Generator, *shape: int, requires_grad: bool = True,
           scale: float = 1.0) -> cg.Tensor:
    return cg.tensor(rng.standard_normal(shape) * scale, dtype=cg.float64,
                     requires_grad=requires_grad)


def to_torch(t: Any, requires_grad: bool | None = None) -> Any:
    """A torch tensor with the same values (and requires_grad unless overridden)."""
    import torch

    arr = np.array(t._data if isinstance(t, cg.Tensor) else t, copy=True)
    rg = (t.requires_grad if isinstance(t, cg.Tensor) else False) if requires_grad is None \
        else requires_grad
    out = torch.from_numpy(arr)
    if rg:
        out.requires_grad_(True)
    return out


def np_of(t: Any) -> np.ndarray:
    """NumPy values of a chaingrad or torch tensor."""
    if isinstance(t, cg.Tensor):
        return np.asarray(t._data)
    return t.detach().cpu().numpy()


def load_from_torch(module: cg.nn.Module, torch_module: Any) -> None:
    """Copy a torch module's state into a chaingrad module with the same parameter names."""
    sd = {k: cg.tensor(v.detach().numpy().copy()) for k, v in torch_module.state_dict().items()}
    module.load_state_dict(sd)


def assert_close(a: Any, b: Any, rtol: float = 1e-7, atol: float = 1e-9, what: str = "") -> None:
    np.testing.assert_allclose(np_of(a), np_of(b), rtol=rtol, atol=atol, err_msg=what)
