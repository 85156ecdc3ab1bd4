"""Flatten parameters into one vector and back (e.g. for second-order methods)."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from ...tensor import Tensor

__all__ = ["parameters_to_vector", "vector_to_parameters"]


def parameters_to_vector(parameters: Iterable[Tensor]) -> Tensor:
    """One 1-D tensor holding all parameters (differentiable w.r.t. them)."""
    from ..functional._utils import cat

    ps = list(parameters)
    if not ps:
        raise ValueError("parameters_to_vector: got no parameters")
    return cat([p.reshape(-1) for p in ps], 0)


def vector_to_parameters(vec: Tensor, parameters: Iterable[Tensor]) -> None:
    """Copy consecutive slices of ``vec`` into the parameters, in place."""
    if not isinstance(vec, Tensor):
        raise TypeError(f"expected a chaingrad Tensor, but got: {type(vec).__name__}")
    ps = list(parameters)
    total = sum(p.numel() for p in ps)
    if vec.ndim != 1 or vec.numel() != total:
        raise RuntimeError(f"vector_to_parameters: vec has shape {tuple(vec.shape)} but the "
                           f"parameters hold {total} values")
    start = 0
    for p in ps:
        n = p.numel()
        np.copyto(p._data, vec._data[start:start + n].reshape(p._data.shape), casting="unsafe")
        p._bump_version()
        start += n
